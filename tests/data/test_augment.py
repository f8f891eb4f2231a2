import numpy as np
import pytest
import torch

from simdr_lite.data.augment import (
    IMAGENET_MEAN,
    Augmentation,
    AugmentConfig,
    apply_augmentation,
    crop_matrix,
    decode_plan,
    flip_joints,
    half_body,
    normalize_batch,
    preview_augmentation,
    random_flip,
    random_rotation,
    random_scale,
    region_read,
    sample_augmentation,
    sample_rng,
    to_chw,
    warp_image,
)
from simdr_lite.geometry import affine_transform, get_affine_transform
from simdr_lite.skeletons import COCO

INPUT = (192, 256)  # (W, H)
FLIP_INDEX = COCO.flip_index()


def _dot_image(points, size=(640, 480)):
    img = np.zeros((size[1], size[0], 3), np.uint8)
    for x, y in points:
        img[int(y) - 1: int(y) + 2, int(x) - 1: int(x) + 2] = 255
    return img


def _brightest(crop):
    g = crop[..., 0].astype(np.float64)
    ys, xs = np.nonzero(g >= g.max() * 0.5)
    w = g[ys, xs]
    return np.array([(xs * w).sum() / w.sum(), (ys * w).sum() / w.sum()])


def _one_joint(x, y):
    j = np.zeros((17, 2), np.float32)
    v = np.zeros(17, np.float32)
    j[0], v[0] = (x, y), 1
    return j, v


def test_random_scale_bounds_and_spread():
    rng = np.random.default_rng(0)
    s = np.array([1.0, 2.0], np.float32)
    draws = np.array([random_scale(rng, s, 0.3) for _ in range(3000)])
    ratio = draws[:, 1] / 2.0
    assert np.allclose(draws[:, 0] * 2, draws[:, 1])  # same factor on both axes
    assert ratio.min() >= 0.7 - 1e-6 and ratio.max() <= 1.3 + 1e-6
    assert abs(ratio.mean() - 1) < 0.02 and 0.2 < ratio.std() < 0.3  # clipped N(1, 0.3)


def test_random_rotation_probability_and_bounds():
    rng = np.random.default_rng(1)
    r = np.array([random_rotation(rng, 40.0) for _ in range(4000)])
    assert abs((r != 0).mean() - 0.6) < 0.03
    assert np.abs(r).max() <= 80.0


def test_random_flip_probability():
    rng = np.random.default_rng(2)
    assert abs(np.mean([random_flip(rng) for _ in range(4000)]) - 0.5) < 0.03


def test_half_body_box_by_hand():
    joints = np.zeros((17, 2), np.float32)
    vis = np.zeros(17, np.float32)
    joints[[0, 5, 6, 9]] = [[0, 0], [100, 0], [0, 50], [100, 50]]
    vis[[0, 5, 6, 9]] = 1
    c, s = half_body(np.random.default_rng(0), joints, vis, COCO.upper_body, 0.75)
    assert np.allclose(c, [50, 25])
    # w = 100 > 0.75 * 50 -> h = 100 / 0.75; scale = [w, h] / 200 * 1.5
    assert np.allclose(s, [100 / 200 * 1.5, 100 / 0.75 / 200 * 1.5])


def test_half_body_upper_probability_and_none():
    joints = np.random.default_rng(0).uniform(0, 100, (17, 2)).astype(np.float32)
    vis = np.ones(17, np.float32)
    rng = np.random.default_rng(3)
    upper_center = joints[list(COCO.upper_body)].mean(0)
    picks = [np.allclose(half_body(rng, joints, vis, COCO.upper_body, 0.75)[0], upper_center)
             for _ in range(4000)]
    assert abs(np.mean(picks) - 0.6915) < 0.03  # P(randn < 0.5)
    vis1 = np.zeros(17, np.float32)
    vis1[0] = 1
    assert half_body(rng, joints, vis1, COCO.upper_body, 0.75) is None


def test_half_body_applied_with_configured_probability():
    joints = np.random.default_rng(0).uniform(100, 300, (17, 2)).astype(np.float32)
    vis = np.ones(17, np.float32)
    cfg = AugmentConfig(prob_half_body=0.3)
    c, s = np.array([200, 200], np.float32), np.array([2, 2], np.float32)
    used = [sample_augmentation(sample_rng(0, 0, i), cfg, c, s, joints, vis, COCO.upper_body, 0.75).half_body
            for i in range(2000)]
    assert abs(np.mean(used) - 0.3) < 0.04
    vis[8:] = 0  # 8 visible joints: not more than num_joints_half_body, never applied
    assert not any(sample_augmentation(sample_rng(0, 0, i), cfg, c, s, joints, vis, COCO.upper_body,
                                       0.75).half_body for i in range(200))


def test_flip_joints_swaps_pairs_and_mirrors():
    j = np.arange(34, dtype=np.float32).reshape(17, 2)
    v = np.ones(17, np.float32)
    v[2] = 0
    fj, fv = flip_joints(j, v, 640, FLIP_INDEX)
    assert np.allclose(fj[1], 0) and fv[1] == 0  # joint 2 was invisible: swapped in and zeroed
    assert np.allclose(fj[2], [640 - j[1, 0] - 1, j[1, 1]]) and fv[2] == 1
    assert np.allclose(fj[0], [640 - j[0, 0] - 1, j[0, 1]])


def test_unrotated_crop_matches_hand_formula():
    c, s = np.array([300.0, 200.0], np.float32), np.array([1.5, 2.0], np.float32)
    j, v = _one_joint(340.0, 150.0)
    crop, jc, _, _ = apply_augmentation(_dot_image([(340, 150)]), j, v, Augmentation(c, s), INPUT, FLIP_INDEX)
    k = 192 / (1.5 * 200)  # crop pixels per image pixel
    expected = [(340 - 300) * k + 96, (150 - 200) * k + 128]
    assert np.allclose(jc[0], expected, atol=1e-3)
    assert np.allclose(_brightest(crop), expected, atol=1.0)


@pytest.mark.parametrize("rotation", [90.0, -30.0])
def test_rotation_moves_point_where_affine_says(rotation):
    c, s = np.array([300.0, 200.0], np.float32), np.array([1.5, 2.0], np.float32)
    j, v = _one_joint(340.0, 200.0)
    aug = Augmentation(c, s, rotation=rotation)
    crop, jc, _, _ = apply_augmentation(_dot_image([(340, 200)]), j, v, aug, INPUT, FLIP_INDEX)
    k = 192 / 300
    th = np.deg2rad(rotation)  # official rotation: positive = counter-clockwise on screen
    expected = [96 + 40 * k * np.cos(th), 128 - 40 * k * np.sin(th)]
    assert np.allclose(jc[0], expected, atol=1e-3)
    assert np.allclose(_brightest(crop), expected, atol=1.0)


def test_flip_single_warp_equals_official_two_step():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    j = rng.uniform(50, 400, (17, 2)).astype(np.float32)
    v = np.ones(17, np.float32)
    aug = Augmentation(np.array([300, 220], np.float32), np.array([1.4, 1.9], np.float32), 20.0, flip=True)
    crop, jc, fv, c = apply_augmentation(img, j, v, aug, INPUT, FLIP_INDEX)
    # official: mirror the image, flip joints/centre, then warp
    import cv2

    flipped = img[:, ::-1]
    c_off = np.array([640 - 300 - 1, 220], np.float32)
    t = get_affine_transform(c_off, aug.scale, 20.0, INPUT)
    ref = cv2.warpAffine(np.ascontiguousarray(flipped), t, INPUT, flags=cv2.INTER_LINEAR)
    assert np.allclose(c, c_off)
    assert np.abs(crop.astype(int) - ref.astype(int)).max() <= 1
    jf = j.copy()
    jf[:, 0] = 640 - jf[:, 0] - 1
    jf = jf[FLIP_INDEX]
    assert np.allclose(jc, affine_transform(jf, t), atol=1e-3)
    assert np.allclose(crop_matrix(c_off, aug.scale, 20.0, INPUT, flip_width=640)[:, :2] @ [1, 0],
                       -t[:, :2] @ [1, 0])


def test_normalize_imagenet():
    crop = np.empty((4, 5, 3), np.uint8)
    crop[:] = np.round(np.array(IMAGENET_MEAN) * 255).astype(np.uint8)
    t = normalize_batch(to_chw(crop)[None])[0]
    assert t.shape == (3, 4, 5) and t.dtype == torch.float32
    assert t.abs().max() < 0.02
    assert torch.allclose(normalize_batch(to_chw(np.full((1, 1, 3), 255, np.uint8))[None])[0][:, 0, 0],
                          torch.tensor([(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225]))


def test_sample_rng_is_deterministic_per_epoch_and_index():
    a = sample_rng(0, 1, 2).standard_normal(3)
    assert np.array_equal(a, sample_rng(0, 1, 2).standard_normal(3))
    assert not np.array_equal(a, sample_rng(0, 2, 2).standard_normal(3))
    assert not np.array_equal(a, sample_rng(0, 1, 3).standard_normal(3))


def test_for_family_presets():
    r = AugmentConfig.for_family("resnet")
    assert (r.scale_factor, r.rotation_factor, r.prob_half_body) == (0.3, 40.0, 0.0)
    assert AugmentConfig.for_family("mpii").rotation_factor == 30.0
    with pytest.raises(ValueError, match="unknown family"):
        AugmentConfig.for_family("vit")


def test_preview_callback_matches_training_path():
    img = _dot_image([(340, 150)])
    j, v = _one_joint(340.0, 150.0)
    c, s = np.array([300.0, 200.0], np.float32), np.array([1.5, 2.0], np.float32)
    crop, jc = preview_augmentation(img, j, v, c, s, INPUT, FLIP_INDEX, rotation=30, scale_mult=0.8,
                                    flip=True)
    ref, jr, _, _ = apply_augmentation(img, j, v, Augmentation(c, s * np.float32(0.8), 30.0, True), INPUT,
                                       FLIP_INDEX)
    assert np.array_equal(crop, ref) and np.allclose(jc, jr)
    assert np.allclose(_brightest(crop), jc[0], atol=1.0)  # the joint follows the pixels


def test_decode_plan_scale_map_and_region():
    """A crop that shrinks the image 4x is decoded at 1/4; the plan's map takes reduced pixels to the same
    crop points as the original map takes their original pixels, and its region is that map's."""
    trans = get_affine_transform(np.array([300.0, 240.0]), np.array([4.0, 16 / 3]), 0.0, (192, 256))
    f, to_crop, box = decode_plan(trans, (192, 256))
    assert f == 4 and box == region_read(to_crop, (192, 256))
    reduced = np.array([[10.0, 20.0], [75.0, 50.0]])
    original = reduced * 4 + 1.5  # reduced pixel i is centred at original 4 i + 1.5
    assert np.allclose(affine_transform(reduced, to_crop), affine_transform(original, trans))
    f, to_crop, _ = decode_plan(trans, (192, 256), max_factor=1)  # a PNG: full scale, the map unchanged
    assert f == 1 and np.array_equal(to_crop, trans)


def test_region_read_covers_every_source_pixel_the_warp_samples():
    """Ramp images whose value is the row (column) index: no crop pixel reads outside the region."""
    input_size = (48, 64)
    rows = np.repeat(np.arange(400, dtype=np.float32)[:, None], 300, axis=1)
    cols = np.repeat(np.arange(300, dtype=np.float32)[None], 400, axis=0)
    for rotation in (0.0, 33.0, -70.0, 180.0):
        trans = get_affine_transform(np.array([150.0, 190.0]), np.array([0.4, 0.5]), rotation, input_size)
        x0, y0, x1, y1 = region_read(trans, input_size)
        for ramp, lo, hi in ((rows, y0, y1), (cols, x0, x1)):
            crop = warp_image(ramp, trans, input_size)
            assert lo <= crop.min() < lo + 4 and hi - 5 < crop.max() <= hi - 1  # covered, and tight
