"""Tiny COCO-format and MPII-format datasets written to disk, for tests, notebooks and benchmarks.

Each image holds stick figures drawn with OpenCV on a smooth random background; the annotations
are exact (the keypoints are where the joints were drawn). These are fixtures, not the synthetic
training set (:mod:`simdr_lite.data.synthetic`): they exist so that the loaders can be exercised
without downloading COCO or MPII.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np

from simdr_lite.skeletons import COCO

# COCO joints of a standing figure facing the camera, as fractions of its box (x right, y down).
COCO_TEMPLATE = np.array([
    [0.50, 0.08], [0.54, 0.06], [0.46, 0.06], [0.58, 0.08], [0.42, 0.08],
    [0.68, 0.22], [0.32, 0.22], [0.78, 0.38], [0.22, 0.38], [0.82, 0.52], [0.18, 0.52],
    [0.60, 0.55], [0.40, 0.55], [0.62, 0.75], [0.38, 0.75], [0.63, 0.95], [0.37, 0.95],
], dtype=np.float64)  # fmt: skip

# MPII order built from the COCO template (pelvis/thorax are midpoints, neck and head top added).
_C = COCO_TEMPLATE
MPII_TEMPLATE = np.array([
    _C[16], _C[14], _C[12], _C[11], _C[13], _C[15], (_C[11] + _C[12]) / 2, (_C[5] + _C[6]) / 2,
    [0.50, 0.17], [0.50, 0.01], _C[10], _C[8], _C[6], _C[5], _C[7], _C[9],
])  # fmt: skip
MPII_EDGES = ((0, 1), (1, 2), (2, 6), (3, 6), (3, 4), (4, 5), (6, 7), (7, 8), (8, 9),
              (10, 11), (11, 12), (12, 7), (13, 7), (13, 14), (14, 15))


def _background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    small = rng.integers(40, 200, (max(2, height // 40), max(2, width // 40), 3), dtype=np.uint8)
    img = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    return cv2.add(img, rng.integers(0, 12, (height, width, 3), dtype=np.uint8))


def _draw(img: np.ndarray, pts: np.ndarray, vis: np.ndarray, edges) -> None:
    thick = max(1, int(round(np.ptp(pts[:, 1]) / 40)))
    for a, b in edges:
        if vis[a] > 0 and vis[b] > 0:
            cv2.line(img, tuple(int(v) for v in np.round(pts[a])), tuple(int(v) for v in np.round(pts[b])),
                     (230, 230, 230), thick, cv2.LINE_AA)
    for j in np.flatnonzero(vis > 0):
        hue = int(180 * j / len(pts))
        color = cv2.cvtColor(np.uint8([[[hue, 255, 255]]]), cv2.COLOR_HSV2BGR)[0, 0].tolist()
        cv2.circle(img, tuple(int(v) for v in np.round(pts[j])), thick + 2, color, -1, cv2.LINE_AA)


def _random_box(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    h = rng.uniform(0.45, 0.9) * height
    w = h * rng.uniform(0.35, 0.55)
    x = rng.uniform(0, max(1.0, width - w))
    y = rng.uniform(0, max(1.0, height - h))
    return np.array([x, y, w, h])


def write_coco_fixture(
    root: str | os.PathLike,
    num_images: int = 4,
    persons_per_image: int = 2,
    image_size: tuple[int, int] = (640, 480),
    seed: int = 0,
    quality: int = 90,
    split: str = "val2017",
) -> tuple[Path, Path]:
    """Write ``root/annotations/person_keypoints_{split}.json`` and ``root/images/{split}/*.jpg``.

    Returns ``(ann_file, image_dir)``. Image ids start at 1; file names follow COCO (``%012d.jpg``).
    About one joint in eight is unlabelled (``v = 0``, coordinates 0), the rest ``v = 1`` or ``2``.
    """
    rng = np.random.default_rng(seed)
    root = Path(root)
    image_dir = root / "images" / split
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    image_dir.mkdir(parents=True, exist_ok=True)
    w, h = image_size
    images, anns = [], []
    for i in range(1, num_images + 1):
        img = _background(rng, w, h)
        for _ in range(persons_per_image):
            box = _random_box(rng, w, h)
            pts = box[:2] + COCO_TEMPLATE * box[2:]
            v = rng.choice([0, 1, 2], size=len(pts), p=[0.125, 0.25, 0.625])
            _draw(img, pts, v, COCO.edges)
            kp = np.concatenate([np.round(pts, 2) * (v[:, None] > 0), v[:, None]], axis=1)
            anns.append({
                "id": len(anns) + 1, "image_id": i, "category_id": 1, "iscrowd": 0,
                "bbox": [round(float(b), 2) for b in box], "area": round(float(box[2] * box[3] * 0.6), 2),
                "num_keypoints": int((v > 0).sum()), "keypoints": [float(x) for x in kp.ravel()],
            })
        name = f"{i:012d}.jpg"
        cv2.imwrite(str(image_dir / name), img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        images.append({"id": i, "file_name": name, "width": w, "height": h})
    data = {
        "images": images, "annotations": anns,
        "categories": [{"id": 1, "name": "person", "supercategory": "person",
                        "keypoints": list(COCO.keypoints),
                        "skeleton": [[a + 1, b + 1] for a, b in COCO.edges]}],
    }
    ann_file = root / "annotations" / f"person_keypoints_{split}.json"
    ann_file.write_text(json.dumps(data))
    return ann_file, image_dir


def write_mpii_fixture(
    root: str | os.PathLike,
    num_images: int = 4,
    image_size: tuple[int, int] = (640, 480),
    seed: int = 0,
    split: str = "valid",
) -> tuple[Path, Path]:
    """Write ``root/annot/{split}.json`` (HRNet layout, 1-based coordinates) and ``root/images/*.jpg``.

    One person per image; ``center`` is the box centre and ``scale`` its height / 200, then the
    inverse of the official adjustment is *not* applied (the loader's adjustment moves the centre
    down by ``15 * scale`` as on real MPII). Returns ``(ann_file, image_dir)``.
    """
    rng = np.random.default_rng(seed)
    root = Path(root)
    image_dir = root / "images"
    (root / "annot").mkdir(parents=True, exist_ok=True)
    image_dir.mkdir(parents=True, exist_ok=True)
    w, h = image_size
    entries = []
    for i in range(num_images):
        img = _background(rng, w, h)
        box = _random_box(rng, w, h)
        pts = box[:2] + MPII_TEMPLATE * box[2:]
        v = (rng.random(len(pts)) > 0.1).astype(int)
        _draw(img, pts, v, MPII_EDGES)
        name = f"{i:09d}.jpg"
        cv2.imwrite(str(image_dir / name), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
        entries.append({
            "image": name,
            "center": [round(float(box[0] + box[2] / 2 + 1), 2), round(float(box[1] + box[3] / 2 + 1), 2)],
            "scale": round(float(box[3] / 200), 4),
            "joints": (np.round(pts, 2) + 1).tolist(),
            "joints_vis": v.tolist(),
        })
    ann_file = root / "annot" / f"{split}.json"
    ann_file.write_text(json.dumps(entries))
    return ann_file, image_dir


def write_mpii_gt_valid(ann_file: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Write the PCKh ground truth (``gt_valid.mat`` layout) of an MPII JSON next to it, or to ``out``.

    Real MPII ships ``annot/gt_valid.mat`` (HRNet's release) with annotated head boxes; a fixture has
    none, so the head box here is the square of side |head top - upper neck| centred between the two
    (head size ``0.6 * sqrt(2) * side``, about 0.85 head-segment lengths). Keys: ``pos_gt_src``
    ``(16, 2, N)`` (1-based, as the JSON), ``jnt_missing`` ``(16, N)``, ``headboxes_src`` ``(2, 2, N)``
    and ``dataset_joints``, which :func:`simdr_lite.evaluation.load_mpii_gt` reads back.
    """
    from scipy.io import savemat

    from simdr_lite.evaluation.mpii import MPII_NAMES

    ann_file = Path(ann_file)
    entries = json.loads(ann_file.read_text())
    joints = np.array([e["joints"] for e in entries], dtype=np.float64)  # (N, 16, 2), 1-based
    vis = np.array([e["joints_vis"] for e in entries], dtype=np.float64)  # (N, 16)
    neck, top = joints[:, MPII_NAMES.index("neck")], joints[:, MPII_NAMES.index("head")]
    half = np.linalg.norm(top - neck, axis=1, keepdims=True) / 2
    middle = (top + neck) / 2
    headboxes = np.stack([middle - half, middle + half], axis=0).transpose(0, 2, 1)  # (2, 2, N)
    names = np.array([[np.array([n]) for n in MPII_NAMES]], dtype=object)
    out = Path(out) if out is not None else ann_file.parent / "gt_valid.mat"
    savemat(out, {"pos_gt_src": joints.transpose(1, 2, 0), "jnt_missing": 1 - vis.T,
                  "headboxes_src": headboxes, "dataset_joints": names})
    return out
