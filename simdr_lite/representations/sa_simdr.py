"""SimDR* (paper Sec. 3.3, Eqs. 6-7): SimDR's bins with Gaussian labels, trained with KL divergence.

What differs from :mod:`.simdr`:

* **Targets** (Eq. 6): ``exp(-(i - k x)^2 / 2 sigma^2) / (sigma sqrt(2 pi))`` over the bins, ``sigma`` in
  *bins* (official 4 or 6), centred at the un-rounded ``k x`` as the official code does (the paper's Eq. 6
  rounds); :class:`~simdr_lite.codecs.SASimDRCodec`.
* **Loss** (Eq. 7): KL divergence of the softmaxed logits to the labels
  (:class:`~simdr_lite.losses.KLDiscretLoss`).
* **Decoding**: softmax, arg-max bin / ``k``; confidence ``min(max p_x, max p_y)`` (official).
* **Flip test**: the same flip-back and shift as SimDR, but the *logits* are averaged, then softmaxed
  (official ``validate_sa_simdr``).

The head is SimDR's: two Linear layers over the joint features.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simdr_lite.codecs import SASimDRCodec
from simdr_lite.losses import KLDiscretLoss

from .base import Representation
from .simdr import flip_back_bins


class SimDRStar(Representation):
    """SimDR* (SA-SimDR in the official code): Gaussian labels of ``sigma`` bins, ``k`` bins per pixel."""

    heatmap_head = False
    name = "sa-simdr"
    losses = {"kl": lambda rep: KLDiscretLoss()}

    def __init__(self, input_size: Sequence[int], *, k: float = 2.0, sigma: float = 6.0,
                 flip_shift: str = "official") -> None:
        super().__init__(flip_shift)
        self.codec = SASimDRCodec(input_size, k=k, sigma=sigma)

    @classmethod
    def from_config(cls, cfg: Any) -> SimDRStar:
        """``representation.k`` and ``label_sigma`` (bins); ``test.flip_shift``."""
        r = cfg.representation
        return cls(cfg.model.input_size, k=r.k, sigma=r.label_sigma, flip_shift=cfg.test.flip_shift)

    def merge_flip(self, outputs: Any, flipped: Any, flip_pairs: Sequence[Sequence[int]]) -> tuple[Any, Any]:
        (x, y), (xf, yf) = outputs, flip_back_bins(*flipped, flip_pairs, self.codec.k, self.flip_shift)
        return self.decode(((x + xf) * 0.5, (y + yf) * 0.5))
