"""Slow per-joint loops that transcribe the official algorithms step by step: test oracles and teaching.

Kept for tests and for reading, never on the training path: they are the ground truth the vectorized
codecs are tested against, and the baseline that ``python -m simdr_lite.bench codecs`` measures them
against. Written for clarity, not speed; inputs
are numpy arrays for one instance: keypoints ``(K, 2)`` in input pixels and visibility ``(K,)``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def heatmap_encode(kp: np.ndarray, vis: np.ndarray, input_size, heatmap_size, sigma: float):
    """HRNet ``generate_target``: integer centre, 6 sigma + 1 patch pasted with clipping."""
    w, h = heatmap_size
    stride = np.array(input_size, dtype=np.float64) / np.array(heatmap_size, dtype=np.float64)
    target = np.zeros((len(kp), h, w), dtype=np.float32)
    weight = (np.asarray(vis) > 0).astype(np.float32)
    tmp = sigma * 3
    for j in range(len(kp)):
        mu_x = int(kp[j][0] / stride[0] + 0.5)
        mu_y = int(kp[j][1] / stride[1] + 0.5)
        ul = [int(mu_x - tmp), int(mu_y - tmp)]
        br = [int(mu_x + tmp + 1), int(mu_y + tmp + 1)]
        if ul[0] >= w or ul[1] >= h or br[0] < 0 or br[1] < 0:
            weight[j] = 0
            continue
        size = 2 * tmp + 1
        x = np.arange(0, size, 1, np.float32)
        y = x[:, None]
        x0 = y0 = size // 2
        g = np.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * sigma**2))
        gx = max(0, -ul[0]), min(br[0], w) - ul[0]
        gy = max(0, -ul[1]), min(br[1], h) - ul[1]
        ix = max(0, ul[0]), min(br[0], w)
        iy = max(0, ul[1]), min(br[1], h)
        if weight[j] > 0.5:
            target[j][iy[0] : iy[1], ix[0] : ix[1]] = g[gy[0] : gy[1], gx[0] : gx[1]]
    return target, weight


def heatmap_decode(hm: np.ndarray, input_size, refine: str | None = "shift"):
    """``get_max_preds`` + quarter-pixel shift (``get_final_preds``), one instance ``(K, h, w)``."""
    k, h, w = hm.shape
    stride = np.array(input_size, dtype=np.float32) / np.array([w, h], dtype=np.float32)
    coords = np.zeros((k, 2), dtype=np.float32)
    maxvals = np.zeros(k, dtype=np.float32)
    for j in range(k):
        idx = int(np.argmax(hm[j]))
        maxvals[j] = hm[j].reshape(-1)[idx]
        if maxvals[j] > 0:
            coords[j] = (idx % w, idx // w)
        if refine == "shift":
            px = int(math.floor(coords[j][0] + 0.5))
            py = int(math.floor(coords[j][1] + 0.5))
            if 1 < px < w - 1 and 1 < py < h - 1:
                m = hm[j]
                diff = np.array([m[py][px + 1] - m[py][px - 1], m[py + 1][px] - m[py - 1][px]])
                coords[j] += np.sign(diff) * 0.25
    return coords * stride, maxvals


def dark_decode(hm: np.ndarray, input_size, kernel: int = 11):
    """DARK: arg-max, full-map Gaussian blur (cv2, zero border), log, Taylor step per joint."""
    k, h, w = hm.shape
    stride = np.array(input_size, dtype=np.float32) / np.array([w, h], dtype=np.float32)
    coords, maxvals = heatmap_decode(hm, input_size, refine=None)
    coords = coords / stride
    border = (kernel - 1) // 2
    for j in range(k):
        origin_max = np.max(hm[j])
        dr = np.zeros((h + 2 * border, w + 2 * border), dtype=np.float32)
        dr[border:-border, border:-border] = hm[j]
        dr = cv2.GaussianBlur(dr, (kernel, kernel), 0)
        b = dr[border:-border, border:-border]
        b = b * (origin_max / np.max(b))
        lg = np.log(np.maximum(b, 1e-10))
        px, py = int(coords[j][0]), int(coords[j][1])
        if 1 < px < w - 2 and 1 < py < h - 2:
            dx = 0.5 * (lg[py][px + 1] - lg[py][px - 1])
            dy = 0.5 * (lg[py + 1][px] - lg[py - 1][px])
            dxx = 0.25 * (lg[py][px + 2] - 2 * lg[py][px] + lg[py][px - 2])
            dxy = 0.25 * (lg[py + 1][px + 1] - lg[py - 1][px + 1] - lg[py + 1][px - 1] + lg[py - 1][px - 1])
            dyy = 0.25 * (lg[py + 2][px] - 2 * lg[py][px] + lg[py - 2][px])
            if dxx * dyy - dxy**2 != 0:
                hess = np.array([[dxx, dxy], [dxy, dyy]])
                coords[j] += -np.linalg.inv(hess) @ np.array([dx, dy])
    return coords * stride, maxvals


def simdr_encode(kp: np.ndarray, vis: np.ndarray, input_size, k: float):
    """``np.around(joints * k)`` + ``filter_target_simdr`` (weight 0 and clamp outside the bins)."""
    kp = np.where((np.asarray(vis) > 0)[:, None], kp, 0.0)
    bins = np.around(kp * k).astype(np.int64)
    limit = (int(input_size[0] * k), int(input_size[1] * k))
    weight = (np.asarray(vis) > 0).astype(np.float32)
    for j in range(len(bins)):
        for a in range(2):
            if bins[j][a] < 0:
                weight[j] = 0
                bins[j][a] = 0
            elif bins[j][a] >= limit[a]:
                weight[j] = 0
                bins[j][a] = limit[a] - 1
    return bins, weight


def simdr_decode(ox: np.ndarray, oy: np.ndarray, k: float, confidence: str = "max"):
    """Softmax, arg-max / k and the official ``max`` (SimDR) or ``min`` (SimDR*) confidence."""
    coords = np.zeros((len(ox), 2), dtype=np.float32)
    scores = np.zeros(len(ox), dtype=np.float32)
    for j in range(len(ox)):
        px = np.exp(ox[j] - ox[j].max())
        px /= px.sum()
        py = np.exp(oy[j] - oy[j].max())
        py /= py.sum()
        coords[j] = (np.argmax(px) / k, np.argmax(py) / k)
        pick = max if confidence == "max" else min
        scores[j] = pick(px.max(), py.max())
    return coords, scores


def sa_simdr_encode(kp: np.ndarray, vis: np.ndarray, input_size, k: float, sigma: float):
    """``generate_sa_simdr``: Gaussian over ``int(W*k)`` bins; pixel-unit weight check."""
    nx, ny = int(input_size[0] * k), int(input_size[1] * k)
    tx = np.zeros((len(kp), nx), dtype=np.float32)
    ty = np.zeros((len(kp), ny), dtype=np.float32)
    weight = (np.asarray(vis) > 0).astype(np.float32)
    tmp = sigma * 3
    for j in range(len(kp)):
        ul = [int(kp[j][0] - tmp), int(kp[j][1] - tmp)]
        br = [int(kp[j][0] + tmp + 1), int(kp[j][1] + tmp + 1)]
        if ul[0] >= input_size[0] or ul[1] >= input_size[1] or br[0] < 0 or br[1] < 0:
            weight[j] = 0
        if weight[j] == 0:
            continue
        mu_x, mu_y = kp[j][0] * k, kp[j][1] * k
        x = np.arange(0, nx, 1, np.float32)
        y = np.arange(0, ny, 1, np.float32)
        norm = sigma * np.sqrt(np.pi * 2)
        tx[j] = np.exp(-((x - mu_x) ** 2) / (2 * sigma**2)) / norm
        ty[j] = np.exp(-((y - mu_y) ** 2) / (2 * sigma**2)) / norm
    return (tx, ty), weight
