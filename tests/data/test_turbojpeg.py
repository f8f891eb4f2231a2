"""Decoding only the top rows of a JPEG (simdr_lite.data.turbojpeg) and its use by the data path.

The rows decoded must equal a full decode's bit for bit (TurboJPEG and OpenCV's decoder are the same
libjpeg-turbo code with the same default IDCT and upsampling); only the rows below the cut are skipped.
Tests that need the system library skip without it, except under SIMDR_TURBOJPEG=1 (CI installs it),
where its absence fails. Every image here is made by deterministic code: nothing depends on timing.
"""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from simdr_lite.bench.data import photo_like_image
from simdr_lite.data import turbojpeg
from simdr_lite.data.augment import (
    AugmentConfig,
    apply_augmentation,
    decode_factor,
    reduced_to_original,
    rows_read,
    sample_augmentation,
    sample_rng,
)
from simdr_lite.data.io import DECODE_FLAGS, ImageReadError, LazyImage, read_bytes
from simdr_lite.geometry import get_affine_transform
from simdr_lite.skeletons import COCO

needs_library = pytest.mark.skipif(not turbojpeg.available(),
                                   reason="libturbojpeg.so.0 not found (apt-get install libturbojpeg0)")


def _jpeg(img: np.ndarray, *flags: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90, *flags])
    assert ok
    return buf.ravel()


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    """A 640x480 photo-like JPEG (q90, 4:2:0): its path and bytes."""
    path = tmp_path_factory.mktemp("turbo") / "photo.jpg"
    path.write_bytes(_jpeg(photo_like_image(np.random.default_rng(3))).tobytes())
    return path, read_bytes(path)


def test_the_library_is_there_when_required():
    if os.environ.get("SIMDR_TURBOJPEG") == "1":
        assert turbojpeg.available(), "SIMDR_TURBOJPEG=1 but libturbojpeg.so.0 was not found"


def test_frame_header_fields(photo):
    _, data = photo
    frame = turbojpeg.jpeg_frame(data)
    assert (frame.width, frame.height, frame.mcu_height, frame.rows_alone) == (640, 480, 16, True)
    assert int.from_bytes(data[frame.height_at:frame.height_at + 2].tobytes(), "big") == 480
    img = photo_like_image(np.random.default_rng(0), (64, 40))
    grey = turbojpeg.jpeg_frame(_jpeg(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)))
    assert (grey.width, grey.height, grey.mcu_height, grey.rows_alone) == (64, 40, 8, True)
    assert turbojpeg.jpeg_frame(_jpeg(img, cv2.IMWRITE_JPEG_PROGRESSIVE, 1)).rows_alone is False
    assert turbojpeg.jpeg_frame(b"not a jpeg") is None
    twelve = data.copy()
    twelve[frame.height_at - 1] = 12  # the frame header's sample precision, just before the height
    assert turbojpeg.jpeg_frame(twelve).rows_alone is False  # 12-bit: left to the full decode


@needs_library
@pytest.mark.parametrize("factor", [1, 2, 4, 8])
@pytest.mark.parametrize("rows", [1, 37, 200])
def test_top_rows_equal_the_full_decode(photo, factor, rows):
    _, data = photo
    rows = max(1, rows // factor)
    top = turbojpeg.decode_top_rows(data, turbojpeg.jpeg_frame(data), rows, factor)
    full = cv2.imdecode(data, DECODE_FLAGS[factor])
    assert top.shape[1:] == full.shape[1:] and rows <= top.shape[0] < full.shape[0]
    assert np.array_equal(top[:rows], full[:rows])
    assert top.shape[0] * factor <= -(-rows * factor // 16) * 16 + 16  # whole MCU rows, plus one


@needs_library
def test_nothing_to_skip_or_not_sequential_is_left_to_the_full_decode(photo):
    _, data = photo
    frame = turbojpeg.jpeg_frame(data)
    assert turbojpeg.decode_top_rows(data, frame, 470) is None  # the cut would be at the bottom
    prog = _jpeg(photo_like_image(np.random.default_rng(1), (96, 64)), cv2.IMWRITE_JPEG_PROGRESSIVE, 1)
    assert turbojpeg.decode_top_rows(prog, turbojpeg.jpeg_frame(prog), 8) is None


@needs_library
def test_a_corrupt_file_is_reported_by_the_full_decode(photo, tmp_path):
    _, data = photo
    frame = turbojpeg.jpeg_frame(data)
    bad = data.copy()
    bad[frame.height_at + 20: frame.height_at + 400] = 0  # tables and scan header destroyed
    assert turbojpeg.decode_top_rows(bad, frame, 40) is None  # the library's error: left to the full decode
    path = tmp_path / "bad.jpg"
    path.write_bytes(bad.tobytes())
    with pytest.raises(ImageReadError, match="corrupt"):  # which reports it, as without TurboJPEG
        LazyImage.open(path).decode_rows(1, 40)


@needs_library
def test_decode_rows_decodes_the_top_only_without_a_shared_cache(photo):
    path, _ = photo
    top = LazyImage.open(path).decode_rows(1, 100)
    assert 100 <= top.shape[0] < 480 and top.shape[1:] == (640, 3)
    # 100 rows at 1/2 are 200 of the original: 13 MCU rows of 16, plus one, 224 rows, 112 at 1/2
    assert LazyImage.open(path).decode_rows(2, 100).shape == (112, 320, 3)
    assert LazyImage.open(path, {}).decode_rows(1, 100).shape == (480, 640, 3)  # a cache keeps whole images


@needs_library
def test_training_crops_are_bit_identical_to_full_decode_crops(photo):
    """Over many draws (all scales, flips, rotations), the default path's crops equal the full decode's."""
    path, _ = photo
    config = AugmentConfig.for_family("hrnet")
    joints = np.stack([np.linspace(260, 380, 17), np.linspace(150, 330, 17)], 1).astype(np.float32)
    vis = np.ones(17, np.float32)
    center, scale = np.array([320.0, 240.0], np.float32), np.array([0.9, 1.2], np.float32)
    cut = 0
    for i in range(60):
        aug = sample_augmentation(sample_rng(0, 0, i), config, center * (0.6 + i / 100),
                                  scale * (0.2 + i / 40), joints, vis, COCO.upper_body, 0.75)
        got = apply_augmentation(LazyImage.open(path), joints, vis, aug, (192, 256), COCO.flip_index())
        want = apply_augmentation(LazyImage.open(path, {}), joints, vis, aug, (192, 256), COCO.flip_index())
        assert all(np.array_equal(a, b) for a, b in zip(got, want))
        trans = get_affine_transform(aug.center, aug.scale, aug.rotation, (192, 256))
        f = decode_factor(trans)
        cut += rows_read(trans @ reduced_to_original(f) if f > 1 else trans, (192, 256)) * f + 32 <= 480
    assert cut >= 20  # the top-rows path was exercised


@needs_library
def test_threads_and_processes_each_get_their_own_decoder(photo):
    """A TurboJPEG handle is not thread-safe: each thread decodes with its own, to the same pixels."""
    from concurrent.futures import ThreadPoolExecutor

    _, data = photo
    frame = turbojpeg.jpeg_frame(data)
    want = turbojpeg.decode_top_rows(data, frame, 150)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: turbojpeg.decode_top_rows(data, frame, 150), range(16)))
    assert all(np.array_equal(g, want) for g in got)


def test_missing_note_says_how_to_get_the_library(monkeypatch):
    monkeypatch.setattr(turbojpeg, "_TURBO", None)
    note = turbojpeg.missing_note()
    assert "apt-get install libturbojpeg0" in note and "bit-identical" in note
    assert not turbojpeg.available()
    data = _jpeg(photo_like_image(np.random.default_rng(2), (64, 48)))
    assert turbojpeg.decode_top_rows(data, turbojpeg.jpeg_frame(data), 8) is None  # whole-image decoding


@needs_library
def test_no_note_with_the_library():
    assert turbojpeg.missing_note() is None
