"""What trained networks output beyond their arg-max (notebook 11).

* :func:`heatmap_marginals` and :func:`spread`: a heatmap's x / y marginals and a 1-D distribution's
  width in input pixels, to put SimDR's two vectors (paper Sec. 3.2, Eqs. 2-5) beside the 2-D heatmap
  (Sec. 3.1).
* :func:`bin_weight_maps` and :func:`preferred_cells`: SimDR's Linear head (Fig. 2) read as one weight
  map per bin over the joint's feature map.
* :func:`other_joints_in_crop` and :func:`classify_predictions`: the identification ambiguity of two
  disentangled vectors when two persons share a crop (Sec. 5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from simdr_lite.data.augment import crop_matrix


def heatmap_marginals(heatmaps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(p_x (N, K, w), p_y (N, K, h))``: the x and y marginals of heatmaps ``(N, K, h, w)``, negative
    values clipped to 0 and each marginal normalised to sum to 1 (uniform where a map is all <= 0)."""
    h = heatmaps.float().clamp(min=0)
    total = h.sum(dim=(-2, -1), keepdim=True)
    h = torch.where(total > 0, h / total.clamp(min=1e-12), torch.full_like(h, 1.0 / h[0, 0].numel()))
    return h.sum(dim=-2), h.sum(dim=-1)


def spread(p: torch.Tensor, bin_px: float) -> torch.Tensor:
    """Standard deviation, in input pixels, of distributions ``p (..., B)`` over bins ``bin_px`` pixels
    wide (a heatmap marginal: the stride; a SimDR vector: ``1 / k``)."""
    pos = torch.arange(p.shape[-1], dtype=torch.float64, device=p.device) * bin_px
    p = p.double() / p.double().sum(-1, keepdim=True)
    mean = (p * pos).sum(-1, keepdim=True)
    return ((p * (pos - mean) ** 2).sum(-1)).sqrt()


def bin_weight_maps(linear: nn.Linear, feature_hw: tuple[int, int]) -> torch.Tensor:
    """``(B, h, w)``: the weights that SimDR's ``Linear(h*w, B)`` head gives each cell of the joint's
    ``h x w`` feature map (flattened row-major, as the head sees it), one map per output bin."""
    h, w = feature_hw
    if linear.in_features != h * w:
        raise ValueError(f"the head takes {linear.in_features} features, not a {h}x{w} map ({h * w})")
    return linear.weight.detach().reshape(-1, h, w)


def preferred_cells(maps: torch.Tensor, axis: str, extreme: str = "max") -> torch.Tensor:
    """For each bin's weight map ``(B, h, w)``: the feature-map column (``axis="x"``) or row (``"y"``)
    whose cells carry the largest (``extreme="max"``) or the most negative (``"min"``) mean weight."""
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    if extreme not in ("max", "min"):
        raise ValueError(f"extreme must be 'max' or 'min', got {extreme!r}")
    profile = maps.mean(dim=1 if axis == "x" else 2)
    return profile.argmax(dim=1) if extreme == "max" else profile.argmin(dim=1)


def other_joints_in_crop(dataset: Any, index: int) -> tuple[np.ndarray, np.ndarray]:
    """``(joints (M, K, 2), visible (M, K))`` of the *other* persons of instance ``index``'s image, mapped
    into its crop (no augmentation; a validation set's crop); visible only where labelled and inside."""
    others = np.flatnonzero(dataset.image_ids == dataset.image_ids[index])
    others = others[others != index]
    trans = crop_matrix(dataset.centers[index], dataset.scales[index], 0.0, dataset.input_size)
    pts = dataset.joints[others] @ trans[:2, :2].T + trans[:2, 2]
    w, h = dataset.input_size
    inside = (pts[..., 0] >= 0) & (pts[..., 0] <= w - 1) & (pts[..., 1] >= 0) & (pts[..., 1] <= h - 1)
    return pts.astype(np.float32), ((dataset.visible[others] > 0) & inside).astype(np.float32)


#: The outcomes of :func:`classify_predictions`.
OUTCOMES = ("own", "other", "ghost", "neither")


def classify_predictions(pred: np.ndarray, own: np.ndarray, other: np.ndarray, radius: float) -> np.ndarray:
    """Where each prediction ``(..., 2)`` landed, given its person's joint ``own`` and another person's
    same joint ``other`` (same shapes): index into :data:`OUTCOMES`. ``own`` / ``other``: within
    ``radius`` pixels of that point; ``ghost``: near neither point, but with x within ``radius`` of one
    person's x and y within ``radius`` of the other's y (a mix of the two vectors), counted only where
    the two persons' x and y both differ by more than ``2 radius`` (else the mix is no new point);
    else ``neither``."""
    def near(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.linalg.norm(a - b, axis=-1) <= radius

    dx = [np.abs(pred[..., 0] - p[..., 0]) <= radius for p in (own, other)]
    dy = [np.abs(pred[..., 1] - p[..., 1]) <= radius for p in (own, other)]
    apart = (np.abs(own - other) > 2 * radius).all(axis=-1)
    mixed = ((dx[0] & dy[1]) | (dx[1] & dy[0])) & apart
    return np.select([near(pred, own), near(pred, other), mixed], [0, 1, 2], default=3)


__all__ = ["OUTCOMES", "bin_weight_maps", "classify_predictions", "heatmap_marginals", "other_joints_in_crop",
           "preferred_cells", "spread"]
