"""Run a model over a top-down dataset and score it: flip test, decode, back-projection, protocol.

``predict`` gives per-instance keypoints in image pixels; ``evaluate`` turns them into the COCO
(rescoring + OKS-NMS + OKS AP), CrowdPose or MPII (PCKh) numbers, as the official ``validate_*``
functions and ``dataset.evaluate`` do. With ``distributed=True`` (inside a ``torchrun`` process group)
every rank predicts ``dataset[rank::world_size]`` and the predictions are gathered to all ranks, in
dataset order, so the metrics equal a single-process evaluation's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as torch_dist
from torch.utils.data import DataLoader, Subset
from tqdm.auto import tqdm

from simdr_lite.data.batch import prepare_batch
from simdr_lite.geometry import transform_preds
from simdr_lite.representations import Representation

from .coco import coco_results, evaluate_coco
from .crowdpose import evaluate_crowdpose
from .mpii import load_mpii_gt, pckh


@torch.no_grad()
def predict(
    model: torch.nn.Module,
    dataset: Any,
    representation: Representation,
    *,
    flip_test: bool = True,
    flip_pairs: Any = None,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
    workers: int = 0,
    progress: bool = True,
    distributed: bool = False,
) -> dict[str, np.ndarray]:
    """Keypoints in image pixels ``coords (N, K, 2)`` and ``scores (N, K)`` for every instance.

    Also returns ``image_ids``, ``box_scores``, ``areas`` (``prod(scale * 200)``) and ``valid`` from
    each sample's ``meta``. ``flip_test``: the representation's flip test (its ``flip_shift``).
    ``distributed``: every rank of the process group must call this; each predicts its shard
    ``rank::world_size`` and all get every instance back, in dataset order (:func:`gather_shards`).
    """
    device = torch.device(device)
    if flip_pairs is None:
        flip_pairs = dataset.skeleton.flip_pairs
    was_training = model.training
    model.eval()
    rank, world = _rank_and_world() if distributed else (0, 1)
    shard = np.arange(rank, len(dataset), world)
    subset = Subset(dataset, shard.tolist()) if world > 1 else dataset
    # COCO val with detector boxes is ~100k crops: decode in workers, overlap the copies with compute
    loader = DataLoader(subset, batch_size=batch_size, shuffle=False, num_workers=workers,
                        pin_memory=device.type == "cuda")
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("coords", "scores", "image_ids", "box_scores",
                                                         "areas", "valid")}
    for batch in tqdm(loader, desc="evaluate", disable=not progress, leave=False):
        images, _, _ = prepare_batch(batch, device)
        coords, scores = representation.predict(model, images, flip_pairs if flip_test else None)
        meta = batch["meta"]
        center, scale = meta["center"].numpy(), meta["scale"].numpy()
        out["coords"].append(transform_preds(coords.cpu().numpy(), center, scale, representation.input_size))
        out["scores"].append(scores.float().cpu().numpy())
        out["image_ids"].append(np.asarray(meta["image_id"]))
        out["box_scores"].append(np.asarray(meta["score"], dtype=np.float64))
        out["areas"].append(np.asarray(meta["area"], dtype=np.float64))
        out["valid"].append(np.asarray(meta.get("valid", np.ones(len(center))), dtype=bool))
    model.train(was_training)
    preds = {k: np.concatenate(v) if v else np.zeros(0) for k, v in out.items()}
    return gather_shards(preds, shard) if world > 1 else preds


def _rank_and_world() -> tuple[int, int]:
    if torch_dist.is_available() and torch_dist.is_initialized():
        return torch_dist.get_rank(), torch_dist.get_world_size()
    return 0, 1


def gather_shards(preds: dict[str, np.ndarray], indices: np.ndarray) -> dict[str, np.ndarray]:
    """Every rank's ``preds`` (for dataset ``indices``), concatenated on all ranks in dataset order."""
    parts: list[Any] = [None] * torch_dist.get_world_size()
    torch_dist.all_gather_object(parts, (indices, preds))
    parts = [(idx, p) for idx, p in parts if len(idx)]  # a rank with an empty shard has no shapes
    if not parts:
        return preds
    order = np.argsort(np.concatenate([idx for idx, _ in parts]))
    return {k: np.concatenate([p[k] for _, p in parts])[order] for k in preds}


def evaluate(
    model: torch.nn.Module,
    dataset: Any,
    representation: Representation,
    *,
    kind: str | None = None,
    flip_test: bool = True,
    in_vis_thre: float = 0.2,
    oks_thre: float = 0.9,
    backend: str = "pycocotools",
    mpii_gt: str | Path | None = None,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
    workers: int = 0,
    progress: bool = True,
    distributed: bool = False,
) -> dict[str, Any]:
    """Metrics of ``model`` on ``dataset``: ``{"metrics": {...}, "results": [...], "predictions": {...}}``.

    ``kind`` (default: the dataset's skeleton name) picks the protocol: ``"coco"`` (and the synthetic
    set) -> OKS AP via :func:`evaluate_coco`; ``"crowdpose"`` -> :func:`evaluate_crowdpose`;
    ``"mpii"`` -> PCKh against ``mpii_gt`` (default ``<dataset root>/annot/gt_valid.mat``).
    ``in_vis_thre`` is the rescoring threshold (official: 0.2 heatmap, 0.01-0.02 SimDR).
    ``distributed``: all ranks must call this; predictions are sharded and gathered as in
    :func:`predict`, and every rank computes (the same) metrics from all of them.
    """
    kind = kind or dataset.skeleton.name
    preds = predict(model, dataset, representation, flip_test=flip_test,
                    batch_size=batch_size, device=device, workers=workers, progress=progress,
                    distributed=distributed)
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
