"""Decoding only the rectangle of a JPEG that a crop reads (simdr_lite.data.jpeg_region), and its use.

Inside the rectangle the pixels must equal a full decode's bit for bit (the same libjpeg-turbo code as
OpenCV's decoder, with the same default IDCT and upsampling). The canvas around the rectangle is filled
with a sentinel here, so a crop that read one pixel outside the rectangle would differ. Tests that need
the compiled helper skip without it, except under SIMDR_JPEG_REGION=1 (CI installs a compiler and the
headers), where its absence fails. Every image is made by deterministic code: nothing depends on timing.
"""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from simdr_lite.bench.data import photo_like_image
from simdr_lite.data import jpeg_region
from simdr_lite.data.augment import (
    AugmentConfig,
    apply_augmentation,
    decode_factor,
    reduced_to_original,
    region_read,
    sample_augmentation,
    sample_rng,
)
from simdr_lite.data.io import DECODE_FLAGS, ImageReadError, LazyImage, read_bytes
from simdr_lite.geometry import get_affine_transform
from simdr_lite.skeletons import COCO

needs_helper = pytest.mark.skipif(not jpeg_region.available(),
                                  reason="JPEG region decoder unavailable (apt-get install gcc libjpeg-dev)")
SENTINEL = 77


@pytest.fixture(autouse=True)
def sentinel_canvas(monkeypatch):
    """Pixels outside a decoded rectangle hold SENTINEL instead of whatever memory held."""
    monkeypatch.setattr(jpeg_region, "_canvas", lambda shape: np.full(shape, SENTINEL, np.uint8))


def _jpeg(img: np.ndarray, *flags: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90, *flags])
    assert ok
    return buf.ravel()


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    """A 640x480 photo-like JPEG (q90, 4:2:0): its path and bytes."""
    path = tmp_path_factory.mktemp("region") / "photo.jpg"
    path.write_bytes(_jpeg(photo_like_image(np.random.default_rng(3))).tobytes())
    return path, read_bytes(path)


def test_the_helper_is_there_when_required():
    if os.environ.get("SIMDR_JPEG_REGION") == "1":
        assert jpeg_region.available(), f"SIMDR_JPEG_REGION=1 but: {jpeg_region.missing_note()}"


def test_frame_header_fields(photo):
    _, data = photo
    assert jpeg_region.jpeg_frame(data) == jpeg_region.JpegFrame(640, 480, 16, 16)  # 4:2:0
    img = photo_like_image(np.random.default_rng(0), (64, 40))
    grey = jpeg_region.jpeg_frame(_jpeg(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)))
    assert grey == jpeg_region.JpegFrame(64, 40, 8, 8)
    s422 = _jpeg(img, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422)
    assert jpeg_region.jpeg_frame(s422) == jpeg_region.JpegFrame(64, 40, 16, 8)
    assert jpeg_region.jpeg_frame(b"not a jpeg") is None
    assert jpeg_region.jpeg_frame(b"\xff\xd8\xff\xda\x00\x08") is None  # a scan before any frame header


SUBSAMPLINGS = {"420": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420, "422": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422,
                "444": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444}


@needs_helper
@pytest.mark.parametrize("kind", ["420", "422", "444", "progressive", "grey"])
@pytest.mark.parametrize("factor", [1, 2, 4, 8])
def test_rectangles_equal_the_full_decode(kind, factor):
    """Random rectangles of an odd-sized image, every subsampling, progressive and grey, every scale."""
    rng = np.random.default_rng(factor)
    img = photo_like_image(np.random.default_rng(7), (333, 251))
    if kind == "grey":
        data = _jpeg(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    elif kind == "progressive":
        data = _jpeg(img, cv2.IMWRITE_JPEG_PROGRESSIVE, 1)
    else:
        data = _jpeg(img, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, SUBSAMPLINGS[kind])
    frame = jpeg_region.jpeg_frame(data)
    full = cv2.imdecode(data, DECODE_FLAGS[factor])
    h, w = full.shape[:2]
    decoded = 0
    for _ in range(30):
        (x0, x1), (y0, y1) = np.sort(rng.integers(0, w, 2)), np.sort(rng.integers(0, h, 2))
        x1, y1 = x1 + 1, y1 + 1
        out = jpeg_region.decode_region(data, frame, (x0, y0, x1, y1), factor)
        if out is None:  # the rectangle and its margin cover the picture: left to the full decode
            continue
        decoded += 1
        assert out.shape == full.shape
        assert np.array_equal(out[y0:y1, x0:x1], full[y0:y1, x0:x1])
    assert decoded >= 10


@needs_helper
def test_only_the_rectangle_and_its_margin_are_written(photo):
    _, data = photo
    out = jpeg_region.decode_region(data, jpeg_region.jpeg_frame(data), (200, 100, 300, 200))
    written = np.argwhere((out != SENTINEL).any(2))
    (top, left), (bottom, right) = written.min(0), written.max(0)
    assert 100 - 16 <= top and bottom < 200 + 16  # one MCU row of margin above and below
    assert 200 - 32 <= left and right < 300 + 32  # whole iMCU columns, plus one MCU each side
    assert jpeg_region.decode_region(data, jpeg_region.jpeg_frame(data), (0, 0, 640, 480)) is None


@needs_helper
def test_a_corrupt_file_is_reported_by_the_full_decode(photo, tmp_path):
    _, data = photo
    frame = jpeg_region.jpeg_frame(data)
    bad = data.copy()
    bad[40:600] = 0  # tables and scan header destroyed
    assert jpeg_region.decode_region(bad, frame, (10, 10, 50, 50)) is None  # libjpeg's error: left to cv2
    path = tmp_path / "bad.jpg"
    path.write_bytes(bad.tobytes())
    with pytest.raises(ImageReadError, match="corrupt"):  # which reports it, as without the helper
        LazyImage.open(path).decode_region(1, (10, 10, 50, 50))


@needs_helper
def test_decode_region_uses_the_helper_only_without_a_shared_cache(photo):
    path, _ = photo
    part = LazyImage.open(path).decode_region(2, (10, 10, 50, 50))
    assert part.shape == (240, 320, 3) and part[200, 300, 0] == SENTINEL
    whole = LazyImage.open(path, {}).decode_region(2, (10, 10, 50, 50))  # a cache keeps whole images
    assert np.array_equal(whole, cv2.imdecode(read_bytes(path), DECODE_FLAGS[2]))


@needs_helper
def test_training_crops_are_bit_identical_to_full_decode_crops(photo):
    """Over many draws (all scales, flips, rotations), the default path's crops equal the full decode's."""
    path, _ = photo
    config = AugmentConfig.for_family("hrnet")
    joints = np.stack([np.linspace(260, 380, 17), np.linspace(150, 330, 17)], 1).astype(np.float32)
    vis = np.ones(17, np.float32)
    center, scale = np.array([320.0, 240.0], np.float32), np.array([0.9, 1.2], np.float32)
    partial, scales = 0, set()
    for i in range(60):
        aug = sample_augmentation(sample_rng(0, 0, i), config, center * (0.6 + i / 100),
                                  scale * (0.2 + i / 12), joints, vis, COCO.upper_body, 0.75)
        got = apply_augmentation(LazyImage.open(path), joints, vis, aug, (192, 256), COCO.flip_index())
        want = apply_augmentation(LazyImage.open(path, {}), joints, vis, aug, (192, 256), COCO.flip_index())
        assert all(np.array_equal(a, b) for a, b in zip(got, want))
        trans = get_affine_transform(aug.center, aug.scale, aug.rotation, (192, 256))
        f = decode_factor(trans)
        x0, y0, x1, y1 = region_read(trans @ reduced_to_original(f) if f > 1 else trans, (192, 256))
        partial += (x1 - x0 + 32) * (y1 - y0 + 32) * f * f < 640 * 480
        scales.add(f)
    assert partial >= 15 and scales >= {1, 2, 4}  # the region path was exercised, at several scales


def test_a_failed_build_says_why_and_the_loader_decodes_whole_images(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # nothing built there yet
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    lib, why = jpeg_region._load()
    assert lib is None and "no-such-compiler" in why
    monkeypatch.setattr(jpeg_region, "_LOADED", True)
    monkeypatch.setattr(jpeg_region, "_LIB", None)
    monkeypatch.setattr(jpeg_region, "_WHY", why)
    note = jpeg_region.missing_note()
    assert "apt-get install gcc libjpeg-dev" in note and "bit-identical" in note and why in note
    assert not jpeg_region.available()
    data = _jpeg(photo_like_image(np.random.default_rng(2), (64, 48)))
    assert jpeg_region.decode_region(data, jpeg_region.jpeg_frame(data), (0, 0, 8, 8)) is None
    monkeypatch.setenv("SIMDR_JPEG_REGION", "0")
    assert jpeg_region._load() == (None, "switched off by SIMDR_JPEG_REGION=0")


@needs_helper
def test_a_fresh_build_goes_to_the_cache_and_works(monkeypatch, tmp_path, photo):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lib, why = jpeg_region._load()
    assert why is None and lib is not None
    built = list((tmp_path / "simdr-lite").iterdir())
    assert len(built) == 1 and built[0].name.startswith("jpeg_region-")  # no temporary file left behind
    assert jpeg_region._load()[1] is None  # the second load reuses it


@needs_helper
def test_no_note_with_the_helper():
    assert jpeg_region.missing_note() is None
