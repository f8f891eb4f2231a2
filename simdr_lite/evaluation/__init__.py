"""Evaluation: run a model over a dataset, back-project, and score with each dataset's protocol.

What belongs here: inference over a dataset (the representation decodes), rescoring, OKS-NMS, COCO and
CrowdPose AP, MPII PCKh. How a representation decodes and flip-tests lives in
:mod:`simdr_lite.representations`.
"""

from .coco import STAT_NAMES, coco_results, evaluate_coco, instance_oks, oks_nms, rescore
from .crowdpose import evaluate_crowdpose
from .inference import evaluate, predict
from .mpii import load_mpii_gt, pckh

__all__ = [
    "STAT_NAMES",
    "coco_results",
    "evaluate",
    "evaluate_coco",
    "evaluate_crowdpose",
    "instance_oks",
    "load_mpii_gt",
    "oks_nms",
    "pckh",
    "predict",
    "rescore",
]
