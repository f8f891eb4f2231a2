"""Synthetic COCO-format person keypoints: articulated stick figures on cluttered backgrounds.

The low-resolution study of the paper (SimCC, arXiv 2107.03332, Sec. 4.2 / Table 2: SimDR against
heatmaps at 64x64 and 128x128 input) needs a pose data set that downloads nothing and trains on a
CPU in minutes. This module draws one: 17 COCO joints (``simdr_lite.skeletons.COCO`` order) on
figures with human proportions, random joint angles, scale, position and facing (front and back
views, so left/right must be read from the figure, not assumed), 1..``max_persons`` persons per
image, truncation at the borders, occluded (``v=1``) and unlabelled (``v=0``) joints. Every joint is
a disc of a fixed, saturated colour per joint id (``JOINT_COLORS``); limbs, clothes and backgrounds
are muted, so the task is learnable, yet locating a 1-2 pixel disc at 64x64 input is exactly where
quantisation error matters.

The output uses COCO's own layout and JSON schema (``annotations/person_keypoints_{split}.json``,
``images/{split}/%012d.jpg``), so the real-data code paths (pycocotools ``COCO``, ``COCOeval`` with
``iouType='keypoints'``, the official box cleaning) run unchanged on it.

Conventions: image size is ``(W, H)``. Keypoint coordinates are pixel coordinates with pixel
centres on integers (cv2's drawing convention), quantised to 1/16 px (cv2's sub-pixel ``shift=4``)
so that the stored label is exactly the centre of the drawn disc. Joints outside the image and
unlabelled joints are stored as ``0, 0, 0`` as in COCO.

Determinism: each image ``i`` uses ``numpy.random.default_rng([seed, crc32(split), i, stream])``
(stream 0: pose, stream 1: rendering), so the JSON and the JPEG bytes depend only on
``(seed, split, image_size, max_persons)`` and not on the number of worker processes.
The split name is part of the seed: ``train`` and ``val`` sets made with the same ``seed`` differ.

Differs from COCO: ``area`` is not a mask area (there are no masks) but ``AREA_FILL`` times the
clipped box area, close to the person-mask/box ratio of real COCO persons, so that OKS scales
(``s**2 = area``) are realistic; ``segmentation`` is an empty list.
"""

from __future__ import annotations

import json
import os
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from simdr_lite.skeletons import COCO

__all__ = [
    "AREA_FILL",
    "GENERATOR_VERSION",
    "JOINT_COLORS",
    "SyntheticSplit",
    "make_synthetic_coco",
    "synthetic_annotations",
    "synthetic_image",
]

GENERATOR_VERSION = 1  # bump when the output for a given seed changes (invalidates manifests)
AREA_FILL = 0.55  # annotation area = AREA_FILL * clipped box area (real COCO persons: ~0.5-0.6)
P_OCCLUDED = 0.10  # chance that a labelled, in-image joint is partly covered (v=1)
P_MISSING = 0.05  # chance that a joint is fully covered and left unlabelled (v=0)

_SHIFT = 4  # cv2 sub-pixel bits: coordinates are stored and drawn on a 1/16 px grid
_ONE = 1 << _SHIFT
_K = COCO.num_joints

# Body proportions as fractions of the body height Hb (head top to ankles is about 0.97 Hb).
_TORSO = 0.30  # shoulder midpoint to hip midpoint
_SHOULDER_HALF, _HIP_HALF = 0.115, 0.085
_UPPER_ARM, _FOREARM, _THIGH, _SHIN = 0.165, 0.145, 0.235, 0.235
_HEAD_CENTER, _HEAD_RADIUS = 0.13, 0.075  # along the head axis from the shoulder midpoint

# Layout of the per-person uniform draws (one row of _NU numbers in [0, 1) per person).
_U_HEIGHT, _U_X, _U_TOP, _U_LEAN, _U_BACK, _U_YAW, _U_TILT = range(7)
_U_ARM = slice(7, 9)  # shoulder angle, (left, right)
_U_ELBOW = slice(9, 11)
_U_HIP = slice(11, 13)
_U_KNEE = slice(13, 15)
_U_FORE = slice(15, 23)  # foreshortening of upper arm, forearm, thigh, shin (left, right) each
_U_OCC = slice(23, 23 + _K)
_U_MISS = slice(23 + _K, 23 + 2 * _K)
_NU = 23 + 2 * _K

_LEFT = np.array([1, 3, 5, 7, 9, 11, 13, 15])
_RIGHT = _LEFT + 1


def _joint_colors() -> np.ndarray:
    """(17, 3) uint8 RGB. Nose white; left joints bright hues 45 deg apart; right joints darker,
    hue-shifted by 22.5 deg, so each left/right pair differs in hue and brightness."""
    hsv = np.zeros((_K, 1, 3), np.uint8)  # OpenCV HSV: H in [0, 180), S, V in [0, 255]
    k = np.arange(8)
    hsv[_LEFT, 0] = np.stack([k * 45 // 2, np.full(8, 255), np.full(8, 255)], 1)
    hsv[_RIGHT, 0] = np.stack([(k * 45 + 22) // 2 + 1, np.full(8, 255), np.full(8, 150)], 1)
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[:, 0]
    rgb[0] = 255
    return rgb


JOINT_COLORS = _joint_colors()
JOINT_COLORS.setflags(write=False)


@dataclass(frozen=True)
class SyntheticSplit:
    """Where :func:`make_synthetic_coco` put one split, and what it holds."""

    root: Path
    split: str
    ann_file: Path  # root/annotations/person_keypoints_{split}.json
    image_dir: Path  # root/images/{split}
    num_images: int
    num_persons: int
    image_size: tuple[int, int]  # (W, H)
    generated: bool  # False when an identical set was already on disk (nothing was written)


@dataclass(frozen=True)
class _Poses:
    """All persons of a set, image-major. P persons, K=17 joints."""

    joints: np.ndarray  # (P, K, 2) float64 true positions (also hidden / outside joints)
    vis: np.ndarray  # (P, K) int64 COCO v flag: 2 visible, 1 occluded, 0 unlabelled
    drawn: np.ndarray  # (P, K) bool: the disc is painted (v=0 'missing' ones get covered)
    height: np.ndarray  # (P,) body height Hb in px
    head: np.ndarray  # (P, 3) head circle (x, y, radius)
    bbox: np.ndarray  # (P, 4) x, y, w, h clipped to the image
    offsets: np.ndarray  # (num_images + 1,) persons of image i are rows offsets[i]:offsets[i+1]


# ---------------------------------------------------------------------------------------------
# argument checks


def _check_args(num_images: int, seed: int, image_size, max_persons: int, split: str = "train"):
    if isinstance(num_images, bool) or not isinstance(num_images, (int, np.integer)):
        raise ValueError(f"num_images must be an int >= 1, got {num_images!r}")
    if num_images < 1:
        raise ValueError(f"num_images must be >= 1, got {num_images}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    try:
        w, h = image_size
    except (TypeError, ValueError):
        raise ValueError(f"image_size must be a pair (W, H) of ints, got {image_size!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (w, h)):
        raise ValueError(f"image_size must be a pair (W, H) of ints, got {image_size!r}")
    if min(w, h) < 32 or max(w, h) > 4096:
        raise ValueError(f"image_size (W, H) must lie in [32, 4096] each, got {image_size!r}")
    if isinstance(max_persons, bool) or not isinstance(max_persons, (int, np.integer)):
        raise ValueError(f"max_persons must be an int in [1, 10], got {max_persons!r}")
    if not 1 <= max_persons <= 10:
        raise ValueError(f"max_persons must be in [1, 10], got {max_persons}")
    if not isinstance(split, str) or not split or not split.replace("_", "").isalnum():
        raise ValueError(f"split must be a non-empty alphanumeric name like 'train', got {split!r}")
    return int(num_images), int(seed), (int(w), int(h)), int(max_persons)


def _rng(seed: int, split: str, index: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(split.encode()), index, stream])


# ---------------------------------------------------------------------------------------------
# poses


def _sample_poses(
    num_images: int,
    seed: int,
    split: str,
    image_size: tuple[int, int],
    max_persons: int,
    first: int = 0,
) -> _Poses:
    """Poses of images ``first .. first + num_images - 1``.

    Forward kinematics of every person at once; only the random draws are per image.
    """
    W, H = image_size
    counts = np.empty(num_images, np.int64)
    draws = np.empty((num_images, max_persons, _NU))
    for i in range(num_images):  # per-image streams keep any subset of images reproducible
        rng = _rng(seed, split, first + i, 0)
        counts[i] = rng.integers(1, max_persons + 1)
        draws[i] = rng.random((max_persons, _NU))
    used = np.arange(max_persons)[None, :] < counts[:, None]  # (N, M)
    u = draws[used]  # (P, _NU)
    slot = np.broadcast_to(np.arange(max_persons), used.shape)[used]  # (P,)
    nper = counts[np.repeat(np.arange(num_images), counts)]  # (P,)
    rad = np.deg2rad

    hb = H * (0.40 + 0.50 * u[:, _U_HEIGHT])  # person height 40-90% of the image height
    slot_w = W / nper
    cx = (slot + 0.5) * slot_w + (u[:, _U_X] - 0.5) * 0.7 * slot_w
    top = -0.1 * hb + u[:, _U_TOP] * (H - 0.8 * hb)  # head top; feet or head may leave the image
    lean = rad(-20 + 40 * u[:, _U_LEAN])
    back = u[:, _U_BACK] < 0.15  # seen from behind: the person's left is on the image left
    yaw = rad(-70 + 140 * u[:, _U_YAW])
    tilt = rad(-20 + 40 * u[:, _U_TILT])

    down = np.stack([-np.sin(lean), np.cos(lean)], -1)  # (P, 2) torso axis, image y points down
    right = np.stack([np.cos(lean), np.sin(lean)], -1)  # image-right direction of the torso
    left_dir = np.where(back[:, None], -right, right)  # the person's left, in the image
    sides = np.stack([left_dir, -left_dir], 1)  # (P, 2 sides, 2) outward unit vector, (L, R)
    width = 0.35 + 0.65 * np.abs(np.cos(yaw))  # shoulders and hips narrow as the body turns
    L = hb[:, None]  # (P, 1) lengths scale with the body height

    pelvis = np.stack([cx, top + 0.50 * hb], -1)
    neck = pelvis - down * (_TORSO * hb)[:, None]
    hips = pelvis[:, None] + sides * (_HIP_HALF * hb * width)[:, None, None]  # (P, 2, 2)
    shoulders = neck[:, None] + sides * (_SHOULDER_HALF * hb * width)[:, None, None]

    def direction(angle):  # angle (P, 2) from the torso's down axis, towards each side's outside
        return np.cos(angle)[..., None] * down[:, None] + np.sin(angle)[..., None] * sides

    fore = 0.65 + 0.35 * u[:, _U_FORE].reshape(-1, 4, 2)  # (P, segment, side) foreshortening
    a_arm = rad(-20 + 190 * u[:, _U_ARM])  # 0: hanging, 90: sideways, 170: raised
    a_fore = a_arm + rad(-150 + 210 * u[:, _U_ELBOW])
    a_thigh = rad(-25 + 100 * u[:, _U_HIP])
    a_shin = a_thigh + rad(-70 + 120 * u[:, _U_KNEE])
    elbows = shoulders + direction(a_arm) * (_UPPER_ARM * L * fore[:, 0])[..., None]
    wrists = elbows + direction(a_fore) * (_FOREARM * L * fore[:, 1])[..., None]
    knees = hips + direction(a_thigh) * (_THIGH * L * fore[:, 2])[..., None]
    ankles = knees + direction(a_shin) * (_SHIN * L * fore[:, 3])[..., None]

    # Head: its own axis (tilt), the face slides towards the side the person turns to.
    up_h = -(np.cos(tilt)[:, None] * down + np.sin(tilt)[:, None] * right)  # (P, 2)
    turn = np.sin(yaw)[:, None] * left_dir  # (P, 2) face shift; yaw > 0 turns to the left
    face_w = np.abs(np.cos(yaw))[:, None, None]
    head_c = neck + up_h * (_HEAD_CENTER * L)
    nose = neck + up_h * (0.12 * L) + turn * (0.035 * L)
    eyes = (nose + up_h * (0.03 * L))[:, None] + sides * face_w * (0.028 * L)[..., None]
    eyes = eyes + (turn * (0.01 * L))[:, None]
    ears = (
        (neck + up_h * (0.135 * L))[:, None]
        + sides * (0.25 + 0.75 * face_w) * (0.062 * L)[..., None]
        - (turn * (0.02 * L))[:, None]
    )

    joints = np.empty((len(u), _K, 2))
    joints[:, 0] = nose
    pairs = (eyes, ears, shoulders, elbows, wrists, hips, knees, ankles)  # each (P, 2 sides, 2)
    for pos, arr in zip(range(1, 17, 2), pairs, strict=True):
        joints[:, pos : pos + 2] = arr  # (left, right) pairs are adjacent in COCO order
    joints = np.round(joints * _ONE) / _ONE

    # Visibility. Hidden by the head itself: the face from behind, the far ear of a turned head.
    hidden = np.zeros((len(u), _K), bool)
    hidden[:, :3] = back[:, None]
    hidden[:, 3] = yaw > rad(45)
    hidden[:, 4] = yaw < -rad(45)
    inside = (joints[..., 0] >= 0) & (joints[..., 0] < W) & (joints[..., 1] >= 0)
    inside &= joints[..., 1] < H
    occluded = u[:, _U_OCC] < P_OCCLUDED
    missing = u[:, _U_MISS] < P_MISSING
    vis = np.where(occluded, 1, 2)
    vis = np.where(missing | hidden | ~inside, 0, vis)
    drawn = ~hidden

    # Box: the whole figure (joints, head circle, limb thickness), clipped to the image.
    head_r = _HEAD_RADIUS * hb
    lo = np.minimum(joints.min(1), head_c - head_r[:, None]) - (0.03 * L)
    hi = np.maximum(joints.max(1), head_c + head_r[:, None]) + (0.03 * L)
    lo = np.clip(lo, 0, [W, H])
    hi = np.clip(hi, 0, [W, H])
    bbox = np.round(np.concatenate([lo, hi - lo], 1), 2)

    offsets = np.concatenate([[0], np.cumsum(counts)])
    head = np.concatenate([head_c, head_r[:, None]], 1)
    return _Poses(joints, vis, drawn, hb, head, bbox, offsets)


def _coco_dict(poses: _Poses, image_size: tuple[int, int], description: str) -> dict:
    W, H = image_size
    kp = np.concatenate([poses.joints, poses.vis[..., None]], -1)  # (P, K, 3)
    kp[poses.vis == 0] = 0
    num_kp = (poses.vis > 0).sum(1)
    area = np.round(AREA_FILL * poses.bbox[:, 2] * poses.bbox[:, 3], 2)
    n_img = len(poses.offsets) - 1
    images = [
        {"id": i + 1, "file_name": f"{i + 1:012d}.jpg", "width": W, "height": H}
        for i in range(n_img)
    ]
    image_of = np.repeat(np.arange(n_img), np.diff(poses.offsets))
    anns = [
        {
            "id": j + 1,
            "image_id": int(image_of[j]) + 1,
            "category_id": 1,
            "keypoints": [float(v) if v % 1 else int(v) for v in kp[j].ravel()],
            "num_keypoints": int(num_kp[j]),
            "bbox": [float(v) for v in poses.bbox[j]],
            "area": float(area[j]),
            "iscrowd": 0,
            "segmentation": [],
        }
        for j in range(len(kp))
    ]
    category = {
        "id": 1,
        "name": "person",
        "supercategory": "person",
        "keypoints": list(COCO.keypoints),
        "skeleton": [[a + 1, b + 1] for a, b in COCO.edges],
    }
    info = {"description": description, "version": str(GENERATOR_VERSION)}
    return {"info": info, "licenses": [], "images": images, "annotations": anns,
            "categories": [category]}  # fmt: skip


def synthetic_annotations(
    num_images: int,
    *,
    seed: int = 0,
    split: str = "train",
    image_size: tuple[int, int] = (256, 256),
    max_persons: int = 3,
) -> dict:
    """COCO person-keypoints JSON dict of a synthetic set, without rendering any image.

    Same poses, boxes, areas and flags as :func:`make_synthetic_coco` with the same
    ``(num_images, seed, split, image_size, max_persons)``; image ``i`` (0-based) has id ``i + 1``
    and file name ``f"{i + 1:012d}.jpg"``. About 10k images per second; meant for studies that
    need only coordinates (e.g. the quantisation-error study of the paper's Sec. 3 / App. D).
    """
    num_images, seed, image_size, max_persons = _check_args(
        num_images, seed, image_size, max_persons, split
    )
    poses = _sample_poses(num_images, seed, split, image_size, max_persons)
    return _coco_dict(poses, image_size, _description(seed, split, max_persons))


def _description(seed: int, split: str, max_persons: int) -> str:
    return (
        f"simdr-lite synthetic person keypoints (seed={seed}, split={split}, "
        f"max_persons={max_persons})"
    )


# ---------------------------------------------------------------------------------------------
# rendering


def _muted(rng: np.random.Generator, n: int = 1) -> np.ndarray:
    """(n, 3) low-saturation colours: joints are the only saturated things in the picture."""
    grey = rng.uniform(35, 220, (n, 1))
    return np.clip(grey + rng.uniform(-28, 28, (n, 3)), 0, 255)


def _px(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0] * _ONE)), int(round(p[1] * _ONE))


def _background(rng: np.random.Generator, W: int, H: int) -> np.ndarray:
    c0, c1 = _muted(rng, 2)
    ang = rng.uniform(0, 2 * np.pi)
    t = np.cos(ang) * np.linspace(0, 1, W)[None, :] + np.sin(ang) * np.linspace(0, 1, H)[:, None]
    t = (t - t.min()) / max(np.ptp(t), 1e-6)
    img = c0 + t[..., None].astype(np.float32) * (c1 - c0).astype(np.float32)  # (H, W, 3)
    g = int(rng.integers(2, 9))
    blobs = rng.random((g, g, 3), dtype=np.float32) * 0.3  # mostly grey, slightly tinted
    blobs += rng.random((g, g, 1), dtype=np.float32) - 0.65
    blobs = cv2.resize(blobs, (W, H), interpolation=cv2.INTER_CUBIC)
    img += blobs * rng.uniform(40, 110)
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(2, 8))):  # clutter: boxes and sticks in muted colours
        x1, x2 = np.sort(rng.uniform(-0.1, 1.1, 2) * W)
        y1, y2 = np.sort(rng.uniform(-0.1, 1.1, 2) * H)
        cv2.rectangle(img, _px((x1, y1)), _px((x2, y2)), _muted(rng)[0].tolist(), -1,
                      cv2.LINE_AA, _SHIFT)  # fmt: skip
    for _ in range(int(rng.integers(0, 5))):
        a, b = rng.uniform(0, 1, (2, 2)) * (W, H)
        cv2.line(img, _px(a), _px(b), _muted(rng)[0].tolist(), int(rng.integers(1, 7)),
                 cv2.LINE_AA, _SHIFT)  # fmt: skip
    img = cv2.GaussianBlur(img, (3, 3), 0)
    noise = rng.standard_normal((H, W, 3), dtype=np.float32) * rng.uniform(2, 8)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


_SKIN = np.array([[255, 219, 172], [241, 194, 125], [224, 172, 105], [198, 134, 66],
                  [141, 85, 36], [92, 60, 40]], float)  # fmt: skip


def _draw_person(img, joints, drawn, hb, head, rng) -> float:
    """Paint one figure; return the joint disc radius in px."""
    cloth, legs = _muted(rng, 2).tolist()
    skin = np.clip(_SKIN[rng.integers(len(_SKIN))] + rng.uniform(-12, 12, 3), 0, 255).tolist()
    thick = rng.uniform(0.8, 1.25)
    t_arm = max(2, int(round(0.05 * hb * thick)))
    t_leg = max(2, int(round(0.065 * hb * thick)))
    p = [_px(q) for q in joints]
    aa = cv2.LINE_AA
    for a, b in ((11, 13), (13, 15), (12, 14), (14, 16)):
        cv2.line(img, p[a], p[b], legs, t_leg, aa, _SHIFT)
    torso = np.array([p[5], p[6], p[12], p[11]], np.int32)
    cv2.fillConvexPoly(img, torso, cloth, aa, _SHIFT)
    cv2.polylines(img, [torso], True, cloth, t_arm, aa, _SHIFT)
    for a, b in ((5, 7), (7, 9), (6, 8), (8, 10)):
        cv2.line(img, p[a], p[b], cloth if a in (5, 6) else skin, t_arm, aa, _SHIFT)
    neck = (joints[5] + joints[6]) / 2
    cv2.line(img, _px(neck), _px(head[:2]), skin, t_arm, aa, _SHIFT)
    cv2.circle(img, _px(head[:2]), int(round(head[2] * _ONE)), skin, -1, aa, _SHIFT)
    r = max(1.5, 0.025 * hb)
    for k in np.flatnonzero(drawn):
        rk = r * (0.7 if k < 5 else 1.0)  # face joints are smaller
        cv2.circle(img, p[k], int(round((rk + 1) * _ONE)), (20, 20, 20), -1, aa, _SHIFT)
        cv2.circle(img, p[k], int(round(rk * _ONE)), JOINT_COLORS[k].tolist(), -1, aa, _SHIFT)
    return r


def _render(poses_img: tuple, image_size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """(H, W, 3) uint8 RGB picture of one image's persons (arrays sliced from ``_Poses``)."""
    W, H = image_size
    joints, vis, drawn, height, head = poses_img
    img = _background(rng, W, H)
    radii = [
        _draw_person(img, *args, rng) for args in zip(joints, drawn, height, head, strict=True)
    ]
    for j, r in enumerate(radii):  # occluders go on top of every figure
        for k in np.flatnonzero(drawn[j] & (vis[j] < 2)):
            inside = 0 <= joints[j, k, 0] < W and 0 <= joints[j, k, 1] < H
            if not inside:
                continue
            if vis[j, k] == 1:  # partly covered: a patch beside the joint overlapping its disc
                phi = rng.uniform(0, 2 * np.pi)
                c = joints[j, k] + r * rng.uniform(0.6, 1.0) * np.array([np.cos(phi), np.sin(phi)])
                ro = r * rng.uniform(0.9, 1.2)
            else:  # unlabelled: fully covered
                c, ro = joints[j, k], 1.6 * r + 1.5
            cv2.circle(img, _px(c), int(round(ro * _ONE)), _muted(rng)[0].tolist(), -1,
                       cv2.LINE_AA, _SHIFT)  # fmt: skip
    return img


def _image_slice(poses: _Poses, i: int) -> tuple:
    s = slice(poses.offsets[i], poses.offsets[i + 1])
    return poses.joints[s], poses.vis[s], poses.drawn[s], poses.height[s], poses.head[s]


def synthetic_image(
    index: int,
    *,
    seed: int = 0,
    split: str = "train",
    image_size: tuple[int, int] = (256, 256),
    max_persons: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Render image ``index`` (0-based) of a synthetic set in memory, without writing anything.

    Returns ``(image (H, W, 3) uint8 RGB, keypoints (n, 17, 3) float64 x, y, v)`` with the same
    content as the files of :func:`make_synthetic_coco` (before JPEG compression).
    """
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
        raise ValueError(f"index must be a non-negative int, got {index!r}")
    _, seed, image_size, max_persons = _check_args(index + 1, seed, image_size, max_persons, split)
    poses = _sample_poses(1, seed, split, image_size, max_persons, first=int(index))
    part = _image_slice(poses, 0)
    img = _render(part, image_size, _rng(seed, split, index, 1))
    kp = np.concatenate([part[0], part[1][..., None]], -1)
    kp[part[1] == 0] = 0
    return img, kp


# ---------------------------------------------------------------------------------------------
# writing a data set


_JPEG_QUALITY = 92


def _write_images(job: tuple) -> None:
    """Worker: render and save a chunk of images (top level so that it pickles)."""
    cv2.setNumThreads(1)
    image_dir, seed, split, image_size, items = job
    for index, part in items:
        img = _render(part, image_size, _rng(seed, split, index, 1))
        ok, buf = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
        if not ok:
            raise RuntimeError(f"JPEG encoding failed for synthetic image {index}")
        Path(image_dir, f"{index + 1:012d}.jpg").write_bytes(buf.tobytes())


def _manifest(num_images, seed, split, image_size, max_persons) -> dict:
    return {"generator": "simdr_lite.data.synthetic", "version": GENERATOR_VERSION,
            "num_images": num_images, "seed": seed, "split": split,
            "image_size": list(image_size), "max_persons": max_persons,
            "jpeg_quality": _JPEG_QUALITY}  # fmt: skip


def _write_json_atomic(path: Path, obj: dict) -> None:
    # one temporary name per process: the local rank 0 of several nodes may write the same set at once
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, separators=(",", ":")))
    os.replace(tmp, path)


def make_synthetic_coco(
    root: str | os.PathLike,
    num_images: int,
    *,
    split: str = "train",
    seed: int = 0,
    image_size: tuple[int, int] = (256, 256),
    max_persons: int = 3,
    workers: int | None = None,
) -> SyntheticSplit:
    """Write a synthetic COCO person-keypoints split under ``root`` (COCO's own layout).

    Writes ``root/annotations/person_keypoints_{split}.json`` (same dict as
    :func:`synthetic_annotations`) and ``root/images/{split}/%012d.jpg`` (image id ``i + 1``),
    and last a manifest ``root/annotations/.synthetic_{split}.json``. If the manifest says the
    same parameters were already generated and the files are there, nothing is written
    (``generated=False``), so notebooks can call this freely.

    Args:
        root: data set folder, e.g. ``data/synthetic``.
        num_images: number of images (>= 1).
        split: split name, part of the file names and of the random seed.
        seed: non-negative int; with ``split``, ``image_size`` and ``max_persons`` it fixes every
            byte of the output.
        image_size: ``(W, H)``, each in [32, 4096].
        max_persons: persons per image are drawn uniformly from ``1..max_persons``.
        workers: processes used for rendering; ``None`` = all CPUs (at most 8) for sets of 64+
            images, ``0``/``1`` = in this process. The output does not depend on it.
    """
    num_images, seed, image_size, max_persons = _check_args(
        num_images, seed, image_size, max_persons, split
    )
    if workers is not None and (not isinstance(workers, int) or workers < 0):
        raise ValueError(f"workers must be None or an int >= 0, got {workers!r}")
    root = Path(root)
    ann_dir, image_dir = root / "annotations", root / "images" / split
    ann_file = ann_dir / f"person_keypoints_{split}.json"
    manifest_file = ann_dir / f".synthetic_{split}.json"
    wanted = _manifest(num_images, seed, split, image_size, max_persons)

    old = None
    if manifest_file.is_file():
        try:
            old = json.loads(manifest_file.read_text())
        except (OSError, ValueError):
            old = None
    if old is not None and old.get("manifest") == wanted and ann_file.is_file():
        last = image_dir / f"{num_images:012d}.jpg"
        if last.is_file() and (image_dir / f"{1:012d}.jpg").is_file():
            return SyntheticSplit(root, split, ann_file, image_dir, num_images,
                                  int(old["num_persons"]), image_size, False)  # fmt: skip

    ann_dir.mkdir(parents=True, exist_ok=True)
    image_dir.mkdir(parents=True, exist_ok=True)
    manifest_file.unlink(missing_ok=True)
    if old is not None:  # a smaller set replaces a larger one: drop the images it no longer has
        for i in range(num_images, int(old.get("manifest", {}).get("num_images", 0))):
            (image_dir / f"{i + 1:012d}.jpg").unlink(missing_ok=True)

    poses = _sample_poses(num_images, seed, split, image_size, max_persons)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if num_images >= 64 else 1
    workers = max(1, min(workers, num_images))
    n_chunks = workers * 4 if workers > 1 else 1
    bounds = np.linspace(0, num_images, n_chunks + 1).astype(int)
    jobs = [
        (str(image_dir), seed, split, image_size,
         [(i, _image_slice(poses, i)) for i in range(a, b)])
        for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a
    ]  # fmt: skip
    if workers == 1:
        for job in jobs:
            _write_images(job)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_write_images, jobs))

    coco = _coco_dict(poses, image_size, _description(seed, split, max_persons))
    _write_json_atomic(ann_file, coco)
    num_persons = len(coco["annotations"])
    _write_json_atomic(manifest_file, {"manifest": wanted, "num_persons": num_persons})
    return SyntheticSplit(
        root, split, ann_file, image_dir, num_images, num_persons, image_size, True
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m simdr_lite.data.synthetic ROOT -n 1000 --workers 2``: write a split, time it."""
    import argparse
    import time

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("root", help="output folder, e.g. data/synthetic")
    ap.add_argument("-n", "--num-images", type=int, default=1000)
    ap.add_argument("--split", default="train")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", type=int, nargs=2, default=(256, 256), metavar=("W", "H"))
    ap.add_argument("--max-persons", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = make_synthetic_coco(a.root, a.num_images, split=a.split, seed=a.seed,
                              image_size=tuple(a.size), max_persons=a.max_persons,
                              workers=a.workers)  # fmt: skip
    dt = time.perf_counter() - t0
    verb = "wrote" if out.generated else "already there:"
    print(f"{verb} {out.num_images} images, {out.num_persons} persons -> {out.ann_file} "
          f"({dt:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
