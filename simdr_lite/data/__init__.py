"""Data: COCO-format pose data sets, real and synthetic.

Submodules are imported on first use (``from simdr_lite.data import make_synthetic_coco`` loads
``simdr_lite.data.synthetic`` and OpenCV only then), so ``import simdr_lite.data`` stays light.

- ``synthetic``: :func:`make_synthetic_coco`, :func:`synthetic_annotations`,
  :func:`synthetic_image` - COCO-layout stick-figure data that needs no download.
- ``coco`` / ``mpii`` / ``topdown``: :class:`CocoKeypoints` (COCO, CrowdPose, synthetic),
  :class:`MPIIKeypoints`, their common :class:`TopDownDataset`.
- ``augment``: the official augmentations, one function each; ``loading``: :func:`make_loader`.
- ``fixtures``: tiny COCO- and MPII-format sets written on the fly (tests, notebooks, benches).
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
    "CocoKeypoints": "coco",
    "MPIIKeypoints": "mpii",
    "TopDownDataset": "topdown",
    "make_loader": "loading",
    "KeypointLoader": "loading",
    "AugmentConfig": "augment",
    "normalize_batch": "augment",
    "preview_augmentation": "augment",
    "write_coco_fixture": "fixtures",
    "write_mpii_fixture": "fixtures",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
