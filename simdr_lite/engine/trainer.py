"""The training loop: plain, readable, and resumable to the iteration.

``train(cfg, run_dir)`` builds the model, codec, loss and data from a :class:`~.config.Config`, then
runs Adam + MultiStepLR epochs. Targets are encoded on the training device from the batch's crop
keypoints (``codec.encode`` on device tensors), images are normalised there too (the loaders ship
uint8 crops). Every epoch, and every ``train.checkpoint_every_iters`` iterations, the full state is
written atomically to ``run_dir/last.pth``; starting again in the same ``run_dir`` continues from it,
skipping the batches already seen (the sample order is a function of (seed, epoch)).

Deviations from the official ``tools/train.py``, on purpose:

* the official loop calls ``lr_scheduler.step()`` at the *start* of each epoch, so on PyTorch >= 1.1
  every decay happens one epoch early; we step at the end (``train.scheduler_steps_early=true``
  reproduces the official schedule);
* the official Adam is built with the learning rate only (``TRAIN.WD`` is ignored): so is ours;
* the SimDR validation loss is not computed (the official one is computed on softmaxed outputs).
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import signal
import subprocess
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from simdr_lite.codecs import HeatmapCodec, KeypointCodec, SASimDRCodec, SimDRCodec
from simdr_lite.evaluation.coco import STAT_NAMES
from simdr_lite.losses import JointsMSELoss, KLDiscretLoss, SimDRLoss
from simdr_lite.models import build_model

from .checkpoint import load_checkpoint, restore_scaler, rng_state, save_checkpoint, set_rng_state
from .config import Config, save_config
from .distributed import DistContext
from .preflight import check_data

#: Fault injection for the resume test: SIGKILL the process right after this global iteration's
#: checkpoint is written (never set outside tests).
KILL_ENV = "SIMDR_FAULT_KILL_AT_ITER"


def make_codec(cfg: Config) -> KeypointCodec:
    m = cfg.model
    if m.head == "heatmap":
        refine = ("dark" if m.unbiased else "shift") if cfg.test.post_process else None
        return HeatmapCodec(m.input_size, sigma=m.sigma, refine=refine, unbiased=m.unbiased)
    if m.head == "simdr":
        return SimDRCodec(m.input_size, k=m.k, label_smoothing=cfg.train.label_smoothing)
    return SASimDRCodec(m.input_size, k=m.k, sigma=m.sigma)


def make_loss(cfg: Config) -> torch.nn.Module:
    kind = cfg.train.loss
    if kind == "auto":
        kind = {"heatmap": "mse", "simdr": "nmt", "sa-simdr": "kl"}[cfg.model.head]
    if kind == "mse":
        return JointsMSELoss()
    if kind in ("nmt", "nmtnorm"):
        return SimDRLoss(cfg.train.label_smoothing, normalize=kind == "nmtnorm")
    return KLDiscretLoss()


def make_model(cfg: Config) -> torch.nn.Module:
    m = cfg.model
    kw = {"channels_per_joint": m.channels_per_joint} if m.name == "upfree_res50" else {}
    pretrained: bool | str = True if m.pretrained == "imagenet" else (m.pretrained or False)
    return build_model(m.name, input_size=m.input_size, head=m.head, k=m.k, num_joints=m.num_joints,
                       pretrained=pretrained, **kw)


def make_datasets(cfg: Config, codec: KeypointCodec):
    """Training set (uint8 crops + joints; targets built on device) and validation set."""
    from simdr_lite.data import AugmentConfig, CocoKeypoints, MPIIKeypoints, make_synthetic_coco

    d = cfg.data
    root = Path(d.root)
    if d.dataset == "synthetic":
        n_train, n_val = d.synthetic_images
        tr = make_synthetic_coco(root, n_train, split="train", seed=cfg.train.seed, workers=d.workers or None)
        va = make_synthetic_coco(root, n_val, split="val", seed=cfg.train.seed, workers=d.workers or None)
        train_files, val_files = (tr.ann_file, tr.image_dir), (va.ann_file, va.image_dir)
    else:
        check_data(cfg)
        train_files = (root / d.train_ann, root / d.train_images)
        val_files = (root / d.val_ann, root / d.val_images)
    augment = AugmentConfig(scale_factor=d.scale_factor, rotation_factor=d.rotation_factor, flip=d.flip,
                            prob_half_body=d.half_body_prob, num_joints_half_body=d.num_joints_half_body)
    common = {"color_rgb": d.color_rgb, "seed": cfg.train.seed, "cache_images": d.cache_images}
    cls = MPIIKeypoints if d.dataset == "mpii" else CocoKeypoints
    train_ds = cls(*train_files, cfg.model.input_size, None, train=True, augment=augment,
                   encode_targets=False, normalize_image=False, **common)
    val_kw = {}
    if cls is CocoKeypoints and not d.use_gt_bbox and d.det_file:
        val_kw = {"det_file": root / d.det_file, "image_thre": d.image_thre}
    val_ds = cls(*val_files, cfg.model.input_size, codec, train=False, encode_targets=False,
                 normalize_image=False, **common, **val_kw)
    return train_ds, val_ds


def seed_everything(seed: int, deterministic: bool) -> None:
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (the global RNG, for third-party code)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
    # GPU speed unless bit-reproducibility is asked for: cuDNN autotuning (input sizes are fixed) and
    # TF32 matmuls / convolutions on Ampere and later.
    torch.backends.cudnn.benchmark = not deterministic
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = not deterministic


def learning_rate(cfg: Config, world_size: int) -> tuple[float, str | None]:
    """The Adam learning rate for this launch, and a note when the global batch (``batch_size`` per process
    x ``world_size``) differs from ``train.reference_batch``, the one the official lr belongs to:
    ``train.scale_lr`` scales the lr linearly, otherwise the note warns that the recipe changed."""
    t = cfg.train
    global_batch = t.batch_size * world_size
    if not t.reference_batch or global_batch == t.reference_batch:
        return t.lr, None
    scaled = t.lr * global_batch / t.reference_batch
    if t.scale_lr:
        return scaled, f"train.scale_lr: lr {t.lr:g} x {global_batch}/{t.reference_batch} = {scaled:g}"
    return t.lr, (f"warning: global batch {global_batch} ({world_size} process(es) x {t.batch_size}) is not "
                  f"the official {t.reference_batch} that lr {t.lr:g} belongs to; --set train.scale_lr=true "
                  f"scales it linearly (to {scaled:g}), or launch {t.reference_batch // t.batch_size} "
                  "processes")


def _environment() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                                cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"torch": torch.__version__, "cuda": torch.cuda.is_available(), "git_commit": commit,
            "threads": torch.get_num_threads()}


def evaluate_with_config(model, val_ds, codec, cfg: Config, device, *,
                         distributed: bool = False) -> dict[str, Any]:
    """``evaluate`` with the ``cfg.test`` settings: ``{"metrics", "predictions"}``."""
    from simdr_lite.evaluation import evaluate

    t = cfg.test
    return evaluate(model, val_ds, codec, flip=t.flip, simdr_shift=t.simdr_shift,
                    heatmap_shift=t.shift_heatmap, in_vis_thre=t.in_vis_thre, oks_thre=t.oks_thre,
                    batch_size=t.batch_size, device=device, workers=cfg.data.workers, progress=False,
                    distributed=distributed)


def validate(model, val_ds, codec, cfg: Config, device, *, distributed: bool = False) -> dict[str, float]:
    """``cfg.test`` metrics of ``model`` on ``val_ds``; ``distributed``: all ranks share the work."""
    return evaluate_with_config(model, val_ds, codec, cfg, device, distributed=distributed)["metrics"]


def train(cfg: Config, run_dir: str | Path, *, resume: bool = True, progress: bool = True,
          device: str | None = None) -> dict[str, Any]:
    """Train (or continue training) ``cfg`` in ``run_dir``; returns the history and the best metric."""
    from simdr_lite.data import make_loader
    from simdr_lite.data.augment import normalize_batch

    dist = DistContext.from_env()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    device = torch.device(device or dist.device)
    seed_everything(cfg.train.seed, cfg.train.deterministic)
    codec = make_codec(cfg)
    loss_fn = make_loss(cfg)
    model = make_model(cfg).to(device)
    if cfg.train.channels_last:
        model = model.to(memory_format=torch.channels_last)
    lr, note = learning_rate(cfg, dist.world_size)
    if note:
        dist.print(note)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, list(cfg.train.milestones), cfg.train.gamma)
    # bf16 autocast runs on CPUs too (so CI exercises the AMP path); fp16 needs CUDA (and a grad scaler)
    use_amp = cfg.train.amp == "bf16" or (cfg.train.amp == "fp16" and device.type == "cuda")
    amp_dtype = torch.bfloat16 if cfg.train.amp == "bf16" else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp and amp_dtype == torch.float16)

    start_epoch, start_iter, best, history = 0, 0, -math.inf, []
    partial = (0.0, 0)  # (loss sum, samples) of an epoch interrupted by a checkpoint
    ckpt_path = run_dir / "last.pth"
    if resume and dist.broadcast_object(ckpt_path.exists()):  # rank 0 decides; every rank must then see it
        if not ckpt_path.exists():
            raise FileNotFoundError(f"rank {dist.rank} cannot see {ckpt_path}, which rank 0 resumes from: "
                                    "the run folder must be on a filesystem shared by all nodes")
        state = load_checkpoint(ckpt_path)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        restore_scaler(scaler, state["scaler"])
        set_rng_state(state["rng"])
        start_epoch, start_iter = state["epoch"], state["iteration"]
        best, history = state["best"], state["history"]
        partial = state.get("partial", (0.0, 0))
        dist.print(f"resumed from {ckpt_path} at epoch {start_epoch}, iteration {start_iter}")
    if dist.is_main:
        if start_epoch == start_iter == 0:  # a fresh run: no rows left from an earlier one in this folder
            (run_dir / "log.csv").unlink(missing_ok=True)
        save_config(cfg, run_dir / "config.yaml")
        (run_dir / "environment.json").write_text(json.dumps(_environment(), indent=2))
    if cfg.train.sync_bn and dist.world_size > 1:
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    net = dist.wrap(model)
    writer = _tensorboard(run_dir) if cfg.train.tensorboard and dist.is_main else None
    step_fn = torch.compile(net) if cfg.train.compile else net

    # One process per node writes the synthetic set (if any): deterministic files, so nodes sharing a folder
    # write the same bytes, and the barrier holds every reader until all writers are done.
    if dist.local_rank == 0:
        train_ds, val_ds = make_datasets(cfg, codec)
    dist.barrier()
    if dist.local_rank != 0:
        train_ds, val_ds = make_datasets(cfg, codec)
    loader = make_loader(train_ds, cfg.train.batch_size, train=True, workers=cfg.data.workers,
                         distributed=dist.world_size > 1, seed=cfg.train.seed)
    kill_at = int(os.environ.get(KILL_ENV, "0"))

    def checkpoint(epoch: int, iteration: int, running: tuple[float, int] = (0.0, 0)) -> None:
        if dist.is_main:
            save_checkpoint(ckpt_path, {
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "scaler": scaler.state_dict(), "rng": rng_state(),
                "epoch": epoch, "iteration": iteration, "partial": running, "best": best, "history": history,
                "config": cfg.to_dict(),
            })

    for epoch in range(start_epoch, cfg.train.epochs):
        if cfg.train.scheduler_steps_early and start_iter == 0:
            scheduler.step()  # official: decay at the start of the epoch, i.e. one epoch early
        loader.set_epoch(epoch)
        net.train()
        (total, seen), partial = partial, (0.0, 0)
        t0 = time.perf_counter()
        bar = tqdm(loader, desc=f"epoch {epoch}", disable=not (progress and dist.is_main), leave=False)
        for it, batch in enumerate(bar):
            if it < start_iter:
                continue  # resumed mid-epoch: these batches were already used
            images = normalize_batch(batch["image"].to(device, non_blocking=True))
            if cfg.train.channels_last:
                images = images.contiguous(memory_format=torch.channels_last)
            targets, weights = codec.encode(batch["joints"].to(device), batch["joints_vis"].to(device))
            ctx = torch.autocast(device.type, dtype=amp_dtype) if use_amp else nullcontext()
            with ctx:
                loss = loss_fn(step_fn(images), targets, weights)
            # One host-device sync per step: the loss averaged over ranks, so that a NaN on any rank stops
            # every rank here (none is left waiting in the gradient all-reduce).
            value = dist.mean(loss.detach()).item()
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"loss is {value} at epoch {epoch}, iteration {it}; the last good state is in "
                    f"{ckpt_path}. Lower train.lr, enable train.grad_clip, or check the data."
                )
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if cfg.train.grad_clip > 0:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.train.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            total += value * len(images)
            seen += len(images)
            bar.set_postfix(loss=f"{value:.4f}", lr=f"{optimizer.param_groups[0]['lr']:.1e}",
                            img_s=f"{seen / (time.perf_counter() - t0):.0f}")
            global_iter = epoch * len(loader) + it + 1
            if cfg.train.checkpoint_every_iters and (it + 1) % cfg.train.checkpoint_every_iters == 0:
                checkpoint(epoch, it + 1, (total, seen))
                if kill_at and global_iter >= kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
        start_iter = 0
        if not cfg.train.scheduler_steps_early:
            scheduler.step()
        record = {"epoch": epoch + 1, "loss": total / max(seen, 1), "lr": optimizer.param_groups[0]["lr"],
                  "img_s": seen / (time.perf_counter() - t0)}
        last = epoch + 1 == cfg.train.epochs
        if cfg.train.val_every and ((epoch + 1) % cfg.train.val_every == 0 or last):
            dist.broadcast_buffers(model)  # every rank scores rank 0's model (the one saved)
            metrics = validate(model, val_ds, codec, cfg, device, distributed=dist.world_size > 1)
            record.update({f"val_{k}": v for k, v in metrics.items()})
            score = metrics.get("AP", metrics.get("Mean", -math.inf))
            if score > best:
                best = score
                if dist.is_main:
                    torch.save(model.state_dict(), run_dir / "best.pth")
        history.append(record)
        if dist.is_main:
            append_log_row(run_dir / "log.csv", record, log_columns(cfg.data.dataset))
        if writer is not None:
            for key, value in record.items():
                if key != "epoch":
                    writer.add_scalar(key, value, epoch + 1)
            writer.flush()
        checkpoint(epoch + 1, 0)
    dist.close()
    return {"history": history, "best": best, "model": model, "codec": codec, "val_dataset": val_ds}


def _tensorboard(run_dir: Path):
    """A TensorBoard writer for ``run_dir/tb``, or None when tensorboard is not installed."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(run_dir / "tb"))


#: ``log.csv``'s leading columns; ``val_<metric>`` columns follow (:func:`log_columns`).
LOG_COLUMNS = ("epoch", "loss", "lr", "img_s")


def log_columns(dataset: str) -> list[str]:
    """The fixed header of ``log.csv`` for ``dataset``: training columns, then every validation metric
    (empty on epochs without validation), so any CSV reader sees the ``val_*`` columns of every row."""
    from simdr_lite.evaluation.crowdpose import CROWD_STAT_NAMES
    from simdr_lite.evaluation.mpii import GROUPS

    metrics = {"mpii": (*GROUPS, "Mean", "Mean@0.1"), "crowdpose": CROWD_STAT_NAMES}.get(dataset, STAT_NAMES)
    return [*LOG_COLUMNS, *(f"val_{m}" for m in metrics)]


def append_log_row(path: Path, record: dict[str, Any], columns: list[str]) -> None:
    """Append one epoch to ``log.csv`` under the header ``columns``. A key outside the header (a metric
    a new evaluator adds) extends it and rewrites the file, so no row ever has more cells than the header."""
    header = list(columns)
    rows: list[dict[str, str]] = []
    if path.exists():
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            rows, header = list(reader), list(reader.fieldnames or columns)
    extra = [k for k in record if k not in header]
    if extra or not path.exists():
        header += extra
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header, restval="")
            writer.writeheader()
            writer.writerows(rows)
    with path.open("a", newline="") as f:
        csv.DictWriter(f, fieldnames=header, restval="").writerow(record)
