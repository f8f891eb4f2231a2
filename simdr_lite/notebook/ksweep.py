"""Figure 3 on the synthetic set: the demo's SimDR run with only the splitting factor ``k`` changed.

The paper (Sec. 4.2, Figure 3) trains SimBa-Res50 and HRNet-W32 on COCO for k in {1, 2, 3, 4} at
128x128 and 256x192 and finds that AP first rises, then falls as k grows (finer bins, harder training).
:func:`k_sweep` runs the same ablation on data anyone can make: the demo's SimDR config
(:func:`simdr_lite.notebook.demo.demo_config`: pretrained ``simbaseline_tiny``, 16 epochs) once per k,
everything else equal, and scores each run with COCO OKS AP. ``simdr-lite demo --k-sweep 1 2 3 4``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from simdr_lite import build
from simdr_lite.engine import validate
from simdr_lite.engine.config import from_dict
from simdr_lite.notebook.demo import _train_one, _train_side_by_side, demo_config, load_trained_run


def run_name(k: float) -> str:
    """The folder of one run of the sweep: ``k1``, ``k2``, ``k2.5``, ..."""
    return f"k{k:g}"


def k_sweep(out_dir: str | Path, ks: Sequence[float] = (1, 2, 3, 4), *, size: int = 64, seed: int = 0,
            fast: bool = False, device: str | None = None, progress: bool = True,
            parallel: bool | None = None) -> dict[str, dict[str, float]]:
    """Train the demo's SimDR run once per ``k`` in ``out_dir/k<k>/`` and score it (COCO stats, also in
    ``out_dir/k<k>/results.json``); returns ``{"k<k>": stats}``, also written to ``out_dir/results.json``.

    On a CPU with two or more cores, two runs train side by side (one process each, half the cores).
    """
    if not ks or any(k <= 0 for k in ks):
        raise ValueError(f"k_sweep needs positive splitting factors, got {list(ks)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = str(out / "data") if fast else None
    base = demo_config("simdr", fast=fast, root=root, size=size, seed=seed).to_dict()
    configs = {run_name(k): from_dict(base, {"representation": {"k": float(k)},
                                             "description": f"simdr-lite k sweep: k={k:g}, {size}x{size}"})
               for k in ks}
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    cores = build.cpu_cores()
    if parallel is None:
        parallel = device == "cpu" and cores >= 2 and len(ks) > 1
    build.datasets(next(iter(configs.values())))  # write the data once, up front
    jobs = [(cfg, str(out / name), device, max(1, cores // 2) if parallel else 0, progress and not parallel)
            for name, cfg in configs.items()]
    if parallel:
        _train_side_by_side(jobs, out, progress, processes=2)
    else:
        for job in jobs:
            _train_one(*job)
    results: dict[str, dict[str, Any]] = {}
    for name in configs:
        model, rep, val_ds, cfg = load_trained_run(out / name, device)
        results[name] = validate(model, val_ds, rep, cfg, torch.device(device))
        (out / name / "results.json").write_text(json.dumps(results[name], indent=2) + "\n")
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def record_k_sweep(out_dir: str | Path, dest: str | Path, commands: Sequence[str]) -> Path:
    """Copy a finished sweep's small artefacts to ``dest`` (``docs/runs/<name>/``): per run its config, log
    and ``results.json`` (:func:`simdr_lite.notebook.runs.record_run`), the summary ``results.json`` and the
    ``commands`` that made it (``command.txt``)."""
    from simdr_lite.notebook.runs import record_run

    out, dest = Path(out_dir), Path(dest)
    summary = json.loads((out / "results.json").read_text())
    for name, stats in summary.items():
        record_run(out / name, dest / name, commands, results=stats)
    (dest / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    (dest / "command.txt").write_text("\n".join(commands) + "\n")
    return dest


__all__ = ["k_sweep", "record_k_sweep", "run_name"]
