"""Checkpoints that resume exactly: model, optimizer, scheduler, scaler, RNG states, position.

Everything saved is a tensor or a plain container, so ``last.pth`` loads with
``torch.load(weights_only=True)``: a checkpoint from elsewhere cannot run code on ``--resume``.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch


def rng_state() -> dict[str, Any]:
    """Every generator's state, as tensors and plain values (``weights_only``-loadable)."""
    # The legacy global numpy RNG is what third-party code may draw from, so it is saved too; its key
    # array becomes a tensor (numpy arrays are not among the types weights_only accepts).
    name, keys, pos, has_gauss, cached = np.random.get_state()  # noqa: NPY002
    state = {"python": random.getstate(), "torch": torch.get_rng_state(),
             "numpy": (name, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss),
                       float(cached))}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore :func:`rng_state`. CUDA states are restored for the GPUs both runs have (a resume on
    fewer GPUs than the saved run restores the first ones; extra GPUs keep their seeds)."""
    random.setstate(state["python"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))  # noqa: NPY002
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        for device, cuda_state in enumerate(state["cuda"][: torch.cuda.device_count()]):
            torch.cuda.set_rng_state(cuda_state, device)


def restore_scaler(scaler: torch.amp.GradScaler, saved: dict[str, Any]) -> None:
    """Restore a grad scaler's state where both runs use one (fp16). A run saved without one (fp32,
    bf16, CPU) resumed with fp16 starts a fresh scale; an fp16 run resumed without fp16 drops it."""
    if saved and scaler.is_enabled():
        scaler.load_state_dict(saved)


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (tensors and plain containers only)."""
    from simdr_lite.models.pretrained import load_weights_file

    return load_weights_file(path)


#: The training objects a run checkpoint holds, besides the model (``Trainer.opt``'s keys).
STATEFUL = ("optimizer", "scheduler", "scaler")


def save_run(path: str | Path, model: torch.nn.Module, parts: dict[str, Any], **position: Any) -> None:
    """Everything to continue a run: model, optimizer, scheduler, scaler, RNG states and ``position``
    (epoch, iteration, running loss, best metric, history, config)."""
    save_checkpoint(path, {"model": model.state_dict(), **{k: parts[k].state_dict() for k in STATEFUL},
                           "rng": rng_state(), **position})


def restore_run(path: str | Path, model: torch.nn.Module, parts: dict[str, Any]) -> dict[str, Any]:
    """Load :func:`save_run`'s file into ``model`` and ``parts``, restore the RNGs; returns the position."""
    state = load_checkpoint(path)
    model.load_state_dict(state.pop("model"))
    for key in ("optimizer", "scheduler"):
        parts[key].load_state_dict(state.pop(key))
    restore_scaler(parts["scaler"], state.pop("scaler"))
    set_rng_state(state.pop("rng"))
    return state
