"""engine.runlog: log.csv's fixed header, validation columns included."""

import csv

import numpy as np

from simdr_lite.engine.runlog import append_log_row, log_columns
from simdr_lite.evaluation import STAT_NAMES
from simdr_lite.evaluation.mpii import pckh


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
