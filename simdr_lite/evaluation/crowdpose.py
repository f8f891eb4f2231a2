"""CrowdPose protocol (paper Table 7): AP, AP50, AP75, AR..., and AP on easy / medium / hard images.

CrowdPose scores keypoints like COCO but with its own 14 OKS sigmas, without area ranges, with the
OKS scale taken from the box (``0.53 x w x h``, the ``use_area=False`` rule of crowdposetools and
xtcocotools) and with AP split by each image's ``crowdIndex`` (easy < 0.1 <= medium <= 0.8 < hard).
xtcocotools implements it but its wheels do not load with numpy 2, so we use faster-coco-eval's
``keypoints_crowd`` mode, the same protocol in a maintained package.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simdr_lite.skeletons import CROWDPOSE

from .coco import _load_results

CROWD_STAT_NAMES = ("AP", "AP50", "AP75", "AR", "AR50", "AR75", "APE", "APM", "APH")


def evaluate_crowdpose(
    ann_file: str | Path, results: str | Path | Sequence[dict[str, Any]]
) -> dict[str, float]:
    """CrowdPose stats (``AP``, ``AP50``, ``AP75``, ``AR``, ``AR50``, ``AR75``, ``APE``, ``APM``, ``APH``)."""
    from faster_coco_eval import COCO as CocoApi
    from faster_coco_eval import COCOeval_faster

    ann_file = Path(ann_file)
    if not ann_file.is_file():
        raise FileNotFoundError(
            f"{ann_file} not found: see data_scripts/download_crowdpose.py for the CrowdPose layout"
        )
    dets = _load_results(results)
    if not dets:
        return dict.fromkeys(CROWD_STAT_NAMES, 0.0)
    with contextlib.redirect_stdout(io.StringIO()):
        gt = CocoApi(str(ann_file))
        ev = COCOeval_faster(
            gt,
            gt.loadRes(dets),
            "keypoints_crowd",
            kpt_oks_sigmas=np.asarray(CROWDPOSE.sigmas),
            use_area=False,
            print_function=lambda *a, **k: None,
        )
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return {name: float(v) for name, v in zip(CROWD_STAT_NAMES, ev.stats)}
