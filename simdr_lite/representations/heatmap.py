"""The heatmap representation (paper Sec. 3.1, Eq. 1): the baseline SimDR is measured against.

* **Targets**: one Gaussian map per joint at stride 4, ``sigma`` in heatmap cells
  (:class:`~simdr_lite.codecs.HeatmapCodec`; official 1 at 64x64 and 128x128, 2 at 256x192).
* **Loss**: the weighted MSE of the official ``JointsMSELoss``.
* **Head**: the network's stride-4 maps ``(N, K, H/4, W/4)``.
* **Decoding**: arg-max, then ``refine``: ``None`` ("Extra post. = N" in Table 2), the official quarter
  shift (``"shift"``) or DARK (``"dark"``).
* **Flip test**: average the map with the flipped-back map of the mirror image, shifted right by one
  cell as ``TEST.SHIFT_HEATMAP`` does (``flip_shift``, see :mod:`.flip`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simdr_lite.codecs import HeatmapCodec
from simdr_lite.losses import JointsMSELoss

from .base import Representation
from .flip import flip_back


class Heatmap(Representation):
    """Gaussian heatmaps. ``sigma`` in heatmap cells; ``refine``: ``None``, ``"shift"`` or ``"dark"``;
    ``unbiased``: the float-centre targets of DARK / TokenPose."""

    heatmap_head = True
    name = "heatmap"
    losses = {"mse": lambda rep: JointsMSELoss()}

    def __init__(self, input_size: Sequence[int], *, sigma: float = 2.0, refine: str | None = "shift",
                 unbiased: bool = False, flip_shift: str = "official") -> None:
        super().__init__(flip_shift)
        self.codec = HeatmapCodec(input_size, sigma=sigma, refine=refine, unbiased=unbiased)

    @classmethod
    def from_config(cls, cfg: Any) -> Heatmap:
        """``representation.heatmap_sigma`` and ``unbiased``; ``test.post_process`` picks the refinement
        (the quarter shift, or DARK for unbiased targets as TokenPose does); ``test.flip_shift``."""
        r, post = cfg.representation, cfg.test.post_process
        refine = ("dark" if r.unbiased else "shift") if post else None
        return cls(cfg.model.input_size, sigma=r.heatmap_sigma, refine=refine, unbiased=r.unbiased,
                   flip_shift=cfg.test.flip_shift)

    def merge_flip(self, outputs: Any, flipped: Any, flip_pairs: Sequence[Sequence[int]]) -> tuple[Any, Any]:
        cells_per_pixel = 1.0 / self.codec.stride[0]
        back = flip_back(flipped, flip_pairs, cells_per_pixel, self.flip_shift, official_cells=-1.0)
        return self.decode((outputs + back) * 0.5)
