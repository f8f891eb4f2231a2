"""Pose networks of the paper: SimpleBaseline, upsample-free ResNet, HRNet-W32/W48, TokenPose-S.

What belongs here: the networks, their registry, weight loading and complexity counts; nothing about
targets or decoding (that is :mod:`simdr_lite.representations`). ``build_model(name, input_size=(W, H),
simdr_k=None | k)`` builds any of them: with ``simdr_k=None`` the heatmap head returns
``(N, K, H/4, W/4)``; with a splitting factor the SimDR head returns the pair of x / y logits.
"""

from . import hrnet, resnet, tiny, tokenpose  # noqa: F401  (register the models)
from .complexity import complexity, macs
from .export import export_onnx
from .pretrained import load_official_checkpoint
from .registry import build_model, list_models, register_model

__all__ = [
    "build_model",
    "complexity",
    "export_onnx",
    "list_models",
    "load_official_checkpoint",
    "macs",
    "register_model",
]
