"""engine.trainer: the AMP path on CPU; the checkpoint hook (the resume test uses it to SIGKILL)."""

import dataclasses

import pytest
import torch

from simdr_lite.engine.trainer import train
from simdr_lite.notebook.demo import demo_config


def test_bf16_autocast_runs_on_cpu_and_stays_close_to_fp32(tmp_path):
    base = demo_config("simdr", fast=True, root=str(tmp_path / "data"), pretrained=False)
    quiet = dataclasses.replace(base.train, tensorboard=False, channels_last=False)
    base = dataclasses.replace(base, train=quiet)
    losses = {}
    for amp in ("none", "bf16"):
        cfg = dataclasses.replace(base, train=dataclasses.replace(base.train, amp=amp))
        out = train(cfg, tmp_path / amp, progress=False, device="cpu")
        losses[amp] = out["history"][-1]["loss"]
        assert all(torch.isfinite(p).all() for p in out["model"].parameters())
    assert losses["bf16"] == pytest.approx(losses["none"], rel=0.05)
    assert losses["bf16"] != losses["none"]  # bf16 rounding shows: the autocast path really ran


def test_on_checkpoint_hook_gets_each_mid_epoch_checkpoints_global_iteration(tmp_path):
    cfg = demo_config("heatmap", fast=True, root=str(tmp_path / "data"), pretrained=False)
    short = dataclasses.replace(cfg.train, epochs=2, milestones=(2,), checkpoint_every_iters=1, batch_size=16,
                                tensorboard=False, channels_last=False, val_every=0)
    seen = []
    out = train(dataclasses.replace(cfg, train=short), tmp_path / "run", progress=False, device="cpu",
                on_checkpoint=seen.append)
    per_epoch = len(seen) // 2
    assert per_epoch >= 1 and seen == list(range(1, 2 * per_epoch + 1)) and len(out["history"]) == 2
