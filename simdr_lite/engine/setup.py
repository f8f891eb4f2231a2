"""The optimisation recipe of a run: seeding, the learning rate for the launch, Adam, the schedule, AMP.

Deviations from the official ``tools/train.py``, on purpose: the official loop steps the scheduler at the
*start* of each epoch, so every decay comes one epoch early on PyTorch >= 1.1; the trainer steps at the end
(``train.scheduler_steps_early=true`` reproduces it). Like the official Adam, ours ignores ``TRAIN.WD``. The
SimDR validation loss is not computed (the official one is computed on softmaxed outputs).
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from .config import Config


def seed_everything(seed: int, deterministic: bool) -> None:
    """Seed Python, numpy and torch. GPU speed unless bit-reproducibility is asked for: cuDNN autotuning
    (input sizes are fixed) and TF32 matmuls / convolutions on Ampere and later."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (the global RNG, for third-party code)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
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


def optimization(cfg: Config, model: torch.nn.Module, lr: float, device: torch.device) -> dict[str, Any]:
    """Adam (the official optimizer ignores ``TRAIN.WD``, so does this one), MultiStepLR, and the AMP
    settings: bf16 autocast runs on CPUs too (so CI exercises the AMP path); fp16 needs CUDA and a
    grad scaler."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, list(cfg.train.milestones), cfg.train.gamma)
    amp = cfg.train.amp == "bf16" or (cfg.train.amp == "fp16" and device.type == "cuda")
    dtype = torch.bfloat16 if cfg.train.amp == "bf16" else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=amp and dtype == torch.float16)
    return {"optimizer": optimizer, "scheduler": scheduler, "scaler": scaler,
            "amp_dtype": dtype if amp else None}
