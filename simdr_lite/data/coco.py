"""Top-down dataset over COCO-format keypoint files (COCO, CrowdPose, the synthetic set).

Reproduces the official ``lib/dataset/coco.py`` (spec sheet Sec. 5, "COCO boxes"):

* ground-truth boxes: non-crowd annotations of the person category are cleaned with
  :func:`simdr_lite.geometry.sanitize_boxes`; those with ``area > 0``, a valid clean box and
  ``max(keypoints) > 0`` are kept; visibility is ``min(v, 1)``;
* detection boxes (``det_file``, the official ``COCO_val2017_detections_AP_H_56_person.json``):
  ``category_id == 1`` and ``score >= image_thre`` (official default 0.0); joints are zeros and
  visibility ones, as official;
* every box goes through :func:`simdr_lite.geometry.box_to_center_scale` (official ``_xywh2cs``).

Skipped annotations are counted in ``ds.skipped`` under ``crowd``, ``not_person``, ``bad_box``
(zero area, off-image, non-positive detection box), ``bad_keypoints`` (keypoint list of the wrong
length), ``no_keypoints`` and ``low_score``, and logged once.
Differs from official: image files come from the ``file_name`` of each image entry (equal to the
official ``%012d.jpg`` for COCO 2017, and also right for CrowdPose and the synthetic set); an
annotation whose keypoints are all ``v = 0`` is dropped too (in COCO such annotations have all-zero
keypoints, so this changes nothing there); detection boxes with ``w <= 0`` or ``h <= 0`` are dropped
(the official code would fail on a singular crop).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from simdr_lite.geometry import box_to_center_scale, sanitize_boxes
from simdr_lite.skeletons import COCO, CROWDPOSE, Skeleton

from .augment import AugmentConfig
from .io import load_json, require_dir, require_file
from .topdown import TopDownDataset

DOWNLOAD_HINT = (
    "Download COCO with `python data_scripts/download_coco.py` (or generate the synthetic set), "
    "or pass the right path."
)


class CocoKeypoints(TopDownDataset):
    """Person instances of a COCO-format keypoint file, cropped top-down (see module docstring).

    Args:
        ann_file: ``person_keypoints_*.json`` (or any COCO-format keypoint file).
        image_dir: folder holding the images' ``file_name`` paths.
        input_size: network input ``(W, H)``, e.g. ``(192, 256)``.
        train: draw the official augmentation (else centre crop, no randomness).
        det_file: detection results (COCO results format) to crop instead of ground-truth boxes.
        image_thre: detection score threshold (official ``TEST.IMAGE_THRE``, 0.0).
        skeleton: keypoint convention; default COCO for 17 joints, CrowdPose for 14.
        augment: augmentation settings (:class:`AugmentConfig`, ``AugmentConfig.for_family``).
        color_rgb: feed RGB (HRNet configs) instead of BGR (official default and ResNet configs).
        select_data: official ``select_data`` filter (training only; off by default as official).
        seed: base seed of the per-sample generators.
        cache_images: keep decoded images in memory (small sets).
        reduced_decode: decode a JPEG at 1/2, 1/4 or 1/8 scale when the crop downsamples it that much
            and, with the compiled region decoder, only the rectangle the crop reads (default; see
            :mod:`simdr_lite.data.topdown`); ``False``: always decode in full.
    """

    def __init__(
        self,
        ann_file: str | os.PathLike,
        image_dir: str | os.PathLike,
        input_size: Sequence[int],
        *,
        train: bool = False,
        det_file: str | os.PathLike | None = None,
        image_thre: float = 0.0,
        skeleton: Skeleton | None = None,
        augment: AugmentConfig | None = None,
        color_rgb: bool = False,
        select_data: bool = False,
        seed: int = 0,
        cache_images: bool = False,
        reduced_decode: bool = True,
    ) -> None:
        ann_path = require_file(ann_file, "COCO annotation file", DOWNLOAD_HINT)
        self.image_dir = require_dir(image_dir, "image directory", DOWNLOAD_HINT)
        data = load_json(ann_path)
        if not isinstance(data, dict) or "images" not in data:
            raise ValueError(f"{str(ann_path)!r} is not a COCO-format file (no 'images' list)")
        anns = data.get("annotations", [])
        if skeleton is None:
            skeleton = _infer_skeleton(data, anns)
        super().__init__(input_size, skeleton, train=train, augment=augment, color_rgb=color_rgb,
                         seed=seed, cache_images=cache_images, reduced_decode=reduced_decode)
        self.ann_file = ann_path
        self.det_file = det_file
        self.images = {int(im["id"]): im for im in data["images"]}
        if det_file is None:
            self._load_ground_truth(anns, _person_category(data))
        else:
            det_path = require_file(det_file, "detection results file",
                                    "Pass the person detections (COCO results JSON) or use det_file=None "
                                    "for ground-truth boxes.")
            self._load_detections(load_json(det_path), float(image_thre))
        if select_data and train:
            self.select_data()
        self._log_skips(str(det_file or ann_path))

    def _image_path(self, image_id: int) -> str:
        im = self.images.get(int(image_id))
        name = im["file_name"] if im is not None else f"{int(image_id):012d}.jpg"
        return str(Path(self.image_dir) / name)

    def _load_ground_truth(self, anns: list[dict], person_id: int) -> None:
        k = self.skeleton.num_joints
        kept = []
        for a in anns:
            if a.get("iscrowd", 0):
                self.skipped["crowd"] += 1
            elif a.get("category_id", person_id) != person_id:
                self.skipped["not_person"] += 1
            elif len(a.get("keypoints", ())) != 3 * k:
                self.skipped["bad_keypoints"] += 1
            elif int(a["image_id"]) not in self.images or len(a.get("bbox", ())) != 4:
                self.skipped["bad_box"] += 1
            else:
                kept.append(a)
        n = len(kept)
        boxes = np.array([a["bbox"] for a in kept], dtype=np.float64).reshape(n, 4)
        areas = np.array([a.get("area", 1.0) for a in kept], dtype=np.float64).reshape(n)
        kpts = np.array([a["keypoints"] for a in kept], dtype=np.float32).reshape(n, k, 3)
        ids = np.array([a["image_id"] for a in kept], dtype=np.int64).reshape(n)
        sizes = np.array([(self.images[i]["width"], self.images[i]["height"]) for i in ids],
                         dtype=np.float64).reshape(n, 2)
        clean, valid = sanitize_boxes(boxes, sizes[:, 0], sizes[:, 1])
        valid &= areas > 0
        has_kpts = (kpts.reshape(n, -1).max(axis=1, initial=0) > 0) & (kpts[..., 2] > 0).any(axis=1)
        self.skipped["bad_box"] += int((~valid).sum())
        self.skipped["no_keypoints"] += int((valid & ~has_kpts).sum())
        keep = valid & has_kpts
        center, scale = box_to_center_scale(clean[keep], self.input_size)
        self._set_records([self._image_path(i) for i in ids[keep]], ids[keep], center, scale,
                          kpts[keep, :, :2], np.minimum(kpts[keep, :, 2], 1.0))
        self.boxes = clean[keep].astype(np.float32)
        self.areas = areas[keep]  # the annotations' segmentation areas: COCOeval's OKS scale

    def _load_detections(self, dets: list[dict], image_thre: float) -> None:
        if not isinstance(dets, list):
            raise ValueError(f"{self.det_file!r} must be a JSON list of COCO detection results")
        k = self.skeleton.num_joints
        person = [d for d in dets if d.get("category_id") == 1]
        self.skipped["not_person"] += len(dets) - len(person)
        n = len(person)
        boxes = np.array([d["bbox"] for d in person], dtype=np.float64).reshape(n, 4)
        scores = np.array([d["score"] for d in person], dtype=np.float32).reshape(n)
        ids = np.array([d["image_id"] for d in person], dtype=np.int64).reshape(n)
        high = scores >= image_thre
        good = (boxes[:, 2] > 0) & (boxes[:, 3] > 0)
        self.skipped["low_score"] += int((~high).sum())
        self.skipped["bad_box"] += int((high & ~good).sum())
        keep = high & good
        m = int(keep.sum())
        center, scale = box_to_center_scale(boxes[keep], self.input_size)
        self._set_records([self._image_path(i) for i in ids[keep]], ids[keep], center, scale,
                          np.zeros((m, k, 2), np.float32), np.ones((m, k), np.float32), scores[keep])
        self.boxes = boxes[keep].astype(np.float32)

    def _subset(self, keep: np.ndarray) -> None:
        super()._subset(keep)
        self.boxes = self.boxes[keep]


def _person_category(data: dict) -> int:
    cats = data.get("categories") or []
    for c in cats:
        if c.get("name") == "person":
            return int(c["id"])
    return int(cats[0]["id"]) if cats else 1


def _infer_skeleton(data: dict, anns: list[dict]) -> Skeleton:
    names = next((c.get("keypoints") for c in data.get("categories") or [] if c.get("keypoints")), None)
    k = len(names) if names else (len(anns[0].get("keypoints", ())) // 3 if anns else COCO.num_joints)
    for sk in (COCO, CROWDPOSE):
        if sk.num_joints == k:
            return sk
    raise ValueError(f"cannot infer the skeleton of a file with {k} keypoints; pass skeleton=...")
