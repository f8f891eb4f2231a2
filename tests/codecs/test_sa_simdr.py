"""SimDR* codec: official labels and weight rule, corrected rule, round trip, errors."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from simdr_lite.codecs import SASimDRCodec
from simdr_lite.codecs import reference as ref

from .test_simdr import KS, random_case


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("sigma", [4.0, 6.0])
def test_encode_matches_official_generate_sa_simdr(k, sigma):
    kp, vis = random_case(int(k * 3 + sigma), margin=40)
    codec = SASimDRCodec((192, 256), k=k, sigma=sigma)
    (tx, ty), w = codec.encode(kp, vis)
    assert tx.shape == (6, 17, int(192 * k)) and ty.shape == (6, 17, int(256 * k))
    for n in range(len(kp)):
        (rx, ry), rw = ref.sa_simdr_encode(kp[n], vis[n], (192, 256), k, sigma)
        np.testing.assert_array_equal(w[n], rw)
        np.testing.assert_allclose(tx[n], rx, atol=1e-7, rtol=1e-5)
        np.testing.assert_allclose(ty[n], ry, atol=1e-7, rtol=1e-5)


def test_label_value_is_the_normal_density_in_bins():
    codec = SASimDRCodec((64, 64), k=2, sigma=4)
    (tx, _), _ = codec.encode(np.array([[[20.25, 30.0]]]))
    i = np.arange(128)
    expected = np.exp(-((i - 40.5) ** 2) / 32) / (4 * math.sqrt(2 * math.pi))
    np.testing.assert_allclose(tx[0, 0], expected, rtol=1e-5, atol=1e-12)


def test_official_weight_rule_mixes_units_and_bins_rule_fixes_it():
    # x = -10 px is bin -20, far outside the labels, but the official check (pixels against
    # 3 sigma = 12 *bins*, with int() truncating toward zero) keeps it; it drops x = -14 px.
    kp = np.array([[[-10.0, 30.0], [-14.0, 30.0]]])
    off = SASimDRCodec((64, 64), k=2, sigma=4).encode(kp)[1]
    fixed = SASimDRCodec((64, 64), k=2, sigma=4, weight_rule="bins").encode(kp)[1]
    assert off.tolist() == [[1.0, 0.0]]
    assert fixed.tolist() == [[0.0, 0.0]]


@settings(max_examples=60, deadline=None)
@given(k=st.sampled_from(KS), xs=st.lists(st.floats(0, 63.0, allow_nan=False), min_size=1, max_size=34))
def test_round_trip_error_at_most_half_a_bin(k, xs):
    pts = np.array(xs)
    kp = np.stack([pts, pts[::-1]], axis=-1)[None]
    codec = SASimDRCodec((64, 64), k=k, sigma=2)
    assert np.abs(codec.round_trip(kp) - kp).max() <= 1 / (2 * k) + 1e-5


def test_decode_confidence_is_min_of_peaks_and_torch_matches_numpy():
    codec = SASimDRCodec((192, 256), k=2, sigma=4)
    rng = np.random.default_rng(0)
    ox = rng.normal(size=(3, 17, 384)).astype(np.float32)
    oy = rng.normal(size=(3, 17, 512)).astype(np.float32)
    coords, scores = codec.decode((ox, oy))
    for n in range(3):
        rc, rs = ref.simdr_decode(ox[n], oy[n], 2, "min")
        np.testing.assert_allclose(coords[n], rc)
        np.testing.assert_allclose(scores[n], rs, atol=1e-6)
    ct, st_ = codec.decode((torch.from_numpy(ox), torch.from_numpy(oy)))
    np.testing.assert_allclose(ct.numpy(), coords)
    np.testing.assert_allclose(st_.numpy(), scores)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sigma": 0}, "sigma must be > 0"),
        ({"k": 0}, "k .* must be >= 1"),
        ({"weight_rule": "pixels"}, "weight_rule must be one of"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SASimDRCodec((64, 64), **kwargs)


@pytest.mark.parametrize("size", [(32, 24), (192, 256)])  # label shorter / longer than the window
def test_windowed_and_full_label_paths_match_official(size):
    kp, vis = random_case(11, size=size, margin=10)
    codec = SASimDRCodec(size, k=1.5, sigma=6)
    (tx, ty), w = codec.encode(kp, vis)
    for n in range(len(kp)):
        (rx, ry), _ = ref.sa_simdr_encode(kp[n], vis[n], size, 1.5, 6)
        np.testing.assert_allclose(tx[n], rx, atol=1e-7, rtol=1e-5)
        np.testing.assert_allclose(ty[n], ry, atol=1e-7, rtol=1e-5)
