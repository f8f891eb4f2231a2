"""MPII protocol: PCKh (head-normalised probability of correct keypoint), paper Table 8.

Follows the official ``MPIIDataset.evaluate`` (HRNet / SimCC): predictions are converted to 1-based
pixels (``+1``), the head size is the diagonal of the annotated head box times 0.6, only joints
visible in the ground truth count, and ``Mean`` leaves out pelvis and thorax and weights every other
joint by its count. ``Mean@0.1`` reads the cumulative PCK curve ``arange(0, 0.51, 0.01)`` at index
10 (threshold 0.10), which SimCC's README calls a bug fix of HRNet's index 11 (0.11);
``mean01_index=11`` reproduces HRNet.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

#: Joint names in the order of ``gt_valid.mat``'s ``dataset_joints`` and of our MPII skeleton.
MPII_NAMES = (
    "rank", "rkne", "rhip", "lhip", "lkne", "lank", "pelv", "thor",
    "neck", "head", "rwri", "relb", "rsho", "lsho", "lelb", "lwri",
)  # fmt: skip
GROUPS = {
    "Head": ("head",),
    "Shoulder": ("lsho", "rsho"),
    "Elbow": ("lelb", "relb"),
    "Wrist": ("lwri", "rwri"),
    "Hip": ("lhip", "rhip"),
    "Knee": ("lkne", "rkne"),
    "Ankle": ("lank", "rank"),
}
SC_BIAS = 0.6


def load_mpii_gt(path: str | Path) -> dict[str, np.ndarray]:
    """Read ``gt_valid.mat`` (HRNet's release): ``pos_gt_src``, ``jnt_missing``, ``headboxes_src``."""
    from scipy.io import loadmat

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: MPII evaluation needs HRNet's annot/gt_valid.mat "
            "(see data_scripts/download_mpii.py)"
        )
    mat = loadmat(str(path))
    names = tuple(str(np.asarray(n).reshape(-1)[0]) for n in np.asarray(mat["dataset_joints"]).reshape(-1))
    return {
        "pos_gt_src": mat["pos_gt_src"],
        "jnt_missing": mat["jnt_missing"],
        "headboxes_src": mat["headboxes_src"],
        "names": names,
    }


def pckh(
    preds: np.ndarray,
    pos_gt_src: np.ndarray,
    jnt_missing: np.ndarray,
    headboxes_src: np.ndarray,
    *,
    threshold: float = 0.5,
    names: tuple[str, ...] = MPII_NAMES,
    mean01_index: int = 10,
) -> dict[str, float]:
    """PCKh table for predictions ``(N, 16, 2)`` in 0-based image pixels.

    Ground truth in the ``gt_valid.mat`` layout: ``pos_gt_src (16, 2, N)``, ``jnt_missing (16, N)``,
    ``headboxes_src (2, 2, N)``. Returns Head, Shoulder, Elbow, Wrist, Hip, Knee, Ankle, Mean (at
    ``threshold``) and Mean@0.1, in percent.
    """
    pred = np.transpose(np.asarray(preds, dtype=np.float64)[..., :2] + 1.0, (1, 2, 0))  # (16, 2, N)
    if pred.shape != np.shape(pos_gt_src):
        raise ValueError(f"preds must be (N, 16, 2) matching pos_gt_src {np.shape(pos_gt_src)}")
    visible = 1 - np.asarray(jnt_missing)
    err = np.linalg.norm(pred - pos_gt_src, axis=1)  # (16, N)
    head = np.linalg.norm(headboxes_src[1] - headboxes_src[0], axis=0) * SC_BIAS  # (N,)
    scaled = err / head[None, :] * visible
    count = visible.sum(axis=1)

    def pck_at(t: float) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return 100.0 * ((scaled <= t) * visible).sum(axis=1) / count

    per_joint = pck_at(threshold)
    curve = np.stack([pck_at(t) for t in np.arange(0, 0.5 + 0.01, 0.01)])
    mask = np.ones(len(names), dtype=bool)
    mask[[names.index("pelv"), names.index("thor")]] = False
    ratio = np.where(mask, count, 0) / count[mask].sum()
    table = {g: float(np.mean([per_joint[names.index(j)] for j in js])) for g, js in GROUPS.items()}
    table["Mean"] = float(np.nansum(per_joint * ratio))
    table["Mean@0.1"] = float(np.nansum(curve[mean01_index] * ratio))
    return table


def pckh_tables(
    predictions: Mapping[str, np.ndarray], gt: Mapping[str, Any], thresholds: tuple[float, ...] = (0.5, 0.1)
) -> dict[float, dict[str, float]]:
    """PCKh tables at several thresholds for :func:`~simdr_lite.evaluation.evaluate`'s ``predictions``.

    Instances are aligned on ``image_ids`` (the entry's position in ``valid.json``) as ``evaluate``
    does; ``gt`` is :func:`load_mpii_gt`'s dict. ``{threshold: table}``, every table as :func:`pckh`.
    """
    ok = np.asarray(predictions["valid"], dtype=bool)
    order = np.argsort(np.asarray(predictions["image_ids"])[ok], kind="stable")
    coords = np.asarray(predictions["coords"])[ok][order]
    names = tuple(gt.get("names", MPII_NAMES))
    return {t: pckh(coords, gt["pos_gt_src"], gt["jnt_missing"], gt["headboxes_src"], threshold=t,
                    names=names) for t in thresholds}
