"""Pose models of the paper: SimpleBaseline, upsample-free ResNet, HRNet-W32/W48, TokenPose-S.

``build_model(name, input_size=(W, H), head="heatmap" | "simdr" | "sa-simdr", k=...)`` builds any of
them; heatmap heads return ``(N, K, H/4, W/4)``, SimDR heads the pair of x / y logits.
"""

from . import hrnet, resnet, tiny, tokenpose  # noqa: F401  (register the models)
from .complexity import complexity, macs, paper_complexity_table
from .export import export_onnx
from .pretrained import load_official_checkpoint
from .registry import HEADS, build_model, list_models, register_model

__all__ = [
    "HEADS",
    "build_model",
    "complexity",
    "export_onnx",
    "list_models",
    "load_official_checkpoint",
    "macs",
    "paper_complexity_table",
    "register_model",
]
