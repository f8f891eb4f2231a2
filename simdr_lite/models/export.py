"""ONNX export with a dynamic batch dimension."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn


def export_onnx(model: nn.Module, path: str | Path, input_size: Sequence[int], opset: int = 17) -> Path:
    """Export ``model`` for inputs ``(N, 3, H, W)`` with ``input_size = (W, H)``; ``N`` stays dynamic.

    Outputs are named ``heatmaps`` or ``x_logits`` / ``y_logits``.
    """
    path = Path(path)
    model = model.eval()
    dummy = torch.zeros(1, 3, int(input_size[1]), int(input_size[0]))
    with torch.no_grad():
        out = model(dummy)
    names = ["heatmaps"] if isinstance(out, torch.Tensor) else ["x_logits", "y_logits"]
    axes = {"images": {0: "batch"}, **{n: {0: "batch"} for n in names}}
    torch.onnx.export(model, (dummy,), str(path), input_names=["images"], output_names=names,
                      dynamic_axes=axes, opset_version=opset, dynamo=False)
    return path
