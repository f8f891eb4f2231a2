"""The interface every keypoint codec shares, and the numpy/torch plumbing behind it.

Legend used by all codec docstrings:

* ``N`` instances, ``K`` keypoints; ``input_size = (W, H)`` is the network input in pixels;
* keypoints are ``(N, K, 2)`` floats ``(x, y)`` in *input-crop pixels*;
* ``visible`` is ``(N, K)``; a joint takes part in the loss when ``visible > 0``.

Every method accepts numpy arrays or torch tensors (any device) and returns the same kind.
The arithmetic is written once, in torch: numpy inputs are wrapped with ``torch.from_numpy``
(no copy) and the results converted back, so targets can be built on the GPU from coordinates.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

Array = Any  # np.ndarray | torch.Tensor; documented per method

# exp(-z) for z above this is set to exactly 0: avoids slow denormal floats in far Gaussian tails
# (exp(-80) ~ 1.8e-35 is still a normal float32; the official targets there are < 1e-35).
EXP_CUTOFF = 80.0


def to_torch(x: Array, dtype: torch.dtype | None = None) -> tuple[torch.Tensor, bool]:
    """Return ``(tensor, was_numpy)``; numpy input is wrapped without a copy where possible."""
    if isinstance(x, torch.Tensor):
        return (x if dtype is None else x.to(dtype)), False
    arr = np.asarray(x)
    if not arr.flags.writeable or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr).copy()
    t = torch.from_numpy(arr)
    return (t if dtype is None else t.to(dtype)), True


def to_output(t: torch.Tensor, as_numpy: bool) -> Array:
    return t.numpy() if as_numpy else t


def check_input_size(input_size: Sequence[int]) -> tuple[int, int]:
    if len(input_size) != 2 or any(int(v) != v or v < 1 for v in input_size):
        raise ValueError(f"input_size must be two positive integers (W, H), got {input_size!r}")
    return int(input_size[0]), int(input_size[1])


def check_positive(name: str, value: float, minimum: float = 0.0, inclusive: bool = False) -> float:
    value = float(value)
    ok = value >= minimum if inclusive else value > minimum
    if not ok or not np.isfinite(value):
        op = ">=" if inclusive else ">"
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    return value


def prepare_keypoints(keypoints: Array, visible: Array | None) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Validate shapes; return float64 keypoints ``(N, K, 2)``, float32 visibility ``(N, K)``.

    NaN or infinite coordinates get visibility 0 (and are replaced by 0 so that later arithmetic stays
    finite), never an exception deep inside a codec.
    """
    kp, as_numpy = to_torch(keypoints)
    if kp.ndim != 3 or kp.shape[-1] != 2:
        raise ValueError(
            f"keypoints must have shape (N, K, 2) in input-crop pixels, got {tuple(kp.shape)}"
        )
    kp = kp.to(torch.float64)
    if visible is None:
        vis = torch.ones(kp.shape[:2], dtype=torch.float32, device=kp.device)
    else:
        vis, _ = to_torch(visible)
        if tuple(vis.shape) != tuple(kp.shape[:2]):
            raise ValueError(
                f"visible must have shape (N, K) = {tuple(kp.shape[:2])}, got {tuple(vis.shape)}"
            )
        vis = vis.to(device=kp.device, dtype=torch.float32)
    finite = torch.isfinite(kp).all(dim=-1)
    kp = torch.where(finite[..., None], kp, torch.zeros((), dtype=kp.dtype, device=kp.device))
    vis = torch.where(finite, (vis > 0).to(torch.float32), torch.zeros_like(vis))
    return kp, vis, as_numpy


def gaussian_1d(delta: torch.Tensor, sigma: float, cutoff: float = EXP_CUTOFF) -> torch.Tensor:
    """``exp(-delta^2 / (2 sigma^2))`` with the tail beyond ``exp(-cutoff)`` set to exactly 0.

    A product of two such factors (a separable 2-D map) needs ``cutoff = EXP_CUTOFF / 2`` to stay
    clear of denormals as well.
    """
    z = (delta * delta) * (0.5 / (sigma * sigma))
    return torch.exp(-z.clamp(max=cutoff)) * (z < cutoff)


def max_argmax(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(max, argmax)`` over the last dimension (first index on ties, like numpy and torch).

    On the CPU, torch's fused ``max(dim)`` is an order of magnitude slower than ``amax`` plus
    numpy's ``argmax`` on the same memory, so CPU tensors take that route.
    """
    values = t.amax(dim=-1)
    if t.device.type == "cpu" and t.dtype != torch.bfloat16:
        a = t.detach().contiguous().numpy()
        return values, torch.from_numpy(np.argmax(a, axis=-1))
    return values, t.argmax(dim=-1)


def centered_offsets(n: int, mu: torch.Tensor) -> torch.Tensor:
    """``arange(n) - mu`` as float32 for ``mu`` of shape ``(N, K)`` -> ``(N, K, n)``.

    ``mu`` is split into integer and fractional parts first, so the difference is exact to float32
    rounding of the fraction even for bins in the hundreds (plain float32 would lose ~3e-5 bins).
    """
    base = torch.floor(mu)
    frac = (mu - base).to(torch.float32)
    grid = torch.arange(n, device=mu.device, dtype=torch.float32)
    return (grid - base.to(torch.float32)[..., None]) - frac[..., None]


def gaussian_labels(mu: torch.Tensor, bins: int, sigma: float, scale: torch.Tensor) -> torch.Tensor:
    """``scale * exp(-(i - mu)^2 / (2 sigma^2))`` for ``i < bins``: ``(N, K)`` -> ``(N, K, bins)``.

    Only the window of bins where the value is non-zero in float32 (``|i - mu| < sqrt(2 * 80) sigma``)
    is computed and scattered into a zero tensor; the window slides to stay inside ``[0, bins)`` so
    every index is written once. Beyond it the result is exactly 0.
    """
    radius = int(math.ceil(math.sqrt(2.0 * EXP_CUTOFF) * sigma))
    length = 2 * radius + 1
    base = torch.floor(mu)
    frac = (mu - base).to(torch.float32)
    if length >= bins:  # narrow label vectors: compute every bin
        d = centered_offsets(bins, mu)
        return gaussian_1d(d, sigma).mul_(scale[..., None])
    start = (base.to(torch.int64) - radius).clamp(0, bins - length)
    index = start[..., None] + torch.arange(length, device=mu.device)
    d = (index - base.to(torch.int64)[..., None]).to(torch.float32).sub_(frac[..., None])
    z = d.mul_(d).mul_(0.5 / (sigma * sigma))
    inside = z < EXP_CUTOFF
    values = z.clamp_(max=EXP_CUTOFF).neg_().exp_().mul_(inside).mul_(scale[..., None])
    out = torch.zeros((*mu.shape, bins), dtype=torch.float32, device=mu.device)
    return out.scatter_(-1, index, values)


class KeypointCodec(ABC):
    """Encode keypoint coordinates into training targets and decode network outputs back.

    ``encode(keypoints (N, K, 2), visible (N, K)) -> (targets, weights (N, K))`` and
    ``decode(outputs) -> (coords (N, K, 2), scores (N, K))``, coordinates in input-crop pixels.
    """

    input_size: tuple[int, int]

    @abstractmethod
    def encode(self, keypoints: Array, visible: Array | None = None) -> tuple[Any, Array]:
        """Targets and per-joint loss weights for ground-truth keypoints."""

    @abstractmethod
    def decode(self, outputs: Any) -> tuple[Array, Array]:
        """Keypoint coordinates (input pixels) and confidence scores from network outputs."""

    def round_trip(self, keypoints: Array, visible: Array | None = None) -> Array:
        """Decode the perfect target of ``keypoints``: the representation's own quantization."""
        return self.decode(self.perfect_output(keypoints, visible))[0]

    @abstractmethod
    def perfect_output(self, keypoints: Array, visible: Array | None = None) -> Any:
        """Network output that a perfect model would produce for ``keypoints`` (for oracles)."""
