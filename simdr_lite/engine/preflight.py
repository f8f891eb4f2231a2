"""Check everything a command needs before any work starts, and say how to fix each missing piece.

``simdr-lite train`` and ``eval`` call :func:`preflight` first: the dataset files, the backbone weight
file (``model.pretrained``), the checkpoint to evaluate and a writable run folder. Everything missing
is listed in ONE :class:`PreflightError`, each item with the command or setting that fixes it, instead
of a traceback hours into a run.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import Config

#: The download script of each real dataset (``data_scripts/``).
DOWNLOAD_SCRIPTS = {"coco": "download_coco.py", "crowdpose": "download_crowdpose.py",
                    "mpii": "download_mpii.py"}
#: Where the HRNet ImageNet files come from (no model hub serves these exact files).
HRNET_ZOO = "github.com/HRNet/HRNet-Image-Classification"


class PreflightError(FileNotFoundError):
    """Something a command needs is missing; the message lists every item with its fix."""


def _raise(problems: list[str]) -> None:
    if problems:
        raise PreflightError(f"cannot start: {len(problems)} thing(s) missing\n"
                             + "\n".join(f"  - {p}" for p in problems))


def check_data(cfg: Config) -> None:
    """Raise :class:`PreflightError` naming every missing dataset file and its download command."""
    _raise(_data_problems(cfg))


def _data_problems(cfg: Config) -> list[str]:
    d = cfg.data
    if d.dataset == "synthetic":
        return []  # written on first use
    root = Path(d.root)
    needed = [d.train_ann, d.train_images, d.val_ann, d.val_images]
    if not d.use_gt_bbox and d.det_file:
        needed.append(d.det_file)
    fix = f"python data_scripts/{DOWNLOAD_SCRIPTS[d.dataset]} --root {root} (or --set data.root=...)"
    return [f"{root / rel} ({d.dataset} data): {fix}" for rel in needed if not (root / rel).exists()]


def _backbone_problems(cfg: Config) -> list[str]:
    weights = cfg.model.pretrained
    if weights in ("", "imagenet") or Path(weights).is_file():
        return []
    return [f"{weights} (ImageNet backbone weights for {cfg.model.name}): "
            f"python data_scripts/download_pretrained.py (or download {Path(weights).name} from "
            f"{HRNET_ZOO}), or train from scratch with --set model.pretrained=''"]


def _writable_problems(run_dir: Path) -> list[str]:
    probe = run_dir if run_dir.exists() else next((p for p in run_dir.parents if p.exists()), Path("."))
    if os.access(probe, os.W_OK | os.X_OK):
        return []
    return [f"{run_dir} (run folder) is not writable: choose another --run-dir"]


def preflight(cfg: Config, *, run_dir: str | Path | None = None,
              checkpoint: str | Path | None = None) -> None:
    """Raise :class:`PreflightError` listing everything missing for a run of ``cfg``."""
    problems = _data_problems(cfg) + _backbone_problems(cfg)
    if checkpoint is not None and not Path(checkpoint).is_file():
        problems.append(f"{checkpoint} (checkpoint): check the path, e.g. runs/<name>/best.pth")
    if run_dir is not None:
        problems += _writable_problems(Path(run_dir))
    _raise(problems)
