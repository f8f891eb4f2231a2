"""Representations: heatmap, SimDR and SimDR*, one object each (paper Sec. 3).

Each object bundles its codec, its losses, the head the network needs (``simdr_k``), decoding, the
flip test and the checks on its settings; :data:`REPRESENTATIONS` is the one list of names. Open
``simdr.py`` to see everything that makes SimDR SimDR.

    >>> rep = get_representation("simdr", (192, 256), k=2.0)
    >>> targets, weights = rep.encode(keypoints, visible)
    >>> coords, scores = rep.predict(model, images, flip_pairs=COCO.flip_pairs)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .base import Representation
from .flip import FLIP_SHIFTS
from .heatmap import Heatmap
from .sa_simdr import SimDRStar
from .simdr import SimDR

#: Registry: config name -> class. The only place the names are listed.
REPRESENTATIONS: dict[str, type[Representation]] = {cls.name: cls for cls in (Heatmap, SimDR, SimDRStar)}


def get_representation(name: str, input_size: Sequence[int], **settings: Any) -> Representation:
    """The representation ``name`` (one of :data:`REPRESENTATIONS`) for crops of ``input_size = (W, H)``."""
    if name not in REPRESENTATIONS:
        raise ValueError(f"unknown representation {name!r}; choose one of {tuple(REPRESENTATIONS)}")
    return REPRESENTATIONS[name](input_size, **settings)


__all__ = ["FLIP_SHIFTS", "REPRESENTATIONS", "Heatmap", "Representation", "SimDR", "SimDRStar",
           "get_representation"]
