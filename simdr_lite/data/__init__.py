"""Data: COCO-format pose data sets, real and synthetic.

Submodules are imported on first use (``from simdr_lite.data import make_synthetic_coco`` loads
``simdr_lite.data.synthetic`` and OpenCV only then), so ``import simdr_lite.data`` stays light.

- ``synthetic``: :func:`make_synthetic_coco`, :func:`synthetic_annotations`,
  :func:`synthetic_image` - COCO-layout stick-figure data that needs no download.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "SyntheticSplit": "synthetic",
    "make_synthetic_coco": "synthetic",
    "synthetic_annotations": "synthetic",
    "synthetic_image": "synthetic",
    "JOINT_COLORS": "synthetic",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
