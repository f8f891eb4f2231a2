"""Training-sample throughput of the data pipeline vs. the official per-sample algorithm.

``python -m simdr_lite.bench.data`` writes a COCO-format set to a temporary folder and measures, in the
same run:

* ``reference``: a plain transcription of the official ``JointsDataset.__getitem__`` (``cv2.imread``,
  ``BGR2RGB`` of the whole image for HRNet's ``COLOR_RGB``, global ``np.random``, mirrored image copy,
  per-joint loops for the affine map and for the targets via :mod:`simdr_lite.codecs.reference`,
  torchvision ``ToTensor`` + ``Normalize``), one process, and (``--reference-workers``) in a plain
  ``DataLoader`` with workers like the official ``train.py``;
* ours, the one data path: ``CocoKeypoints`` through :func:`simdr_lite.data.loading.make_loader` with
  0, 1 and 2 workers (uint8 crops), then the batch step :func:`simdr_lite.data.batch.prepare_batch`
  (normalisation and the representation's targets for the whole batch; on the CPU here, where training
  would run it on its GPU), with partial JPEG decoding off (full decode) and on (the default: at 1/f scale
  when the crop downsamples f times, and, with the compiled region decoder, only the rectangle the crop
  reads).

Each configuration is measured ``--repeat`` times (default 3) in interleaved rounds; the table shows
the median and the range of each, and ratios of medians (a shared machine's slow spells fall on all).

All produce 256x192 training samples (``--input``) with HRNet-COCO augmentation (RGB) and the chosen
representation's targets (default SimDR, k = 2).

Images (``--style``): ``photo`` (default) are natural-image-like 640x480 JPEGs at quality 90
(:func:`photo_like_image`: 1/f "pink" noise textures, textured polygons with anti-aliased edges, a light
gradient, chroma noise and sensor noise), about 150 KB each like COCO's photos, so that decoding costs
what it costs on real COCO; persons have COCO-like box sizes (:data:`SIZE_MIX` of small / medium / large
by COCO's area thresholds). ``stick`` is the earlier set,
:func:`simdr_lite.data.synthetic.make_synthetic_coco` (stick figures 40-90% of the image height on smooth
backgrounds, smaller files).
The run prints the mean file size, the decode time at full, 1/2, 1/4 and 1/8 scale, the decode time per
training sample of the whole image against the rectangle its crop reads (:func:`region_time`), and the share
of training samples decoded at each scale. ``--decoders`` also times
``torchvision.io.decode_jpeg``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, default_collate

from simdr_lite.codecs import HeatmapCodec, KeypointCodec, SASimDRCodec, SimDRCodec
from simdr_lite.codecs import reference as ref
from simdr_lite.data import jpeg_region
from simdr_lite.data.augment import (
    Augmentation,
    AugmentConfig,
    crop_matrix,
    decode_factor,
    decode_plan,
    flip_center,
    sample_augmentation,
    sample_rng,
)
from simdr_lite.data.batch import prepare_batch
from simdr_lite.data.coco import CocoKeypoints
from simdr_lite.data.fixtures import COCO_TEMPLATE
from simdr_lite.data.io import DECODE_FLAGS
from simdr_lite.data.loading import collate, make_loader, worker_init
from simdr_lite.data.synthetic import make_synthetic_coco
from simdr_lite.geometry import PIXEL_STD, get_affine_transform
from simdr_lite.representations import REPRESENTATIONS, Representation, get_representation
from simdr_lite.skeletons import COCO

INPUT = (192, 256)

# Person instances by COCO's area classes (segmentation area < 32^2, < 96^2, above), for a set meant to
# look like the COCO train2017 persons that have keypoints. An assumption, not a measurement (no COCO
# annotations here): set it with --size-mix. Areas are drawn log-uniformly within each class.
SIZE_MIX = (0.25, 0.40, 0.35)
AREA_RANGES = ((12.0**2, 32.0**2), (32.0**2, 96.0**2), (96.0**2, 300.0**2))
AREA_FILL = 0.55  # segmentation area / box area of a person
P_UNLABELLED = (0.5, 0.2, 0.1)  # chance that a joint has v = 0, per area class (small persons: fewer)


# ------------------------------------------------------------------------------------- images


def _pink_noise(rng: np.random.Generator, h: int, w: int, alpha: float) -> np.ndarray:
    """Zero-mean, unit-std noise with amplitude spectrum ~ 1 / frequency^alpha (natural images: ~1)."""
    fy, fx = np.fft.fftfreq(h)[:, None], np.fft.rfftfreq(w)[None, :]
    freq = np.hypot(fx, fy)
    freq[0, 0] = 1.0
    spec = (rng.standard_normal(freq.shape) + 1j * rng.standard_normal(freq.shape)) / freq**alpha
    spec[0, 0] = 0.0
    out = np.fft.irfft2(spec, s=(h, w)).astype(np.float32)
    return out / max(float(out.std()), 1e-6)


def photo_like_image(rng: np.random.Generator, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """``(H, W, 3)`` uint8 BGR picture with natural-image statistics (1/f spectrum, edges, colour).

    Luminance: pink noise (alpha 0.9-1.1) plus a vertical light gradient, overlaid by 6-15 textured
    convex polygons with anti-aliased edges; chroma: smoother pink noise and a colour cast per polygon;
    sensor noise sigma 2. At JPEG quality 90 a 640x480 picture is ~150 KB (146-169 KB measured over
    parameter choices), like COCO's photos, and decodes in about the same time.
    """
    w, h = size
    amp = rng.uniform(25, 40)
    alpha = rng.uniform(0.9, 1.1)
    y = _pink_noise(rng, h, w, alpha) * amp + rng.uniform(90, 150)
    y += (np.linspace(-1, 1, h, dtype=np.float32)[:, None] * rng.uniform(-30, 30)).astype(np.float32)
    cb = _pink_noise(rng, h, w, alpha + 0.4) * (0.3 * amp)
    cr = _pink_noise(rng, h, w, alpha + 0.4) * (0.3 * amp)
    texture = _pink_noise(rng, h, w, alpha)
    mask = np.empty((h, w), np.uint8)
    for _ in range(int(rng.integers(6, 16))):
        n = int(rng.integers(3, 7))
        pts = rng.uniform(0, 1, (n, 2)) * (w, h) * rng.uniform(0.2, 1.0) + rng.uniform(-0.2, 0.8, 2) * (w, h)
        mask[:] = 0
        cv2.fillPoly(mask, [cv2.convexHull(pts.astype(np.int32))], 255, cv2.LINE_AA)
        a = mask.astype(np.float32) * (1 / 255)
        shifted = np.roll(texture, (int(rng.integers(h)), int(rng.integers(w))), (0, 1))
        y += a * (shifted * amp * rng.uniform(0.5, 1.5) + rng.uniform(60, 190) - y)
        cb += a * rng.uniform(-20, 20)
        cr += a * rng.uniform(-20, 20)
    y += rng.standard_normal((h, w), dtype=np.float32) * 2.0
    bgr = np.stack([y + 1.772 * cb, y - 0.344 * cb - 0.714 * cr, y + 1.402 * cr], axis=-1)
    return np.clip(bgr, 0, 255).astype(np.uint8)


def _person(rng: np.random.Generator, size: tuple[int, int], size_mix: Sequence[float]):
    """Box ``[x, y, w, h]``, keypoints ``(17, 3)`` and annotation area of one COCO-like person."""
    W, H = size
    cls = int(rng.choice(3, p=np.asarray(size_mix, float) / np.sum(size_mix)))
    lo, hi = AREA_RANGES[cls]
    area = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    aspect = rng.uniform(1.3, 3.0)  # box height / width: standing to sitting
    bh = np.sqrt(area / AREA_FILL * aspect)
    bw = bh / aspect
    bh, bw = min(bh, H * rng.uniform(0.9, 1.0)), min(bw, W * rng.uniform(0.9, 1.0))
    x, y = rng.uniform(0, W - bw), rng.uniform(0, H - bh)
    pts = np.array([x, y]) + (COCO_TEMPLATE + rng.normal(0, 0.02, COCO_TEMPLATE.shape)) * [bw, bh]
    v = np.where(rng.random(len(pts)) < P_UNLABELLED[cls], 0, rng.choice([1, 2], len(pts), p=[0.2, 0.8]))
    v[rng.choice(len(pts), 2, replace=False)] = 2  # at least two labelled joints
    kp = np.concatenate([np.round(pts, 2) * (v[:, None] > 0), v[:, None]], axis=1)
    return [x, y, bw, bh], kp, AREA_FILL * bw * bh


def make_photo_coco(
    root: str | os.PathLike,
    num_images: int,
    *,
    seed: int = 0,
    image_size: tuple[int, int] = (640, 480),
    quality: int = 90,
    max_persons: int = 3,
    size_mix: Sequence[float] = SIZE_MIX,
) -> tuple[Path, Path, float]:
    """Write a COCO-format keypoint set of :func:`photo_like_image` JPEGs with COCO-sized persons.

    Each image has 1..``max_persons`` persons, drawn as a textured ellipse body and head over the
    picture; keypoints follow the fixtures' standing template (``COCO_TEMPLATE``) jittered by 2% of
    the box. Returns ``(ann_file, image_dir, mean_file_kb)``; deterministic for a ``seed``.
    """
    root = Path(root)
    image_dir = root / "images" / "train"
    ann_dir = root / "annotations"
    image_dir.mkdir(parents=True, exist_ok=True)
    ann_dir.mkdir(parents=True, exist_ok=True)
    images, anns, sizes = [], [], []
    for i in range(1, num_images + 1):
        rng = np.random.default_rng([seed, i])
        img = photo_like_image(rng, image_size)
        for _ in range(int(rng.integers(1, max_persons + 1))):
            box, kp, area = _person(rng, image_size, size_mix)
            x, y, bw, bh = box
            color = rng.uniform(30, 220, 3).tolist()
            body = img.copy()
            cv2.ellipse(body, (int(x + bw / 2), int(y + bh * 0.6)), (int(bw / 2), int(bh * 0.4)), 0, 0, 360,
                        color, -1, cv2.LINE_AA)
            cv2.circle(body, (int(x + bw / 2), int(y + bh * 0.1)), max(1, int(bh * 0.08)), color, -1,
                       cv2.LINE_AA)
            cv2.addWeighted(img, 0.4, body, 0.6, 0, dst=img)  # keeps the texture under the person
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": 1, "iscrowd": 0,
                         "bbox": [round(float(b), 2) for b in box], "area": round(float(area), 2),
                         "num_keypoints": int((kp[:, 2] > 0).sum()),
                         "keypoints": [float(v) for v in kp.ravel()], "segmentation": []})
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise RuntimeError(f"JPEG encoding failed for image {i}")
        name = f"{i:012d}.jpg"
        (image_dir / name).write_bytes(buf.tobytes())
        sizes.append(buf.size)
        images.append({"id": i, "file_name": name, "width": image_size[0], "height": image_size[1]})
    data = {"images": images, "annotations": anns,
            "categories": [{"id": 1, "name": "person", "supercategory": "person",
                            "keypoints": list(COCO.keypoints),
                            "skeleton": [[a + 1, b + 1] for a, b in COCO.edges]}]}
    ann_file = ann_dir / "person_keypoints_train.json"
    ann_file.write_text(json.dumps(data))
    return ann_file, image_dir, float(np.mean(sizes)) / 1024


# ---------------------------------------------------------------------------------- reference


class OfficialReference(Dataset):
    """The official per-sample algorithm, transcribed step by step (the baseline; not for training)."""

    def __init__(self, ds: CocoKeypoints, codec: KeypointCodec, augment: AugmentConfig,
                 color_rgb: bool = False, input_size: tuple[int, int] = INPUT) -> None:
        import torchvision.transforms as T

        self.ds, self.codec, self.cfg, self.color_rgb = ds, codec, augment, color_rgb
        self.input = (int(input_size[0]), int(input_size[1]))
        self.to_tensor = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])

    def __len__(self) -> int:
        return len(self.ds)

    def _half_body(self, joints, vis):
        upper, lower = [], []
        for j in range(len(joints)):
            if vis[j] > 0:
                (upper if j in COCO.upper_body else lower).append(joints[j])
        if np.random.randn() < 0.5 and len(upper) > 2:  # noqa: NPY002 (official global RNG)
            sel = upper
        else:
            sel = lower if len(lower) > 2 else upper
        if len(sel) < 2:
            return None, None
        sel = np.array(sel, dtype=np.float32)
        center = sel.mean(axis=0)
        w, h = sel.max(axis=0) - sel.min(axis=0)
        ar = self.input[0] / self.input[1]
        if w > ar * h:
            h = w / ar
        elif w < ar * h:
            w = h * ar
        return center, np.array([w / PIXEL_STD, h / PIXEL_STD], np.float32) * 1.5

    def __getitem__(self, i: int):
        ds, cfg = self.ds, self.cfg
        img = cv2.imread(ds.image_files[i], cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
        if self.color_rgb:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        joints, vis = ds.joints[i].copy(), ds.visible[i].copy()
        c, s = ds.centers[i].copy(), ds.scales[i].copy()
        if np.sum(vis) > cfg.num_joints_half_body and np.random.rand() < cfg.prob_half_body:  # noqa: NPY002
            ch, sh = self._half_body(joints, vis)
            if ch is not None:
                c, s = ch, sh
        sf, rf = cfg.scale_factor, cfg.rotation_factor
        s = s * np.clip(np.random.randn() * sf + 1, 1 - sf, 1 + sf)  # noqa: NPY002
        r = np.clip(np.random.randn() * rf, -rf * 2, rf * 2) if random.random() <= 0.6 else 0  # noqa: NPY002
        if cfg.flip and random.random() <= 0.5:
            img = img[:, ::-1, :]
            joints[:, 0] = img.shape[1] - joints[:, 0] - 1
            for a, b in COCO.flip_pairs:
                joints[a], joints[b] = joints[b], joints[a].copy()
                vis[a], vis[b] = vis[b], vis[a].copy()
            joints = joints * vis[:, None]
            c[0] = img.shape[1] - c[0] - 1
        size = self.input
        trans = get_affine_transform(c, s, r, size)
        crop = cv2.warpAffine(img, trans, size, flags=cv2.INTER_LINEAR)
        image = self.to_tensor(crop)
        for j in range(len(joints)):
            if vis[j] > 0:
                joints[j] = trans[:, :2] @ joints[j] + trans[:, 2]
        return image, reference_encode(self.codec, joints, vis)


def reference_encode(codec: KeypointCodec, joints: np.ndarray, vis: np.ndarray):
    """``codec``'s target for one sample by the official per-joint loops (``simdr_lite.codecs.reference``)."""
    size = codec.input_size
    if isinstance(codec, HeatmapCodec):
        return ref.heatmap_encode(joints, vis, size, codec.heatmap_size, codec.sigma)
    if isinstance(codec, SASimDRCodec):
        return ref.sa_simdr_encode(joints, vis, size, codec.k, codec.sigma)
    if isinstance(codec, SimDRCodec):
        return ref.simdr_encode(joints, vis, size, codec.k)
    raise TypeError(f"no reference encoder for {type(codec).__name__}")


# ------------------------------------------------------------------------------------ timing


# Workers of every loader start from a fresh process, as in training (whose main process has not used
# OpenCV when it forks them). Workers forked from this process, which has used OpenCV's thread pool by
# then (the decode timings, the in-process configurations), ran the official pipeline ~20 % slower and
# ours hardly slower, which flattered the ratio (measured 2026-12-06, docs/RESULTS.md).
WORKER_START = "forkserver"


def _rate(make_iter, n_samples: int) -> float:
    gc.collect()  # the previous measurement's loaders (and their workers) are gone before this one starts
    it = make_iter()
    next(it)  # warm-up: worker start, first batch
    t0 = time.perf_counter()
    count = 0
    for batch in it:
        count += batch
    rate = count / (time.perf_counter() - t0) if count else float("nan")
    it.close()
    return rate


def _reference_rate(reference: OfficialReference, n: int) -> float:
    def gen():
        yield reference[0]
        for i in range(1, n):
            reference[i % len(reference)]
            yield 1
    return _rate(gen, n)


def _batches_rate(loader, n: int) -> float:
    """Samples/s of full batches; the first batch (worker start-up) is not timed."""
    def gen():
        seen = 0
        while True:
            before = seen
            for b in loader:
                size = len(b["image"]) if isinstance(b, dict) else len(b[0])
                seen += size
                yield size
                if seen >= n:
                    return
            if seen == before:
                raise ValueError("the loader gives no full batch: use more --images or a smaller --batch")
    return _rate(gen, n)


def _loader_rate(ds: CocoKeypoints, rep: Representation | None, workers: int, batch: int, n: int) -> float:
    """Samples/s of the one training data path: the loader's uint8 crops, then (``rep`` given) the batch
    step on this CPU (normalisation and the representation's targets, batched). With a GPU the batch step
    runs there, so ``rep=None`` (the loader alone) is what the data path costs the CPU."""
    loader = make_loader(ds, batch, train=True, workers=workers, seed=0, multiprocessing_context=WORKER_START)
    return _batches_rate(loader if rep is None else _Prepared(loader, rep), n)


class _OneSample(Dataset):
    """``n`` copies of one ready sample: a loader over it measures the loader's own machinery."""

    def __init__(self, sample, n: int) -> None:
        self.sample, self.n = sample, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        return self.sample


def collate_rates(ds: CocoKeypoints, workers: int = 2, batch: int = 32, n: int = 2048) -> dict[str, float]:
    """Samples/s of a loader whose dataset returns one ready sample of ``ds`` (no decoding, no warp): what
    batching and sending batches between processes costs, with PyTorch's ``default_collate`` (every small
    array its own shared-memory tensor) and with :func:`~simdr_lite.data.loading.collate` (ours)."""
    one = _OneSample(ds[0], max(n, batch) + batch)
    out = {}
    for name, fn in (("default_collate", default_collate), ("simdr-lite collate", collate)):
        loader = DataLoader(one, batch_size=batch, num_workers=workers, collate_fn=fn,
                            persistent_workers=True, multiprocessing_context=WORKER_START)
        out[name] = _batches_rate(loader, n)
    return out


class _Prepared:
    """An iterable over ``loader`` that runs :func:`prepare_batch` on every batch (a re-iterable view; a
    plain object, so that the loader and its workers go away with it)."""

    def __init__(self, loader, rep: Representation) -> None:
        self.loader, self.rep = loader, rep

    def __iter__(self):
        for b in self.loader:
            prepare_batch(b, "cpu", self.rep.encode)
            yield b


def _set_and_rate(ds: CocoKeypoints, reduced: bool, rep: Representation | None, workers: int, args) -> float:
    ds.reduced_decode = reduced
    return _loader_rate(ds, rep, workers, args.batch, args.samples)


def rate_table(rates: dict[str, list[float]], workers: dict[str, int]):
    """Rows ``(name, median, min, max, median / reference's, median / same-workers reference's or None)``.

    The first entry of ``rates`` is the reference in one process; an entry whose name starts with
    "official" is the reference with its ``workers``. Ratios are of medians.
    """
    names = list(rates)
    med = {n: float(np.median(rates[n])) for n in names}
    base = med[names[0]]
    ref = {workers[n]: med[n] for n in names if n.startswith("official")}
    return [(n, med[n], min(rates[n]), max(rates[n]), med[n] / base,
             med[n] / ref[workers[n]] if workers[n] in ref else None) for n in names]


def _reference_loader_rate(reference: OfficialReference, workers: int, batch: int, n: int) -> float:
    """The official set-up: a plain shuffled DataLoader over the per-sample dataset."""
    loader = DataLoader(reference, batch_size=batch, shuffle=True, num_workers=workers, drop_last=True,
                        persistent_workers=workers > 0, worker_init_fn=worker_init if workers else None,
                        multiprocessing_context=WORKER_START if workers else None)
    return _batches_rate(loader, n)


def decode_times(files: Sequence[str], repeat: int = 3) -> dict[int, float]:
    """ms per image of ``cv2.imdecode`` at full, 1/2, 1/4 and 1/8 scale (best of ``repeat`` passes
    over all ``files``, after one warm-up decode)."""
    blobs = [np.fromfile(f, np.uint8) for f in files]
    out = {}
    for factor, flags in DECODE_FLAGS.items():
        cv2.imdecode(blobs[0], flags)
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            for b in blobs:
                cv2.imdecode(b, flags)
            best = min(best, time.perf_counter() - t0)
        out[factor] = best / len(blobs) * 1e3
    return out


def _drawn_augmentations(ds: CocoKeypoints, epochs: int) -> Iterator[tuple[int, Augmentation]]:
    """``(index, augmentation)`` of every training sample in epochs ``0 .. epochs - 1``, drawn as the data
    path draws them (same per-sample generators); nothing is decoded."""
    for epoch in range(epochs):
        for i in range(len(ds)):
            aug = sample_augmentation(sample_rng(ds.seed, epoch, i), ds.augment, ds.centers[i], ds.scales[i],
                                      ds.joints[i], ds.visible[i], ds.skeleton.upper_body, ds.aspect_ratio)
            yield i, aug


def region_time(ds: CocoKeypoints, repeat: int = 3) -> tuple[float, float]:
    """``(whole, region)``: ms per training sample (one epoch's augmentations) to decode the whole image at
    the sample's scale with ``cv2.imdecode``, and only the rectangle its crop reads
    (:func:`~simdr_lite.data.jpeg_region.decode_region`); best of ``repeat`` passes each, interleaved."""
    blobs = {f: np.fromfile(f, np.uint8) for f in dict.fromkeys(ds.image_files.tolist())}
    jobs = []
    for i, aug in _drawn_augmentations(ds, epochs=1):
        width = ds.images[int(ds.image_ids[i])]["width"]
        center = flip_center(aug.center, width) if aug.flip else aug.center
        trans = crop_matrix(center, aug.scale, aug.rotation, ds.input_size, width if aug.flip else None)
        f, _, box = decode_plan(trans, ds.input_size)  # as the data path decodes it
        data = blobs[str(ds.image_files[i])]
        jobs.append((data, jpeg_region.jpeg_frame(data), box, f))
    best = {"whole": float("inf"), "region": float("inf")}
    for _ in range(repeat):
        t0 = time.perf_counter()
        for data, _, _, f in jobs:
            cv2.imdecode(data, DECODE_FLAGS[f])
        t1 = time.perf_counter()
        for data, frame, box, f in jobs:
            if jpeg_region.decode_region(data, frame, box, f) is None:
                cv2.imdecode(data, DECODE_FLAGS[f])  # what the data path does then
        t2 = time.perf_counter()
        best = {"whole": min(best["whole"], t1 - t0), "region": min(best["region"], t2 - t1)}
    return best["whole"] / len(jobs) * 1e3, best["region"] / len(jobs) * 1e3


def _torchvision_time(files: Sequence[str]) -> float:
    from torchvision.io import decode_jpeg

    tensors = [torch.frombuffer(bytearray(Path(f).read_bytes()), dtype=torch.uint8) for f in files]
    decode_jpeg(tensors[0])
    t0 = time.perf_counter()
    for _ in range(3):
        for t in tensors:
            decode_jpeg(t).permute(1, 2, 0).numpy()
    return (time.perf_counter() - t0) / (3 * len(tensors)) * 1e3


def factor_shares(ds: CocoKeypoints, epochs: int = 4) -> dict[int, float]:
    """Share of training samples that reduced decoding reads at scale 1/f, f = 1, 2, 4, 8: the
    augmentation each sample draws in ``epochs`` epochs, without decoding anything."""
    counts: Counter[int] = Counter()
    for _, aug in _drawn_augmentations(ds, epochs):
        trans = get_affine_transform(aug.center, aug.scale, aug.rotation, ds.input_size)
        counts[decode_factor(trans)] += 1
    total = sum(counts.values())
    return {f: counts[f] / total for f in (1, 2, 4, 8)}


def roi_shares(ds: CocoKeypoints, epochs: int = 4) -> tuple[float, float]:
    """``(area, rows)``: over the training samples of ``epochs`` epochs (augmentations drawn, not decoded),
    the mean share of the image's area inside the crop's source region (its bounding box), and the mean
    share of the image's rows down to that region's lowest row: what a decoder that stops after the
    last needed row, or decodes only the region, would still touch (issue 13)."""
    area, rows = [], []
    w, h = ds.input_size
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float64)
    for i, aug in _drawn_augmentations(ds, epochs):
        inv = get_affine_transform(aug.center, aug.scale, aug.rotation, ds.input_size, inv=True)
        src = corners @ inv.T
        im = ds.images[int(ds.image_ids[i])]
        width, height = im["width"], im["height"]
        x0, y0 = np.clip(src.min(0), 0, (width, height))
        x1, y1 = np.clip(src.max(0), 0, (width, height))
        area.append((x1 - x0) * (y1 - y0) / (width * height))
        rows.append(y1 / height)
    return float(np.mean(area)), float(np.mean(rows))


def _area_mix(ds: CocoKeypoints) -> str:
    a = np.asarray(ds.areas)
    small, large = (a < 32**2).mean(), (a >= 96**2).mean()
    return f"small {small:.0%} / medium {1 - small - large:.0%} / large {large:.0%}"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m simdr_lite.bench.data", description=__doc__.split("\n")[0])
    p.add_argument("--style", choices=["photo", "stick"], default="photo",
                   help="photo: natural-image-like JPEGs, COCO person sizes (default); "
                        "stick: the synthetic stick-figure set")
    p.add_argument("--images", type=int, default=48, help="JPEGs in the generated set")
    p.add_argument("--size-mix", type=float, nargs=3, default=list(SIZE_MIX), metavar=("S", "M", "L"),
                   help="shares of small / medium / large persons (photo style)")
    p.add_argument("--samples", type=int, default=384, help="samples timed per configuration")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--input", type=int, nargs=2, default=list(INPUT), metavar=("W", "H"),
                   help="network input (default 192 256; the paper's low-resolution study: 64 64, 128 128)")
    p.add_argument("--representation", choices=list(REPRESENTATIONS), default="simdr",
                   help="whose targets are built (k = 2 for SimDR and SimDR*)")
    p.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--reference-workers", type=int, nargs="*", default=[1, 2],
                   help="also time the reference in a DataLoader with these worker counts")
    p.add_argument("--bgr", action="store_true", help="BGR input (ResNet configs) instead of HRNet's RGB")
    p.add_argument("--decoders", action="store_true", help="also time torchvision.io.decode_jpeg")
    p.add_argument("--repeat", type=int, default=3,
                   help="rounds over all configurations; the table shows each one's median and range")
    p.add_argument("--quick", action="store_true", help="128 samples per configuration, 24 images, 1 round")
    args = p.parse_args(argv)
    if args.quick:
        args.samples = min(args.samples, 128)
        args.images = min(args.images, 24)
        args.repeat = 1

    size = (args.input[0], args.input[1])
    rep = get_representation(args.representation, size)  # defaults: heatmap sigma 2, k = 2, SimDR* sigma 6
    augment = AugmentConfig.for_family("hrnet")
    rgb = not args.bgr
    with tempfile.TemporaryDirectory() as tmp:
        if args.style == "photo":
            ann, img_dir, mean_kb = make_photo_coco(tmp, args.images, seed=0, size_mix=args.size_mix)
        else:
            split = make_synthetic_coco(tmp, args.images, split="train", seed=0, image_size=(640, 480),
                                        max_persons=3, workers=1)
            ann, img_dir = split.ann_file, split.image_dir
            mean_kb = float(np.mean([f.stat().st_size for f in Path(img_dir).glob("*.jpg")])) / 1024
        ds = CocoKeypoints(ann, img_dir, size, train=True, augment=augment, color_rgb=rgb)
        np.random.seed(0)  # noqa: NPY002
        random.seed(0)
        torch.set_num_threads(1)
        files = list(dict.fromkeys(ds.image_files.tolist()))

        print(f"{len(ds)} instances in {len(files)} 640x480 JPEGs ({args.style}: mean file {mean_kb:.0f} KB; "
              f"persons {_area_mix(ds)}); input {size[1]}x{size[0]}; {rep.codec!r}; "
              f"HRNet-COCO augmentation, {'RGB' if rgb else 'BGR'}; batch {args.batch}; torch threads 1")
        dec = decode_times(files)
        line = ", ".join(f"1/{f} {t:.2f}" if f > 1 else f"full {t:.2f}" for f, t in dec.items())
        print(f"JPEG decode (cv2.imdecode), ms/image: {line}")
        if jpeg_region.available():
            whole, region = region_time(ds)
            print(f"decode per training sample, ms: whole image {whole:.2f}, only the crop's rectangle "
                  f"(jpeg_region) {region:.2f}")
        else:
            print(f"no region decoding here: {jpeg_region.missing_note()}")
        if args.decoders:
            print(f"torchvision.io.decode_jpeg, ms/image: full {_torchvision_time(files):.2f}")
        shares = factor_shares(ds)
        print("training samples decoded at scale: "
              + ", ".join(f"1/{f} {s:.0%}" for f, s in shares.items()))
        area, rows = roi_shares(ds)
        print(f"region of interest (crop's source box): {area:.0%} of the image area, rows down to its "
              f"bottom {rows:.0%} of the image (means over training samples)")
        if max(args.workers) > 0:
            w = max(args.workers)
            rates = ", ".join(f"{k} {v:.0f}" for k, v in collate_rates(ds, w, args.batch).items())
            print(f"loader machinery alone (one ready sample, {w} workers), samples/s: {rates}")

        reference = OfficialReference(ds, rep.codec, augment, color_rgb=rgb, input_size=size)
        # (name, workers, measure): the reference first; rounds interleave them so that a slow spell of
        # a shared machine falls on every configuration alike
        runs = [("official per-sample reference", 0, lambda: _reference_rate(reference, args.samples))]
        runs += [(f"official reference, DataLoader, {w} workers", w,
                  lambda w=w: _reference_loader_rate(reference, w, args.batch, args.samples))
                 for w in args.reference_workers if w > 0]
        for reduced in (False, True):  # the default dataset API: partial decode on
            label = "partial decode (default)" if reduced else "full decode"
            for w in args.workers:
                for rep_ in (None, rep):
                    step = "loader" if rep_ is None else "+ batch step on CPU"
                    runs.append((f"ours, {label}, {w} workers: {step}", w,
                                 lambda r=reduced, w=w, rep_=rep_: _set_and_rate(ds, r, rep_, w, args)))
        rates: dict[str, list[float]] = {name: [] for name, _, _ in runs}
        for i in range(args.repeat):
            print(f"round {i + 1} of {args.repeat} ...", flush=True)
            for name, _, measure in runs:
                rates[name].append(measure())
        width = 62
        print(f"{'pipeline (median of ' + str(args.repeat) + ' rounds)':<{width}}{'samples/s':>10}"
              f"{'min-max':>12}{'vs reference':>14}{'vs ref, same workers':>22}")
        for name, med, lo, hi, ratio, same in rate_table(rates, {n: w for n, w, _ in runs}):
            same_s = f"{same:>21.2f}x" if same is not None else f"{'-':>22}"
            print(f"{name:<{width}}{med:>10.0f}{f'{lo:.0f}-{hi:.0f}':>12}{ratio:>13.2f}x{same_s}")
        gc.collect()  # the last loaders' workers exit before their images are deleted


if __name__ == "__main__":
    main()
