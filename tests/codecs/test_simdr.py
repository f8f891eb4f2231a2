"""SimDR codec: official equivalence, round-trip bound (App. D.1), shapes, numpy/torch, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from simdr_lite.codecs import SimDRCodec
from simdr_lite.codecs import reference as ref

KS = [1.0, 1.5, 2.0, 3.0, 4.0]


def random_case(seed, n=6, k=17, size=(192, 256), margin=20):
    rng = np.random.default_rng(seed)
    w, h = size
    kp = rng.uniform(-margin, [w + margin, h + margin], size=(n, k, 2))
    vis = (rng.uniform(size=(n, k)) > 0.2).astype(np.float32)
    return kp, vis


@pytest.mark.parametrize("k", KS)
def test_encode_matches_official_loop(k):
    kp, vis = random_case(int(k * 10))
    codec = SimDRCodec((192, 256), k=k)
    bins, weights = codec.encode(kp, vis)
    assert bins.shape == (6, 17, 2) and bins.dtype == np.int64
    assert weights.shape == (6, 17) and weights.dtype == np.float32
    for n in range(len(kp)):
        rb, rw = ref.simdr_encode(kp[n], vis[n], (192, 256), k)
        np.testing.assert_array_equal(bins[n], rb)
        np.testing.assert_array_equal(weights[n], rw)


def test_rounding_is_half_to_even_like_numpy_around():
    codec = SimDRCodec((64, 64), k=1)
    kp = np.array([[[2.5, 3.5], [4.5, 5.5]]])
    bins, _ = codec.encode(kp)
    np.testing.assert_array_equal(bins[0], [[2, 4], [4, 6]])


def test_out_of_range_and_nan_get_zero_weight_and_clamped_bins():
    codec = SimDRCodec((64, 48), k=2)
    kp = np.array([[[-1.0, 10.0], [10.0, 48.0], [63.9, 47.7], [np.nan, 3.0]]])
    bins, w = codec.encode(kp, np.ones((1, 4)))
    np.testing.assert_array_equal(w[0], [0, 0, 0, 0])
    assert bins[0, 0, 0] == 0 and bins[0, 1, 1] == 95 and bins[0, 2, 0] == 127


@pytest.mark.parametrize("k", KS)
def test_decode_matches_official_softmax_argmax(k):
    codec = SimDRCodec((192, 256), k=k)
    rng = np.random.default_rng(1)
    ox = rng.normal(size=(4, 17, codec.bins[0])).astype(np.float32)
    oy = rng.normal(size=(4, 17, codec.bins[1])).astype(np.float32)
    coords, scores = codec.decode((ox, oy))
    assert coords.shape == (4, 17, 2) and scores.shape == (4, 17)
    for n in range(4):
        rc, rs = ref.simdr_decode(ox[n], oy[n], k, "max")
        np.testing.assert_allclose(coords[n], rc)
        np.testing.assert_allclose(scores[n], rs, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    k=st.sampled_from(KS),
    xs=st.lists(st.floats(0, 191.49, allow_nan=False), min_size=1, max_size=34),
)
def test_round_trip_error_at_most_half_a_bin(k, xs):
    """App. D.1: |round(k x) / k - x| <= 1 / (2k) (equality only at exact ties)."""
    pts = np.array(xs, dtype=np.float64)
    kp = np.stack([pts, pts[::-1] * (255.0 / 191.49)], axis=-1)[None]
    codec = SimDRCodec((192, 256), k=k)
    err = np.abs(codec.round_trip(kp) - kp)
    assert err.max() <= 1.0 / (2 * k) + 1e-5


def test_torch_and_numpy_agree_and_return_their_own_kind():
    kp, vis = random_case(3)
    codec = SimDRCodec((192, 256), k=3)
    b_np, w_np = codec.encode(kp, vis)
    b_t, w_t = codec.encode(torch.from_numpy(kp), torch.from_numpy(vis))
    assert isinstance(b_t, torch.Tensor) and isinstance(b_np, np.ndarray)
    np.testing.assert_array_equal(b_t.numpy(), b_np)
    np.testing.assert_array_equal(w_t.numpy(), w_np)
    logits = codec.perfect_output(kp, vis)
    c_np, _ = codec.decode(logits)
    c_t, _ = codec.decode(tuple(torch.from_numpy(x) for x in logits))
    np.testing.assert_array_equal(c_t.numpy(), c_np)


def test_soft_labels_and_perfect_output():
    codec = SimDRCodec((8, 4), k=1, label_smoothing=0.2)
    qx, qy = codec.soft_labels(np.array([[[3, 1]]]))
    np.testing.assert_allclose(qx[0, 0], [0.2 / 7] * 3 + [0.8] + [0.2 / 7] * 4, rtol=1e-6)
    np.testing.assert_allclose(qx.sum(-1), 1.0, rtol=1e-6)
    assert qy[0, 0].argmax() == 1
    coords, scores = codec.decode(codec.perfect_output(np.array([[[3.2, 0.9]]])))
    np.testing.assert_allclose(coords, [[[3.0, 1.0]]])
    assert scores[0, 0] == pytest.approx(0.8, rel=1e-5)


def test_normalized_decode_takes_probabilities():
    codec = SimDRCodec((4, 4), k=1)
    px = np.array([[[0.1, 0.6, 0.2, 0.1]]], dtype=np.float32)
    py = np.array([[[0.7, 0.1, 0.1, 0.1]]], dtype=np.float32)
    coords, scores = codec.decode((px, py), normalized=True)
    np.testing.assert_allclose(coords, [[[1.0, 0.0]]])
    assert scores[0, 0] == pytest.approx(0.7)
    _, smin = SimDRCodec((4, 4), k=1, confidence="min").decode((px, py), normalized=True)
    assert smin[0, 0] == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 0.5}, r"k \(the splitting factor\) must be >= 1"),
        ({"k": float("nan")}, "k"),
        ({"label_smoothing": 1.0}, r"label_smoothing must be in \[0, 1\)"),
        ({"confidence": "avg"}, "confidence must be one of"),
        ({"input_size": (0, 64)}, "input_size must be two positive integers"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, match):
    args = {"input_size": (64, 64), **kwargs}
    with pytest.raises(ValueError, match=match):
        SimDRCodec(**args)


def test_bad_shapes_raise_clear_errors():
    codec = SimDRCodec((64, 64), k=2)
    with pytest.raises(ValueError, match=r"keypoints must have shape \(N, K, 2\)"):
        codec.encode(np.zeros((17, 2)))
    with pytest.raises(ValueError, match=r"visible must have shape \(N, K\)"):
        codec.encode(np.zeros((1, 17, 2)), np.ones(17))
    with pytest.raises(ValueError, match="expected 128 x-bins and 128 y-bins"):
        codec.decode((np.zeros((1, 17, 64)), np.zeros((1, 17, 128))))
    with pytest.raises(ValueError, match="outputs must be the pair"):
        codec.decode(np.zeros((1, 17, 128)))
