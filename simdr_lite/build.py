"""Everything a run needs, built from a :class:`~simdr_lite.engine.config.Config`.

``representation(cfg)``, ``model(cfg)``, ``datasets(cfg)`` and ``loader(cfg, dataset, ...)``: the
trainer, ``simdr-lite eval`` / ``export``, the demo and the notebooks all build through here, so one
config always means one model, one representation and one data pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from torch import nn

from simdr_lite.engine.config import Config
from simdr_lite.representations import REPRESENTATIONS, Representation


def representation(cfg: Config) -> Representation:
    """The config's representation (``representation.name``) with its settings."""
    return REPRESENTATIONS[cfg.representation.name].from_config(cfg)


def model(cfg: Config, rep: Representation | None = None) -> nn.Module:
    """The config's network with the head its representation needs (``rep.simdr_k``)."""
    from simdr_lite.models import build_model

    m, rep = cfg.model, rep or representation(cfg)
    extra = {"channels_per_joint": m.channels_per_joint} if m.name == "upfree_res50" else {}
    pretrained: bool | str = True if m.pretrained == "imagenet" else (m.pretrained or False)
    return build_model(m.name, input_size=m.input_size, simdr_k=rep.simdr_k, num_joints=m.num_joints,
                       pretrained=pretrained, **extra)


def cpu_cores() -> int:
    """The CPUs this process may use (its affinity mask where the OS has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def workers(cfg: Config) -> int:
    """Loader workers per process: ``data.workers``, or (``null``) the CPUs this process may use divided by
    the processes on this node, at most 8 (the official 24 workers for 4 GPUs is 6 per process)."""
    if cfg.data.workers is not None:
        return cfg.data.workers
    return max(1, min(8, cpu_cores() // int(os.environ.get("LOCAL_WORLD_SIZE", "1"))))


def datasets(cfg: Config) -> tuple[Any, Any]:
    """Training set (augmented) and validation set; both ship uint8 crops and crop joints (targets are
    built on the device by :func:`simdr_lite.data.batch.prepare_batch`). A synthetic set is written first."""
    from simdr_lite.data import AugmentConfig, CocoKeypoints, MPIIKeypoints, make_synthetic_coco
    from simdr_lite.engine.preflight import check_data

    d, root = cfg.data, Path(cfg.data.root)
    if d.dataset == "synthetic":
        splits = [make_synthetic_coco(root, n, split=name, seed=cfg.train.seed, workers=d.workers)
                  for n, name in zip(d.synthetic_images, ("train", "val"))]
        train_files, val_files = ((s.ann_file, s.image_dir) for s in splits)
    else:
        check_data(cfg)
        train_files = (root / d.train_ann, root / d.train_images)
        val_files = (root / d.val_ann, root / d.val_images)
    augment = AugmentConfig(scale_factor=d.scale_factor, rotation_factor=d.rotation_factor,
                            flip=d.random_flip, prob_half_body=d.half_body_prob,
                            num_joints_half_body=d.num_joints_half_body)
    common = {"color_rgb": d.color_rgb, "seed": cfg.train.seed, "cache_images": d.cache_images}
    cls = MPIIKeypoints if d.dataset == "mpii" else CocoKeypoints
    val_kw = {}
    if cls is CocoKeypoints and not d.use_gt_bbox and d.det_file:
        val_kw = {"det_file": root / d.det_file, "image_thre": d.image_thre}
    train_ds = cls(*train_files, cfg.model.input_size, train=True, augment=augment, **common)
    val_ds = cls(*val_files, cfg.model.input_size, train=False, **common, **val_kw)
    return train_ds, val_ds


def loader(cfg: Config, dataset: Any, *, distributed: bool = False) -> Any:
    """The training loader: shuffled per epoch, ``train.batch_size`` per process, :func:`workers` workers."""
    from simdr_lite.data import make_loader

    return make_loader(dataset, cfg.train.batch_size, train=True, workers=workers(cfg),
                       distributed=distributed, seed=cfg.train.seed)
