"""2-D Gaussian heatmaps (paper Sec. 3.1, Eq. 1) with the official decoders.

Target: HRNet / SimpleBaseline ``generate_target`` (integer centre, ``6 sigma + 1`` patch, peak 1),
or the unbiased full-map Gaussian at the float centre used by DARK and TokenPose.
Decoding: arg-max, optionally refined by the quarter-pixel shift (``refine="shift"``, the
"extra post-processing" of Table 2) or by DARK's Taylor step (``refine="dark"``, Zhang et al.,
arXiv 1910.06278), as TokenPose uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np
import torch

from .base import (
    EXP_CUTOFF,
    Array,
    KeypointCodec,
    centered_offsets,
    check_input_size,
    check_positive,
    gaussian_1d,
    max_argmax,
    prepare_keypoints,
    to_output,
    to_torch,
)

REFINE_MODES = (None, "shift", "dark")


class HeatmapCodec(KeypointCodec):
    """Gaussian heatmaps of size ``(w, h) = (W, H) / stride`` (stride 4 in every official config).

    Quantization error of the plain arg-max is ``< stride / 2`` pixels (App. D.2).

    Encoding (``unbiased=False``, official HRNet ``generate_target``): the centre is rounded to
    the integer heatmap cell ``int(x / stride + 0.5)``, and an unnormalised Gaussian (peak 1) is
    written inside the ``[int(mu - 3 sigma), int(mu + 3 sigma + 1))`` window, zero elsewhere. The
    weight is the visibility, set to 0 when that window lies entirely outside the map.
    ``unbiased=True`` (DARK / TokenPose) centres a full-map Gaussian at the float ``x / stride``
    with the same weight rule.

    Decoding: arg-max over each map (coordinates zeroed when the peak value is ``<= 0``, as the
    official ``get_max_preds``), then ``refine``:

    * ``None``: no refinement ("Extra post. = N" in Table 2);
    * ``"shift"``: move a quarter cell towards the higher neighbour on each axis, only when the peak
      lies strictly inside ``1 < px < w - 1`` and ``1 < py < h - 1`` (official ``get_final_preds``);
    * ``"dark"``: Gaussian-blur the map (``blur_kernel``), take the log and apply one Newton step
      with the local gradient and Hessian, only when ``1 < px < w - 2`` and ``1 < py < h - 2``.

    Differs from official (``"dark"``): the blur is evaluated only in the 5x5 window the Taylor step
    reads. The official code also rescales the blurred map by ``max(original) / max(blurred)``
    before ``log(max(., 1e-10))``; a constant factor cancels in every derivative, so results agree
    unless a value in that window is below the 1e-10 clamp.

    Args:
        input_size: ``(W, H)`` network input in pixels.
        heatmap_size: ``(w, h)``; default ``(W // 4, H // 4)``. ``W / w`` and ``H / h`` must be integers.
        sigma: Gaussian standard deviation in heatmap cells (official: 1 at 64/128, 2 at 256, 3 at 384).
        refine: ``None``, ``"shift"`` or ``"dark"``.
        unbiased: float-centre full-map target (DARK / TokenPose).
        blur_kernel: odd kernel size of DARK's blur (official: 11).
    """

    def __init__(
        self,
        input_size: Sequence[int],
        heatmap_size: Sequence[int] | None = None,
        sigma: float = 2.0,
        refine: str | None = "shift",
        unbiased: bool = False,
        blur_kernel: int = 11,
    ) -> None:
        self.input_size = check_input_size(input_size)
        if heatmap_size is None:
            heatmap_size = (self.input_size[0] // 4, self.input_size[1] // 4)
        self.heatmap_size = check_input_size(heatmap_size)
        strides = [i / h for i, h in zip(self.input_size, self.heatmap_size)]
        if any(s != int(s) for s in strides):
            raise ValueError(
                f"heatmap stride input_size / heatmap_size must be an integer on both axes; "
                f"got {self.input_size} / {self.heatmap_size} = {strides}"
            )
        self.stride = (int(strides[0]), int(strides[1]))
        self.sigma = check_positive("sigma", sigma)
        if refine not in REFINE_MODES:
            raise ValueError(f"refine must be one of {REFINE_MODES}, got {refine!r}")
        self.refine = refine
        self.unbiased = bool(unbiased)
        if int(blur_kernel) != blur_kernel or blur_kernel < 1 or blur_kernel % 2 == 0:
            raise ValueError(f"blur_kernel must be a positive odd integer, got {blur_kernel}")
        self.blur_kernel = int(blur_kernel)

    def __repr__(self) -> str:
        return (
            f"HeatmapCodec(input_size={self.input_size}, heatmap_size={self.heatmap_size}, "
            f"sigma={self.sigma}, refine={self.refine!r}, unbiased={self.unbiased})"
        )

    # ------------------------------------------------------------------ encode
    def encode(self, keypoints: Array, visible: Array | None = None) -> tuple[Array, Array]:
        """Heatmaps ``(N, K, h, w)`` (float32) and weights ``(N, K)`` (float32)."""
        kp, vis, as_numpy = prepare_keypoints(keypoints, visible)
        w, h = self.heatmap_size
        stride = torch.tensor(self.stride, dtype=kp.dtype, device=kp.device)
        size = torch.tensor((w, h), dtype=kp.dtype, device=kp.device)
        tmp = 3.0 * self.sigma
        if self.unbiased:
            mu = kp / stride
        else:
            mu = torch.trunc(kp / stride + 0.5)  # int(x / stride + 0.5)
        ul = torch.trunc(mu - tmp)
        br = torch.trunc(mu + tmp + 1)
        outside = ((ul >= size) | (br < 0)).any(dim=-1)
        weights = vis * ~outside

        if self.unbiased:
            centre, lo, hi = mu, None, None
        else:
            # The official patch has 2*tmp+1 samples with its peak at index floor(size / 2),
            # pasted at ``ul``: the peak is at ``mu`` whenever 3 sigma is an integer.
            centre = ul + math.floor((2 * tmp + 1) / 2)
            lo, hi = ul, br
        axes = []
        for axis, n in enumerate((w, h)):
            d = centered_offsets(n, centre[..., axis])
            g = gaussian_1d(d, self.sigma, cutoff=EXP_CUTOFF / 2)  # gx * gy stays normal
            if lo is not None:
                grid = torch.arange(n, device=kp.device, dtype=kp.dtype)
                window = (grid >= lo[..., axis, None]) & (grid < hi[..., axis, None])
                g = g * window
            axes.append(g)
        gx, gy = axes
        gx = gx * weights[..., None]
        heatmaps = gy[..., :, None] * gx[..., None, :]  # (N, K, h, w)
        return to_output(heatmaps, as_numpy), to_output(weights, as_numpy)

    def perfect_output(self, keypoints: Array, visible: Array | None = None) -> Array:
        """The target heatmaps themselves."""
        return self.encode(keypoints, visible)[0]

    # ------------------------------------------------------------------ decode
    def decode(self, outputs: Array) -> tuple[Array, Array]:
        """Coordinates ``(N, K, 2)`` in input pixels and peak values ``(N, K)``."""
        hm, as_numpy = to_torch(outputs)
        w, h = self.heatmap_size
        if hm.ndim != 4 or tuple(hm.shape[-2:]) != (h, w):
            raise ValueError(
                f"heatmaps must have shape (N, K, {h}, {w}) for heatmap_size {self.heatmap_size}, "
                f"got {tuple(hm.shape)}"
            )
        hm = hm.float()
        n, k = hm.shape[:2]
        flat = hm.reshape(n, k, h * w)
        maxvals, idx = max_argmax(flat)
        px, py = idx % w, torch.div(idx, w, rounding_mode="floor")
        positive = maxvals > 0
        px, py = px * positive, py * positive  # official get_max_preds zeroes non-positive peaks
        coords = torch.stack([px, py], dim=-1).to(torch.float32)
        if self.refine == "shift":
            coords = coords + self._shift_offsets(flat, px, py)
        elif self.refine == "dark":
            coords = coords + self._dark_offsets(flat, px, py)
        stride = torch.tensor(self.stride, dtype=torch.float32, device=coords.device)
        return to_output(coords * stride, as_numpy), to_output(maxvals, as_numpy)

    def _gather(self, flat: torch.Tensor, py: torch.Tensor, px: torch.Tensor) -> torch.Tensor:
        """Values of ``flat (N, K, h*w)`` at integer ``(py, px)`` of shape ``(N, K, M)``, 0 outside."""
        w, h = self.heatmap_size
        inside = (px >= 0) & (px < w) & (py >= 0) & (py < h)
        index = py.clamp(0, h - 1) * w + px.clamp(0, w - 1)
        return torch.gather(flat, 2, index) * inside

    def _shift_offsets(self, flat: torch.Tensor, px: torch.Tensor, py: torch.Tensor) -> torch.Tensor:
        w, h = self.heatmap_size
        dx = torch.tensor([1, -1, 0, 0], device=flat.device)
        dy = torch.tensor([0, 0, 1, -1], device=flat.device)
        v = self._gather(flat, py[..., None] + dy, px[..., None] + dx)  # (N, K, 4)
        diff = torch.stack([v[..., 0] - v[..., 1], v[..., 2] - v[..., 3]], dim=-1)
        inside = (px > 1) & (px < w - 1) & (py > 1) & (py < h - 1)
        return torch.sign(diff) * 0.25 * inside[..., None]

    def _dark_offsets(self, flat: torch.Tensor, px: torch.Tensor, py: torch.Tensor) -> torch.Tensor:
        w, h = self.heatmap_size
        r = (self.blur_kernel - 1) // 2
        span = r + 2  # the Taylor step reads +-2 cells of the blurred map
        side = 2 * span + 1
        off = torch.arange(-span, span + 1, device=flat.device)
        rows = (py[..., None] + off)[..., :, None].expand(*py.shape, side, side)
        cols = (px[..., None] + off)[..., None, :].expand(*px.shape, side, side)
        win = self._gather(flat, rows.reshape(*py.shape, -1), cols.reshape(*px.shape, -1))
        win = win.reshape(*py.shape, side, side)
        kern = torch.from_numpy(cv2.getGaussianKernel(self.blur_kernel, 0).ravel().astype(np.float32))
        kern = kern.to(flat.device)
        # separable blur of the zero-padded map, kept only at offsets -2..2 around the peak
        bx = win.unfold(-1, self.blur_kernel, 1) @ kern  # (N, K, side, 5)
        b = (bx.transpose(-1, -2).unfold(-1, self.blur_kernel, 1) @ kern).transpose(-1, -2)  # (N, K, 5, 5)
        lg = torch.log(b.clamp(min=1e-10).double())
        c = 2  # index of the peak in the 5x5 window; lg[..., row, col]
        dx = 0.5 * (lg[..., c, c + 1] - lg[..., c, c - 1])
        dy = 0.5 * (lg[..., c + 1, c] - lg[..., c - 1, c])
        dxx = 0.25 * (lg[..., c, c + 2] - 2 * lg[..., c, c] + lg[..., c, c - 2])
        dxy = 0.25 * (
            lg[..., c + 1, c + 1] - lg[..., c - 1, c + 1] - lg[..., c + 1, c - 1] + lg[..., c - 1, c - 1]
        )
        dyy = 0.25 * (lg[..., c + 2, c] - 2 * lg[..., c, c] + lg[..., c - 2, c])
        det = dxx * dyy - dxy * dxy
        safe = torch.where(det != 0, det, torch.ones_like(det))
        # offset = -H^{-1} g with H = [[dxx, dxy], [dxy, dyy]]
        ox = -(dyy * dx - dxy * dy) / safe
        oy = -(-dxy * dx + dxx * dy) / safe
        inside = (px > 1) & (px < w - 2) & (py > 1) & (py < h - 2) & (det != 0)
        return (torch.stack([ox, oy], dim=-1) * inside[..., None]).to(torch.float32)
