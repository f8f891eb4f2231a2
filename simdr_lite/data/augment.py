"""Top-down training augmentation, one small function per transform (official ``JointsDataset``).

The official ``__getitem__`` (leeyegy/SimCC ``lib/dataset/JointsDataset.py``; spec sheet Sec. 5) does,
for a training sample with box centre ``c`` and scale ``s`` (box size / 200):

1. half body (:func:`half_body`) when more than ``num_joints_half_body`` joints are visible and
   ``rand < prob_half_body``;
2. random scale (:func:`random_scale`): ``s * clip(randn * sf + 1, 1 - sf, 1 + sf)``;
3. random rotation (:func:`random_rotation`): ``clip(randn * rf, -2 rf, 2 rf)`` with probability 0.6;
4. horizontal flip (:func:`random_flip`) with probability 0.5: image mirrored, ``x -> width - x - 1``
   for joints and ``c[0]``, left/right joints swapped (:func:`flip_joints`);
5. one ``cv2.warpAffine(INTER_LINEAR)`` into the ``(W, H)`` input crop (:func:`warp_image`), joints
   mapped by the same affine (:func:`transform_joints`); ImageNet normalisation of a batch
   (:func:`normalize_batch`).

:func:`sample_augmentation` draws steps 1-4, :func:`apply_augmentation` performs step 5 with the flip
folded into the single affine matrix (:func:`crop_matrix`), so the image is resampled exactly once.

Reduced-scale decoding: given a :class:`~simdr_lite.data.io.LazyImage` (a JPEG not yet decoded) instead
of an array, :func:`apply_augmentation` computes the affine map first, picks the scale factor ``f`` in
{1, 2, 4, 8} with :func:`decode_factor` (the largest ``f`` not above the map's downsampling), has the
JPEG decoded at ``1/f`` by libjpeg's DCT scaling and warps that smaller image with the map composed
with :func:`reduced_to_original`. The joints use the unscaled map, so they are unchanged; the flip's
mirror uses the original width. See :func:`decode_factor` for why no quality is lost.

Differs from official: randomness comes from an explicit ``np.random.Generator`` per sample
(:func:`sample_rng`, seeded from ``(seed, epoch, index)``) instead of the global ``np.random`` /
``random`` state, so DataLoader workers are deterministic and independent. The distributions are the
same. Invisible joints are set to 0 in the crop (the official code leaves them untransformed; their
weight is 0 either way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import torch

from simdr_lite.geometry import PIXEL_STD, affine_transform, get_affine_transform

from .io import LazyImage

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
HALF_BODY_PADDING = 1.5


@dataclass(frozen=True)
class AugmentConfig:
    """Training augmentation knobs (official ``DATASET.*`` keys). Defaults: HRNet on COCO."""

    scale_factor: float = 0.35  # SCALE_FACTOR
    rotation_factor: float = 45.0  # ROT_FACTOR (degrees)
    flip: bool = True  # FLIP
    prob_half_body: float = 0.3  # PROB_HALF_BODY (<= 0 disables)
    num_joints_half_body: int = 8  # NUM_JOINTS_HALF_BODY
    rotation_prob: float = 0.6  # hard-coded in the official code
    flip_prob: float = 0.5  # hard-coded in the official code

    @classmethod
    def for_family(cls, family: str) -> AugmentConfig:
        """Official settings of a config family: ``"resnet"``, ``"hrnet"`` (COCO) or ``"mpii"``."""
        if family not in FAMILY_PRESETS:
            raise ValueError(f"unknown family {family!r}; choose one of {sorted(FAMILY_PRESETS)}")
        return replace(cls(), **FAMILY_PRESETS[family]["augment"])


# Spec sheet Sec. 1, "Shared settings per family".
FAMILY_PRESETS: dict[str, dict] = {
    "resnet": {"color_rgb": False, "augment": {"scale_factor": 0.3, "rotation_factor": 40.0,
                                                 "prob_half_body": 0.0}},
    "hrnet": {"color_rgb": True, "augment": {"scale_factor": 0.35, "rotation_factor": 45.0,
                                               "prob_half_body": 0.3}},
    "mpii": {"color_rgb": True, "augment": {"scale_factor": 0.25, "rotation_factor": 30.0,
                                              "prob_half_body": -1.0}},
}


@dataclass(frozen=True)
class Augmentation:
    """The drawn parameters of one training sample (all in original-image pixels)."""

    center: np.ndarray  # (2,) crop centre before the flip
    scale: np.ndarray  # (2,) crop size / 200
    rotation: float = 0.0  # degrees, counter-clockwise in the image as in the official code
    flip: bool = False
    half_body: bool = False


def sample_rng(seed: int, epoch: int, index: int) -> np.random.Generator:
    """Independent, reproducible generator for sample ``index`` of ``epoch`` (any worker, any order)."""
    return np.random.default_rng([int(seed), int(epoch), int(index)])


def random_scale(rng: np.random.Generator, scale: np.ndarray, scale_factor: float) -> np.ndarray:
    """Official scale jitter: ``scale * clip(randn * sf + 1, 1 - sf, 1 + sf)``."""
    sf = float(scale_factor)
    return np.asarray(scale, np.float32) * np.float32(np.clip(rng.standard_normal() * sf + 1, 1 - sf, 1 + sf))


def random_rotation(rng: np.random.Generator, rotation_factor: float, prob: float = 0.6) -> float:
    """Official rotation: ``clip(randn * rf, -2 rf, 2 rf)`` degrees with probability ``prob``, else 0."""
    rf = float(rotation_factor)
    r = float(np.clip(rng.standard_normal() * rf, -2 * rf, 2 * rf))
    return r if rng.random() <= prob else 0.0


def random_flip(rng: np.random.Generator, prob: float = 0.5) -> bool:
    """Official horizontal flip decision (``random() <= 0.5``)."""
    return bool(rng.random() <= prob)


def half_body(
    rng: np.random.Generator,
    joints: np.ndarray,
    visible: np.ndarray,
    upper_body: Sequence[int],
    aspect_ratio: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Official ``half_body_transform``: centre/scale of the upper or lower body, or ``None``.

    The upper set is chosen if ``randn < 0.5`` (P ~ 0.69) and it has more than 2 visible joints,
    otherwise the lower set if it has more than 2, otherwise the upper set. With fewer than 2 joints in
    the chosen set it returns ``None``. The joints' bounding box is grown to ``aspect_ratio = W / H``,
    then ``scale = [w, h] / 200 * 1.5``; the centre is the joints' mean (not the box centre).
    """
    vis = np.asarray(visible) > 0
    is_upper = np.zeros(len(vis), dtype=bool)
    is_upper[list(upper_body)] = True
    upper, lower = vis & is_upper, vis & ~is_upper
    pick_upper = rng.standard_normal() < 0.5 and upper.sum() > 2
    chosen = upper if pick_upper else (lower if lower.sum() > 2 else upper)
    if chosen.sum() < 2:
        return None
    pts = np.asarray(joints, np.float32)[chosen, :2]
    center = pts.mean(axis=0)
    w, h = pts.max(axis=0) - pts.min(axis=0)
    if w > aspect_ratio * h:
        h = w / aspect_ratio
    elif w < aspect_ratio * h:
        w = h * aspect_ratio
    scale = np.array([w / PIXEL_STD, h / PIXEL_STD], dtype=np.float32) * HALF_BODY_PADDING
    return center.astype(np.float32), scale.astype(np.float32)


def flip_joints(
    joints: np.ndarray, visible: np.ndarray, width: int, flip_index: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Official ``fliplr_joints``: ``x -> width - x - 1``, swap left/right, zero invisible joints."""
    j = np.array(joints, dtype=np.float32)
    j[..., 0] = width - j[..., 0] - 1
    j, v = j[..., flip_index, :], np.asarray(visible, np.float32)[..., flip_index]
    return j * (v[..., None] > 0), v


def flip_center(center: np.ndarray, width: int) -> np.ndarray:
    """Crop centre after a horizontal flip of an image ``width`` pixels wide (official ``c[0]``)."""
    c = np.array(center, dtype=np.float32)
    c[..., 0] = width - c[..., 0] - 1
    return c


def crop_matrix(
    center: np.ndarray,
    scale: np.ndarray,
    rotation: float,
    input_size: Sequence[int],
    flip_width: int | None = None,
) -> np.ndarray:
    """``(2, 3)`` affine from the *original* image to the crop; with ``flip_width`` the horizontal
    mirror ``x -> flip_width - 1 - x`` is applied first (``center`` is then the flipped-image centre).

    Warping the original image with this matrix equals the official "mirror the image, then warp"
    (up to float rounding) while touching the pixels only once.
    """
    trans = get_affine_transform(center, scale, rotation, input_size)
    return trans if flip_width is None else trans @ _mirror(flip_width)


def _mirror(width: int) -> np.ndarray:
    return np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


DECODE_FACTORS = (8, 4, 2)  # libjpeg's DCT scalings below 1 that OpenCV exposes (1/8, 1/4, 1/2)


def downsampling(trans: np.ndarray) -> float:
    """Original-image pixels per crop pixel along the *least* downsampled direction of a ``(2, 3)``
    affine map: ``1 / sigma_max`` of its linear part (closed form for 2x2)."""
    a, b, c, d = (float(v) for v in np.asarray(trans, np.float64)[:2, :2].ravel())
    sq = a * a + b * b + c * c + d * d
    det = a * d - b * c
    sigma_max = np.sqrt(0.5 * (sq + np.sqrt(max(sq * sq - 4.0 * det * det, 0.0))))
    return float("inf") if sigma_max == 0 else 1.0 / sigma_max


def decode_factor(trans: np.ndarray, max_factor: int = 8, margin: float = 1.0) -> int:
    """The JPEG decode scale ``f`` for warping with ``trans`` (original image -> crop): the largest of
    1, 2, 4, 8 (up to ``max_factor``) with ``f * margin <= downsampling(trans)``.

    Why ``margin = 1`` loses no quality: with ``f`` at most the downsampling, the reduced image still
    has at least one pixel per crop pixel in every direction, and each reduced pixel is (close to) the
    mean of its ``f x f`` block, i.e. a low-pass filter below the crop's own Nyquist frequency. The
    full-resolution ``INTER_LINEAR`` warp, in contrast, point-samples and aliases. Measured against
    an ideal crop (mean of 8x8 sub-samples over each crop pixel's footprint) on 640x480 q90 1/f-noise
    JPEGs, the reduced-decode crop is closer than the full-decode crop at every downsampling from 2
    to 10 (mean abs error 4.4 vs 5.8 grey levels at 2x with f = 2, 5.6 vs 11.4 at 4x with f = 4,
    5.6 vs 15.6 at 8x with f = 8). Larger margins would give f = d/2 (a bit closer still) but
    decode more pixels.
    """
    d = downsampling(trans)
    for f in DECODE_FACTORS:
        if f <= max_factor and f * margin <= d:
            return f
    return 1


def reduced_to_original(factor: int) -> np.ndarray:
    """``(3, 3)`` map from the pixels of a 1/``factor`` DCT-scaled decode to original pixels:
    reduced pixel ``i`` is the mean of original pixels ``[f*i, f*i + f)``, centred at
    ``f*i + (f - 1)/2`` (checked in tests/data/test_reduced_decode.py)."""
    f = float(factor)
    o = (f - 1.0) / 2.0
    return np.array([[f, 0.0, o], [0.0, f, o], [0.0, 0.0, 1.0]])


def warp_image(image: np.ndarray, trans: np.ndarray, input_size: Sequence[int]) -> np.ndarray:
    """The single ``cv2.warpAffine(INTER_LINEAR)`` of a sample into its ``(W, H)`` crop (uint8 kept)."""
    return cv2.warpAffine(image, trans, (int(input_size[0]), int(input_size[1])), flags=cv2.INTER_LINEAR)


def transform_joints(joints: np.ndarray, visible: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Map joints ``(K, 2)`` through ``trans``; invisible joints become ``(0, 0)``."""
    out = affine_transform(np.asarray(joints, np.float64), trans).astype(np.float32)
    return out * (np.asarray(visible)[..., None] > 0)


def to_chw(crop: np.ndarray, swap_rb: bool = False) -> torch.Tensor:
    """``(H, W, 3)`` uint8 -> contiguous ``(3, H, W)`` uint8 tensor (4x less to send between processes);
    ``swap_rb`` reverses the channels (BGR <-> RGB) in the same copy. ``cv2.split`` then one stack: half
    the time of a strided permute-copy."""
    planes = cv2.split(np.ascontiguousarray(crop))
    return torch.from_numpy(np.stack(planes[::-1] if swap_rb else planes))


def normalize_batch(images: torch.Tensor, mean=IMAGENET_MEAN, std=IMAGENET_STD) -> torch.Tensor:
    """uint8 ``(..., 3, H, W)`` -> float32 ``(x / 255 - mean) / std`` per channel, on the input's device.

    Same as the official ``ToTensor()`` + ``Normalize(mean, std)``; the ImageNet RGB statistics are
    applied in the image's channel order, BGR included (the official ResNet configs do exactly that).
    """
    m = torch.tensor(mean, dtype=torch.float32, device=images.device).view(3, 1, 1) * 255.0
    s = 1.0 / (torch.tensor(std, dtype=torch.float32, device=images.device).view(3, 1, 1) * 255.0)
    return images.to(torch.float32, copy=True).sub_(m).mul_(s)  # one new tensor; the input is left alone


def sample_augmentation(
    rng: np.random.Generator,
    config: AugmentConfig,
    center: np.ndarray,
    scale: np.ndarray,
    joints: np.ndarray,
    visible: np.ndarray,
    upper_body: Sequence[int],
    aspect_ratio: float,
) -> Augmentation:
    """Draw half body, scale, rotation and flip in the official order (see module docstring)."""
    c, s, used_half = np.asarray(center, np.float32), np.asarray(scale, np.float32), False
    if (np.sum(np.asarray(visible) > 0) > config.num_joints_half_body
            and rng.random() < config.prob_half_body):
        hb = half_body(rng, joints, visible, upper_body, aspect_ratio)
        if hb is not None:
            (c, s), used_half = hb, True
    s = random_scale(rng, s, config.scale_factor)
    r = random_rotation(rng, config.rotation_factor, config.rotation_prob)
    f = config.flip and random_flip(rng, config.flip_prob)
    return Augmentation(center=c, scale=s, rotation=r, flip=bool(f), half_body=used_half)


def apply_augmentation(
    image: np.ndarray | LazyImage,
    joints: np.ndarray,
    visible: np.ndarray,
    aug: Augmentation,
    input_size: Sequence[int],
    flip_index: np.ndarray,
    *,
    margin: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Warp ``image`` once and move the joints: returns ``(crop uint8, joints_crop (K,2), visible,
    center)`` where ``center`` is the centre in the (possibly mirrored) image, as the official meta.

    ``image`` is a decoded array, or a :class:`~simdr_lite.data.io.LazyImage`: that one is decoded
    here at the scale :func:`decode_factor` (with ``margin``) picks for the crop, and only the rectangle
    the warp reads (:func:`region_read`) where the compiled region decoder works, always BGR."""
    width = image.shape[1] if isinstance(image, np.ndarray) else image.width
    c, j, v = aug.center, joints, np.asarray(visible, np.float32)
    if aug.flip:
        j, v = flip_joints(j, v, width, flip_index)
        c = flip_center(c, width)
    trans = get_affine_transform(c, aug.scale, aug.rotation, input_size)  # flipped image -> crop
    trans_img = trans @ _mirror(width) if aug.flip else trans  # original image -> crop
    if not isinstance(image, np.ndarray):
        f, to_crop, box = decode_plan(trans_img, input_size, image.max_factor, margin)
        pixels = image.decode_region(f, box)
        if pixels.shape[1] != image.shape_at(f)[1]:  # decode() fell back to full scale
            to_crop = trans_img
        image, trans_img = pixels, to_crop
    crop = warp_image(image, trans_img, input_size)
    return crop, transform_joints(j, v, trans), v, c


def decode_plan(trans_img: np.ndarray, input_size: Sequence[int], max_factor: int = 8,
                margin: float = 1.0) -> tuple[int, np.ndarray, tuple[int, int, int, int]]:
    """How to decode the original image for warping it with ``trans_img`` (original -> crop): the scale
    ``1/f`` (:func:`decode_factor`), the map from that decode to the crop (reduced -> original -> crop),
    and the rectangle of that decode the warp reads (:func:`region_read`)."""
    f = decode_factor(trans_img, max_factor, margin)
    to_crop = trans_img @ reduced_to_original(f) if f > 1 else trans_img
    return f, to_crop, region_read(to_crop, input_size)


def region_read(to_crop: np.ndarray, input_size: Sequence[int]) -> tuple[int, int, int, int]:
    """The source rectangle ``(x0, y0, x1, y1)`` (end-exclusive, not clipped to the image) that
    :func:`warp_image` with ``to_crop`` reads: the crop's corners mapped back (an affine map's extremes
    are at corners), widened by the bilinear neighbour and one pixel each way for OpenCV's fixed-point
    rounding of source coordinates."""
    w, h = int(input_size[0]), int(input_size[1])
    inv = cv2.invertAffineTransform(np.asarray(to_crop, np.float64)[:2])
    xs = [inv[0, 0] * x + inv[0, 1] * y + inv[0, 2] for x in (0, w - 1) for y in (0, h - 1)]
    ys = [inv[1, 0] * x + inv[1, 1] * y + inv[1, 2] for x in (0, w - 1) for y in (0, h - 1)]
    return (int(np.floor(min(xs))) - 1, int(np.floor(min(ys))) - 1,
            int(np.floor(max(xs))) + 3, int(np.floor(max(ys))) + 3)


def preview_augmentation(
    image: np.ndarray,
    joints: np.ndarray,
    visible: np.ndarray,
    center: np.ndarray,
    scale: np.ndarray,
    input_size: Sequence[int],
    flip_index: np.ndarray,
    *,
    rotation: float = 0.0,
    scale_mult: float = 1.0,
    flip: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Widget callback: the crop ``(H, W, 3)`` and crop joints ``(K, 2)`` for a hand-set rotation,
    scale multiplier and flip (the same code path as training, without randomness)."""
    aug = Augmentation(center=np.asarray(center, np.float32),
                       scale=np.asarray(scale, np.float32) * np.float32(scale_mult),
                       rotation=float(rotation), flip=bool(flip))
    crop, j, _, _ = apply_augmentation(image, joints, visible, aug, input_size, flip_index)
    return crop, j
