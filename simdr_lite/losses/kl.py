"""SimDR* loss: KL divergence to Gaussian labels (paper Sec. 3.3; official ``KLDiscretLoss``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class KLDiscretLoss(nn.Module):
    """``(1/K) sum_k mean_n w (mean_i KL_x + mean_i KL_y)``, pointwise ``q (log q - log p)``.

    ``outputs = (x_logits, y_logits)``; ``targets = (t_x (N, K, W*k), t_y (N, K, H*k))`` are the
    codec's (unnormalised) Gaussian labels; ``weights`` ``(N, K)``. As the official loss, the KL
    terms are averaged over bins (not summed) and the labels are used as they are.
    """

    def forward(
        self,
        outputs: tuple[torch.Tensor, torch.Tensor],
        targets: tuple[torch.Tensor, torch.Tensor],
        weights: torch.Tensor,
    ) -> torch.Tensor:
        total = 0.0
        for logits, label in zip(outputs, targets):
            if logits.shape != label.shape:
                raise ValueError(
                    f"logits {tuple(logits.shape)} and labels {tuple(label.shape)} must match"
                )
            log_p = F.log_softmax(logits.float(), dim=-1)
            kl = F.kl_div(log_p, label.float(), reduction="none").mean(dim=-1)  # (N, K)
            total = total + kl
        return (weights.float() * total).mean()
