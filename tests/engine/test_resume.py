"""Fault tolerance: a training run SIGKILLed mid-epoch resumes to exactly the same weights."""

import os
import signal
import subprocess
import sys

import torch

from simdr_lite.data import make_synthetic_coco
from simdr_lite.engine.checkpoint import load_checkpoint
from simdr_lite.engine.config import from_dict, save_config

#: Trains a config in a run folder; with a third argument N, SIGKILLs itself right after the first
#: checkpoint at or past global iteration N (``train``'s ``on_checkpoint`` test hook).
TRAIN_SCRIPT = """
import os, signal, sys
from simdr_lite.engine import load_config, train
kill_at = int(sys.argv[3]) if len(sys.argv) > 3 else 0
def hook(iteration):
    if kill_at and iteration >= kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
out = train(load_config(sys.argv[1]), sys.argv[2], progress=False, device="cpu", on_checkpoint=hook)
"""


def run_train(cfg_path, run_dir, kill_at=None):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    kill = [str(kill_at)] if kill_at else []
    cmd = [sys.executable, "-c", TRAIN_SCRIPT, str(cfg_path), str(run_dir), *kill]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def test_sigkill_mid_epoch_then_resume_gives_identical_weights(tmp_path):
    root = tmp_path / "data"
    make_synthetic_coco(root, 10, split="train", seed=0, workers=1)
    make_synthetic_coco(root, 2, split="val", seed=0, workers=1)
    cfg = from_dict({
        "model": {"name": "simbaseline_tiny", "input_size": [64, 64]},
        "representation": {"name": "simdr", "k": 2},
        "data": {"dataset": "synthetic", "root": str(root), "synthetic_images": [10, 2], "workers": 0},
        "train": {"epochs": 2, "milestones": [1], "batch_size": 4, "checkpoint_every_iters": 1,
                  "val_every": 0, "deterministic": True},
    })
    save_config(cfg, tmp_path / "cfg.yaml")
    straight = run_train(tmp_path / "cfg.yaml", tmp_path / "a")
    assert straight.returncode == 0, straight.stderr[-2000:]

    killed = run_train(tmp_path / "cfg.yaml", tmp_path / "b", kill_at=6)
    assert killed.returncode == -signal.SIGKILL  # a real SIGKILL, mid-way through epoch 2
    state = load_checkpoint(tmp_path / "b" / "last.pth")
    assert state["epoch"] == 1 and state["iteration"] > 0
    resumed = run_train(tmp_path / "cfg.yaml", tmp_path / "b")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resumed from" in resumed.stdout

    a = load_checkpoint(tmp_path / "a" / "last.pth")
    b = load_checkpoint(tmp_path / "b" / "last.pth")
    assert a["epoch"] == b["epoch"] == 2
    for key, value in a["model"].items():
        assert torch.allclose(value.float(), b["model"][key].float(), atol=1e-6, rtol=0), key
    assert [round(h["loss"], 6) for h in a["history"]] == [round(h["loss"], 6) for h in b["history"]]


def test_rng_state_round_trips_through_a_weights_only_load(tmp_path):
    import random

    import numpy as np

    from simdr_lite.engine.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state

    save_checkpoint(tmp_path / "s.pth", {"rng": rng_state()})
    expected = (random.random(), np.random.rand(), torch.rand(1))  # noqa: NPY002
    set_rng_state(load_checkpoint(tmp_path / "s.pth")["rng"])
    again = (random.random(), np.random.rand(), torch.rand(1))  # noqa: NPY002
    assert expected[:2] == again[:2] and torch.equal(expected[2], again[2])


def test_resume_on_fewer_gpus_restores_the_visible_ones(monkeypatch):
    from simdr_lite.engine import checkpoint

    state = checkpoint.rng_state()
    state["cuda"] = [torch.zeros(8, dtype=torch.uint8), torch.ones(8, dtype=torch.uint8)]  # saved on 2 GPUs
    restored = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "set_rng_state",
                        lambda s, device: restored.append((device, s.sum().item())))
    checkpoint.set_rng_state(state)
    assert restored == [(0, 0)]


def test_resume_across_a_grad_scaler_change():
    from simdr_lite.engine.checkpoint import restore_scaler

    saved_without = torch.amp.GradScaler("cpu", enabled=False).state_dict()  # a bf16 / CPU run
    fp16 = torch.amp.GradScaler("cpu", enabled=True, init_scale=8.0)
    restore_scaler(fp16, saved_without)  # the official-style load_state_dict would raise here
    assert fp16.get_scale() == 8.0
    saved_with = torch.amp.GradScaler("cpu", enabled=True, init_scale=4.0).state_dict()
    restore_scaler(fp16, saved_with)
    assert fp16.get_scale() == 4.0
    restore_scaler(torch.amp.GradScaler("cpu", enabled=False), saved_with)  # fp16 -> bf16: dropped
