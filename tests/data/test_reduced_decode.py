"""Reduced-scale JPEG decoding (libjpeg DCT scaling) folded into the crop's affine map.

Tolerances: on a smooth synthetic 800x600 JPEG (quality 90; sinusoids of 120-400 px wavelength and
ellipses blurred with sigma 10 px, so nothing aliases at the tested downsamplings), the crop warped
from the 1/f decode equals the crop warped from the full decode within mean |diff| <= 1.5 and
max |diff| <= 10 grey levels (measured: mean 0.3 / 0.6 / 1.0, max 2 / 3 / 6 for f = 2 / 4 / 8).
All images here are made by deterministic code and decoded by the same libjpeg, so nothing depends
on timing or on the order of float operations.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import torch

from simdr_lite.data.augment import (
    Augmentation,
    AugmentConfig,
    apply_augmentation,
    decode_factor,
    downsampling,
    reduced_to_original,
    sample_augmentation,
    sample_rng,
    to_chw,
)
from simdr_lite.data.coco import CocoKeypoints
from simdr_lite.data.fixtures import write_coco_fixture
from simdr_lite.data.io import LazyImage, decode_image, jpeg_size, read_bytes, read_image
from simdr_lite.geometry import PIXEL_STD, get_affine_transform
from simdr_lite.skeletons import COCO

FLIP_INDEX = COCO.flip_index()
MEAN_TOL, MAX_TOL = 1.5, 10


def _smooth_image(w: int, h: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.full((h, w, 3), 110.0, np.float32)
    for _ in range(12):
        k = rng.uniform(2 * np.pi / 400, 2 * np.pi / 120, 2) * rng.choice([-1, 1], 2)
        img += rng.uniform(8, 20, 3) * np.sin(k[0] * x + k[1] * y + rng.uniform(0, 6.3))[..., None]
    for _ in range(8):
        m = np.zeros((h, w), np.float32)
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        axes = (int(rng.uniform(20, 120)), int(rng.uniform(20, 120)))
        cv2.ellipse(m, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        img += cv2.GaussianBlur(m, (0, 0), 10)[..., None] * rng.uniform(-60, 60, 3)
    return np.clip(img, 0, 255).astype(np.uint8)


def _textured_image(w: int, h: int, seed: int = 1) -> np.ndarray:
    """Photo-like fine texture: 1/f ("pink") noise, amplitude ~ 1/frequency, as in natural images.
    A point-sampled downscaled crop of it aliases."""
    rng = np.random.default_rng(seed)
    fy, fx = np.fft.fftfreq(h)[:, None], np.fft.rfftfreq(w)[None, :]
    freq = np.hypot(fx, fy)
    freq[0, 0] = 1.0
    out = []
    for _ in range(4):
        spec = (rng.standard_normal(freq.shape) + 1j * rng.standard_normal(freq.shape)) / freq
        spec[0, 0] = 0
        n = np.fft.irfft2(spec, s=(h, w))
        out.append(n / n.std())
    img = 128 + 40 * out[0][..., None] + 12 * np.stack(out[1:], -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def _write_jpeg(path, img, **params) -> None:
    flags = [cv2.IMWRITE_JPEG_QUALITY, 90]
    if params.get("progressive"):
        flags += [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]
    ok, buf = cv2.imencode(".jpg", img, flags)
    assert ok
    path.write_bytes(buf.tobytes())


@pytest.fixture(scope="module")
def smooth_jpeg(tmp_path_factory):
    path = tmp_path_factory.mktemp("reduced") / "smooth.jpg"
    _write_jpeg(path, _smooth_image(800, 600))
    return path


def _aug_for(factor: float, rotation: float, flip: bool, input_size, center=(390.0, 310.0)) -> Augmentation:
    """An augmentation whose crop downsamples the image ``factor`` times (crop px = factor image px)."""
    scale = np.array([input_size[0] * factor / PIXEL_STD, input_size[1] * factor / PIXEL_STD], np.float32)
    return Augmentation(np.array(center, np.float32), scale, rotation, flip)


def _joints(seed: int = 0):
    rng = np.random.default_rng(seed)
    j = rng.uniform(150, 550, (17, 2)).astype(np.float32)
    v = (rng.random(17) > 0.2).astype(np.float32)
    return j, v


# ------------------------------------------------------------------------------------------ header


@pytest.mark.parametrize("size", [(640, 480), (801, 599), (17, 9)])
@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_size_reads_the_frame_header(tmp_path, size, progressive):
    path = tmp_path / "a.jpg"
    _write_jpeg(path, _smooth_image(*size), progressive=progressive)
    data = read_bytes(path)
    assert jpeg_size(data) == size and jpeg_size(data.tobytes()) == size
    lazy = LazyImage.open(path)
    assert (lazy.width, lazy.height, lazy.max_factor) == (*size, 8)
    for f in (1, 2, 4, 8):  # libjpeg rounds the reduced size up
        assert decode_image(data, factor=f).shape == (-(-size[1] // f), -(-size[0] // f), 3)
        assert lazy.decode(f).shape[:2] == lazy.shape_at(f)


def test_jpeg_size_of_other_files_is_none(tmp_path):
    img = _smooth_image(40, 30)
    png = cv2.imencode(".png", img)[1]
    jpg = cv2.imencode(".jpg", img)[1].tobytes()
    assert jpeg_size(png) is None
    assert jpeg_size(b"\xff\xd8\xff\xe0 definitely not a jpeg" * 10) is None
    assert jpeg_size(jpg[:20]) is None  # cut before the frame header
    assert jpeg_size(b"") is None
    # a PNG is decoded in full when opened and never at a reduced scale
    (tmp_path / "a.png").write_bytes(png.tobytes())
    lazy = LazyImage.open(tmp_path / "a.png")
    assert (lazy.width, lazy.height, lazy.max_factor) == (40, 30, 1)
    assert np.array_equal(lazy.decode(4), read_image(tmp_path / "a.png"))


# ------------------------------------------------------------------------------ pixel convention


@pytest.mark.parametrize("f", [2, 4, 8])
def test_reduced_pixel_is_the_mean_of_its_block(tmp_path, f):
    """Reduced pixel i ~ mean of original pixels [f*i, f*i + f): its centre is f*i + (f - 1)/2,
    i.e. original x -> (x + 0.5)/f - 0.5. Aligning pixel corners instead (x -> x/f, blocks shifted
    by f/2) is at least twice as far off."""
    h, w = 480, 640
    path = tmp_path / "t.jpg"
    _write_jpeg(path, _textured_image(w, h))
    data = read_bytes(path)
    full = decode_image(data).astype(np.float64)
    red = decode_image(data, factor=f).astype(np.float64)
    blocks = full.reshape(h // f, f, w // f, f, 3).mean(axis=(1, 3))
    centred = np.abs(blocks - red)[1:-1, 1:-1].mean()
    s = f // 2  # corner-aligned model: block [f*i - f/2, f*i + f/2)
    shifted = np.pad(full, ((s, 0), (s, 0), (0, 0)), mode="edge")[:h, :w]  # shifted[k] = full[k - s]
    corner_blocks = shifted.reshape(h // f, f, w // f, f, 3).mean(axis=(1, 3))
    corner = np.abs(corner_blocks - red)[1:-1, 1:-1].mean()
    assert centred < 1.5
    assert centred * 2 < corner
    # the map of augment.reduced_to_original encodes the same centre
    assert np.allclose(reduced_to_original(f) @ [3, 5, 1], [3 * f + (f - 1) / 2, 5 * f + (f - 1) / 2, 1])


# --------------------------------------------------------------------------------- factor choice


def _similarity(d: float, rotation_deg: float = 0.0) -> np.ndarray:
    a = np.deg2rad(rotation_deg)
    lin = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) / d
    return np.hstack([lin, [[7.0], [-3.0]]])


@pytest.mark.parametrize(("d", "want"), [(0.5, 1), (1.9, 1), (2.1, 2), (3.9, 2), (4.2, 4), (7.5, 4),
                                         (8.5, 8), (40.0, 8)])
def test_decode_factor_is_the_largest_power_of_two_not_above_the_downsampling(d, want):
    for rot in (0.0, 33.0, -90.0):
        t = _similarity(d, rot)
        assert downsampling(t) == pytest.approx(d, rel=1e-9)
        assert decode_factor(t) == want
    assert decode_factor(_similarity(d), max_factor=1) == 1
    assert decode_factor(_similarity(d), max_factor=2) == min(want, 2)


def test_decode_factor_margin():
    assert decode_factor(_similarity(4.2), margin=2.0) == 2
    assert decode_factor(_similarity(3.9), margin=2.0) == 1
    assert decode_factor(_similarity(3.9), margin=0.9) == 4


def test_decode_factor_uses_the_least_downsampled_direction():
    t = np.array([[1 / 9.0, 0.0, 0.0], [0.0, 1 / 2.5, 0.0]])  # 9x along x, 2.5x along y
    assert downsampling(t) == pytest.approx(2.5) and decode_factor(t) == 2
    assert decode_factor(np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])) == 8  # degenerate: all one pixel


def test_decode_factor_of_the_official_crop_matrix():
    # a 410 px tall box padded by 1.25 fills 256 crop rows: 2.0x; a 300 px one: 1.46x
    for height, want in ((410 * 1.25, 2), (300 * 1.25, 1), (900 * 1.25, 4)):
        scale = np.array([height * 0.75 / PIXEL_STD, height / PIXEL_STD], np.float32)
        t = get_affine_transform(np.array([320.0, 240.0], np.float32), scale, 25.0, (192, 256))
        assert decode_factor(t) == want


# ------------------------------------------------------------------------------ crops and joints


@pytest.mark.parametrize("factor", [2, 4, 8])
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("rotation", [0.0, 30.0])
def test_reduced_crop_matches_full_decode(smooth_jpeg, factor, flip, rotation):
    input_size = (32, 40)  # small crop: a 10x downsampled one still lies inside the 800x600 image
    aug = _aug_for(factor * 1.25, rotation, flip, input_size)
    j, v = _joints()
    full = read_image(smooth_jpeg)
    crop, jc, vc, c = apply_augmentation(full, j, v, aug, input_size, FLIP_INDEX)
    cache: dict = {}
    lazy = LazyImage.open(smooth_jpeg, cache)
    rcrop, rjc, rvc, rc = apply_augmentation(lazy, j, v, aug, input_size, FLIP_INDEX)
    assert set(cache) == {(str(smooth_jpeg), factor)}  # decoded once, at the expected scale only
    assert np.array_equal(jc, rjc) and np.array_equal(vc, rvc) and np.array_equal(c, rc)
    diff = np.abs(crop.astype(np.int16) - rcrop.astype(np.int16))
    assert diff.mean() <= MEAN_TOL and diff.max() <= MAX_TOL
    # the same reduced image with pixel corners aligned (x -> x / f) is visibly shifted at 4x and 8x
    if factor >= 4:
        wrong = get_affine_transform(c, aug.scale, aug.rotation, input_size)
        if flip:
            wrong = wrong @ np.array([[-1.0, 0, 799.0], [0, 1, 0], [0, 0, 1]])
        wrong = wrong @ np.diag([float(factor), float(factor), 1.0])
        bad = cv2.warpAffine(cache[(str(smooth_jpeg), factor)], wrong, input_size, flags=cv2.INTER_LINEAR)
        assert np.abs(crop.astype(np.int16) - bad.astype(np.int16)).mean() > diff.mean()


def test_no_reduction_below_2x_is_bit_identical(smooth_jpeg):
    input_size = (192, 256)
    j, v = _joints()
    for d, flip in ((0.6, False), (1.3, True), (1.95, False)):
        aug = _aug_for(d, 15.0, flip, input_size)
        want = apply_augmentation(read_image(smooth_jpeg), j, v, aug, input_size, FLIP_INDEX)
        got = apply_augmentation(LazyImage.open(smooth_jpeg), j, v, aug, input_size, FLIP_INDEX)
        assert all(np.array_equal(a, b) for a, b in zip(want, got))


def test_reduced_crop_at_the_image_border(smooth_jpeg):
    """Past the border both crops are black; within f + 1 image px of it the black fades in over
    f px instead of 1 (the reduced pixel is f px wide); elsewhere they agree as in the interior."""
    input_size, factor = (64, 64), 4
    aug = _aug_for(5.0, 10.0, False, input_size, center=(30.0, 560.0))  # hangs over two edges
    j, v = _joints()
    crop = apply_augmentation(read_image(smooth_jpeg), j, v, aug, input_size, FLIP_INDEX)[0]
    rcrop = apply_augmentation(LazyImage.open(smooth_jpeg), j, v, aug, input_size, FLIP_INDEX)[0]
    inv = get_affine_transform(aug.center, aug.scale, aug.rotation, input_size, inv=True)
    ys, xs = np.mgrid[0:64, 0:64]
    pts = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    x, y = (inv @ pts).reshape(2, 64, 64)
    margin = factor + 1
    inside = (x >= margin) & (x <= 799 - margin) & (y >= margin) & (y <= 599 - margin)
    outside = (x < -margin) | (x > 799 + margin) | (y < -margin) | (y > 599 + margin)
    assert inside.sum() > 500 and outside.sum() > 500
    diff = np.abs(crop.astype(np.int16) - rcrop.astype(np.int16))
    assert diff[inside].mean() <= MEAN_TOL and diff[inside].max() <= MAX_TOL
    assert not crop[outside].any() and not rcrop[outside].any()


@pytest.mark.parametrize(("d", "factor"), [(2.5, 2), (5.0, 4), (9.0, 8)])
def test_reduced_crop_is_closer_to_an_antialiased_crop_on_texture(tmp_path, d, factor):
    """Why the largest factor <= the downsampling loses nothing: on fine texture the full-decode
    INTER_LINEAR crop aliases; the reduced decode averages f x f blocks first, so its crop is closer
    to the ideal one (mean of 8x8 sub-samples over each crop pixel's footprint)."""
    path = tmp_path / "t.jpg"
    _write_jpeg(path, _textured_image(800, 600))
    input_size = (40, 48)
    aug = _aug_for(d, 20.0, False, input_size)
    j, v = _joints()
    full = read_image(path)
    crop = apply_augmentation(full, j, v, aug, input_size, FLIP_INDEX)[0].astype(np.float64)
    cache: dict = {}
    rcrop = apply_augmentation(LazyImage.open(path, cache), j, v, aug, input_size, FLIP_INDEX)[0]
    assert set(cache) == {(str(path), factor)}
    inv = get_affine_transform(aug.center, aug.scale, aug.rotation, input_size, inv=True)
    n, ideal = 8, np.zeros((input_size[1], input_size[0], 3))
    for a in range(n):
        for b in range(n):
            off = np.array([(a + 0.5) / n - 0.5, (b + 0.5) / n - 0.5])
            m = inv.copy()
            m[:, 2] += inv[:, :2] @ off
            ideal += cv2.warpAffine(full.astype(np.float32), m, input_size,
                                    flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    ideal /= n * n
    assert np.abs(rcrop - ideal).mean() < np.abs(crop - ideal).mean()


# ---------------------------------------------------------------------------------------- dataset


@pytest.fixture(scope="module")
def big_person_coco(tmp_path_factory):
    """Fixture images upscaled to 1600x1200 (persons 540-1080 px tall: 2x-5x crops), a PNG and a
    JPEG whose header is fine but whose scan cannot be decoded."""
    root = tmp_path_factory.mktemp("bigcoco")
    ann_file, image_dir = write_coco_fixture(root, num_images=3, persons_per_image=2, seed=3,
                                             image_size=(1600, 1200))
    data = json.loads(ann_file.read_text())
    img = read_image(image_dir / data["images"][0]["file_name"])
    cv2.imwrite(str(image_dir / "as.png"), img)
    raw = bytearray(cv2.imencode(".jpg", img)[1].tobytes())
    sos = raw.index(b"\xff\xda")
    raw[sos + 5] = 9  # first scan component id refers to no component of the frame
    (image_dir / "badscan.jpg").write_bytes(bytes(raw))
    assert jpeg_size(bytes(raw)) == (1600, 1200)
    first = [a for a in data["annotations"] if a["image_id"] == 1]
    for new_id, name in ((50, "as.png"), (51, "badscan.jpg")):
        data["images"].append({"id": new_id, "file_name": name, "width": 1600, "height": 1200})
        data["annotations"] += [dict(a, id=1000 * new_id + k, image_id=new_id) for k, a in enumerate(first)]
    ann_file.write_text(json.dumps(data))
    return ann_file, image_dir


def _dataset(files, **kw):
    base = dict(train=True, augment=AugmentConfig.for_family("hrnet"), color_rgb=True)
    return CocoKeypoints(*files, (192, 256), **{**base, **kw})


def test_flag_off_is_the_full_decode_path_bit_for_bit(big_person_coco):
    """reduced_decode=False: read_image (colour converted), draw, one warp: the code before the flag."""
    ds = _dataset(big_person_coco, reduced_decode=False)
    for epoch in (0, 1):
        for i in range(len(ds)):
            if ds.image_ids[i] == 51:
                continue
            s = ds[(epoch, i)]
            rng = sample_rng(ds.seed, epoch, i)
            aug = sample_augmentation(rng, ds.augment, ds.centers[i], ds.scales[i], ds.joints[i],
                                      ds.visible[i], COCO.upper_body, ds.aspect_ratio)
            crop, jc, vc, c = apply_augmentation(read_image(ds.image_files[i], True), ds.joints[i],
                                                 ds.visible[i], aug, ds.input_size, ds.flip_index)
            assert torch.equal(s["image"], to_chw(crop))
            assert np.array_equal(s["joints"], jc) and np.array_equal(s["meta"]["center"], c)


def test_reduced_on_gives_the_same_samples_except_for_pixels(big_person_coco):
    on = _dataset(big_person_coco, cache_images=True)
    off = _dataset(big_person_coco, reduced_decode=False)
    assert on.reduced_decode and not off.reduced_decode
    for epoch in (0, 1, 2):
        for i in range(len(on)):
            a, b = on[(epoch, i)], off[(epoch, i)]
            assert np.array_equal(a["joints"], b["joints"])
            assert np.array_equal(a["joints_vis"], b["joints_vis"])
            for key in ("center", "scale"):
                assert np.array_equal(a["meta"][key], b["meta"][key])
            for key in ("rotation", "image_id", "flipped", "half_body", "replaced", "index"):
                assert a["meta"][key] == b["meta"][key]
            diff = (a["image"].int() - b["image"].int()).abs().float()
            # stick figures have sharp 1-px edges: larger local differences than the smooth image,
            # the mean stays small
            assert diff.mean() <= 4.0
    jpeg_factors = {f for (p, f) in on._cache if p.endswith(".jpg")}
    assert jpeg_factors >= {2, 4}  # the fixture's persons give 2x-5x crops
    pngs = {f for (p, f) in on._cache if p.endswith(".png")}
    assert pngs == {1}


def test_rgb_swap_on_the_crop_equals_converting_first(big_person_coco):
    """Unreduced crops of the reduced path (BGR decode, channels swapped on the crop) equal the
    converted-first path bit for bit, in RGB and BGR."""
    for rgb in (True, False):
        on = _dataset(big_person_coco, train=False, color_rgb=rgb)
        off = _dataset(big_person_coco, train=False, color_rgb=rgb, reduced_decode=False)
        on.scales = off.scales = on.scales * np.float32(0.3)  # crops below 2x (<= 1.6x): factor 1
        for i in range(len(on)):
            if on.image_ids[i] != 51:
                assert torch.equal(on[i]["image"], off[i]["image"])


def test_bad_scan_is_replaced_as_with_the_flag_off(big_person_coco):
    on = _dataset(big_person_coco)
    off = _dataset(big_person_coco, reduced_decode=False)
    bad = np.flatnonzero(on.image_ids == 51)
    assert len(bad) == 2
    for epoch in (0, 1):
        for i in bad:
            a, b = on[(epoch, int(i))], off[(epoch, int(i))]
            assert a["meta"]["replaced"] == 1 and a["meta"]["image_id"] == b["meta"]["image_id"] != 51
            assert np.array_equal(a["joints"], b["joints"])
    assert on.skipped["bad_image"] == off.skipped["bad_image"] >= 4
    ev = _dataset(big_person_coco, train=False)
    assert ev[int(bad[0])]["meta"]["valid"] == 0
