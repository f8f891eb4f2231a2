"""Flip test: the exact SimDR shift makes a flip-equivariant prediction agree for any k."""

import numpy as np
import pytest
import torch

from simdr_lite.codecs import HeatmapCodec, SASimDRCodec, SimDRCodec
from simdr_lite.evaluation.flip import combine_flip, flip_back_heatmap, flip_back_simdr, shift_bins
from simdr_lite.skeletons import COCO

W, H = 48, 64


def gt_and_flipped(seed=0, n=4):
    """Keypoints on the pixel grid and their mirror image (x -> W - 1 - x, left/right swapped)."""
    rng = np.random.default_rng(seed)
    kp = rng.integers(8, [W - 8, H - 8], size=(n, 17, 2)).astype(np.float64)
    flipped = kp.copy()
    flipped[..., 0] = W - 1 - flipped[..., 0]
    return kp, flipped[:, COCO.flip_index()]


@pytest.mark.parametrize("k", [1.0, 2.0, 3.0])
def test_exact_shift_makes_flip_test_agree_for_any_k(k):
    codec = SimDRCodec((W, H), k=k, label_smoothing=0.1)
    kp, flipped = gt_and_flipped()
    plain = [torch.as_tensor(t) for t in codec.perfect_output(kp)]
    mirror = [torch.as_tensor(t) for t in codec.perfect_output(flipped)]  # an equivariant network
    xf, yf = flip_back_simdr(*mirror, COCO.flip_pairs, k, shift="exact")
    torch.testing.assert_close(xf, plain[0], atol=1e-5, rtol=0)
    torch.testing.assert_close(yf, plain[1], atol=1e-5, rtol=0)
    combined, normalized = combine_flip("simdr", plain, mirror, COCO.flip_pairs, k=k, simdr_shift="exact")
    coords, _ = codec.decode(combined, normalized=normalized)
    np.testing.assert_allclose(coords.numpy(), codec.round_trip(kp), atol=1e-5)
    # The official one-bin shift leaves (k - 2) / k px on the flipped branch.
    xo, _ = flip_back_simdr(*mirror, COCO.flip_pairs, k, shift="official")
    off = (xo.argmax(-1) - plain[0].argmax(-1)).float() / k
    torch.testing.assert_close(off, torch.full_like(off, (k - 2) / k))


def test_sa_simdr_averages_logits_and_heatmap_shifts_right():
    codec = SASimDRCodec((W, H), k=2, sigma=2)
    kp, flipped = gt_and_flipped(1)
    plain = [torch.as_tensor(t) for t in codec.perfect_output(kp)]
    mirror = [torch.as_tensor(t) for t in codec.perfect_output(flipped)]
    (cx, cy), normalized = combine_flip("sa-simdr", plain, mirror, COCO.flip_pairs, k=2)
    assert not normalized
    xf, _ = flip_back_simdr(*mirror, COCO.flip_pairs, 2)
    torch.testing.assert_close(cx, (plain[0] + xf) / 2)
    hm = torch.zeros(1, 17, 4, 5)
    hm[0, 1, 2, 1] = 1.0  # left eye at x = 1 in the flipped map
    back = flip_back_heatmap(hm, COCO.flip_pairs)
    assert back[0, 2, 2].argmax() == 5 - 1 - 1 + 1  # reversed to x = 3, then shifted right, as right eye


def test_heatmap_flip_test_brings_the_mirror_back_near_the_original():
    codec = HeatmapCodec((W, H), sigma=2, refine=None)
    kp, flipped = gt_and_flipped(2)
    plain = torch.as_tensor(codec.perfect_output(kp))
    mirror = torch.as_tensor(codec.perfect_output(flipped))
    combined, _ = combine_flip("heatmap", plain, mirror, COCO.flip_pairs)
    coords, _ = codec.decode(combined)
    assert np.abs(coords.numpy() - codec.round_trip(kp)).max() <= 4.0  # within one heatmap cell


def test_shift_bins_interpolates_and_validates():
    x = torch.arange(6.0)[None, None]
    torch.testing.assert_close(shift_bins(x, 1.5), torch.tensor([[[1.5, 2.5, 3.5, 4.5, 5.0, 5.0]]]))
    with pytest.raises(ValueError, match="simdr shift must be one of"):
        flip_back_simdr(x, x, [], 2, shift="left")
    with pytest.raises(ValueError, match="head must be"):
        combine_flip("regression", (x, x), (x, x), [])
