"""The SimDR head (paper Fig. 2): shared per-axis linear projections of each joint's embedding."""

from __future__ import annotations

import torch
from torch import nn


class PoseModel(nn.Module):
    """Base class: a network producing per-joint features, then a heatmap or a SimDR output.

    Subclasses implement ``joint_features(images) -> (N, K, D)`` (SimDR) and/or
    ``heatmaps(images) -> (N, K, h, w)``. For SimDR heads this class owns ``mlp_head_x`` and
    ``mlp_head_y`` (official names): ``Linear(D, int(W*k))`` and ``Linear(D, int(H*k))`` shared by
    all joints, with PyTorch's default init as in the official code.
    """

    head: str

    def _attach_simdr_head(self, in_features: int, input_size: tuple[int, int], k: float) -> None:
        self.mlp_head_x = nn.Linear(in_features, int(input_size[0] * k))
        self.mlp_head_y = nn.Linear(in_features, int(input_size[1] * k))

    def forward(self, images: torch.Tensor):
        if self.head == "heatmap":
            return self.heatmaps(images)
        feats = self.joint_features(images)  # (N, K, D)
        return self.mlp_head_x(feats), self.mlp_head_y(feats)
