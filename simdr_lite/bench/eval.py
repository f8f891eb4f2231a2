"""Benchmark: the COCO evaluation step (rescoring + OKS-NMS + COCOeval), ours vs the official way.

``python -m simdr_lite.bench eval [--quick] [--images 5000] [--per-image 3]``

Ground truth is the synthetic set's annotations (no images needed); detections are noisy copies of
each person plus near-duplicates, so OKS-NMS has work to do. In the same run it times:

* OKS-NMS: the official per-image greedy loop (``simdr_lite.evaluation.reference``, one Python loop
  per detection inside ``oks_iou``) against our vectorised NMS over all images at once;
* COCOeval with pycocotools against faster-coco-eval on the same results (the stats must agree).

Each time is the best of three runs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from simdr_lite.data.synthetic import synthetic_annotations
from simdr_lite.evaluation.coco import evaluate_coco, oks_nms, rescore
from simdr_lite.evaluation.reference import oks_nms_official


def make_detections(gt: dict, per_image: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``per_image`` noisy detections per image, drawn around its ground-truth persons."""
    rng = np.random.default_rng(seed)
    by_image: dict[int, list[np.ndarray]] = {}
    for a in gt["annotations"]:
        by_image.setdefault(a["image_id"], []).append(np.asarray(a["keypoints"], float).reshape(-1, 3))
    kps, ids = [], []
    for image_id, persons in by_image.items():
        for j in range(per_image):
            base = persons[j % len(persons)][:, :2]
            kps.append(base + rng.normal(0, rng.choice([1.0, 3.0, 8.0]), base.shape))
            ids.append(image_id)
    kp = np.stack(kps)
    scores = rng.uniform(0.05, 1.0, kp.shape[:2])
    return {
        "keypoints": np.concatenate([kp, scores[..., None]], axis=-1),
        "image_ids": np.asarray(ids),
        "box_scores": rng.uniform(0.5, 1.0, len(ids)),
        "areas": rng.uniform(3000, 30000, len(ids)),
    }


def per_image_dicts(det: dict[str, np.ndarray], scores: np.ndarray) -> dict[int, list[dict]]:
    """The official evaluate's ``kpts[image] = [{keypoints, area, score, index}, ...]`` grouping."""
    grouped: dict[int, list[dict]] = defaultdict(list)
    for i, image_id in enumerate(det["image_ids"]):
        grouped[int(image_id)].append(
            {"keypoints": det["keypoints"][i], "area": det["areas"][i], "score": scores[i], "index": i}
        )
    return grouped


def official_nms(grouped: dict[int, list[dict]], thr: float) -> np.ndarray:
    keep = []
    for img_kpts in grouped.values():
        keep.extend(img_kpts[j]["index"] for j in oks_nms_official(img_kpts, thr))
    return np.sort(np.asarray(keep))


def timed(fn, repeat: int = 3):
    """``(result, best wall time of repeat runs)``: the minimum is least disturbed by other load."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m simdr_lite.bench eval", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="500 images instead of 5,000")
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--per-image", type=int, default=3, help="detections per image (3 -> 15,000)")
    args = ap.parse_args(argv)
    n_images = 500 if args.quick else args.images
    gt = synthetic_annotations(n_images, seed=0, split="val")
    det = make_detections(gt, args.per_image)
    n_det = len(det["image_ids"])
    scores = rescore(det["keypoints"][..., 2], det["box_scores"], 0.2)

    grouped = per_image_dicts(det, scores)
    kept_ref, t_ref = timed(lambda: official_nms(grouped, 0.9))
    kept, t_ours = timed(
        lambda: np.sort(oks_nms(det["keypoints"], scores, det["areas"], 0.9, groups=det["image_ids"]))
    )
    assert np.array_equal(kept, kept_ref), "vectorised OKS-NMS disagrees with the official loop"
    results = [
        {"image_id": int(det["image_ids"][i]), "category_id": 1, "score": float(scores[i]),
         "keypoints": det["keypoints"][i].reshape(-1).tolist()}
        for i in kept
    ]
    with tempfile.TemporaryDirectory() as tmp:
        ann = Path(tmp) / "gt.json"
        ann.write_text(json.dumps(gt))
        stats_py, t_py = timed(lambda: evaluate_coco(ann, results, backend="pycocotools"))
        stats_fast, t_fast = timed(lambda: evaluate_coco(ann, results, backend="faster-coco-eval"))
    same = all(abs(stats_py[k] - stats_fast[k]) < 1e-9 for k in stats_py)
    print(f"{n_images} images, {n_det} detections, {len(kept)} kept by OKS-NMS (0.9)")
    print("| step | baseline | s | ours | s | speed-up |")
    print("|---|---|---:|---|---:|---:|")
    print(f"| OKS-NMS | official per-image loop | {t_ref:.3f} | vectorised, all images | {t_ours:.3f} "
          f"| {t_ref / t_ours:.1f}x |")
    print(f"| COCOeval | pycocotools | {t_py:.3f} | faster-coco-eval | {t_fast:.3f} | {t_py / t_fast:.1f}x |")
    base, ours = t_ref + t_py, t_ours + t_fast
    print(f"| total | | {base:.3f} | | {ours:.3f} | {base / ours:.1f}x |")
    print(f"AP pycocotools {stats_py['AP']:.4f}, faster-coco-eval {stats_fast['AP']:.4f}: "
          f"{'identical stats' if same else 'STATS DIFFER'}")


if __name__ == "__main__":
    main()
