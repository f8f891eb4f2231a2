"""Training-sample throughput of the data pipeline vs. the official per-sample algorithm.

``python -m simdr_lite.bench.data`` writes a synthetic COCO-format set
(:func:`simdr_lite.data.synthetic.make_synthetic_coco`, 640x480 JPEGs like COCO, 1-3 persons each) to a
temporary folder and measures, in the same run:

* ``reference``: a plain transcription of the official ``JointsDataset.__getitem__`` (``cv2.imread``,
  global ``np.random``, mirrored image copy, per-joint loops for the affine map and for the targets
  via :mod:`simdr_lite.codecs.reference`, torchvision ``ToTensor`` + ``Normalize``), one process;
* ``CocoKeypoints`` through :func:`simdr_lite.data.loading.make_loader` with 0, 1 and 2 workers.

All produce 256x192 training samples with HRNet-COCO augmentation and the chosen codec's targets.
``--decoders`` also times ``cv2.imdecode`` against ``torchvision.io.decode_jpeg`` on the same files.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from simdr_lite.codecs import HeatmapCodec, SASimDRCodec, SimDRCodec
from simdr_lite.codecs import reference as ref
from simdr_lite.data.augment import AugmentConfig
from simdr_lite.data.coco import CocoKeypoints
from simdr_lite.data.loading import make_loader
from simdr_lite.data.synthetic import make_synthetic_coco
from simdr_lite.geometry import PIXEL_STD, get_affine_transform
from simdr_lite.skeletons import COCO

INPUT = (192, 256)


class OfficialReference(Dataset):
    """The official per-sample algorithm, transcribed step by step (the baseline; not for training)."""

    def __init__(self, ds: CocoKeypoints, codec_name: str, augment: AugmentConfig) -> None:
        import torchvision.transforms as T

        self.ds, self.codec_name, self.cfg = ds, codec_name, augment
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
        ar = INPUT[0] / INPUT[1]
        if w > ar * h:
            h = w / ar
        elif w < ar * h:
            w = h * ar
        return center, np.array([w / PIXEL_STD, h / PIXEL_STD], np.float32) * 1.5

    def __getitem__(self, i: int):
        ds, cfg = self.ds, self.cfg
        img = cv2.imread(ds.image_files[i], cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
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
        trans = get_affine_transform(c, s, r, INPUT)
        crop = cv2.warpAffine(img, trans, INPUT, flags=cv2.INTER_LINEAR)
        image = self.to_tensor(crop)
        for j in range(len(joints)):
            if vis[j] > 0:
                joints[j] = trans[:, :2] @ joints[j] + trans[:, 2]
        if self.codec_name == "heatmap":
            target = ref.heatmap_encode(joints, vis, INPUT, (INPUT[0] // 4, INPUT[1] // 4), 2.0)
        elif self.codec_name == "simdr":
            target = ref.simdr_encode(joints, vis, INPUT, 2.0)
        else:
            target = ref.sa_simdr_encode(joints, vis, INPUT, 2.0, 6.0)
        return image, target


def _rate(make_iter, n_samples: int) -> float:
    it = make_iter()
    next(it)  # warm-up: worker start, first batch
    t0 = time.perf_counter()
    count = 0
    for batch in it:
        count += batch
    return count / (time.perf_counter() - t0) if count else float("nan")


def _reference_rate(reference: OfficialReference, n: int) -> float:
    def gen():
        yield reference[0]
        for i in range(1, n):
            reference[i % len(reference)]
            yield 1
    return _rate(gen, n)


def _loader_rate(ds: CocoKeypoints, workers: int, batch: int, n: int) -> float:
    """Samples/s of full batches; the first batch (worker start-up) is not timed."""
    loader = make_loader(ds, batch, train=True, workers=workers, seed=0)

    def gen():
        seen = 0
        while True:
            for b in loader:
                seen += len(b["image"])
                yield len(b["image"])
                if seen >= n:
                    return
    return _rate(gen, n)


def _decoder_times(files: list[str]) -> tuple[float, float]:
    from torchvision.io import decode_jpeg

    blobs = [Path(f).read_bytes() for f in files]
    arrays = [np.frombuffer(b, np.uint8) for b in blobs]
    tensors = [torch.frombuffer(bytearray(b), dtype=torch.uint8) for b in blobs]
    out = []
    for fn in (lambda k: cv2.imdecode(arrays[k], cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION),
               lambda k: decode_jpeg(tensors[k]).permute(1, 2, 0).numpy()):
        fn(0)
        t0 = time.perf_counter()
        for _ in range(3):
            for k in range(len(blobs)):
                fn(k)
        out.append((time.perf_counter() - t0) / (3 * len(blobs)) * 1e3)
    return out[0], out[1]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m simdr_lite.bench.data", description=__doc__.split("\n")[0])
    p.add_argument("--images", type=int, default=48, help="JPEGs in the generated synthetic set")
    p.add_argument("--samples", type=int, default=384, help="samples timed per configuration")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--codec", choices=["heatmap", "simdr", "sa-simdr"], default="heatmap")
    p.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--decoders", action="store_true", help="also time cv2.imdecode vs torchvision")
    p.add_argument("--quick", action="store_true", help="128 samples per configuration")
    args = p.parse_args(argv)
    if args.quick:
        args.samples = min(args.samples, 128)

    codec = {"heatmap": HeatmapCodec(INPUT), "simdr": SimDRCodec(INPUT),
             "sa-simdr": SASimDRCodec(INPUT)}[args.codec]
    augment = AugmentConfig.for_family("hrnet")
    with tempfile.TemporaryDirectory() as tmp:
        split = make_synthetic_coco(tmp, args.images, split="train", seed=0, image_size=(640, 480),
                                    max_persons=3, workers=1)
        ann, img_dir = split.ann_file, split.image_dir
        ds = CocoKeypoints(ann, img_dir, INPUT, codec, train=True, augment=augment, color_rgb=False)
        np.random.seed(0)  # noqa: NPY002
        random.seed(0)
        torch.set_num_threads(1)
        print(f"{len(ds)} instances in {args.images} 640x480 JPEGs; input 256x192; codec {args.codec}; "
              f"HRNet-COCO augmentation; batch {args.batch}; torch threads 1")
        if args.decoders:
            t_cv, t_tv = _decoder_times(list(dict.fromkeys(ds.image_files.tolist())))
            print(f"JPEG decode, ms/image: cv2.imdecode {t_cv:.2f}, torchvision.io.decode_jpeg {t_tv:.2f}")
        base = _reference_rate(OfficialReference(ds, args.codec, augment), args.samples)
        width = 52
        print(f"{'pipeline':<{width}}{'samples/s':>10}{'vs reference':>14}")
        print(f"{'official per-sample reference, 0 workers':<{width}}{base:>10.0f}{1.0:>13.2f}x")
        for w in args.workers:
            rate = _loader_rate(ds, w, args.batch, args.samples)
            print(f"{f'CocoKeypoints, {w} workers':<{width}}{rate:>10.0f}{rate / base:>13.2f}x")
        # Device-side variant: uint8 crops and joints leave the workers; normalisation and targets
        # are done batched by the engine (normalize_batch, codec.encode) on its device.
        ds.normalize_image, ds.encode_targets = False, False
        for w in args.workers:
            rate = _loader_rate(ds, w, args.batch, args.samples)
            name = f"CocoKeypoints uint8, targets on device, {w} workers"
            print(f"{name:<{width}}{rate:>10.0f}{rate / base:>13.2f}x")


if __name__ == "__main__":
    main()
