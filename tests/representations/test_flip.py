"""Flip test of each representation: the exact shift makes a flip-equivariant prediction agree for any k."""

import numpy as np
import pytest
import torch

from simdr_lite.representations import Heatmap, SimDR, SimDRStar
from simdr_lite.representations.flip import flip_back, shift_cells
from simdr_lite.representations.simdr import flip_back_bins
from simdr_lite.skeletons import COCO

W, H = 48, 64


def gt_and_flipped(seed=0, n=4):
    """Keypoints on the pixel grid and their mirror image (x -> W - 1 - x, left/right swapped)."""
    rng = np.random.default_rng(seed)
    kp = rng.integers(8, [W - 8, H - 8], size=(n, 17, 2)).astype(np.float64)
    flipped = kp.copy()
    flipped[..., 0] = W - 1 - flipped[..., 0]
    return kp, flipped[:, COCO.flip_index()]


def outputs(rep, kp):
    out = rep.codec.perfect_output(kp)  # what an ideal (flip-equivariant) network outputs
    return torch.as_tensor(out) if isinstance(out, np.ndarray) else tuple(torch.as_tensor(t) for t in out)


@pytest.mark.parametrize("k", [1.0, 2.0, 3.0])
def test_exact_shift_makes_flip_test_agree_for_any_k(k):
    rep = SimDR((W, H), k=k, label_smoothing=0.1, flip_shift="exact")
    kp, flipped = gt_and_flipped()
    plain, mirror = outputs(rep, kp), outputs(rep, flipped)
    xf, yf = flip_back_bins(*mirror, COCO.flip_pairs, k, "exact")
    torch.testing.assert_close(xf, plain[0], atol=1e-5, rtol=0)
    torch.testing.assert_close(yf, plain[1], atol=1e-5, rtol=0)
    coords, _ = rep.merge_flip(plain, mirror, COCO.flip_pairs)
    np.testing.assert_allclose(coords.numpy(), rep.codec.round_trip(kp), atol=1e-5)
    # The official one-bin shift leaves (k - 2) / k px on the flipped branch.
    xo, _ = flip_back_bins(*mirror, COCO.flip_pairs, k, "official")
    off = (xo.argmax(-1) - plain[0].argmax(-1)).float() / k
    torch.testing.assert_close(off, torch.full_like(off, (k - 2) / k))


def test_simdr_averages_softmaxes_and_simdr_star_averages_logits():
    kp, flipped = gt_and_flipped(1)
    simdr, star = SimDR((W, H), k=2), SimDRStar((W, H), k=2, sigma=2)
    for rep in (simdr, star):
        plain, mirror = outputs(rep, kp), outputs(rep, flipped)
        xf, yf = flip_back_bins(*mirror, COCO.flip_pairs, 2, "official")
        if rep is simdr:
            px = (torch.softmax(plain[0], -1) + torch.softmax(xf, -1)) / 2
            py = (torch.softmax(plain[1], -1) + torch.softmax(yf, -1)) / 2
            expected = rep.codec.decode((px, py), normalized=True)
        else:
            expected = rep.codec.decode(((plain[0] + xf) / 2, (plain[1] + yf) / 2))
        got = rep.merge_flip(plain, mirror, COCO.flip_pairs)
        for a, b in zip(got, expected):
            torch.testing.assert_close(a, b)


def test_heatmap_flip_back_shifts_right_one_cell_officially():
    hm = torch.zeros(1, 17, 4, 5)
    hm[0, 1, 2, 1] = 1.0  # left eye at x = 1 in the flipped map
    back = flip_back(hm, COCO.flip_pairs, 1 / 4, "official", official_cells=-1.0)
    assert back[0, 2, 2].argmax() == 5 - 1 - 1 + 1  # reversed to x = 3, then shifted right, as right eye
    exact = flip_back(hm, COCO.flip_pairs, 1 / 4, "exact", official_cells=-1.0)
    torch.testing.assert_close(exact[0, 2, 2], torch.tensor([0.0, 0.0, 0.0, 0.25, 0.75]))


@pytest.mark.parametrize("flip_shift", ["official", "exact"])
def test_heatmap_flip_test_brings_the_mirror_back_near_the_original(flip_shift):
    rep = Heatmap((W, H), sigma=2, refine=None, flip_shift=flip_shift)
    kp, flipped = gt_and_flipped(2)
    coords, _ = rep.merge_flip(outputs(rep, kp), outputs(rep, flipped), COCO.flip_pairs)
    assert np.abs(coords.numpy() - rep.codec.round_trip(kp)).max() <= 4.0  # within one heatmap cell


def test_shift_cells_interpolates_both_ways_and_settings_are_checked():
    x = torch.arange(6.0)[None, None]
    torch.testing.assert_close(shift_cells(x, 1.5), torch.tensor([[[1.5, 2.5, 3.5, 4.5, 5.0, 5.0]]]))
    torch.testing.assert_close(shift_cells(x, -1.0), torch.tensor([[[0.0, 0.0, 1.0, 2.0, 3.0, 4.0]]]))
    with pytest.raises(ValueError, match="flip_shift must be one of"):
        SimDR((W, H), flip_shift="left")
