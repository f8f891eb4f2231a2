"""Crop geometry against the official construction (cv2.getAffineTransform on float32 points)."""

import cv2
import numpy as np
import pytest

from simdr_lite.geometry import (
    affine_transform,
    box_to_center_scale,
    get_affine_transform,
    sanitize_boxes,
    transform_preds,
)


def cv2_affine(center, scale, rot, out, inv=False):
    """The official three-point construction, solved by OpenCV as in lib/utils/transforms.py."""
    src_w = scale[0] * 200.0
    rad = np.pi * rot / 180
    src_dir = np.array([src_w * 0.5 * np.sin(rad), -src_w * 0.5 * np.cos(rad)])
    src = np.zeros((3, 2), np.float32)
    dst = np.zeros((3, 2), np.float32)
    src[0], src[1] = center, center + src_dir
    dst[0], dst[1] = (out[0] * 0.5, out[1] * 0.5), (out[0] * 0.5, out[1] * 0.5 - out[0] * 0.5)
    for p in (src, dst):
        d = p[0] - p[1]
        p[2] = p[1] + np.array([-d[1], d[0]], np.float32)
    return cv2.getAffineTransform(dst, src) if inv else cv2.getAffineTransform(src, dst)


@pytest.mark.parametrize("inv", [False, True])
def test_affine_matches_opencv_construction(inv):
    rng = np.random.default_rng(0)
    c = rng.uniform(0, 640, (50, 2)).astype(np.float32)
    s = rng.uniform(0.2, 3, (50, 2)).astype(np.float32)
    r = rng.uniform(-80, 80, 50)
    ours = get_affine_transform(c, s, r, (192, 256), inv=inv)
    assert ours.shape == (50, 2, 3)
    for i in range(50):
        np.testing.assert_allclose(ours[i], cv2_affine(c[i], s[i], r[i], (192, 256), inv), rtol=1e-10)


def test_box_centre_maps_to_crop_centre_and_round_trips():
    center, scale = box_to_center_scale(np.array([[100.0, 50.0, 60.0, 200.0]]), (192, 256))
    t = get_affine_transform(center, scale, 0.0, (192, 256))
    np.testing.assert_allclose(affine_transform(center[:, None], t)[0, 0], [96, 128], atol=1e-4)
    pts = np.array([[[10.0, 20.0], [150.0, 240.0]]])
    back = transform_preds(affine_transform(pts, t), center, scale, (192, 256))
    np.testing.assert_allclose(back, pts, atol=1e-4)


def test_xywh2cs_pads_to_aspect_ratio_and_1_25():
    # tall box: width grows to h * 0.75; wide box: height grows to w / 0.75
    c, s = box_to_center_scale(np.array([[0.0, 0.0, 60.0, 200.0], [10.0, 10.0, 300.0, 100.0]]), (192, 256))
    np.testing.assert_allclose(c, [[30.0, 100.0], [160.0, 60.0]])
    np.testing.assert_allclose(s, [[150 / 200 * 1.25, 1.25], [1.5 * 1.25, 400 / 200 * 1.25]], rtol=1e-6)
    assert c.dtype == np.float32 and s.dtype == np.float32
    with pytest.raises(ValueError, match=r"boxes must have shape \(\.\.\., 4\)"):
        box_to_center_scale(np.zeros((2, 3)), (64, 64))


def test_sanitize_boxes_follows_official_clipping():
    clean, valid = sanitize_boxes(np.array([[-5, 10, 50, 40], [630, 470, 30, 30], [10, 10, 0, 0]]), 640, 480)
    np.testing.assert_allclose(clean[0], [0, 10, 49, 39])
    np.testing.assert_allclose(clean[1], [630, 470, 9, 9])
    np.testing.assert_allclose(clean[2], [10, 10, 0, 0])
    assert valid.tolist() == [True, True, True]
