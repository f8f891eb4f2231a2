"""Gradients of the training losses with respect to the network outputs (paper Sec. 3.2-3.3).

What a loss asks the network to change is ``d loss / d logits``; :func:`logit_gradients` computes it
with ``torch.autograd`` for any of the package's losses, so that notebooks can plot how label
smoothing (SimDR) or the label sigma (SimDR*) reshape the learning signal over the bins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch


def _as_tensor(x: Any) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))


def logit_gradients(
    loss_fn: Callable[..., torch.Tensor], outputs: Any, targets: Any, weights: Any
) -> tuple[float, Any]:
    """``(loss value, d loss / d outputs)`` for ``loss_fn(outputs, targets, weights)``.

    ``outputs`` is one array (heatmaps) or a pair (x/y logits), numpy or torch; the gradients come
    back with the same structure as float64 numpy arrays. ``targets`` may be an array or a pair.
    """
    pair = isinstance(outputs, (tuple, list))
    leaves = [_as_tensor(o).detach().float().requires_grad_(True) for o in (outputs if pair else [outputs])]
    tgt = tuple(_as_tensor(t) for t in targets) if isinstance(targets, (tuple, list)) else _as_tensor(targets)
    loss = loss_fn(tuple(leaves) if pair else leaves[0], tgt, _as_tensor(weights).float())
    grads = torch.autograd.grad(loss, leaves)
    out = [g.double().numpy() for g in grads]
    return float(loss.detach()), (tuple(out) if pair else out[0])
