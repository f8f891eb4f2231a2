"""Top-down dataset over MPII in HRNet's JSON layout (official ``lib/dataset/mpii.py``).

Each entry of ``annot/{train,valid,trainval,test}.json`` has ``image``, ``center`` (1-based),
``scale`` (person height / 200), ``joints`` (16 x 2, 1-based) and ``joints_vis`` (16). The official
adjustment is applied: when ``center[0] != -1``, ``center[1] += 15 * scale`` and ``scale *= 1.25``;
then ``center -= 1`` and ``joints -= 1`` (0-based). The square scale is stored as ``(s, s)`` (the
official loader does not fit MPII boxes to the input aspect ratio). ``image_id`` is the entry's
position in the file, which is what the PCKh evaluation aligns on.

Skips (counted in ``ds.skipped``, logged once): ``bad_keypoints`` (joints not 16 x 2 or
``joints_vis`` not 16 long), ``bad_box`` (scale <= 0), and in training only ``no_keypoints`` (no
visible joint). Differs from official: the official loader asserts on a wrong joint count and would
fail on a non-positive scale.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from simdr_lite.skeletons import MPII

from .augment import AugmentConfig
from .io import load_json, require_dir, require_file
from .topdown import TopDownDataset

DOWNLOAD_HINT = (
    "Download MPII and HRNet's annot/*.json with `python data_scripts/download_mpii.py`, "
    "or pass the right path."
)


class MPIIKeypoints(TopDownDataset):
    """MPII person instances, cropped top-down; arguments as :class:`~simdr_lite.data.coco.CocoKeypoints`."""

    def __init__(
        self,
        ann_file: str | os.PathLike,
        image_dir: str | os.PathLike,
        input_size: Sequence[int],
        *,
        train: bool = False,
        augment: AugmentConfig | None = None,
        color_rgb: bool = True,
        select_data: bool = False,
        seed: int = 0,
        cache_images: bool = False,
        reduced_decode: bool = True,
    ) -> None:
        ann_path = require_file(ann_file, "MPII annotation file", DOWNLOAD_HINT)
        self.image_dir = require_dir(image_dir, "MPII image directory", DOWNLOAD_HINT)
        super().__init__(input_size, MPII, train=train,
                         augment=augment if augment is not None else AugmentConfig.for_family("mpii"),
                         color_rgb=color_rgb, seed=seed, cache_images=cache_images,
                         reduced_decode=reduced_decode)
        self.ann_file = ann_path
        entries = load_json(ann_path)
        if not isinstance(entries, list):
            raise ValueError(f"{str(ann_path)!r} must be a JSON list of MPII entries (HRNet layout)")
        k = MPII.num_joints
        rows, ids = [], []
        for i, a in enumerate(entries):
            joints = np.asarray(a.get("joints", np.zeros((k, 2))), dtype=np.float32)
            vis = np.asarray(a.get("joints_vis", np.zeros(k)), dtype=np.float32)
            if joints.shape != (k, 2) or vis.shape != (k,):
                self.skipped["bad_keypoints"] += 1
                continue
            rows.append((a["image"], np.asarray(a["center"], np.float32), float(a["scale"]), joints, vis))
            ids.append(i)
        n = len(rows)
        center = np.array([r[1] for r in rows], dtype=np.float32).reshape(n, 2)
        s = np.array([r[2] for r in rows], dtype=np.float32).reshape(n)
        joints = np.array([r[3] for r in rows], dtype=np.float32).reshape(n, k, 2) - 1.0
        vis = np.array([r[4] for r in rows], dtype=np.float32).reshape(n, k)
        adjust = center[:, 0] != -1
        center[adjust, 1] += 15 * s[adjust]
        s = np.where(adjust, s * 1.25, s).astype(np.float32)
        center -= 1
        good = s > 0
        self.skipped["bad_box"] += int((~good).sum())
        if train:
            has_vis = (vis > 0).any(axis=1)
            self.skipped["no_keypoints"] += int((good & ~has_vis).sum())
            good &= has_vis
        files = [str(Path(self.image_dir) / rows[i][0]) for i in np.flatnonzero(good)]
        self._set_records(files, np.asarray(ids, np.int64)[good], center[good],
                          np.stack([s, s], axis=1)[good], joints[good], vis[good])
        if select_data and train:
            self.select_data()
        self._log_skips(str(ann_path))
