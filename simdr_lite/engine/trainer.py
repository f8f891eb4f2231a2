"""The training loop: plain, readable, and resumable to the iteration.

``train(cfg, run_dir)`` builds the run (:mod:`simdr_lite.build`) and runs Adam + MultiStepLR epochs; images
are normalised and targets encoded on the training device (:func:`~simdr_lite.data.batch.prepare_batch`).
Each epoch, and every ``train.checkpoint_every_iters`` iterations, the full state goes atomically to
``run_dir/last.pth``; a new start in the same ``run_dir`` continues from it, skipping the batches seen.

Deviations from the official ``tools/train.py`` (on purpose) are listed in :mod:`.setup`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from simdr_lite import build
from simdr_lite.data import jpeg_region
from simdr_lite.data.batch import prepare_batch

from .checkpoint import restore_run, save_run
from .config import Config
from .distributed import DistContext
from .runlog import log_epoch, start_run, tensorboard
from .setup import learning_rate, optimization, seed_everything
from .validation import validate


class Trainer:
    """One run: :meth:`fit` = optional :meth:`resume`, then per epoch :meth:`run_epoch` (:meth:`step` per
    batch), :meth:`validate_and_log` and a checkpoint. ``on_checkpoint``: a test hook called with the global
    iteration after each mid-epoch checkpoint (the resume test SIGKILLs from it); ``None`` outside tests."""

    def __init__(self, cfg: Config, run_dir: str | Path, *, device: str | None = None, progress: bool = True,
                 on_checkpoint: Callable[[int], None] | None = None) -> None:
        self.cfg, self.run_dir, self.progress = cfg, Path(run_dir), progress
        self.on_checkpoint = on_checkpoint
        self.dist = DistContext.from_env()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.ckpt_path = self.run_dir / "last.pth"
        self.device = torch.device(device or self.dist.device)
        seed_everything(cfg.train.seed, cfg.train.deterministic)
        self.rep = build.representation(cfg)
        self.loss_fn = self.rep.make_loss(cfg.representation.loss)
        self.model = build.model(cfg, self.rep).to(self.device)
        if cfg.train.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        lr, note = learning_rate(cfg, self.dist.world_size)
        if note:
            self.dist.print(note)
        self.opt = optimization(cfg, self.model, lr, self.device)
        self.epoch, self.iteration, self.best, self.history, self.partial = 0, 0, -math.inf, [], (0.0, 0)
        self.train_ds, self.val_ds = self.dist.local_first(lambda: build.datasets(cfg))
        if not cfg.data.cache_images and (note := jpeg_region.missing_note()):
            self.dist.print(note)  # images are decoded per sample: say how to decode less
        self.loader = build.loader(cfg, self.train_ds, distributed=self.dist.world_size > 1)

    def resume(self) -> None:
        """Continue from ``last.pth`` when rank 0 sees one (every rank must then see it too)."""
        if not self.dist.broadcast_object(self.ckpt_path.exists()):
            return
        if not self.ckpt_path.exists():
            raise FileNotFoundError(f"rank {self.dist.rank} cannot see {self.ckpt_path}, which rank 0 resumes"
                                    " from: the run folder must be on a filesystem shared by all nodes")
        state = restore_run(self.ckpt_path, self.model, self.opt)
        self.epoch, self.iteration, self.best = state["epoch"], state["iteration"], state["best"]
        self.history, self.partial = state["history"], state.get("partial", (0.0, 0))
        self.dist.print(f"resumed from {self.ckpt_path} at epoch {self.epoch}, iteration {self.iteration}")

    def save(self, epoch: int, iteration: int, running: tuple[float, int] = (0.0, 0)) -> None:
        if self.dist.is_main:
            save_run(self.ckpt_path, self.model, self.opt, epoch=epoch, iteration=iteration, partial=running,
                     best=self.best, history=self.history, config=self.cfg.to_dict())

    def step(self, batch: dict[str, Any], net: torch.nn.Module, epoch: int, it: int) -> float:
        """One optimisation step; the loss averaged over ranks (one host-device sync per step, so that a
        NaN on any rank stops every rank here instead of leaving the others in the all-reduce)."""
        cfg, opt = self.cfg, self.opt
        images, targets, weights = prepare_batch(batch, self.device, self.rep.encode,
                                                 channels_last=cfg.train.channels_last)
        amp = opt["amp_dtype"]
        with torch.autocast(self.device.type, dtype=amp) if amp else nullcontext():
            loss = self.loss_fn(net(images), targets, weights)
        value = self.dist.mean(loss.detach()).item()
        if not math.isfinite(value):
            raise FloatingPointError(f"loss is {value} at epoch {epoch}, iteration {it}; the last good state "
                                     f"is in {self.ckpt_path}. Lower train.lr, enable train.grad_clip, or "
                                     "check the data.")
        opt["optimizer"].zero_grad(set_to_none=True)
        opt["scaler"].scale(loss).backward()
        if cfg.train.grad_clip > 0:
            opt["scaler"].unscale_(opt["optimizer"])
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.train.grad_clip)
        opt["scaler"].step(opt["optimizer"])
        opt["scaler"].update()
        return value

    def run_epoch(self, epoch: int, net: torch.nn.Module) -> dict[str, float]:
        """Train one epoch (from ``self.iteration`` when resumed mid-epoch); its log record."""
        every = self.cfg.train.checkpoint_every_iters
        self.loader.set_epoch(epoch)
        net.train()
        (total, seen), self.partial = self.partial, (0.0, 0)
        t0 = time.perf_counter()
        bar = tqdm(self.loader, desc=f"epoch {epoch}", disable=not (self.progress and self.dist.is_main),
                   leave=False)
        for it, batch in enumerate(bar):
            if it < self.iteration:
                continue  # resumed mid-epoch: these batches were already used
            value = self.step(batch, net, epoch, it)
            total, seen = total + value * len(batch["image"]), seen + len(batch["image"])
            bar.set_postfix(loss=f"{value:.4f}", img_s=f"{seen / (time.perf_counter() - t0):.0f}")
            if every and (it + 1) % every == 0:
                self.save(epoch, it + 1, (total, seen))
                if self.on_checkpoint is not None:
                    self.on_checkpoint(epoch * len(self.loader) + it + 1)
        self.iteration = 0
        return {"epoch": epoch + 1, "loss": total / max(seen, 1), "img_s": seen / (time.perf_counter() - t0)}

    def validate_and_log(self, record: dict[str, Any], writer: Any) -> None:
        """Validate when due (every ``train.val_every`` epochs and at the end), keep ``best.pth``, log."""
        cfg, epoch = self.cfg, record["epoch"]
        if cfg.train.val_every and (epoch % cfg.train.val_every == 0 or epoch == cfg.train.epochs):
            self.dist.broadcast_buffers(self.model)  # every rank scores rank 0's model (the one saved)
            metrics = validate(self.model, self.val_ds, self.rep, cfg, self.device,
                               distributed=self.dist.world_size > 1)
            record.update({f"val_{k}": v for k, v in metrics.items()})
            score = metrics.get("AP", metrics.get("Mean", -math.inf))
            if score > self.best:
                self.best = score
                if self.dist.is_main:
                    torch.save(self.model.state_dict(), self.run_dir / "best.pth")
        self.history.append(record)
        if self.dist.is_main:
            log_epoch(self.run_dir, record, cfg.data.dataset, writer)

    def fit(self, resume: bool = True) -> dict[str, Any]:
        cfg, sched = self.cfg, self.opt["scheduler"]
        if resume:
            self.resume()
        if self.dist.is_main:
            start_run(self.run_dir, cfg, fresh=self.epoch == self.iteration == 0)
        if cfg.train.sync_bn and self.dist.world_size > 1:
            self.model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(self.model)
        net = self.dist.wrap(self.model)
        net = torch.compile(net) if cfg.train.compile else net
        writer = tensorboard(self.run_dir) if cfg.train.tensorboard and self.dist.is_main else None
        for epoch in range(self.epoch, cfg.train.epochs):
            if cfg.train.scheduler_steps_early and self.iteration == 0:
                sched.step()  # official: decay at the start of the epoch, i.e. one epoch early
            record = self.run_epoch(epoch, net)
            if not cfg.train.scheduler_steps_early:
                sched.step()
            record["lr"] = self.opt["optimizer"].param_groups[0]["lr"]
            self.validate_and_log(record, writer)
            self.save(epoch + 1, 0)
        self.dist.close()
        return {"history": self.history, "best": self.best, "model": self.model, "representation": self.rep,
                "val_dataset": self.val_ds}


def train(cfg: Config, run_dir: str | Path, *, resume: bool = True, progress: bool = True,
          device: str | None = None, on_checkpoint: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Train (or continue training) ``cfg`` in ``run_dir``; returns the history and the best metric."""
    return Trainer(cfg, run_dir, device=device, progress=progress, on_checkpoint=on_checkpoint).fit(resume)
