"""What a run writes beside its checkpoint: ``log.csv`` (fixed header), TensorBoard, the environment."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import torch

from simdr_lite.evaluation.coco import STAT_NAMES

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


def start_run(run_dir: Path, cfg: Any, fresh: bool) -> None:
    """Write the run's ``config.yaml`` and ``environment.json``; a ``fresh`` run (not a resume) also drops
    any ``log.csv`` left from an earlier run in the folder."""
    from .config import save_config

    if fresh:
        (run_dir / "log.csv").unlink(missing_ok=True)
    save_config(cfg, run_dir / "config.yaml")
    write_environment(run_dir / "environment.json")


def log_epoch(run_dir: Path, record: dict[str, Any], dataset: str, writer: Any = None) -> None:
    """One epoch's record to ``run_dir/log.csv`` (and to TensorBoard when ``writer`` is given)."""
    append_log_row(run_dir / "log.csv", record, log_columns(dataset))
    if writer is not None:
        for key in record.keys() - {"epoch"}:
            writer.add_scalar(key, record[key], record["epoch"])
        writer.flush()


def tensorboard(run_dir: Path):
    """A TensorBoard writer for ``run_dir/tb``, or None when tensorboard is not installed."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(run_dir / "tb"))


def write_environment(path: Path) -> None:
    """torch version, CUDA, git commit and thread count of this run, as JSON."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                                cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    env = {"torch": torch.__version__, "cuda": torch.cuda.is_available(), "git_commit": commit,
           "threads": torch.get_num_threads()}
    path.write_text(json.dumps(env, indent=2))
