"""SimDR*: space-aware SimDR with Gaussian labels over the k-split bins (paper Sec. 3.3, Eqs. 6-7)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from .base import (
    Array,
    centered_offsets,
    check_positive,
    gaussian_labels,
    prepare_keypoints,
    to_output,
)
from .simdr import SplitBinsCodec

WEIGHT_RULES = ("official", "bins")


class SASimDRCodec(SplitBinsCodec):
    """SimDR* labels ``exp(-(i - k x)^2 / 2 sigma^2) / (sigma sqrt(2 pi))`` over ``int(W*k)`` bins.

    Paper Sec. 3.3, Eqs. 6-7, trained with the KL divergence (:class:`~simdr_lite.losses.KLDiscretLoss`).
    Behaviour of the official ``generate_sa_simdr`` (leeyegy/SimCC):

    * the centre ``mu = x * k`` is continuous (not rounded) and ``sigma`` is in *bins*;
    * labels are not renormalised (each vector sums to about 1 only away from the borders);
    * decoding: softmax, arg-max bin / ``k``, confidence ``min(max p_x, max p_y)``.

    Official oddity kept as the default (``weight_rule="official"``): the in-range check that zeroes a
    joint's weight (``adjust_target_weight``) compares the *unscaled* pixel coordinate with
    ``input_size`` using a margin of ``3 sigma`` *bins*, mixing units, so only joints far outside the
    crop lose their weight. ``weight_rule="bins"`` is the corrected check in bin units
    (``k x`` against ``int(W*k)`` with margin ``3 sigma``).

    Args:
        input_size: ``(W, H)`` of the network input in pixels.
        k: splitting factor ``k >= 1``.
        sigma: Gaussian standard deviation in bins (official configs: 4 or 6).
        weight_rule: ``"official"`` or ``"bins"`` (see above).
        confidence: ``"min"`` (official for SimDR*), ``"max"`` or ``"mean"``.
    """

    def __init__(
        self,
        input_size: Sequence[int],
        k: float = 2.0,
        sigma: float = 6.0,
        weight_rule: str = "official",
        confidence: str = "min",
    ) -> None:
        self._init_bins(input_size, k, confidence)
        self.sigma = check_positive("sigma", sigma)
        if weight_rule not in WEIGHT_RULES:
            raise ValueError(f"weight_rule must be one of {WEIGHT_RULES}, got {weight_rule!r}")
        self.weight_rule = weight_rule

    def __repr__(self) -> str:
        return (
            f"SASimDRCodec(input_size={self.input_size}, k={self.k}, sigma={self.sigma}, "
            f"weight_rule={self.weight_rule!r}, bins={self.bins})"
        )

    def _weights(self, kp: torch.Tensor, vis: torch.Tensor) -> torch.Tensor:
        tmp = 3.0 * self.sigma
        if self.weight_rule == "official":
            pos, limit = kp, torch.tensor(self.input_size, dtype=kp.dtype, device=kp.device)
        else:
            pos = kp * self.k
            limit = torch.tensor(self.bins, dtype=kp.dtype, device=kp.device)
        ul = torch.trunc(pos - tmp)  # Python int() truncates toward zero
        br = torch.trunc(pos + tmp + 1)
        outside = ((ul >= limit) | (br < 0)).any(dim=-1)
        return vis * ~outside

    def encode(
        self, keypoints: Array, visible: Array | None = None
    ) -> tuple[tuple[Array, Array], Array]:
        """Label vectors ``(t_x (N, K, W*k), t_y (N, K, H*k))`` (float32) and weights ``(N, K)``."""
        kp, vis, as_numpy = prepare_keypoints(keypoints, visible)
        weights = self._weights(kp, vis)
        mu = kp * self.k
        norm = 1.0 / (self.sigma * math.sqrt(2.0 * math.pi))
        scale = weights * norm
        labels = tuple(
            to_output(gaussian_labels(mu[..., axis], m, self.sigma, scale), as_numpy)
            for axis, m in enumerate(self.bins)
        )
        return labels, to_output(weights, as_numpy)

    def perfect_output(self, keypoints: Array, visible: Array | None = None) -> tuple[Array, Array]:
        """Logits whose softmax is the normalised label Gaussian: ``-(i - k x)^2 / 2 sigma^2``."""
        kp, _, as_numpy = prepare_keypoints(keypoints, visible)
        mu = kp * self.k
        out = []
        for axis, m in enumerate(self.bins):
            d = centered_offsets(m, mu[..., axis])
            out.append(to_output(-(d * d) / (2.0 * self.sigma**2), as_numpy))
        return tuple(out)
