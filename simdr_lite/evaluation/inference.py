"""Run a model over a top-down dataset and score it: flip test, decode, back-projection, protocol.

``predict`` gives per-instance keypoints in image pixels; ``evaluate`` turns them into the COCO
(rescoring + OKS-NMS + OKS AP), CrowdPose or MPII (PCKh) numbers, as the official ``validate_*``
functions and ``dataset.evaluate`` do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from simdr_lite.codecs import HeatmapCodec, KeypointCodec, SASimDRCodec, SimDRCodec
from simdr_lite.geometry import transform_preds

from .coco import coco_results, evaluate_coco
from .crowdpose import evaluate_crowdpose
from .flip import combine_flip
from .mpii import load_mpii_gt, pckh


def head_of(codec: KeypointCodec) -> str:
    """``"heatmap"``, ``"simdr"`` or ``"sa-simdr"`` for a codec instance."""
    if isinstance(codec, HeatmapCodec):
        return "heatmap"
    if isinstance(codec, SASimDRCodec):
        return "sa-simdr"
    if isinstance(codec, SimDRCodec):
        return "simdr"
    raise TypeError(f"unsupported codec {type(codec).__name__}")


def _to_input(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    images = images.to(device, non_blocking=True)
    if images.dtype == torch.uint8:  # datasets built with normalize_image=False
        from simdr_lite.data.augment import normalize_batch

        images = normalize_batch(images)
    return images


@torch.no_grad()
def predict(
    model: torch.nn.Module,
    dataset: Any,
    codec: KeypointCodec,
    *,
    flip: bool = True,
    flip_pairs: Any = None,
    simdr_shift: str = "official",
    heatmap_shift: bool = True,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
    workers: int = 0,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Keypoints in image pixels ``coords (N, K, 2)`` and ``scores (N, K)`` for every instance.

    Also returns ``image_ids``, ``box_scores``, ``areas`` (``prod(scale * 200)``) and ``valid`` from
    each sample's ``meta``. Flip test as :func:`~simdr_lite.evaluation.flip.combine_flip`.
    """
    device = torch.device(device)
    head = head_of(codec)
    if flip_pairs is None:
        flip_pairs = dataset.skeleton.flip_pairs
    was_training = model.training
    model.eval()
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=workers)
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("coords", "scores", "image_ids", "box_scores",
                                                         "areas", "valid")}
    for batch in tqdm(loader, desc="evaluate", disable=not progress, leave=False):
        images = _to_input(batch["image"], device)
        outputs = model(images)
        normalized = False
        if flip:
            outputs, normalized = combine_flip(
                head, outputs, model(images.flip(3)), flip_pairs, k=getattr(codec, "k", 1.0),
                simdr_shift=simdr_shift, heatmap_shift=heatmap_shift,
            )
        if head == "heatmap":
            coords, scores = codec.decode(outputs)
        else:
            coords, scores = codec.decode(outputs, normalized=normalized)
        meta = batch["meta"]
        center, scale = meta["center"].numpy(), meta["scale"].numpy()
        out["coords"].append(transform_preds(coords.cpu().numpy(), center, scale, codec.input_size))
        out["scores"].append(scores.float().cpu().numpy())
        out["image_ids"].append(np.asarray(meta["image_id"]))
        out["box_scores"].append(np.asarray(meta["score"], dtype=np.float64))
        out["areas"].append(np.asarray(meta["area"], dtype=np.float64))
        out["valid"].append(np.asarray(meta.get("valid", np.ones(len(center))), dtype=bool))
    model.train(was_training)
    return {k: np.concatenate(v) if v else np.zeros(0) for k, v in out.items()}


def evaluate(
    model: torch.nn.Module,
    dataset: Any,
    codec: KeypointCodec,
    *,
    kind: str | None = None,
    flip: bool = True,
    simdr_shift: str = "official",
    heatmap_shift: bool = True,
    in_vis_thre: float = 0.2,
    oks_thre: float = 0.9,
    backend: str = "pycocotools",
    mpii_gt: str | Path | None = None,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
    workers: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Metrics of ``model`` on ``dataset``: ``{"metrics": {...}, "results": [...], "predictions": {...}}``.

    ``kind`` (default: the dataset's skeleton name) picks the protocol: ``"coco"`` (and the synthetic
    set) -> OKS AP via :func:`evaluate_coco`; ``"crowdpose"`` -> :func:`evaluate_crowdpose`;
    ``"mpii"`` -> PCKh against ``mpii_gt`` (default ``<dataset root>/annot/gt_valid.mat``).
    ``in_vis_thre`` is the rescoring threshold (official: 0.2 heatmap, 0.01-0.02 SimDR).
    """
    kind = kind or dataset.skeleton.name
    preds = predict(model, dataset, codec, flip=flip, simdr_shift=simdr_shift, heatmap_shift=heatmap_shift,
                    batch_size=batch_size, device=device, workers=workers, progress=progress)
    ok = preds["valid"]
    if kind == "mpii":
        gt = load_mpii_gt(mpii_gt or Path(dataset.ann_file).parent / "gt_valid.mat")
        order = np.argsort(preds["image_ids"][ok])
        metrics = pckh(preds["coords"][ok][order], gt["pos_gt_src"], gt["jnt_missing"], gt["headboxes_src"],
                       names=gt["names"])
        return {"metrics": metrics, "results": [], "predictions": preds}
    sigmas = dataset.skeleton.sigmas
    results = coco_results(preds["coords"][ok], preds["scores"][ok], preds["image_ids"][ok],
                           preds["box_scores"][ok], preds["areas"][ok], in_vis_thre=in_vis_thre,
                           oks_thre=oks_thre, sigmas=sigmas)
    if kind == "crowdpose":
        metrics = evaluate_crowdpose(dataset.ann_file, results)
    else:
        metrics = evaluate_coco(dataset.ann_file, results, backend=backend, sigmas=sigmas)
    return {"metrics": metrics, "results": results, "predictions": preds}
