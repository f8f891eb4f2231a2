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


def _read_state_dict(path_or_state: str | Path | Mapping[str, torch.Tensor],
                     weights_only: bool = False) -> dict[str, torch.Tensor]:
    if isinstance(path_or_state, Mapping):
        state = dict(path_or_state)
    else:
        path = Path(path_or_state)
        if not path.is_file():
            raise FileNotFoundError(f"checkpoint {path} not found")
        # weights_only=False only for this package's own training checkpoints (they hold RNG states)
        state = torch.load(path, map_location="cpu", weights_only=weights_only)
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

    ``sha256``: the file's expected digest; a mismatch (a tampered or truncated file) is an error.
    """
    if sha256 is not None and Path(path).is_file() and (got := sha256_file(path)) != sha256:
        raise ValueError(f"{path} has SHA-256 {got}, expected {sha256}: the file is corrupt or was changed. "
                         f"Delete it and re-create it with the command that made it.")
    state = {k: v for k, v in _read_state_dict(path, weights_only=True).items() if not k.startswith(ignore)}
    result = net.load_state_dict(state, strict=False)
    if result.unexpected_keys or len(result.missing_keys) == len(net.state_dict()):
        raise ValueError(
            f"{path} does not look like this backbone's weights: "
            f"{len(result.unexpected_keys)} unexpected keys (e.g. {result.unexpected_keys[:3]}), "
            f"{len(result.missing_keys)} missing"
        )


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
