"""COCO keypoint protocol: rescoring, OKS-NMS, results JSON and OKS AP (paper Eq. 8).

Follows the official ``COCODataset.evaluate`` (leeyegy/SimCC, from HRNet): each instance's score
becomes ``box score x mean(keypoint scores > in_vis_thre)``, overlapping instances of an image are
removed greedily by OKS (threshold 0.9, COCO sigmas), and the rest are scored by pycocotools'
``COCOeval(iouType="keypoints")`` (or, identically and faster, by ``faster-coco-eval``).
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simdr_lite.skeletons import COCO

STAT_NAMES = ("AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl")
BACKENDS = ("pycocotools", "faster-coco-eval")


def _sigmas(sigmas: Sequence[float] | None, k: int) -> np.ndarray:
    s = np.asarray(COCO.sigmas if sigmas is None else sigmas, dtype=np.float64)
    if s.shape != (k,):
        raise ValueError(f"need one OKS sigma per keypoint ({k}), got {s.shape[0]}")
    return s


def oks_matrix(
    keypoints: np.ndarray,
    areas: np.ndarray,
    sigmas: Sequence[float] | None = None,
    in_vis_thre: float | None = None,
) -> np.ndarray:
    """Pairwise OKS ``(..., M, M)`` of instances ``(..., M, K, 3)`` as the official ``oks_iou``.

    ``e = d^2 / (2 sigma)^2 / ((a_i + a_j) / 2 + eps) / 2`` and ``oks = mean_k exp(-e)``. With
    ``in_vis_thre`` only keypoints of the *compared* instance ``j`` scoring above it count: the
    official ``list(vg > t) and list(vd > t)`` evaluates to its second operand.
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    var = (_sigmas(sigmas, kp.shape[-2]) * 2) ** 2
    a = np.asarray(areas, dtype=np.float64)
    x, y = kp[..., 0], kp[..., 1]  # (..., M, K)
    dx = x[..., :, None, :] - x[..., None, :, :]  # (..., M, M, K)
    dy = y[..., :, None, :] - y[..., None, :, :]
    d2 = dx * dx + dy * dy
    mean_area = (a[..., :, None] + a[..., None, :]) / 2 + np.spacing(1)
    e = d2 / (var * 2 * mean_area[..., None])
    if in_vis_thre is None:
        return np.exp(-e).mean(-1)
    mask = (kp[..., None, :, :, 2] > in_vis_thre).astype(np.float64)  # the compared instance j
    count = mask.sum(-1)
    return np.where(count > 0, (np.exp(-e) * mask).sum(-1) / np.maximum(count, 1), 0.0)


def instance_oks(
    pred: np.ndarray,
    gt: np.ndarray,
    visible: np.ndarray,
    areas: np.ndarray,
    sigmas: Sequence[float] | None = None,
) -> np.ndarray:
    """OKS of each predicted instance ``(N, K, 2)`` against its own ground truth (paper Eq. 8).

    COCOeval's formula, ``mean over labelled joints of exp(-d^2 / (2 sigma)^2 / (area + eps) / 2)``;
    NaN for an instance with no labelled joint. For per-instance error analysis (failure cases).
    """
    pred, gt = np.asarray(pred, dtype=np.float64), np.asarray(gt, dtype=np.float64)
    var = (_sigmas(sigmas, gt.shape[-2]) * 2) ** 2
    d2 = ((pred[..., :2] - gt[..., :2]) ** 2).sum(-1)
    e = d2 / var / (np.asarray(areas, dtype=np.float64)[:, None] + np.spacing(1)) / 2
    vis = np.asarray(visible) > 0
    count = vis.sum(-1)
    return np.where(count > 0, (np.exp(-e) * vis).sum(-1) / np.maximum(count, 1), np.nan)


def oks_nms(
    keypoints: np.ndarray,
    scores: np.ndarray,
    areas: np.ndarray,
    threshold: float = 0.9,
    sigmas: Sequence[float] | None = None,
    in_vis_thre: float | None = None,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy OKS-NMS: indices of kept instances, highest score first within each group.

    Args:
        keypoints: ``(N, K, 3)`` (x, y, score) in image pixels.
        scores: ``(N,)`` instance scores; areas: ``(N,)`` (official: ``prod(scale * 200)``).
        threshold: an instance is removed when its OKS with a kept one is ``> threshold``.
        groups: optional ``(N,)`` image ids: NMS runs within each image, for all images at once
            (one vectorized step per rank instead of a Python loop per detection).
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    sc = np.asarray(scores, dtype=np.float64)
    ar = np.asarray(areas, dtype=np.float64)
    n = len(sc)
    if kp.ndim != 3 or kp.shape[0] != n or kp.shape[-1] != 3 or ar.shape != (n,):
        raise ValueError(
            f"keypoints must be (N, K, 3), scores and areas (N,); got {kp.shape}, {sc.shape}, {ar.shape}"
        )
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = np.zeros(n, dtype=np.int64) if groups is None else np.unique(groups, return_inverse=True)[1]
    # Sort by (group, score descending); stable like the official argsort()[::-1] on ties.
    order = np.lexsort((-sc, g))
    g_sorted = g[order]
    counts = np.bincount(g_sorted)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(n) - starts[g_sorted]
    kept = []
    # Groups are padded to a common size; bucket them by size (powers of two) and chunk each bucket
    # so the (groups, M, M, K) OKS tensor stays around 32 MB.
    bucket = np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)
    for b in np.unique(bucket):
        members = np.flatnonzero(bucket == b)
        m = int(counts[members].max())
        chunk = max(1, int(32e6 // (8 * m * m * kp.shape[1])))
        for lo in range(0, len(members), chunk):
            ids = members[lo : lo + chunk]
            row = np.full(counts.shape, -1, dtype=np.int64)
            row[ids] = np.arange(len(ids))
            sel = row[g_sorted] >= 0
            slot = np.full((len(ids), m), -1, dtype=np.int64)  # (group, rank) -> instance index
            slot[row[g_sorted[sel]], rank[sel]] = order[sel]
            kept.append(_greedy(kp, ar, slot, threshold, sigmas, in_vis_thre))
    return np.concatenate(kept)


def _greedy(kp, areas, slot, threshold, sigmas, in_vis_thre) -> np.ndarray:
    """Greedy NMS for groups padded into ``slot (G, M)`` (rank order, -1 = empty), all at once."""
    valid = slot >= 0
    idx = np.where(valid, slot, 0)
    oks = oks_matrix(kp[idx], areas[idx], sigmas, in_vis_thre)  # (G, M, M)
    alive = valid.copy()
    keep = np.zeros_like(valid)
    for r in range(slot.shape[1]):
        take = alive[:, r]
        keep[:, r] = take
        alive &= ~(take[:, None] & (oks[:, r, :] > threshold))
        alive[:, : r + 1] = False
    return slot[keep]


def rescore(kpt_scores: np.ndarray, box_scores: np.ndarray, in_vis_thre: float) -> np.ndarray:
    """Official rescoring: ``box score x mean of the keypoint scores above in_vis_thre`` (0 if none)."""
    ks = np.asarray(kpt_scores, dtype=np.float64)
    above = ks > in_vis_thre
    count = above.sum(-1)
    mean = np.where(count > 0, (ks * above).sum(-1) / np.maximum(count, 1), 0.0)
    return mean * np.asarray(box_scores, dtype=np.float64)


def coco_results(
    coords: np.ndarray,
    kpt_scores: np.ndarray,
    image_ids: Sequence[int],
    box_scores: np.ndarray,
    areas: np.ndarray,
    *,
    in_vis_thre: float = 0.2,
    oks_thre: float = 0.9,
    sigmas: Sequence[float] | None = None,
    category_id: int = 1,
) -> list[dict[str, Any]]:
    """Per-crop predictions -> rescored, OKS-NMSed COCO result dicts (official ``evaluate``).

    Args:
        coords: ``(N, K, 2)`` keypoints in image pixels; kpt_scores: ``(N, K)``.
        image_ids: ``(N,)``; box_scores: ``(N,)`` detector (or 1 for GT boxes) scores;
        areas: ``(N,)``, the official ``prod(scale * 200)``.
    """
    coords = np.asarray(coords, dtype=np.float64)
    ks = np.asarray(kpt_scores, dtype=np.float64)
    ids = np.asarray(image_ids, dtype=np.int64)
    kp = np.concatenate([coords, ks[..., None]], axis=-1)
    scores = rescore(ks, box_scores, in_vis_thre)
    kept = oks_nms(kp, scores, np.asarray(areas, dtype=np.float64), oks_thre, sigmas, groups=ids)
    kept = np.sort(kept)
    return [
        {
            "image_id": int(ids[i]),
            "category_id": category_id,
            "keypoints": [round(float(v), 3) for v in kp[i].reshape(-1)],
            "score": float(scores[i]),
        }
        for i in kept
    ]


def _load_results(results: str | Path | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(results, (str, Path)):
        path = Path(results)
        if not path.is_file():
            raise FileNotFoundError(f"results file {path} does not exist")
        return json.loads(path.read_text())
    return list(results)


def evaluate_coco(
    ann_file: str | Path,
    results: str | Path | Sequence[dict[str, Any]],
    *,
    backend: str = "pycocotools",
    sigmas: Sequence[float] | None = None,
) -> dict[str, float]:
    """OKS AP/AR of keypoint results against a COCO-format annotation file (the ten COCO stats).

    ``backend="faster-coco-eval"`` gives the same numbers as pycocotools, faster.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    ann_file = Path(ann_file)
    if not ann_file.is_file():
        raise FileNotFoundError(
            f"annotation file {ann_file} not found: see data_scripts/download_coco.py for the COCO layout"
        )
    dets = _load_results(results)
    if not dets:
        return dict.fromkeys(STAT_NAMES, 0.0)
    quiet = contextlib.redirect_stdout(io.StringIO())
    if backend == "pycocotools":
        from pycocotools.coco import COCO as CocoApi
        from pycocotools.cocoeval import COCOeval

        with quiet:
            gt = CocoApi(str(ann_file))
            dt = gt.loadRes(dets)
            ev = COCOeval(gt, dt, "keypoints")
    else:
        from faster_coco_eval import COCO as CocoApi
        from faster_coco_eval import COCOeval_faster as COCOeval

        with quiet:
            gt = CocoApi(str(ann_file))
            dt = gt.loadRes(dets)
            ev = COCOeval(gt, dt, "keypoints", print_function=lambda *a, **k: None)
    if sigmas is not None:
        ev.params.kpt_oks_sigmas = np.asarray(sigmas, dtype=np.float64)
    if backend == "pycocotools":
        ev.params.useSegm = None  # as the official code; faster-coco-eval reads it as another iouType
    with quiet:
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return {name: float(v) for name, v in zip(STAT_NAMES, ev.stats[: len(STAT_NAMES)])}
