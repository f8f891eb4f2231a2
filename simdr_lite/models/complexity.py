"""Parameter and operation counts as the paper reports them (Tables 2 and 4), and true MACs.

The paper's GFLOPs column is what the official repositories' ``get_model_summary`` prints (HRNet's
``lib/utils/utils.py``), *not* a standard count:

* every module whose class name contains ``Conv`` counts ``weight.numel() x output pixels``: right
  for a convolution, but a *transposed* convolution is charged per **output** pixel, 4x its true
  multiply-adds for stride 2 / kernel 4 (the deconvolution head of SimpleBaseline);
* a Linear counts ``output.numel() x input.size(1)``: for the SimDR heads (input ``(N, K, D)``) that
  is ``K`` instead of ``D``, so the heads are almost free; transformer matmuls are not counted;
* the sum is divided by ``1024 ** 3``.

The same rule reproduces TokenPose's 2.2 / 1.6 / 1.4 (256x192 / 128x128 / 64x64): its Linear layers
see ``(N, tokens, D)`` inputs, so they are charged ``tokens`` (273) per output instead of ``D``.
:func:`macs` gives the true multiply-accumulates (``1e9``): transposed convolutions per input pixel,
Linear layers ``tokens x in x out``, attention matmuls included.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .tokenpose import Attention


def _count(model: nn.Module, input_size: Sequence[int], rule) -> float:
    total = 0.0

    def hook(module, inputs, output):
        nonlocal total
        total += rule(module, inputs, output)

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if m is not model and not isinstance(m, (nn.Sequential, nn.ModuleList))
    ]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            device = next(model.parameters()).device  # "meta" works too: only shapes are counted
            model(torch.zeros(1, 3, int(input_size[1]), int(input_size[0]), device=device))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return total


def _official_rule(m, inputs, out):
    out = out[0] if isinstance(out, (list, tuple)) else out
    if "Conv" in type(m).__name__ and hasattr(m, "weight"):
        return m.weight.numel() * out[0, 0].numel()  # per output pixel, transposed convs too
    if isinstance(m, nn.Linear):
        return out.numel() * inputs[0].size(1)  # get_model_summary: input.size(1), not in_features
    return 0


def _mac_rule(m, inputs, out):
    out = out[0] if isinstance(out, (list, tuple)) else out
    if isinstance(m, nn.ConvTranspose2d):
        x = inputs[0]
        return x[0, 0].numel() * m.weight.numel() // m.groups  # each input pixel scatters a kernel
    if isinstance(m, nn.Conv2d):
        return m.weight.numel() * out[0, 0].numel()
    if isinstance(m, nn.Linear):
        return out.numel() // out.shape[-1] * m.in_features * m.out_features
    if isinstance(m, Attention):
        _, n, d = inputs[0].shape
        return 2 * n * n * d  # q k^T and attn v
    return 0


def count_params(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters; TokenPose's frozen sine embedding is not trainable."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def complexity(model: nn.Module, input_size: Sequence[int]) -> tuple[float, float]:
    """``(#Params in millions, GFLOPs)`` as printed in the paper's Tables 2 and 4 (see module doc)."""
    return count_params(model) / 1e6, _count(model, input_size, _official_rule) / 1024**3


def macs(model: nn.Module, input_size: Sequence[int]) -> float:
    """True multiply-accumulates of one forward pass at batch 1, in G (1e9)."""
    return _count(model, input_size, _mac_rule) / 1e9
