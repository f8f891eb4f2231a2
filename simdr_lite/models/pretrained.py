"""Loading backbone weight files and the official SimCC / HRNet / TokenPose checkpoints."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn


def hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    """Whether the weight hub answers within ``timeout`` seconds (so offline use fails fast)."""
    import os
    import socket

    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        return False
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


class UnsafeFileError(ValueError):
    """A weight file that holds Python objects beyond tensors and plain containers."""


def load_weights_file(path: str | Path) -> Mapping:
    """Read a weight file from outside (a backbone, an official checkpoint) without running its code.

    ``torch.load(weights_only=True)`` unpickles only tensors and plain containers, so a crafted file
    cannot execute anything; a file that needs more is refused with :class:`UnsafeFileError`.
    """
    import pickle

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} not found")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        reason = str(err).split("\n")[0]
        raise UnsafeFileError(
            f"{path} holds Python objects besides tensors, so it was not loaded (loading it could run "
            f"arbitrary code). If you trust its source, re-save only its state_dict: "
            f"load it yourself and torch.save() its tensors alone. ({reason})"
        ) from None


def _read_state_dict(path_or_state: str | Path | Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    state = dict(path_or_state) if isinstance(path_or_state, Mapping) else load_weights_file(path_or_state)
    for key in ("state_dict", "model", "best_state_dict"):  # common wrappers
        if isinstance(state, Mapping) and key in state and isinstance(state[key], Mapping):
            state = state[key]
    return {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}


def sha256_file(path: str | Path) -> str:
    """The SHA-256 hex digest of a file."""
    import hashlib

    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_backbone_file(net: nn.Module, path: str | Path, ignore: tuple[str, ...] = (),
                       sha256: str | None = None) -> None:
    """Load an ImageNet backbone file non-strictly (as the official code) but report what it skipped.

    ``sha256``: the file's expected digest (default: the one in ``<path>.sha256`` when that file exists,
    as ``data_scripts/download_pretrained.py`` writes it); a mismatch (a tampered or truncated file) is an
    error.
    """
    sidecar = Path(f"{path}.sha256")
    if sha256 is None and sidecar.is_file():
        sha256 = sidecar.read_text().split()[0]
    if sha256 is not None and Path(path).is_file() and (got := sha256_file(path)) != sha256:
        raise ValueError(f"{path} has SHA-256 {got}, expected {sha256}: the file is corrupt or was changed. "
                         f"Delete it and re-create it with the command that made it.")
    state = {k: v for k, v in _read_state_dict(path).items() if not k.startswith(ignore)}
    result = net.load_state_dict(state, strict=False)
    if result.unexpected_keys or len(result.missing_keys) == len(net.state_dict()):
        raise ValueError(
            f"{path} does not look like this backbone's weights: "
            f"{len(result.unexpected_keys)} unexpected keys (e.g. {result.unexpected_keys[:3]}), "
            f"{len(result.missing_keys)} missing"
        )


#: ImageNet weights a maintained library serves, per backbone: timm model name and pretrained tag.
#: timm's HRNets are ports of HRNet's own ImageNet classifiers (``ms_in1k``); the ResNets are
#: torchvision's original weights (``tv_in1k``), the ones the official code starts from.
TIMM_BACKBONES = {"hrnet_w32": "hrnet_w32.ms_in1k", "hrnet_w48": "hrnet_w48.ms_in1k",
                  "resnet50": "resnet50.tv_in1k", "resnet101": "resnet101.tv_in1k",
                  "resnet152": "resnet152.tv_in1k"}
#: Classification-only parts of those timm models: never part of a pose backbone.
TIMM_HEAD_KEYS = ("incre_modules.", "downsamp_modules.", "final_layer.", "classifier.", "fc.")


def backbone_state_from_timm(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A timm HRNet / ResNet ImageNet ``state_dict`` as this package's backbone keys.

    Our HRNet keeps HRNet's official module names and our ResNets wrap timm's modules, so the backbone
    keys are the same on both sides; what timm adds for classification (HRNet's ``incre_modules``,
    ``downsamp_modules``, its ``final_layer`` and ``classifier``; the ResNets' ``fc``) is dropped.
    """
    return {k: v for k, v in state.items() if not k.startswith(TIMM_HEAD_KEYS)}


def load_official_checkpoint(model: nn.Module, path_or_state_dict) -> nn.Module:
    """Load an official SimCC / HRNet / TokenPose checkpoint into a model of this package, strictly.

    Our modules use the official key names, so the only conversion is dropping DataParallel's
    ``module.`` prefix (and unwrapping ``{"state_dict": ...}`` files). Any missing or unexpected key is
    an error listing them (the official ``test.py`` loads with ``strict=False`` and hides such errors).
    """
    state = _read_state_dict(path_or_state_dict)
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [k for k in set(own) & set(state) if tuple(own[k].shape) != tuple(state[k].shape)]
    if missing or unexpected or shapes:
        raise ValueError(
            "checkpoint does not match the model: "
            f"missing {missing[:10]}{' ...' if len(missing) > 10 else ''} ({len(missing)}), "
            f"unexpected {unexpected[:10]}{' ...' if len(unexpected) > 10 else ''} ({len(unexpected)}), "
            f"shape mismatches {sorted(shapes)[:10]}. Check the model name, head, input size and k."
        )
    model.load_state_dict(state, strict=True)
    return model
