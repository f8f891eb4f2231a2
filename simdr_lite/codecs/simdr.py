"""SimDR: one-hot classification over k-split bins per axis (paper Sec. 3.2, Eqs. 2-5)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .base import (
    Array,
    KeypointCodec,
    check_input_size,
    check_positive,
    max_argmax,
    prepare_keypoints,
    to_output,
    to_torch,
)

CONFIDENCE_MODES = ("max", "min", "mean")


def check_split_ratio(k: float) -> float:
    return check_positive("k (the splitting factor)", k, minimum=1.0, inclusive=True)


def check_logits(outputs: object, bins: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Validate the ``(x_logits (N, K, W*k), y_logits (N, K, H*k))`` pair of a SimDR head."""
    if not isinstance(outputs, (tuple, list)) or len(outputs) != 2:
        raise ValueError("outputs must be the pair (x_logits (N, K, W*k), y_logits (N, K, H*k))")
    ox, as_numpy = to_torch(outputs[0])
    oy, _ = to_torch(outputs[1])
    if ox.ndim != 3 or oy.ndim != 3 or ox.shape[:2] != oy.shape[:2]:
        raise ValueError(
            f"x/y outputs must be (N, K, bins) with equal N, K; got {tuple(ox.shape)} and {tuple(oy.shape)}"
        )
    if (ox.shape[-1], oy.shape[-1]) != bins:
        raise ValueError(
            f"expected {bins[0]} x-bins and {bins[1]} y-bins (int(W*k), int(H*k)); "
            f"got {ox.shape[-1]} and {oy.shape[-1]}: do input_size and k match the model?"
        )
    return ox, oy.to(ox.device), as_numpy


def argmax_decode(
    px: torch.Tensor, py: torch.Tensor, k: float, confidence: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Eq. 5 on probabilities: ``coord = argmax / k``; score from the two peak probabilities."""
    max_x, idx_x = max_argmax(px)
    max_y, idx_y = max_argmax(py)
    coords = torch.stack([idx_x, idx_y], dim=-1).to(torch.float32) / k
    if confidence == "max":
        scores = torch.maximum(max_x, max_y)
    elif confidence == "min":
        scores = torch.minimum(max_x, max_y)
    else:
        scores = 0.5 * (max_x + max_y)
    return coords, scores


class SplitBinsCodec(KeypointCodec):
    """What SimDR and SimDR* share: ``int(W*k)`` x-bins, ``int(H*k)`` y-bins and the arg-max decoder."""

    def _init_bins(self, input_size: Sequence[int], k: float, confidence: str) -> None:
        self.input_size = check_input_size(input_size)
        self.k = check_split_ratio(k)
        if confidence not in CONFIDENCE_MODES:
            raise ValueError(f"confidence must be one of {CONFIDENCE_MODES}, got {confidence!r}")
        self.confidence = confidence
        self.bins = (int(self.input_size[0] * self.k), int(self.input_size[1] * self.k))

    def decode(self, outputs: tuple[Array, Array], *, normalized: bool = False) -> tuple[Array, Array]:
        """Coordinates ``(N, K, 2)`` in input pixels and scores ``(N, K)`` (Eq. 5).

        ``outputs`` are logits; pass ``normalized=True`` for probabilities (e.g. SimDR's flip-test
        average of two softmaxes, as the official ``validate_simdr`` does; SimDR* averages logits).
        """
        ox, oy, as_numpy = check_logits(outputs, self.bins)
        px = ox if normalized else torch.softmax(ox.float(), dim=-1)
        py = oy if normalized else torch.softmax(oy.float(), dim=-1)
        coords, scores = argmax_decode(px, py, self.k, self.confidence)
        return to_output(coords, as_numpy), to_output(scores, as_numpy)


class SimDRCodec(SplitBinsCodec):
    """SimDR labels: bin ``round(x * k)`` of ``int(W * k)`` x-bins and ``int(H * k)`` y-bins.

    Paper Sec. 3.2 (Eqs. 2-5); quantization error ``< 1 / (2k)`` pixel (App. D.1).
    Behaviour of the official ``JointsDataset`` / ``validate_simdr`` (leeyegy/SimCC):

    * rounding is numpy's ``around`` (half to even), which ``torch.round`` also does;
    * a joint whose bin falls outside ``[0, int(W*k))`` x ``[0, int(H*k))`` gets weight 0 and its bin
      is clamped into range (``filter_target_simdr``); invisible joints keep bin 0 and weight 0;
    * decoding applies softmax, takes the arg-max bin divided by ``k`` (no +0.5) and, by default,
      the confidence ``max(max p_x, max p_y)``.

    Label smoothing (``label_smoothing``) is applied by the loss (:class:`~simdr_lite.losses.SimDRLoss`);
    the codec stores it so that :meth:`soft_labels` and :meth:`perfect_output` can show it.

    Differs from official: the range check uses ``int(W*k)`` bins; the official check compares with
    the float ``W*k``, which differs only when ``W*k`` is not an integer (an index out of range there).

    Args:
        input_size: ``(W, H)`` of the network input in pixels.
        k: splitting factor ``k >= 1`` (may be fractional, e.g. 1.5).
        label_smoothing: ``ls`` in ``[0, 1)``: target bin ``1 - ls``, every other ``ls / (M - 1)``.
        confidence: ``"max"`` (official), ``"min"`` or ``"mean"`` of the two peak probabilities.
    """

    def __init__(
        self,
        input_size: Sequence[int],
        k: float = 2.0,
        label_smoothing: float = 0.1,
        confidence: str = "max",
    ) -> None:
        self._init_bins(input_size, k, confidence)
        if not 0.0 <= float(label_smoothing) < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)

    def __repr__(self) -> str:
        return (
            f"SimDRCodec(input_size={self.input_size}, k={self.k}, "
            f"label_smoothing={self.label_smoothing}, bins={self.bins})"
        )

    def encode(self, keypoints: Array, visible: Array | None = None) -> tuple[Array, Array]:
        """Integer bins ``(N, K, 2)`` (int64) and weights ``(N, K)`` (float32)."""
        kp, vis, as_numpy = prepare_keypoints(keypoints, visible)
        kp = kp * vis[..., None]  # invisible joints stay at (0, 0) as in the official loader
        bins = torch.round(kp * self.k).to(torch.int64)
        limit = torch.tensor(self.bins, device=bins.device)
        inside = ((bins >= 0) & (bins < limit)).all(dim=-1)
        bins = torch.minimum(bins.clamp(min=0), limit - 1)
        weights = vis * inside
        return to_output(bins, as_numpy), to_output(weights, as_numpy)

    def soft_labels(self, targets: Array) -> Array:
        """Smoothed one-hot label vectors ``(q_x (N, K, W*k), q_y (N, K, H*k))`` of integer bins."""
        t, as_numpy = to_torch(targets)
        qs = []
        for axis, m in enumerate(self.bins):
            off = self.label_smoothing / (m - 1) if m > 1 else 0.0
            q = torch.full((*t.shape[:2], m), off, dtype=torch.float32, device=t.device)
            q.scatter_(-1, t[..., axis : axis + 1].long(), 1.0 - self.label_smoothing)
            qs.append(to_output(q, as_numpy))
        return tuple(qs)

    def perfect_output(self, keypoints: Array, visible: Array | None = None) -> tuple[Array, Array]:
        """Logits ``log q`` of the smoothed labels: the minimiser of the SimDR loss."""
        targets, _ = self.encode(keypoints, visible)
        qx, qy = self.soft_labels(targets)
        t, as_numpy = to_torch(qx)
        ty, _ = to_torch(qy)
        return (
            to_output(torch.log(t.clamp(min=1e-12)), as_numpy),
            to_output(torch.log(ty.clamp(min=1e-12)), as_numpy),
        )
