"""Heatmap codec: official target/decoders, DARK, round-trip bound (App. D.2), errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from simdr_lite.codecs import HeatmapCodec
from simdr_lite.codecs import reference as ref

from .test_simdr import random_case


@pytest.mark.parametrize("sigma", [1.0, 2.0, 3.0, 1.5])
def test_encode_matches_official_generate_target(sigma):
    kp, vis = random_case(int(sigma * 7))
    codec = HeatmapCodec((192, 256), sigma=sigma)
    hm, w = codec.encode(kp, vis)
    assert hm.shape == (6, 17, 64, 48) and hm.dtype == np.float32
    for n in range(len(kp)):
        rhm, rw = ref.heatmap_encode(kp[n], vis[n], (192, 256), (48, 64), sigma)
        np.testing.assert_array_equal(w[n], rw)
        np.testing.assert_allclose(hm[n], rhm, atol=1e-6)


def test_target_peak_is_one_at_rounded_cell_and_window_is_six_sigma():
    codec = HeatmapCodec((64, 64), sigma=1)
    hm, w = codec.encode(np.array([[[22.1, 29.9]]]))
    assert w[0, 0] == 1
    peak = np.unravel_index(hm[0, 0].argmax(), hm[0, 0].shape)
    assert peak == (7, 6) and hm[0, 0][peak] == pytest.approx(1.0)
    assert np.count_nonzero(hm[0, 0]) == 7 * 7


@pytest.mark.parametrize("refine", [None, "shift"])
def test_decode_matches_official_get_final_preds(refine):
    rng = np.random.default_rng(2)
    hm = rng.normal(size=(5, 17, 64, 48)).astype(np.float32)
    hm[0, 0] = -1.0  # non-positive peak -> coordinates zeroed
    codec = HeatmapCodec((192, 256), sigma=2, refine=refine)
    coords, scores = codec.decode(hm)
    for n in range(5):
        rc, rs = ref.heatmap_decode(hm[n], (192, 256), refine)
        np.testing.assert_allclose(coords[n], rc)
        np.testing.assert_allclose(scores[n], rs)
    assert np.all(coords[0, 0] == 0)


def test_dark_decode_matches_full_blur_reference():
    kp, _ = random_case(5)
    codec = HeatmapCodec((192, 256), sigma=2, refine="dark", unbiased=True)
    rng = np.random.default_rng(0)
    hm = codec.encode(kp)[0] + rng.uniform(0, 0.05, size=(6, 17, 64, 48)).astype(np.float32)
    coords, _ = codec.decode(hm)
    for n in range(len(kp)):
        rc, _ = ref.dark_decode(hm[n], (192, 256), kernel=11)
        np.testing.assert_allclose(coords[n], rc, atol=1e-3)


def test_dark_recovers_sub_pixel_centre_of_unbiased_target():
    rng = np.random.default_rng(4)
    kp = rng.uniform([60, 60], [132, 196], size=(8, 17, 2))
    codec = HeatmapCodec((192, 256), sigma=2, refine="dark", unbiased=True)
    err = np.abs(codec.round_trip(kp) - kp)
    assert err.max() < 0.01
    plain = np.abs(HeatmapCodec((192, 256), sigma=2, refine=None).round_trip(kp) - kp)
    assert plain.max() > 1.0  # arg-max alone keeps the quantization error


@settings(max_examples=60, deadline=None)
@given(
    stride=st.sampled_from([1, 2, 4, 8]),
    xs=st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=34),
)
def test_argmax_round_trip_error_below_half_stride(stride, xs):
    """App. D.2: arg-max of the official target errs by at most lambda / 2 (lambda = stride)."""
    size = 64
    hi = (size // stride - 1) * stride + stride / 2 - 1e-6  # centre cell must exist
    pts = np.array(xs) * hi
    kp = np.stack([pts, pts[::-1]], axis=-1)[None]
    for refine in (None, "shift"):
        codec = HeatmapCodec((size, size), (size // stride, size // stride), sigma=1, refine=refine)
        assert np.abs(codec.round_trip(kp) - kp).max() <= stride / 2 + 1e-6


def test_unbiased_target_is_full_map_gaussian_at_float_centre():
    codec = HeatmapCodec((64, 64), sigma=1.5, unbiased=True)
    hm, _ = codec.encode(np.array([[[21.0, 30.0]]]))
    ys, xs = np.mgrid[0:16, 0:16]
    expected = np.exp(-((xs - 5.25) ** 2 + (ys - 7.5) ** 2) / (2 * 1.5**2))
    np.testing.assert_allclose(hm[0, 0], expected, atol=1e-6)


def test_far_tails_have_no_denormals():
    codec = HeatmapCodec((192, 256), sigma=3, unbiased=True)
    hm, _ = codec.encode(np.array([[[0.0, 0.0]]]))
    tiny = np.finfo(np.float32).tiny
    assert not np.any((hm > 0) & (hm < tiny))


def test_torch_and_numpy_agree():
    kp, vis = random_case(9)
    codec = HeatmapCodec((192, 256), sigma=2, refine="dark")
    hm_np, w_np = codec.encode(kp, vis)
    hm_t, w_t = codec.encode(torch.from_numpy(kp), torch.from_numpy(vis))
    np.testing.assert_array_equal(hm_t.numpy(), hm_np)
    c_np, s_np = codec.decode(hm_np)
    c_t, s_t = codec.decode(hm_t)
    assert isinstance(c_t, torch.Tensor)
    np.testing.assert_allclose(c_t.numpy(), c_np)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sigma": 0}, "sigma must be > 0"),
        ({"sigma": -1}, "sigma must be > 0"),
        ({"heatmap_size": (30, 30)}, "heatmap stride input_size / heatmap_size must be an integer"),
        ({"refine": "taylor"}, "refine must be one of"),
        ({"blur_kernel": 4}, "blur_kernel must be a positive odd integer"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HeatmapCodec((64, 64), **kwargs)


def test_bad_output_shape():
    with pytest.raises(ValueError, match=r"heatmaps must have shape \(N, K, 16, 16\)"):
        HeatmapCodec((64, 64)).decode(np.zeros((1, 17, 32, 32)))


def test_nan_keypoint_gets_zero_weight_and_empty_map():
    hm, w = HeatmapCodec((64, 64), sigma=1).encode(np.array([[[np.nan, 1.0], [10.0, 10.0]]]))
    assert w.tolist() == [[0.0, 1.0]] and hm[0, 0].max() == 0 and hm[0, 1].max() == 1
