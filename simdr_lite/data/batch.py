"""From a loader batch to the network's input and targets, on the training device.

The one batch step of every path (training, evaluation, ``bench data`` / ``bench train``, the
notebooks): the workers ship uint8 crops and crop-space joints; here the crops are moved to the device
and ImageNet-normalised, and targets are encoded for the whole batch at once by the representation's
``encode`` (``simdr_lite.representations``), so no target is ever built per sample on the CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from .augment import normalize_batch


def prepare_batch(
    batch: Mapping[str, Any],
    device: str | torch.device,
    encode: Callable[[torch.Tensor, torch.Tensor], tuple[Any, torch.Tensor]] | None = None,
    *,
    channels_last: bool = False,
) -> tuple[torch.Tensor, Any, torch.Tensor | None]:
    """``(images, targets, weights)``: normalised float images ``(B, 3, H, W)`` on ``device`` and, with
    ``encode`` (e.g. ``representation.encode``), the batch's targets and joint weights built there
    (``(None, None)`` without it)."""
    images = batch["image"].to(device, non_blocking=True)
    images = normalize_batch(images) if images.dtype == torch.uint8 else images.float()
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    if encode is None:
        return images, None, None
    targets, weights = encode(batch["joints"].to(device), batch["joints_vis"].to(device))
    return images, targets, weights
