"""SimDR classification loss: KL divergence to label-smoothed one-hot bins (paper Sec. 3.2).

Official ``NMTCritierion`` (``normalize=False``) and ``NMTNORMCritierion`` (``normalize=True``),
computed in closed form without building the smoothed label vectors.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def smoothed_kl(logits: torch.Tensor, target: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    """``KL(q || softmax(logits))`` summed over bins, ``(N, K, M)`` logits, ``(N, K)`` bins.

    ``q`` has ``1 - ls`` on the target bin and ``ls / (M - 1)`` elsewhere. With
    ``log p = logits - logsumexp``, ``KL = sum q log q - off * sum log p - (1 - ls - off) * log p_t``.
    """
    m = logits.shape[-1]
    logits = logits.float()
    log_p = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    log_p_t = torch.gather(log_p, -1, target.long().unsqueeze(-1)).squeeze(-1)
    ls = float(label_smoothing)
    off = ls / (m - 1) if m > 1 else 0.0
    entropy_term = 0.0  # sum q log q (0 log 0 = 0)
    if 1.0 - ls > 0:
        entropy_term += (1.0 - ls) * math.log(1.0 - ls)
    if off > 0:
        entropy_term += (m - 1) * off * math.log(off)
    cross = (1.0 - ls - off) * log_p_t
    if off > 0:
        cross = cross + off * log_p.sum(dim=-1)
    return entropy_term - cross


class SimDRLoss(nn.Module):
    """Loss of SimDR heads: ``outputs = (x_logits (N, K, W*k), y_logits (N, K, H*k))``.

    ``targets`` are the codec's integer bins ``(N, K, 2)``, ``weights`` ``(N, K)``.

    * ``normalize=False`` (official ``NMTCritierion``): ``(1/N) sum_n sum_k w (KL_x + KL_y)``.
    * ``normalize=True`` (official ``NMTNORMCritierion``):
      ``(1/K) sum_k mean_n w (KL_x / M_x + KL_y / M_y)`` with ``M`` the number of bins.

    Differs from official: works at batch size 1 and with ``label_smoothing=0`` (plain cross
    entropy), where the official classes fail (``.squeeze()`` and the NLL branch).
    """

    def __init__(self, label_smoothing: float = 0.1, normalize: bool = False) -> None:
        super().__init__()
        if not 0.0 <= float(label_smoothing) < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)
        self.normalize = normalize

    def forward(
        self,
        outputs: tuple[torch.Tensor, torch.Tensor],
        targets: torch.Tensor,
        weights: torch.Tensor,
    ) -> torch.Tensor:
        ox, oy = outputs
        if targets.shape != (*ox.shape[:2], 2) or weights.shape != ox.shape[:2]:
            raise ValueError(
                f"targets must be (N, K, 2) and weights (N, K) for outputs {tuple(ox.shape)}; "
                f"got {tuple(targets.shape)} and {tuple(weights.shape)}"
            )
        kl_x = smoothed_kl(ox, targets[..., 0], self.label_smoothing)
        kl_y = smoothed_kl(oy, targets[..., 1], self.label_smoothing)
        w = weights.float()
        if self.normalize:
            return (w * (kl_x / ox.shape[-1] + kl_y / oy.shape[-1])).mean()
        return (w * (kl_x + kl_y)).sum() / ox.shape[0]
