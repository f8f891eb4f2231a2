"""Evaluation: flip test, back-projection, rescoring, OKS-NMS, COCO AP, MPII PCKh, CrowdPose AP."""

from .coco import STAT_NAMES, coco_results, evaluate_coco, instance_oks, oks_nms, rescore
from .crowdpose import evaluate_crowdpose
from .flip import combine_flip, flip_back_heatmap, flip_back_simdr
from .inference import evaluate, head_of, predict
from .mpii import load_mpii_gt, pckh

__all__ = [
    "STAT_NAMES",
    "coco_results",
    "combine_flip",
    "evaluate",
    "evaluate_coco",
    "evaluate_crowdpose",
    "flip_back_heatmap",
    "flip_back_simdr",
    "head_of",
    "instance_oks",
    "load_mpii_gt",
    "oks_nms",
    "pckh",
    "predict",
    "rescore",
]
