"""Score a model during or after training with the config's ``test`` settings."""

from __future__ import annotations

from typing import Any

import torch

from simdr_lite.representations import Representation

from .config import Config


def evaluate_config(model: torch.nn.Module, val_ds: Any, rep: Representation, cfg: Config,
                    device: str | torch.device, *, distributed: bool = False) -> dict[str, Any]:
    """:func:`simdr_lite.evaluation.evaluate` with ``cfg.test``: ``{"metrics", "results", "predictions"}``."""
    from simdr_lite.build import workers
    from simdr_lite.evaluation import evaluate

    t = cfg.test
    return evaluate(model, val_ds, rep, flip_test=t.flip_test, in_vis_thre=t.in_vis_thre, oks_thre=t.oks_thre,
                    batch_size=t.batch_size, device=device, workers=workers(cfg), progress=False,
                    distributed=distributed)


def validate(model: torch.nn.Module, val_ds: Any, rep: Representation, cfg: Config,
             device: str | torch.device, *, distributed: bool = False) -> dict[str, float]:
    """The validation metrics of ``model``; ``distributed``: all ranks share the work."""
    return evaluate_config(model, val_ds, rep, cfg, device, distributed=distributed)["metrics"]
