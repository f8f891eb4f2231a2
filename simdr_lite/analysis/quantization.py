"""Quantization error of the coordinate representations (paper Sec. 3, Table 2, App. D).

Two measurements, both with a *perfect* network (the output that minimises the loss):

* :func:`roundtrip_errors`: encode sub-pixel positions, decode the perfect output, return the
  absolute error per axis. App. D bounds it by ``stride / 2`` for the heatmap arg-max (D.2) and by
  ``1 / (2k)`` for SimDR (D.1); :func:`appd_bound` gives the bound of a codec.
* :func:`oracle_ap`: the COCO keypoint AP of that perfect network on a COCO-format keypoint file,
  through the official top-down crop pipeline (box cleaning, 1.25 padding, affine warp, back to the
  image with ``transform_preds``). It is the ceiling a representation imposes on any model, and shows
  why heatmaps lose AP at low input resolution (Table 2, "Extra post. = N").

Run ``python -m simdr_lite.analysis.quantization --out runs/quantization`` for the table and figure.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simdr_lite import geometry
from simdr_lite.codecs import HeatmapCodec, KeypointCodec, SASimDRCodec, SimDRCodec

STAT_NAMES = ("AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl")

# The four input sizes (W, H) of the study and the official heatmap sigma at each (spec §1).
INPUT_SIZES: tuple[tuple[int, int], ...] = ((64, 64), (128, 128), (192, 256), (288, 384))
HEATMAP_SIGMA = {(64, 64): 1.0, (128, 128): 1.0, (192, 256): 2.0, (288, 384): 3.0}
# SimDR* sigma (bins) of the official configs: 4 (HRNet-W48 256x192), 6 (Res50 384x288, MPII 256x256).
# There is no official SimDR* config at 64x64 / 128x128; we use 4 there. The perfect-output arg-max
# does not depend on sigma away from the borders.
SA_SIGMA = {(64, 64): 4.0, (128, 128): 4.0, (192, 256): 4.0, (288, 384): 6.0}

# bytes of perfect output decoded per chunk in oracle_ap / roundtrip_errors (bounds peak memory)
CHUNK_BYTES = 64 * 2**20


def size_name(input_size: Sequence[int]) -> str:
    """``(W, H)`` -> the paper's ``"HxW"`` name, e.g. ``(192, 256)`` -> ``"256x192"``."""
    return f"{input_size[1]}x{input_size[0]}"


def study_codecs(input_size: Sequence[int]) -> dict[str, KeypointCodec]:
    """The codecs of the study at one input size ``(W, H)``, keyed by a short label.

    Heatmap (stride 4, official sigma for the size) without refinement, with the quarter-pixel shift,
    and with DARK on unbiased targets (as TokenPose); SimDR with k = 1, 2, 3; SimDR* with k = 2.
    """
    size = (int(input_size[0]), int(input_size[1]))
    sigma = HEATMAP_SIGMA.get(size, 2.0)
    return {
        "heatmap": HeatmapCodec(size, sigma=sigma, refine=None),
        "heatmap+shift": HeatmapCodec(size, sigma=sigma, refine="shift"),
        "heatmap+dark": HeatmapCodec(size, sigma=sigma, refine="dark", unbiased=True),
        "SimDR k=1": SimDRCodec(size, k=1.0),
        "SimDR k=2": SimDRCodec(size, k=2.0),
        "SimDR k=3": SimDRCodec(size, k=3.0),
        "SA-SimDR k=2": SASimDRCodec(size, k=2.0, sigma=SA_SIGMA.get(size, 6.0)),
    }


# ---------------------------------------------------------------------------- round-trip errors
def _output_bytes(codec: KeypointCodec) -> int:
    """Bytes of one joint's perfect output (float32)."""
    if isinstance(codec, HeatmapCodec):
        return 4 * codec.heatmap_size[0] * codec.heatmap_size[1]
    bins = getattr(codec, "bins", (1, 1))
    return 4 * (bins[0] + bins[1])


def _decode_perfect(codec: KeypointCodec, kp: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """``codec.decode(codec.perfect_output(kp, vis))`` in chunks of instances -> ``(N, K, 2)``."""
    n, k = kp.shape[:2]
    per_instance = max(1, k * _output_bytes(codec))
    chunk = max(1, CHUNK_BYTES // per_instance)
    out = np.empty((n, k, 2), dtype=np.float64)
    for lo in range(0, n, chunk):
        sl = slice(lo, lo + chunk)
        coords, _ = codec.decode(codec.perfect_output(kp[sl], vis[sl]))
        out[sl] = coords
    return out


def appd_bound(codec: KeypointCodec) -> float:
    """App. D bound on the per-axis round-trip error in input pixels.

    ``stride / 2`` (largest axis) for heatmaps (D.2; for the arg-max, refinements usually do better),
    ``1 / (2k)`` for SimDR and SimDR* (D.1).
    """
    if isinstance(codec, HeatmapCodec):
        return max(codec.stride) / 2.0
    if isinstance(codec, (SimDRCodec, SASimDRCodec)):
        return 1.0 / (2.0 * codec.k)
    raise ValueError(f"no App. D bound for {type(codec).__name__}; expected a heatmap or SimDR codec")


def sample_positions(
    input_size: Sequence[int], num: int, *, seed: int = 0, margin: float | None = None
) -> np.ndarray:
    """``num`` uniform sub-pixel positions ``(num, 2)`` inside the crop ``(W, H)``.

    ``margin`` (pixels, default 16: four heatmap cells at stride 4) keeps points away from the
    border, where the official refinements are switched off and App. D does not apply.
    """
    w, h = int(input_size[0]), int(input_size[1])
    m = 16.0 if margin is None else float(margin)
    if num < 1 or 2 * m >= min(w, h):
        raise ValueError(f"need num >= 1 and 2 * margin < min(W, H); got num={num}, margin={m}, size={w}x{h}")
    rng = np.random.default_rng(seed)
    return rng.uniform((m, m), (w - m, h - m), size=(num, 2))


def roundtrip_errors(codec: KeypointCodec, positions: np.ndarray) -> np.ndarray:
    """Absolute per-axis error ``|decode(perfect_output(p)) - p|`` ``(M, 2)`` in input pixels.

    ``positions`` is ``(M, 2)`` (or ``(N, K, 2)``, flattened) in input-crop pixels; every position
    is encoded as a visible joint. Decoding runs in chunks to bound memory.
    """
    p = np.asarray(positions, dtype=np.float64)
    if p.shape[-1] != 2:
        raise ValueError(f"positions must have shape (M, 2) in input-crop pixels, got {p.shape}")
    p = p.reshape(-1, 1, 2)
    decoded = _decode_perfect(codec, p, np.ones(p.shape[:2], dtype=np.float32))
    return np.abs(decoded - p).reshape(-1, 2)


def error_summary(errors: np.ndarray, bound: float | None = None) -> dict[str, float]:
    """Mean, RMS, 95th percentile and max of an error array; fraction below ``bound`` if given."""
    e = np.asarray(errors, dtype=np.float64).ravel()
    out = {
        "mean": float(e.mean()),
        "rms": float(np.sqrt((e * e).mean())),
        "p95": float(np.percentile(e, 95)),
        "max": float(e.max()),
    }
    if bound is not None:
        out["bound"] = float(bound)
        out["within_bound"] = float((e <= bound + 1e-6).mean())
    return out


def error_sweep(
    make_codec: Callable[[Any], KeypointCodec],
    values: Iterable[Any],
    positions: np.ndarray | Callable[[Any], np.ndarray],
) -> dict[Any, np.ndarray]:
    """``{value: roundtrip_errors(make_codec(value), positions)}`` for a sweep over k, size, sigma...

    ``positions`` may be a function of the value (e.g. positions inside each input size).
    Example: ``error_sweep(lambda k: SimDRCodec((192, 256), k=k), [1, 2, 3], pts)``.
    """
    out = {}
    for v in values:
        pts = positions(v) if callable(positions) else positions
        out[v] = roundtrip_errors(make_codec(v), pts)
    return out


# ---------------------------------------------------------------------------- oracle AP
def load_coco(ann: str | Path | dict):
    """A pycocotools ``COCO`` from a keypoint JSON path or an already-loaded dict (quietly)."""
    from pycocotools.coco import COCO

    if isinstance(ann, dict):
        dataset = copy.deepcopy(ann)
    else:
        path = Path(ann)
        if not path.is_file():
            raise FileNotFoundError(
                f"COCO keypoint file {path} not found; pass a person_keypoints_*.json path or a dict "
                "(e.g. simdr_lite.data.synthetic.synthetic_annotations(...))"
            )
        dataset = json.loads(path.read_text())
    if not {"images", "annotations", "categories"} <= set(dataset):
        raise ValueError("COCO dict must have 'images', 'annotations' and 'categories'")
    coco = COCO()
    coco.dataset = dataset
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
    return coco


def gt_instances(coco, input_size: Sequence[int]) -> dict[str, np.ndarray]:
    """Every scored person of ``coco`` with the official box pipeline, as arrays.

    Keeps non-crowd person annotations with at least one labelled keypoint, a valid sanitized box
    and ``area > 0`` (official COCO loader). Returns ``image_id (P,)``, ``keypoints (P, K, 2)`` and
    ``visible (P, K)`` in image pixels, ``center``/``scale (P, 2)`` (1.25 padding, pixel_std 200).
    """
    image_ids, boxes, kps = [], [], []
    for img_id in sorted(coco.getImgIds()):
        info = coco.imgs[img_id]
        anns = [a for a in coco.imgToAnns.get(img_id, []) if a.get("category_id", 1) == 1]
        anns = [a for a in anns if not a.get("iscrowd", 0) and max(a["keypoints"]) > 0 and a["area"] > 0]
        if not anns:
            continue
        b, valid = geometry.sanitize_boxes(np.array([a["bbox"] for a in anns]), info["width"], info["height"])
        for a, box, ok in zip(anns, b, valid):
            if ok:
                image_ids.append(img_id)
                boxes.append(box)
                kps.append(np.asarray(a["keypoints"], dtype=np.float64).reshape(-1, 3))
    if not boxes:
        raise ValueError("no scorable person annotations (non-crowd, keypoints > 0, valid box) found")
    kp = np.stack(kps)
    center, scale = geometry.box_to_center_scale(np.stack(boxes), input_size)
    return {
        "image_id": np.array(image_ids),
        "keypoints": kp[..., :2],
        "visible": (kp[..., 2] > 0).astype(np.float32),
        "center": center,
        "scale": scale,
    }


def oracle_keypoints(inst: dict[str, np.ndarray], codec: KeypointCodec | None, input_size) -> np.ndarray:
    """Image-space keypoints ``(P, K, 2)`` of a perfect network through ``codec`` (crop and back).

    ``codec=None`` skips the encoding: the crop/uncrop geometry alone (AP 1.0 by construction).
    As the official loader, only visible joints are warped into the crop; the others stay at (0, 0)
    and are decoded as whatever the codec gives (they are not scored by OKS).
    """
    trans = geometry.get_affine_transform(inst["center"], inst["scale"], 0.0, input_size)
    vis = inst["visible"]
    crop = geometry.affine_transform(inst["keypoints"], trans) * vis[..., None]
    if codec is not None:
        if tuple(codec.input_size) != tuple(int(v) for v in input_size):
            raise ValueError(f"codec input_size {codec.input_size} != input_size {tuple(input_size)}")
        crop = _decode_perfect(codec, crop, vis)
    return geometry.transform_preds(crop, inst["center"], inst["scale"], input_size)


def keypoint_stats(coco, image_ids: np.ndarray, keypoints: np.ndarray) -> dict[str, float]:
    """COCOeval(iouType='keypoints') stats by name for one detection per instance (score 1).

    Keys: :data:`STAT_NAMES` (``AP`` ... ``ARl``, in [0, 1], -1 where an area range is empty) and
    ``OKS``, the mean over ground-truth persons of the best OKS of any detection in their image.
    """
    from pycocotools.cocoeval import COCOeval

    p, k = keypoints.shape[:2]
    triplets = np.concatenate([keypoints, np.ones((p, k, 1))], axis=-1).reshape(p, -1)
    results = [
        {"image_id": int(i), "category_id": 1, "keypoints": t.tolist(), "score": 1.0}
        for i, t in zip(image_ids, triplets)
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        dt = coco.loadRes(results)
        ev = COCOeval(coco, dt, iouType="keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    stats = dict(zip(STAT_NAMES, (float(s) for s in ev.stats)))
    # best OKS of each ground-truth person (a finer view than AP, which saturates at 1.0)
    best = [np.max(np.asarray(o), axis=0) for o in ev.ious.values() if len(o)]
    stats["OKS"] = float(np.concatenate(best).mean()) if best else float("nan")
    return stats


def oracle_ap(
    ann_file: str | Path | dict, codec: KeypointCodec | None, input_size: Sequence[int]
) -> dict[str, float]:
    """COCO keypoint stats (``AP``, ``AP50``, ... ``ARl``) of a perfect network using ``codec``.

    Each ground-truth person is cropped with the official box pipeline, its keypoints encoded and the
    perfect output decoded (the representation's quantization only), mapped back to the image and
    scored by pycocotools' ``COCOeval`` with score 1 per instance. ``codec=None`` scores ground truth
    through the crop geometry alone, which gives AP 1.0. Accepts a JSON path or a COCO dict.
    """
    coco = ann_file if hasattr(ann_file, "imgToAnns") else load_coco(ann_file)
    inst = gt_instances(coco, input_size)
    return keypoint_stats(coco, inst["image_id"], oracle_keypoints(inst, codec, input_size))


def oracle_table(
    ann_file: str | Path | dict, input_sizes: Sequence[Sequence[int]] = INPUT_SIZES
) -> dict[str, dict[str, dict[str, float]]]:
    """``{size_name: {codec_label: stats}}`` for :func:`study_codecs` at each input size."""
    coco = ann_file if hasattr(ann_file, "imgToAnns") else load_coco(ann_file)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for size in input_sizes:
        inst = gt_instances(coco, size)
        table[size_name(size)] = {
            label: keypoint_stats(coco, inst["image_id"], oracle_keypoints(inst, codec, size))
            for label, codec in study_codecs(size).items()
        }
    return table


def table_markdown(table: dict[str, dict[str, dict[str, float]]], stat: str = "AP") -> str:
    """Markdown table: one row per codec, one column per input size, ``stat`` x 100 (1 decimal)."""
    sizes = list(table)
    labels = list(dict.fromkeys(label for row in table.values() for label in row))
    lines = ["| codec | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for label in labels:
        cells = [f"{100 * table[s][label][stat]:.1f}" if label in table[s] else "-" for s in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def synthetic_study_set(
    num_images: int = 100, seed: int = 0, image_size: tuple[int, int] = (256, 256)
) -> dict:
    """The synthetic COCO ground truth of the study (``simdr_lite.data.synthetic``, no rendering)."""
    try:
        from simdr_lite.data.synthetic import synthetic_annotations
    except ImportError as err:  # pragma: no cover - depends on the data branch being merged
        raise ImportError(
            "simdr_lite.data.synthetic is missing; pass --ann path/to/person_keypoints.json instead"
        ) from err
    return synthetic_annotations(num_images, seed=seed, split="val", image_size=image_size)


# ---------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> None:
    """Write ``quantization.md`` (errors + oracle AP table), ``oracle_ap.json`` and ``quantization.png``."""
    ap = argparse.ArgumentParser(
        prog="python -m simdr_lite.analysis.quantization", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--out", default="runs/quantization", help="output folder")
    ap.add_argument("--ann", default=None, help="COCO keypoint JSON (default: synthetic set)")
    ap.add_argument("--num-images", type=int, default=100, help="synthetic images (default 100)")
    ap.add_argument("--positions", type=int, default=20000, help="sub-pixel positions for the errors")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()

    size = (192, 256)
    pts = sample_positions(size, args.positions, seed=args.seed)
    errors = {label: roundtrip_errors(c, pts) for label, c in study_codecs(size).items()}
    bounds = {label: appd_bound(c) for label, c in study_codecs(size).items()}
    ann = args.ann if args.ann is not None else synthetic_study_set(args.num_images, seed=args.seed)
    coco = load_coco(ann)
    table = oracle_table(coco)
    n_persons = len(gt_instances(coco, size)["image_id"])

    err_lines = ["| codec | mean | p95 | max | App. D bound |", "|---|---:|---:|---:|---:|"]
    for label, e in errors.items():
        s = error_summary(e, bounds[label])
        err_lines.append(
            f"| {label} | {s['mean']:.3f} | {s['p95']:.3f} | {s['max']:.3f} | {s['bound']:.3f} |"
        )
    src = args.ann or f"synthetic val set, {args.num_images} images 256x256, seed {args.seed}"
    md = "\n".join(
        [
            "# Quantization study (perfect network)",
            "",
            f"Round-trip error per axis at input 256x192 (input pixels, {args.positions} positions):",
            "",
            *err_lines,
            "",
            f"Oracle AP x 100 ({src}; {n_persons} persons):",
            "",
            table_markdown(table, "AP"),
            "",
            "Mean OKS x 100 of the perfect network (finer than AP, which saturates):",
            "",
            table_markdown(table, "OKS"),
            "",
        ]
    )
    (out / "quantization.md").write_text(md)
    (out / "oracle_ap.json").write_text(json.dumps(table, indent=1))

    from matplotlib.figure import Figure  # no pyplot: the caller's backend is left alone

    from simdr_lite.notebook import viz

    fig = Figure(figsize=(20, 5))
    ax1, ax2, ax3 = fig.subplots(1, 3)
    viz.plot_error_histograms(ax1, {k: v[:, 0] for k, v in errors.items()}, bounds=bounds, log=True)
    ax1.set_title("x round-trip error at 256x192 (perfect output)")
    viz.plot_ap_table(ax2, table)
    ax2.set_title("oracle AP (perfect network)")
    viz.plot_ap_table(ax3, table, stat="OKS")
    ax3.set_title("mean OKS of the perfect network")
    fig.tight_layout()
    fig.savefig(out / "quantization.png", dpi=100)
    print(md)
    print(
        f"wrote {out}/quantization.md, oracle_ap.json, quantization.png "
        f"in {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
