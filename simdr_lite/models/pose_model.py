"""The base class of every pose network, and the SimDR head (paper Fig. 2).

A network produces per-joint features; its head turns them into stride-4 heatmaps (``simdr_k=None``)
or into SimDR's x / y logits: two Linear layers shared by all joints (``simdr_k`` bins per pixel).
"""

from __future__ import annotations

import torch
from torch import nn


class PoseModel(nn.Module):
    """Base class: ``forward`` returns heatmaps ``(N, K, h, w)`` or the pair of x / y logits.

    Subclasses implement ``joint_features(images) -> (N, K, D)`` (SimDR) and/or
    ``heatmaps(images) -> (N, K, h, w)``, and set ``simdr_k``. For SimDR heads this class owns
    ``mlp_head_x`` and ``mlp_head_y`` (official names): ``Linear(D, int(W*k))`` and
    ``Linear(D, int(H*k))`` shared by all joints, with PyTorch's default init as in the official code.
    """

    simdr_k: float | None = None

    def _attach_simdr_head(self, in_features: int, input_size: tuple[int, int], k: float) -> None:
        self.mlp_head_x = nn.Linear(in_features, int(input_size[0] * k))
        self.mlp_head_y = nn.Linear(in_features, int(input_size[1] * k))

    def forward(self, images: torch.Tensor):
        if self.simdr_k is None:
            return self.heatmaps(images)
        feats = self.joint_features(images)  # (N, K, D)
        return self.mlp_head_x(feats), self.mlp_head_y(feats)
