"""Top-down crop geometry: box -> (center, scale) -> affine warp, and back.

This is the official SimpleBaseline / HRNet / SimCC convention (``lib/utils/transforms.py`` and
``lib/dataset/coco.py`` in leeyegy/SimCC), vectorized over any leading batch dimensions:

* a person box ``[x, y, w, h]`` is padded to the input aspect ratio ``W / H`` and enlarged by 1.25;
  its size is stored as ``scale = size / 200`` (``pixel_std``);
* the crop is the similarity transform that maps the box center to the crop center and a box width
  of ``scale[0] * 200`` pixels onto the crop width, rotated by ``rot`` degrees;
* predictions go back to the image through the inverse transform (``transform_preds``).

All image sizes are written ``(W, H)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PIXEL_STD = 200.0
BOX_PADDING = 1.25


def sanitize_boxes(boxes: np.ndarray, width: float, height: float) -> tuple[np.ndarray, np.ndarray]:
    """Clip COCO ``[x, y, w, h]`` boxes to the image as the official COCO loader does.

    Returns ``(clean, valid)``: the clipped boxes ``(N, 4)`` and a mask of boxes with
    ``x2 >= x1`` and ``y2 >= y1`` (the caller also drops annotations with ``area <= 0``).
    """
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    x1 = np.maximum(0.0, b[:, 0])
    y1 = np.maximum(0.0, b[:, 1])
    x2 = np.minimum(width - 1, x1 + np.maximum(0.0, b[:, 2] - 1))
    y2 = np.minimum(height - 1, y1 + np.maximum(0.0, b[:, 3] - 1))
    clean = np.stack([x1, y1, x2 - x1, y2 - y1], axis=1)
    return clean, (x2 >= x1) & (y2 >= y1)


def box_to_center_scale(
    boxes: np.ndarray, input_size: Sequence[float], padding: float = BOX_PADDING
) -> tuple[np.ndarray, np.ndarray]:
    """Official ``_xywh2cs``: box ``(..., 4)`` -> center ``(..., 2)`` and scale ``(..., 2)``.

    The box is grown (never shrunk) to the aspect ratio ``W / H`` of ``input_size = (W, H)``, then
    multiplied by ``padding`` (1.25) and divided by ``pixel_std = 200``. Outputs are float32 as in the
    official code.
    """
    b = np.asarray(boxes, dtype=np.float32)
    if b.shape[-1] != 4:
        raise ValueError(f"boxes must have shape (..., 4) as [x, y, w, h], got {b.shape}")
    aspect = float(input_size[0]) / float(input_size[1])
    x, y, w, h = (b[..., i] for i in range(4))
    center = np.stack([x + w * 0.5, y + h * 0.5], axis=-1).astype(np.float32)
    w_fit = np.where(w < aspect * h, h * aspect, w)
    h_fit = np.where(w > aspect * h, w / aspect, h)
    scale = np.stack([w_fit / PIXEL_STD, h_fit / PIXEL_STD], axis=-1).astype(np.float32)
    return center, (scale * padding).astype(np.float32)


def _third_point(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = a - b
    return b + np.stack([-d[..., 1], d[..., 0]], axis=-1)


def get_affine_transform(
    center: np.ndarray,
    scale: np.ndarray,
    rot: np.ndarray | float,
    output_size: Sequence[float],
    *,
    inv: bool = False,
) -> np.ndarray:
    """Batched official ``get_affine_transform`` -> ``(..., 2, 3)`` float64 matrices.

    Like the official code (which calls ``cv2.getAffineTransform`` on float32 points), the three
    point pairs are built in float32 and the 6x6 system is solved in float64, so the matrices agree
    with the official ones to about 1e-12. ``inv=True`` maps crop pixels back to the image.
    """
    c = np.asarray(center, dtype=np.float32)
    s = np.asarray(scale, dtype=np.float32)
    r = np.asarray(rot, dtype=np.float64)
    batch = np.broadcast_shapes(c.shape[:-1], s.shape[:-1], r.shape)
    c = np.broadcast_to(c, (*batch, 2))
    s = np.broadcast_to(s, (*batch, 2))
    r = np.broadcast_to(r, batch)
    dst_w, dst_h = float(output_size[0]), float(output_size[1])

    src_w = s[..., 0] * np.float32(PIXEL_STD)
    rad = np.pi * r / 180.0
    sn, cs = np.sin(rad), np.cos(rad)
    # src_dir = rotate((0, -src_w / 2), rad)
    src_dir = np.stack([src_w * 0.5 * sn, -src_w * 0.5 * cs], axis=-1)

    src = np.empty((*batch, 3, 2), dtype=np.float32)
    dst = np.empty((*batch, 3, 2), dtype=np.float32)
    src[..., 0, :] = c
    src[..., 1, :] = c + src_dir
    src[..., 2, :] = _third_point(src[..., 0, :], src[..., 1, :])
    dst[..., 0, :] = (dst_w * 0.5, dst_h * 0.5)
    dst[..., 1, :] = (dst_w * 0.5, dst_h * 0.5 - dst_w * 0.5)
    dst[..., 2, :] = _third_point(dst[..., 0, :], dst[..., 1, :])
    if inv:
        src, dst = dst, src

    # Solve [x y 1] @ M.T = [u v] for the three point pairs.
    a = np.concatenate([src.astype(np.float64), np.ones((*batch, 3, 1))], axis=-1)
    m_t = np.linalg.solve(a, dst.astype(np.float64))  # (..., 3, 2)
    return np.swapaxes(m_t, -1, -2)


def affine_transform(points: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Apply ``(..., 2, 3)`` affine matrices to points ``(..., K, 2)``."""
    p = np.asarray(points, dtype=np.float64)
    t = np.asarray(trans, dtype=np.float64)
    return p @ np.swapaxes(t[..., :, :2], -1, -2) + t[..., None, :, 2]


def transform_preds(
    coords: np.ndarray, center: np.ndarray, scale: np.ndarray, output_size: Sequence[float]
) -> np.ndarray:
    """Official ``transform_preds``: crop coordinates ``(N, K, 2)`` -> original image pixels.

    ``output_size`` is the ``(W, H)`` of the space ``coords`` live in: the input size for SimDR
    (the official SimCC code passes ``IMAGE_SIZE``), the heatmap size for raw heatmap coordinates.
    """
    trans = get_affine_transform(center, scale, 0.0, output_size, inv=True)
    return affine_transform(coords, trans)
