"""Recorded runs: the small artefacts of a run too long to repeat inside a notebook.

A notebook shows work longer than ~10 CPU minutes from a folder ``docs/runs/<name>/`` holding
``command.txt`` (the exact commands that made it), ``config.yaml``, ``log.csv`` (one row per epoch,
validation columns included) and ``results.json`` (the final metrics). :func:`record_run` writes that
folder from a finished run directory; :func:`load_run` reads it back for the notebook, which in FAST
mode also re-runs the same pipeline briefly to prove the code path.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml

#: Files copied from a run directory when they exist (checkpoints are never copied: too large).
COPIED = ("config.yaml", "log.csv", "environment.json")


@dataclass(frozen=True)
class RecordedRun:
    """One recorded run: its commands, config, per-epoch log and final metrics."""

    name: str
    command: str
    config: dict[str, Any]
    log: list[dict[str, float]]
    results: dict[str, Any]

    def column(self, key: str) -> tuple[list[int], list[float]]:
        """``(epochs, values)`` of the log rows that have ``key`` (validation runs every few epochs)."""
        rows = [r for r in self.log if key in r]
        return [int(r["epoch"]) for r in rows], [r[key] for r in rows]


def read_log(path: str | Path) -> list[dict[str, float]]:
    """A run's ``log.csv`` as one dict per epoch; empty cells (no validation that epoch) are left out."""
    with Path(path).open(newline="") as f:
        reader = csv.DictReader(f)
        rows = []
        for row in reader:
            if None in row:
                raise ValueError(f"{path}: a row has more cells than the header ({reader.fieldnames}); "
                                 "it was written before log.csv had a fixed schema")
            rows.append({k: float(v) for k, v in row.items() if v not in ("", None)})
    return rows


def record_run(run_dir: str | Path, dest: str | Path, commands: Sequence[str],
               results: dict[str, Any] | None = None) -> Path:
    """Copy ``run_dir``'s small artefacts to ``dest`` with the ``commands`` that produced them.

    ``results``: the final metrics to store (default: the validation columns of the last logged
    epoch that has them).
    """
    run_dir, dest = Path(run_dir), Path(dest)
    if not (run_dir / "log.csv").is_file():
        raise FileNotFoundError(f"{run_dir / 'log.csv'} not found: is {run_dir} a finished run directory?")
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        if (run_dir / name).is_file():
            shutil.copyfile(run_dir / name, dest / name)
    if results is None:
        validated = [r for r in read_log(run_dir / "log.csv") if any(k.startswith("val_") for k in r)]
        if not validated:
            raise ValueError(f"{run_dir / 'log.csv'} has no validation row: pass results= explicitly")
        last = validated[-1]
        results = {"epoch": int(last["epoch"]),
                   **{k[4:]: v for k, v in last.items() if k.startswith("val_")}}
    (dest / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (dest / "command.txt").write_text("\n".join(commands) + "\n")
    return dest


def load_run(path: str | Path) -> RecordedRun:
    """Read a folder written by :func:`record_run`."""
    path = Path(path)
    missing = [n for n in ("command.txt", "log.csv", "results.json") if not (path / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{path} is not a recorded run: missing {', '.join(missing)}")
    config = yaml.safe_load((path / "config.yaml").read_text()) if (path / "config.yaml").is_file() else {}
    return RecordedRun(name=path.name, command=(path / "command.txt").read_text().strip(), config=config,
                       log=read_log(path / "log.csv"),
                       results=json.loads((path / "results.json").read_text()))


def record_weights(run_dir: str | Path, dest: str | Path, dtype: torch.dtype = torch.float16) -> Path:
    """Save the trained model of ``run_dir`` (its ``last.pth``) to ``dest`` as a bare state dict in
    ``dtype`` (float16 halves the file; the notebooks read it back with :func:`load_weights`)."""
    from simdr_lite.engine.checkpoint import load_checkpoint

    state = load_checkpoint(Path(run_dir) / "last.pth")["model"]
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}, dest)
    return dest


def build_from_config(config: str | Path) -> tuple[torch.nn.Module, Any, Any]:
    """``(model, representation without post-processing, config)`` of a run's ``config.yaml``, the model
    untrained and without its backbone file (the caller loads the run's own weights)."""
    from simdr_lite import build
    from simdr_lite.engine.config import from_dict, load_config

    cfg = from_dict(load_config(config).to_dict(), {"test": {"post_process": False},
                                                    "model": {"pretrained": ""}})
    rep = build.representation(cfg)
    return build.model(cfg, rep), rep, cfg


def load_weights(config: str | Path, weights: str | Path, device: str = "cpu") -> tuple[torch.nn.Module, Any]:
    """``(model in eval mode, representation without post-processing)`` of a recorded run: built from its
    ``config`` (a ``config.yaml``), weights read from ``weights`` (``weights_only=True``) in float32."""
    from simdr_lite.models.pretrained import load_weights_file

    model, rep, _ = build_from_config(config)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v
                           for k, v in load_weights_file(weights).items()})
    return model.to(device).eval(), rep
