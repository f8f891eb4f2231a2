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
            model(torch.zeros(1, 3, int(input_size[1]), int(input_size[0])))
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


def official_k(model: str, size: str) -> float:
    """The splitting factor of the official SimDR config for a model and ``"HxW"`` input (TokenPose: 2)."""
    k3 = {"simbaseline_res50": ("64x64", "128x128"), "simbaseline_res101": ("64x64",),
          "hrnet_w32": ("64x64",), "hrnet_w48": ("64x64",), "upfree_res50": ("64x64", "128x128")}
    if size in k3.get(model, ()):
        return 3.0
    return 1.5 if (model, size) == ("hrnet_w48", "384x288") else 2.0


def paper_complexity_table(sizes: Sequence[str] | None = None) -> list[dict]:
    """Our #Params / GFLOPs / true GMACs beside the paper's for every model of Tables 2, 3 and 4.

    SimDR cells use the official configs' ``k`` (and ``channels_per_joint`` for the upfree ResNet).
    ``sizes`` keeps only some inputs (paper notation, e.g. ``("64x64",)``).
    """
    from simdr_lite.notebook.paper import TABLE2, TABLE3, TABLE4, input_size_wh

    from .registry import build_model

    rows, seen = [], set()
    for r in TABLE2 + TABLE3 + TABLE4:
        head = "heatmap" if r.head == "heatmap" else "simdr"
        key = (r.model, head, r.input)
        if key in seen or (sizes is not None and r.input not in sizes):
            continue
        seen.add(key)
        k = official_k(r.model, r.input)
        kw = {"channels_per_joint": 28 if r.input == "256x192" else 32} if r.model == "upfree_res50" else {}
        size = input_size_wh(r.input)
        model = build_model(r.model, input_size=size, head=head, k=k, **kw)
        params, gflops = complexity(model, size)
        rows.append({"model": r.model, "head": head, "input": r.input, "k": k if head != "heatmap" else None,
                     "params_m": params, "paper_params_m": r.params_m, "gflops": gflops,
                     "paper_gflops": r.gflops, "gmacs": macs(model, size)})
    return rows
