"""Flip-test plumbing shared by every representation: swap left/right joints, shift along an axis.

Why a shift at all: the flip maps pixel ``x`` to ``W - 1 - x``. With ``r`` output cells per pixel
(``r = k`` for SimDR's bins, ``r = 1 / stride`` for heatmap cells), reversing the flipped output puts
the peak at cell ``r x + (r - 1)``, so a shift left by ``r - 1`` cells (``flip_shift="exact"``) makes the
flip test unbiased. The official code shifts SimDR left by one bin (exact only at ``k = 2``: ``+1/3`` px
left over at ``k = 3``, ``-1`` px at ``k = 1``) and heatmaps right by one cell (exact would be
``1 - 1/stride``, three quarters of a cell at stride 4): ``flip_shift="official"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

FLIP_SHIFTS = ("official", "exact", "none")


def check_flip_shift(flip_shift: str) -> str:
    if flip_shift not in FLIP_SHIFTS:
        raise ValueError(f"flip_shift must be one of {FLIP_SHIFTS}, got {flip_shift!r}")
    return flip_shift


def swap_joints(t: torch.Tensor, flip_pairs: Sequence[Sequence[int]]) -> torch.Tensor:
    """Exchange the left and right joints (axis 1) of a flipped output."""
    perm = list(range(t.shape[1]))
    for a, b in flip_pairs:
        perm[a], perm[b] = b, a
    return t[:, perm]


def shift_cells(x: torch.Tensor, cells: float) -> torch.Tensor:
    """Shift the last axis *left* by ``cells`` (negative: right; fractional: linear interpolation);
    the edge value repeats, as the official in-place slice assignment leaves it."""
    if cells == 0:
        return x
    n = int(math.floor(cells))
    frac = cells - n
    idx = torch.arange(x.shape[-1], device=x.device)
    last = x.shape[-1] - 1
    lo = x[..., (idx + n).clamp(0, last)]
    if frac == 0:
        return lo
    hi = x[..., (idx + n + 1).clamp(0, last)]
    return (1 - frac) * lo + frac * hi


def flip_back(t: torch.Tensor, flip_pairs: Sequence[Sequence[int]], cells_per_pixel: float,
              flip_shift: str, official_cells: float) -> torch.Tensor:
    """Undo a horizontal flip of ``t`` (x along the last axis): reverse, swap joints, then shift left by
    ``official_cells`` (``"official"``), ``cells_per_pixel - 1`` (``"exact"``) or nothing (``"none"``)."""
    back = swap_joints(t.flip(-1), flip_pairs)
    shifts = {"official": official_cells, "exact": cells_per_pixel - 1, "none": 0.0}
    return shift_cells(back, shifts[check_flip_shift(flip_shift)])
