"""Decoding only the top rows of a JPEG that a crop reads (io.decode_top_rows, LazyImage.decode_rows).

The decoded rows must equal a full decode's, bit for bit: the same libjpeg computes them (Pillow's and
OpenCV's are both libjpeg-turbo with the same default IDCT and upsampling); only the rows below the cut
are skipped. Every image here is made by deterministic code, so nothing depends on timing.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from simdr_lite.bench.data import photo_like_image
from simdr_lite.data.augment import (
    Augmentation,
    AugmentConfig,
    apply_augmentation,
    decode_factor,
    reduced_to_original,
    rows_read,
    sample_augmentation,
    sample_rng,
)
from simdr_lite.data.io import (
    DECODE_FLAGS,
    TOP_ROWS_MAX_SHARE,
    ImageReadError,
    LazyImage,
    decode_top_rows,
    jpeg_frame,
    read_bytes,
)
from simdr_lite.geometry import get_affine_transform
from simdr_lite.skeletons import COCO


def _jpeg(img: np.ndarray, *flags: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90, *flags])
    assert ok
    return buf.ravel()


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    """A 640x480 photo-like JPEG (q90, 4:2:0), its path and bytes."""
    path = tmp_path_factory.mktemp("partial") / "photo.jpg"
    path.write_bytes(_jpeg(photo_like_image(np.random.default_rng(3))).tobytes())
    return path, read_bytes(path)


def test_frame_header_fields(photo):
    _, data = photo
    frame = jpeg_frame(data)
    assert (frame.width, frame.height, frame.mcu_height, frame.rows_alone) == (640, 480, 16, True)
    assert int.from_bytes(data[frame.height_at:frame.height_at + 2].tobytes(), "big") == 480
    img = photo_like_image(np.random.default_rng(0), (64, 40))
    grey = jpeg_frame(_jpeg(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)))
    assert (grey.width, grey.height, grey.mcu_height, grey.rows_alone) == (64, 40, 8, True)
    assert jpeg_frame(_jpeg(img, cv2.IMWRITE_JPEG_PROGRESSIVE, 1)).rows_alone is False
    assert jpeg_frame(b"not a jpeg") is None


@pytest.mark.parametrize("factor", [1, 2, 4, 8])
@pytest.mark.parametrize("rows", [1, 37, 200])
def test_top_rows_equal_the_full_decode(photo, factor, rows):
    _, data = photo
    frame = jpeg_frame(data)
    rows = max(1, rows // factor)
    top = decode_top_rows(data, frame, rows, factor)
    full = cv2.imdecode(data, DECODE_FLAGS[factor])[..., ::-1]  # RGB
    assert top.shape[1:] == full.shape[1:] and rows <= top.shape[0] < full.shape[0]
    assert np.array_equal(top[:rows], full[:rows])
    # the cut: whole MCU rows plus one, so the decode stops well above the bottom
    assert top.shape[0] * factor <= -(-rows * factor // 16) * 16 + 16


def test_top_rows_refuses_a_progressive_jpeg():
    data = _jpeg(photo_like_image(np.random.default_rng(1), (96, 64)), cv2.IMWRITE_JPEG_PROGRESSIVE, 1)
    assert decode_top_rows(data, jpeg_frame(data), 8) is None


def test_corrupt_top_raises_read_error(photo):
    _, data = photo
    frame = jpeg_frame(data)
    bad = data.copy()
    bad[frame.height_at + 20: frame.height_at + 400] = 0  # tables and scan header destroyed
    with pytest.raises(ImageReadError):
        decode_top_rows(bad, frame, 40)


def test_decode_rows_decodes_the_top_only_when_it_pays(photo):
    path, _ = photo
    lazy = LazyImage.open(path)
    small, rgb = lazy.decode_rows(1, 100)
    assert rgb and 100 <= small.shape[0] < 480
    deep, rgb = lazy.decode_rows(1, int(TOP_ROWS_MAX_SHARE * 480))
    assert not rgb and deep.shape == (480, 640, 3)  # little to skip: OpenCV's faster full decode
    cached, rgb = LazyImage.open(path, {}).decode_rows(1, 100)
    assert not rgb and cached.shape == (480, 640, 3)  # a shared cache keeps whole images


def test_rows_read_covers_every_source_row_the_warp_samples():
    input_size = (48, 64)
    for rotation in (0.0, 33.0, -70.0):
        trans = get_affine_transform(np.array([100.0, 90.0]), np.array([0.4, 0.5]), rotation, input_size)
        rows = rows_read(trans, input_size)
        ramp = np.repeat(np.arange(400, dtype=np.float32)[:, None], 300, axis=1)  # value = row index
        crop = cv2.warpAffine(ramp, trans, input_size, flags=cv2.INTER_LINEAR)
        assert crop.max() <= rows - 1  # no sample reaches the row below the last one read
        assert crop.max() > rows - 5  # and the bound is tight


def test_crops_are_bit_identical_to_full_decode_crops(photo):
    """Training crops from the partial decode (default) equal those from a full decode, over many draws."""
    path, _ = photo
    config = AugmentConfig.for_family("hrnet")
    joints = np.stack([np.linspace(260, 380, 17), np.linspace(150, 330, 17)], 1).astype(np.float32)
    vis = np.ones(17, np.float32)
    center, scale = np.array([320.0, 240.0], np.float32), np.array([0.9, 1.2], np.float32)
    partial = 0
    for i in range(60):
        aug = sample_augmentation(sample_rng(0, 0, i), config, center * (0.6 + i / 100),
                                  scale * (0.2 + i / 40), joints, vis, COCO.upper_body, 0.75)
        for rgb in (False, True):
            got = apply_augmentation(LazyImage.open(path), joints, vis, aug, (192, 256), COCO.flip_index(),
                                     color_rgb=rgb)
            want = apply_augmentation(LazyImage.open(path, {}), joints, vis, aug, (192, 256),
                                      COCO.flip_index(), color_rgb=rgb)
            assert all(np.array_equal(a, b) for a, b in zip(got, want))
        trans = get_affine_transform(aug.center, aug.scale, aug.rotation, (192, 256))
        f = decode_factor(trans)
        needed = rows_read(trans @ reduced_to_original(f) if f > 1 else trans, (192, 256)) * f
        partial += needed + 32 <= TOP_ROWS_MAX_SHARE * 480
    assert partial >= 10  # the partial path was exercised


def test_preview_augmentation_style_array_input_is_unchanged(photo):
    """A decoded array is warped as it is: ``color_rgb`` concerns a LazyImage only."""
    path, _ = photo
    img = cv2.imread(str(path))
    aug = Augmentation(np.array([320.0, 240.0], np.float32), np.array([1.0, 1.3], np.float32), 0.0, False)
    j, v = np.full((17, 2), 300.0, np.float32), np.ones(17, np.float32)
    a = apply_augmentation(img, j, v, aug, (192, 256), COCO.flip_index())[0]
    b = apply_augmentation(img, j, v, aug, (192, 256), COCO.flip_index(), color_rgb=True)[0]
    assert np.array_equal(a, b)
