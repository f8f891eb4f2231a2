"""The official OKS-NMS (``lib/nms/nms.py``) as a slow, straightforward loop kept for tests and teaching:
the oracle of the vectorized ``oks_nms`` and the baseline of ``python -m simdr_lite.bench eval``."""

from __future__ import annotations

import numpy as np

from simdr_lite.skeletons import COCO


def oks_iou_loop(g, d, a_g, a_d, sigmas=None, in_vis_thre=None) -> np.ndarray:
    """OKS of one instance ``g`` (flat x, y, v) against each row of ``d``, one detection at a time."""
    var = (np.asarray(COCO.sigmas if sigmas is None else sigmas) * 2) ** 2
    out = np.zeros(len(d))
    for n in range(len(d)):
        dx, dy = d[n, 0::3] - g[0::3], d[n, 1::3] - g[1::3]
        e = (dx**2 + dy**2) / var / ((a_g + a_d[n]) / 2 + np.spacing(1)) / 2
        if in_vis_thre is not None:
            e = e[d[n, 2::3] > in_vis_thre]  # the official `list(vg > t) and list(vd > t)`
        out[n] = np.sum(np.exp(-e)) / e.shape[0] if e.shape[0] != 0 else 0.0
    return out


def oks_nms_loop(kpts, scores, areas, thresh, sigmas=None, in_vis_thre=None) -> list[int]:
    """Greedy OKS-NMS of one image: ``kpts (N, K, 3)``; keeps OKS ``<= thresh`` with each kept one."""
    flat = np.asarray(kpts).reshape(len(kpts), -1)
    order = np.asarray(scores).argsort()[::-1]
    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(int(i))
        ovr = oks_iou_loop(flat[i], flat[order[1:]], areas[i], areas[order[1:]], sigmas, in_vis_thre)
        order = order[np.where(ovr <= thresh)[0] + 1]
    return keep


def oks_nms_official(kpts_db: list[dict], thresh: float) -> list[int]:
    """The official ``oks_nms(kpts_db, thresh)`` entry: arrays built from the per-image dicts."""
    if len(kpts_db) == 0:
        return []
    scores = np.array([kpts_db[i]["score"] for i in range(len(kpts_db))])
    kpts = np.array([kpts_db[i]["keypoints"].flatten() for i in range(len(kpts_db))])
    areas = np.array([kpts_db[i]["area"] for i in range(len(kpts_db))])
    return oks_nms_loop(kpts.reshape(len(kpts), -1, 3), scores, areas, thresh)
