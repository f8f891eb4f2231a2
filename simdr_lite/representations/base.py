"""What every representation offers: one object from targets to keypoints.

A :class:`Representation` bundles what differs between heatmap, SimDR and SimDR*: its codec
(targets and decoding), the losses it trains with, the head the network needs, the flip test, and the
checks on its settings. The trainer, the evaluator, the CLI, the demo and the notebooks only call these
methods; none of them asks which representation it holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import torch
from torch import nn

from simdr_lite.codecs import KeypointCodec

from .flip import check_flip_shift


class Representation(ABC):
    """A keypoint representation: ``encode`` targets, build its ``loss``, ``decode`` and ``predict``.

    Subclasses set ``name`` (the registry and config name), ``heatmap_head``, ``losses`` (loss name ->
    builder; the first is the default) and ``self.codec``; they implement :meth:`merge_flip` and
    :meth:`from_config`.
    """

    name: ClassVar[str]
    #: The network's head: stride-4 heatmaps (True) or SimDR's 1-D x / y heads (False).
    heatmap_head: ClassVar[bool]
    losses: ClassVar[dict[str, Callable[[Representation], nn.Module]]]
    codec: KeypointCodec

    def __init__(self, flip_shift: str = "official") -> None:
        self.flip_shift = check_flip_shift(flip_shift)

    @classmethod
    @abstractmethod
    def from_config(cls, cfg: Any) -> Representation:
        """Build from a :class:`~simdr_lite.engine.config.Config` (its ``representation`` and ``test``
        sections, and ``model.input_size``)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.codec!r}, flip_shift={self.flip_shift!r})"

    @property
    def input_size(self) -> tuple[int, int]:
        return self.codec.input_size

    @property
    def simdr_k(self) -> float | None:
        """What :func:`simdr_lite.models.build_model` needs as ``simdr_k``: ``None`` for a heatmap head,
        else the splitting factor of the 1-D x / y heads."""
        return None if self.heatmap_head else self.codec.k

    # ----------------------------------------------------------------- training
    def make_loss(self, name: str = "auto") -> nn.Module:
        """The training loss ``name`` (``"auto"``: this representation's official default)."""
        if name == "auto":
            name = next(iter(self.losses))
        if name not in self.losses:
            raise ValueError(f"loss {name!r} does not train {self.name!r}; choose one of "
                             f"{tuple(self.losses)}")
        return self.losses[name](self)

    def encode(self, keypoints: Any, visible: Any = None) -> tuple[Any, Any]:
        """Targets and per-joint weights for crop keypoints ``(N, K, 2)`` (numpy or torch, any device)."""
        return self.codec.encode(keypoints, visible)

    # ---------------------------------------------------------------- inference
    def decode(self, outputs: Any) -> tuple[Any, Any]:
        """Keypoints ``(N, K, 2)`` in crop pixels and scores ``(N, K)`` from the network's outputs."""
        return self.codec.decode(outputs)

    @abstractmethod
    def merge_flip(self, outputs: Any, flipped: Any, flip_pairs: Sequence[Sequence[int]]) -> tuple[Any, Any]:
        """Keypoints and scores from the outputs on an image and on its mirror image (the flip test)."""

    @torch.no_grad()
    def predict(self, model: nn.Module, images: torch.Tensor,
                flip_pairs: Sequence[Sequence[int]] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Run ``model`` on normalised ``images`` and decode; with ``flip_pairs``, also on the mirror
        images and merge both (the official flip test)."""
        outputs = model(images)
        if flip_pairs is None:
            return self.decode(outputs)
        return self.merge_flip(outputs, model(images.flip(3)), flip_pairs)
