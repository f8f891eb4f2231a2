"""engine.trainer: log.csv's fixed header (validation columns included) and the AMP path on CPU."""

import csv
import dataclasses

import numpy as np
import pytest
import torch

from simdr_lite.engine.trainer import append_log_row, log_columns, train
from simdr_lite.evaluation import STAT_NAMES
from simdr_lite.evaluation.mpii import pckh
from simdr_lite.notebook.demo import demo_config


def _read(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_validation_columns_are_in_the_header_from_the_first_row(tmp_path):
    path = tmp_path / "log.csv"
    cols = log_columns("coco")
    append_log_row(path, {"epoch": 1, "loss": 2.0, "lr": 1e-3, "img_s": 30.0}, cols)
    append_log_row(path, {"epoch": 2, "loss": 1.5, "lr": 1e-3, "img_s": 31.0,
                          **{f"val_{k}": 0.5 for k in STAT_NAMES}}, cols)
    rows = _read(path)
    assert all(None not in r for r in rows)  # no cell outside the header
    assert rows[0]["val_AP"] == "" and float(rows[1]["val_AP"]) == 0.5


def test_an_unexpected_metric_extends_the_header_and_keeps_earlier_rows(tmp_path):
    path = tmp_path / "log.csv"
    cols = log_columns("coco")
    append_log_row(path, {"epoch": 1, "loss": 2.0, "lr": 1e-3, "img_s": 30.0}, cols)
    append_log_row(path, {"epoch": 2, "loss": 1.0, "lr": 1e-3, "img_s": 30.0, "val_new": 0.1}, cols)
    rows = _read(path)
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert rows[0]["val_new"] == "" and rows[1]["val_new"] == "0.1"


def test_mpii_columns_are_the_pckh_table(tmp_path):
    n = 3
    gt = np.random.default_rng(0).uniform(10, 50, (16, 2, n))
    boxes = np.zeros((2, 2, n))  # head boxes [[x1, y1], [x2, y2]] per person
    boxes[1] = 20.0
    table = pckh(gt.transpose(2, 0, 1), gt, np.zeros((16, n)), boxes)
    assert [c for c in log_columns("mpii") if c.startswith("val_")] == [f"val_{k}" for k in table]


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


def test_learning_rate_warns_or_scales_when_the_global_batch_is_not_the_official_one():
    from simdr_lite.engine.config import from_dict
    from simdr_lite.engine.trainer import learning_rate

    cfg = from_dict({"train": {"lr": 1e-3, "batch_size": 32, "reference_batch": 128}})
    assert learning_rate(cfg, 4) == (1e-3, None)  # the official 4 x 32
    lr, note = learning_rate(cfg, 1)
    assert lr == 1e-3 and "global batch 32" in note and "official 128" in note and "scale_lr" in note
    scaled = from_dict({"train": {"lr": 1e-3, "batch_size": 32, "reference_batch": 128, "scale_lr": True}})
    lr, note = learning_rate(scaled, 2)
    assert lr == pytest.approx(5e-4) and "= 0.0005" in note
    assert learning_rate(from_dict({"train": {"reference_batch": 0}}), 1)[1] is None  # no reference: no note
