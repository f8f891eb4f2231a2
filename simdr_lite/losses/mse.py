"""Heatmap regression loss (official ``JointsMSELoss``)."""

from __future__ import annotations

import torch
from torch import nn


class JointsMSELoss(nn.Module):
    """``(1/K) sum_k 0.5 * mean_{n,pixels} ((pred - gt) * w)^2`` over heatmaps ``(N, K, h, w)``.

    The official loss loops over joints and averages; this is the same value in one expression.
    ``use_target_weight=False`` ignores the weights (every config sets it to true).
    """

    def __init__(self, use_target_weight: bool = True) -> None:
        super().__init__()
        self.use_target_weight = use_target_weight

    def forward(
        self, output: torch.Tensor, target: torch.Tensor, target_weight: torch.Tensor
    ) -> torch.Tensor:
        if output.shape != target.shape or output.ndim != 4:
            raise ValueError(
                f"output and target must both be (N, K, h, w); got {tuple(output.shape)} and "
                f"{tuple(target.shape)}"
            )
        diff = output.float() - target.float()
        if self.use_target_weight:
            diff = diff * target_weight.float().reshape(*target_weight.shape[:2], 1, 1)
        return 0.5 * diff.pow(2).mean()
