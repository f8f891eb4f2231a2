"""Shared machinery of the top-down keypoint datasets (official ``JointsDataset.__getitem__``).

A dataset is a table of person instances (image file, centre, scale, joints, visibility, score)
built once by a subclass (:class:`~simdr_lite.data.coco.CocoKeypoints`,
:class:`~simdr_lite.data.mpii.MPIIKeypoints`). ``ds[i]`` reads the image, draws the training
augmentation (:mod:`simdr_lite.data.augment`) and warps once: a worker's whole job. Normalisation and
target encoding happen batched, on the training device, in one place
(:func:`simdr_lite.data.batch.prepare_batch` with the representation's ``encode``), so no target is built
per sample. ``ds[(epoch, i)]`` is the same with that epoch's random draws: the samplers of
:func:`simdr_lite.data.loading.make_loader` pass such pairs so every worker is deterministic.

A sample is a dict that PyTorch's default collate batches as is:

* ``image``: the ``(3, H, W)`` uint8 crop, BGR or RGB (``color_rgb``): 4x less to move between processes
  than floats, ImageNet-normalised batched on the device by :func:`simdr_lite.data.batch.prepare_batch`;
* ``joints`` ``(K, 2)`` float32 in input-crop pixels, ``joints_vis`` ``(K,)`` float32;
* ``meta``: ``center``, ``scale`` (after augmentation, float32 ``(2,)``), ``rotation``, ``image_id``,
  ``score``, ``joints``, ``joints_vis``, ``area`` (``prod(scale * 200)``, as the official evaluation
  uses), ``image_file``, ``index``, ``flipped``, ``half_body``, ``replaced`` (1 when a bad image was
  replaced), ``valid`` (0 for a bad image at evaluation time).

Reduced-scale JPEG decoding (``reduced_decode=True``, the default): the augmentation and the crop's
affine map are computed from the JPEG header's size before any pixel is decoded; when the map
downsamples by 2x, 4x or 8x or more, the JPEG is decoded at that reduced scale by libjpeg's DCT
scaling and the map is composed with the reduced-to-original pixel map
(:func:`simdr_lite.data.augment.decode_factor`, :func:`~simdr_lite.data.augment.reduced_to_original`).
Joints, centre, scale and flip (mirrored about the original width) are exactly those of a full decode;
the crop differs from the full-decode crop only by the decode's low-pass filtering (a few grey levels
on textured images, closer to an anti-aliased crop; see ``tests/data/test_reduced_decode.py``).
Without ``cache_images``, and where the compiled region decoder works, only the rectangle the crop
reads is decoded (:mod:`simdr_lite.data.jpeg_region`; a training crop's source box covers on average
16 % of a COCO-like photo), bit-identical to the full decode's pixels there.
Colour conversion for ``color_rgb`` is done on the crop (a channel swap commutes with the warp, bit
for bit). Other formats than JPEG are decoded in full. ``reduced_decode=False`` is the previous,
full-decode path, bit-identical to it. With ``cache_images`` the cache holds each (file, scale)
decoded at most once.

Bad images (missing, corrupt, truncated) never stop a loader: in training the sample is replaced by
another instance drawn from the sample's generator; at evaluation a black crop with zero weights and
``meta["valid"] = 0`` is returned so results stay aligned with the instance list. Both are counted in
``ds.skipped["bad_image"]`` (per process) and warned about once per file;
:class:`~simdr_lite.data.loading.KeypointLoader` sums ``meta["replaced"]`` and logs one line per epoch.
Instances dropped while loading annotations are counted in ``ds.skipped`` and logged once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from simdr_lite.geometry import PIXEL_STD
from simdr_lite.skeletons import Skeleton

from .augment import (
    Augmentation,
    AugmentConfig,
    apply_augmentation,
    sample_augmentation,
    sample_rng,
    to_chw,
)
from .io import ImageReadError, LazyImage, read_image

logger = logging.getLogger(__name__)

MAX_REPLACEMENTS = 10


class TopDownDataset(Dataset):
    """Base class: subclasses fill the instance table through :meth:`_set_records`."""

    def __init__(
        self,
        input_size: Sequence[int],
        skeleton: Skeleton,
        *,
        train: bool = False,
        augment: AugmentConfig | None = None,
        color_rgb: bool = False,
        seed: int = 0,
        cache_images: bool = False,
        reduced_decode: bool = True,
    ) -> None:
        if len(input_size) != 2 or min(input_size) <= 0:
            raise ValueError(f"input_size must be (W, H) with positive entries, got {input_size!r}")
        self.input_size = (int(input_size[0]), int(input_size[1]))
        self.aspect_ratio = self.input_size[0] / self.input_size[1]
        self.skeleton = skeleton
        self.flip_index = skeleton.flip_index()
        self.train = bool(train)
        self.augment = augment if augment is not None else AugmentConfig()
        self.color_rgb = bool(color_rgb)
        self.seed = int(seed)
        self.epoch = 0
        self.skipped: Counter[str] = Counter()
        self._warned_files: set[str] = set()
        # decoded images by file, kept for the next epochs (small sets only: each is H x W x 3 bytes)
        self._cache: dict | None = {} if cache_images else None
        # JPEGs decoded at 1/2, 1/4, 1/8 scale when the crop downsamples that much (module docstring)
        self.reduced_decode = bool(reduced_decode)
        self._sizes: dict[str, tuple[int, int, int]] = {}  # with the cache: (W, H, max factor) per file

    # ----------------------------------------------------------------- instance table
    def _set_records(
        self,
        image_files: Sequence[str],
        image_ids: np.ndarray,
        centers: np.ndarray,
        scales: np.ndarray,
        joints: np.ndarray,
        visible: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> None:
        n, k = len(image_files), self.skeleton.num_joints
        self.image_files = np.asarray(list(image_files), dtype=object)
        self.image_ids = np.asarray(image_ids, dtype=np.int64).reshape(n)
        self.centers = np.asarray(centers, dtype=np.float32).reshape(n, 2)
        self.scales = np.asarray(scales, dtype=np.float32).reshape(n, 2)
        self.joints = np.asarray(joints, dtype=np.float32).reshape(n, k, 2)
        self.visible = np.asarray(visible, dtype=np.float32).reshape(n, k)
        self.scores = (np.ones(n, np.float32) if scores is None
                       else np.asarray(scores, dtype=np.float32).reshape(n))

    def _log_skips(self, source: str) -> None:
        self.skipped = +self.skipped  # drop zero counts
        if self.skipped:
            detail = ", ".join(f"{k}={v}" for k, v in sorted(self.skipped.items()))
            logger.warning("%s: kept %d instances, skipped %s", source, len(self), detail)

    def select_data(self) -> None:
        """Official ``select_data`` (training only, off by default): keep instances whose joints' mean
        is close to the box centre, ``exp(-d^2 / (2 * 0.2^2 * area)) > 0.2/16 * n_vis + 0.45 - 0.2/16``."""
        vis = self.visible > 0
        n_vis = vis.sum(1)
        mean = (self.joints * vis[..., None]).sum(1) / np.maximum(n_vis, 1)[:, None]
        area = self.scales[:, 0] * self.scales[:, 1] * PIXEL_STD**2
        d2 = ((mean - self.centers) ** 2).sum(1)
        ks = np.exp(-d2 / (0.2**2 * 2.0 * np.maximum(area, 1e-12)))
        keep = (n_vis > 0) & (ks > (0.2 / 16) * n_vis + 0.45 - 0.2 / 16)
        self.skipped["select_data"] += int((~keep).sum())
        self._subset(keep)

    def _subset(self, keep: np.ndarray) -> None:
        for name in ("image_files", "image_ids", "centers", "scales", "joints", "visible", "scores"):
            setattr(self, name, getattr(self, name)[keep])

    def __len__(self) -> int:
        return len(self.image_files)

    def set_epoch(self, epoch: int) -> None:
        """Epoch used by plain integer indexing (loaders pass ``(epoch, index)`` pairs instead)."""
        self.epoch = int(epoch)

    # ----------------------------------------------------------------- samples
    def _read(self, index: int) -> np.ndarray:
        path = str(self.image_files[index])
        if self._cache is None:
            return read_image(path, self.color_rgb)
        if path not in self._cache:
            self._cache[path] = read_image(path, self.color_rgb)
        return self._cache[path]

    def _open(self, index: int) -> LazyImage:
        """The image of instance ``index``, header read, pixels not yet decoded (reduced_decode)."""
        path = str(self.image_files[index])
        if self._cache is None:
            return LazyImage.open(path)
        known = self._sizes.get(path)
        if known is not None:
            return LazyImage(path, known[:2], None, known[2], self._cache)
        image = LazyImage.open(path, self._cache)
        self._sizes[path] = (image.width, image.height, image.max_factor)
        return image

    def _load_sample(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        if not self.reduced_decode:
            return self._make_sample(self._read(index), index, rng)
        image = self._open(index)
        state = rng.bit_generator.state
        try:
            return self._make_sample(image, index, rng)
        except ImageReadError:
            # undo this sample's draws so the replacement is the one drawn with reduced_decode=False
            rng.bit_generator.state = state
            raise

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, Any]:
        epoch, index = key if isinstance(key, tuple) else (self.epoch, key)
        index = int(index)
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for a dataset of {len(self)} instances")
        index %= len(self)
        rng = sample_rng(self.seed, epoch, index)
        tried = index
        for _ in range(MAX_REPLACEMENTS + 1):
            try:
                sample = self._load_sample(tried, rng)
            except ImageReadError as exc:
                self._note_bad_image(str(self.image_files[tried]), exc)
                if not self.train:
                    return self._blank_sample(index)
                tried = int(rng.integers(len(self)))
                continue
            sample["meta"]["replaced"] = int(tried != index)
            return sample
        raise RuntimeError(
            f"{MAX_REPLACEMENTS + 1} images in a row failed to load (last: {self.image_files[tried]!r}); "
            "check the image directory"
        )

    def _note_bad_image(self, path: str, exc: Exception) -> None:
        self.skipped["bad_image"] += 1
        if path not in self._warned_files:
            self._warned_files.add(path)
            logger.warning("skipping unreadable image (%s); a valid sample is used instead", exc)

    def _make_sample(self, image: np.ndarray | LazyImage, index: int,
                     rng: np.random.Generator) -> dict[str, Any]:
        joints, vis = self.joints[index], self.visible[index]
        center, scale = self.centers[index], self.scales[index]
        if self.train:
            aug = sample_augmentation(rng, self.augment, center, scale, joints, vis,
                                      self.skeleton.upper_body, self.aspect_ratio)
        else:
            aug = Augmentation(center=center, scale=scale)
        crop, j_crop, v, c = apply_augmentation(image, joints, vis, aug, self.input_size, self.flip_index)
        # decoded BGR: the swap to RGB is done on the crop (it commutes with the warp, bit for bit)
        image = to_chw(crop, swap_rb=self.color_rgb and isinstance(image, LazyImage))
        return self._pack(image, j_crop, v, index, c, aug)

    def _blank_sample(self, index: int) -> dict[str, Any]:
        w, h = self.input_size
        k = self.skeleton.num_joints
        aug = Augmentation(center=self.centers[index], scale=self.scales[index])
        blank = torch.zeros(3, h, w, dtype=torch.uint8)
        sample = self._pack(blank, np.zeros((k, 2), np.float32), np.zeros(k, np.float32),
                            index, aug.center, aug)
        sample["meta"].update(valid=0, replaced=0)
        return sample

    def _pack(self, image: torch.Tensor, joints: np.ndarray, vis: np.ndarray, index: int,
              center: np.ndarray, aug: Augmentation) -> dict[str, Any]:
        joints = joints.astype(np.float32)
        vis = vis.astype(np.float32)
        scale = np.asarray(aug.scale, np.float32)
        meta = {
            "center": np.asarray(center, np.float32),
            "scale": scale,
            "rotation": float(aug.rotation),
            "image_id": int(self.image_ids[index]),
            "score": float(self.scores[index]),
            "joints": joints,
            "joints_vis": vis,
            "area": float(np.prod(scale * PIXEL_STD)),
            "image_file": str(self.image_files[index]),
            "index": int(index),
            "flipped": int(aug.flip),
            "half_body": int(aug.half_body),
            "replaced": 0,
            "valid": 1,
        }
        sample: dict[str, Any] = {"image": image, "joints": joints, "joints_vis": vis, "meta": meta}
        return sample
