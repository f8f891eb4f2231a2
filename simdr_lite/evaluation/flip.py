"""Flip test: run the horizontally flipped image too, flip its output back and average.

Official behaviour (``validate_heatmap`` / ``validate_simdr`` / ``validate_sa_simdr`` in leeyegy/SimCC):

* heatmaps: reverse the width, swap left/right joints, shift right by one cell, average;
* SimDR: reverse the x bins, swap joints (y bins are only swapped), shift x left by one bin,
  average the two *softmaxes*;
* SimDR*: same flip-back and shift, then softmax of the *averaged logits*.

Why a shift at all: the flip maps pixel ``x`` to ``W - 1 - x``, so after reversing ``M = W k`` bins
the flipped prediction peaks at bin ``W k - 1 - k (W - 1 - x) = k x + (k - 1)``. Shifting left by
``k - 1`` bins (``simdr_shift="exact"``) makes the flip test unbiased for any ``k``; the official
one-bin shift is exact only for ``k = 2`` (at ``k = 3`` it leaves ``+1/3`` px, at ``k = 1`` ``-1`` px).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

SIMDR_SHIFTS = ("official", "exact", "none")


def _swap(t: torch.Tensor, flip_pairs: Sequence[Sequence[int]]) -> torch.Tensor:
    perm = list(range(t.shape[1]))
    for a, b in flip_pairs:
        perm[a], perm[b] = b, a
    return t[:, perm]


def flip_back_heatmap(
    hm: torch.Tensor, flip_pairs: Sequence[Sequence[int]], shift: bool = True
) -> torch.Tensor:
    """Official ``flip_back`` (+ the one-cell right shift of ``SHIFT_HEATMAP``) of ``(N, K, h, w)``."""
    out = _swap(hm.flip(-1), flip_pairs)
    if shift:
        out = torch.cat([out[..., :1], out[..., :-1]], dim=-1)
    return out


def shift_bins(x: torch.Tensor, bins: float) -> torch.Tensor:
    """Shift the last axis left by ``bins`` (fractional: linear interpolation); the edge repeats."""
    if bins == 0:
        return x
    n = int(math.floor(bins))
    frac = bins - n
    idx = torch.arange(x.shape[-1], device=x.device)
    lo = x[..., (idx + n).clamp(max=x.shape[-1] - 1)]
    if frac == 0:
        return lo
    hi = x[..., (idx + n + 1).clamp(max=x.shape[-1] - 1)]
    return (1 - frac) * lo + frac * hi


def flip_back_simdr(
    x: torch.Tensor,
    y: torch.Tensor,
    flip_pairs: Sequence[Sequence[int]],
    k: float,
    shift: str = "official",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Official ``flip_back_simdr`` of x/y logits ``(N, K, bins)`` plus the chosen x shift."""
    if shift not in SIMDR_SHIFTS:
        raise ValueError(f"simdr shift must be one of {SIMDR_SHIFTS}, got {shift!r}")
    xf = _swap(x.flip(-1), flip_pairs)
    yf = _swap(y, flip_pairs)
    if shift == "official":
        xf = shift_bins(xf, 1)  # x_f[:, :, 0:-1] = x_f[:, :, 1:]
    elif shift == "exact":
        xf = shift_bins(xf, k - 1)
    return xf, yf


def combine_flip(
    head: str,
    outputs,
    outputs_flipped,
    flip_pairs: Sequence[Sequence[int]],
    *,
    k: float = 2.0,
    simdr_shift: str = "official",
    heatmap_shift: bool = True,
):
    """Average plain and flipped network outputs as the official validation does.

    Returns ``(combined, normalized)``: pass ``combined`` to the codec's ``decode``, with
    ``normalized=True`` for SimDR (averaged probabilities); heatmaps and SimDR* stay un-normalised.
    """
    if head == "heatmap":
        back = flip_back_heatmap(outputs_flipped, flip_pairs, heatmap_shift)
        return (outputs + back) * 0.5, False
    x, y = outputs
    xf, yf = flip_back_simdr(*outputs_flipped, flip_pairs, k, simdr_shift)
    if head == "simdr":
        px = (torch.softmax(x.float(), -1) + torch.softmax(xf.float(), -1)) * 0.5
        py = (torch.softmax(y.float(), -1) + torch.softmax(yf.float(), -1)) * 0.5
        return (px, py), True
    if head == "sa-simdr":
        return ((x + xf) * 0.5, (y + yf) * 0.5), False
    raise ValueError(f"head must be 'heatmap', 'simdr' or 'sa-simdr', got {head!r}")
