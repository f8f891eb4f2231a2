"""Keypoint codecs: heatmap (Sec. 3.1), SimDR (Sec. 3.2) and SimDR* (Sec. 3.3).

All share ``encode(keypoints (N, K, 2), visible (N, K)) -> (targets, weights)`` and
``decode(outputs) -> (coords (N, K, 2), scores (N, K))``, in input-crop pixels, for numpy arrays and
torch tensors alike.
"""

from .base import KeypointCodec
from .heatmap import HeatmapCodec
from .sa_simdr import SASimDRCodec
from .simdr import SimDRCodec

__all__ = ["HeatmapCodec", "KeypointCodec", "SASimDRCodec", "SimDRCodec"]
