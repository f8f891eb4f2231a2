"""SimDR (paper Sec. 3.2, Eqs. 2-5): each coordinate is a classification over ``k`` bins per pixel.

Everything that makes SimDR SimDR, in one place:

* **Targets** (Eqs. 2-3): joint ``x`` goes to bin ``round(x * k)`` of ``int(W * k)`` x-bins, ``y`` likewise;
  a joint outside the bins gets weight 0 (:class:`~simdr_lite.codecs.SimDRCodec`).
* **Head** (Fig. 2): the network's per-joint features flattened, then two Linear layers shared by all
  joints, ``mlp_head_x: D -> int(W*k)`` and ``mlp_head_y: D -> int(H*k)`` (``simdr_k`` of the model).
* **Loss** (Sec. 3.2): KL divergence to label-smoothed one-hot bins, ``ls = 0.1``
  (:class:`~simdr_lite.losses.SimDRLoss`; ``"nmtnorm"`` the official normalised variant).
* **Decoding** (Eq. 4-5): softmax, arg-max bin divided by ``k``; confidence ``max(max p_x, max p_y)``.
  Quantization error below ``1 / (2k)`` px (App. D.1).
* **Flip test**: reverse the mirror image's x-bins, swap joints, shift x left by one bin (official;
  exact only at ``k = 2``), then average the two *softmaxes* (official ``validate_simdr``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from simdr_lite.codecs import SimDRCodec
from simdr_lite.losses import SimDRLoss

from .base import Representation
from .flip import flip_back, swap_joints


def flip_back_bins(x: torch.Tensor, y: torch.Tensor, flip_pairs: Sequence[Sequence[int]], k: float,
                   flip_shift: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The mirror image's x / y outputs ``(N, K, bins)`` brought back: x reversed and shifted, joints
    swapped (official ``flip_back_simdr`` with the one-bin shift for ``flip_shift="official"``)."""
    return flip_back(x, flip_pairs, k, flip_shift, official_cells=1.0), swap_joints(y, flip_pairs)


class SimDR(Representation):
    """SimDR: one-hot bins with label smoothing, ``k`` bins per pixel."""

    heatmap_head = False
    name = "simdr"
    losses = {"nmt": lambda rep: SimDRLoss(rep.codec.label_smoothing),
              "nmtnorm": lambda rep: SimDRLoss(rep.codec.label_smoothing, normalize=True)}

    def __init__(self, input_size: Sequence[int], *, k: float = 2.0, label_smoothing: float = 0.1,
                 flip_shift: str = "official") -> None:
        super().__init__(flip_shift)
        self.codec = SimDRCodec(input_size, k=k, label_smoothing=label_smoothing)

    @classmethod
    def from_config(cls, cfg: Any) -> SimDR:
        """``representation.k`` and ``label_smoothing``; ``test.flip_shift``."""
        r = cfg.representation
        return cls(cfg.model.input_size, k=r.k, label_smoothing=r.label_smoothing,
                   flip_shift=cfg.test.flip_shift)

    def merge_flip(self, outputs: Any, flipped: Any, flip_pairs: Sequence[Sequence[int]]) -> tuple[Any, Any]:
        (x, y), (xf, yf) = outputs, flip_back_bins(*flipped, flip_pairs, self.codec.k, self.flip_shift)
        px = (torch.softmax(x.float(), -1) + torch.softmax(xf.float(), -1)) * 0.5
        py = (torch.softmax(y.float(), -1) + torch.softmax(yf.float(), -1)) * 0.5
        return self.codec.decode((px, py), normalized=True)
