"""Marginals, spreads, head weight maps and the two-person outcomes of notebook 11."""

import numpy as np
import pytest
import torch
from torch import nn

from simdr_lite.analysis.distributions import (
    OUTCOMES,
    bin_weight_maps,
    classify_predictions,
    heatmap_marginals,
    other_joints_in_crop,
    preferred_cells,
    spread,
)
from simdr_lite.codecs import HeatmapCodec


def test_marginals_of_a_gaussian_heatmap_peak_at_the_joint_and_sum_to_one():
    heat, _ = HeatmapCodec((64, 64), sigma=2.0).encode(np.array([[[20.0, 40.0]]]), np.ones((1, 1)))
    heat = torch.as_tensor(heat) - 0.1  # negative values are clipped, not counted
    px, py = heatmap_marginals(heat)
    assert px.shape == (1, 1, 16) and py.shape == (1, 1, 16)
    assert int(px.argmax()) == 5 and int(py.argmax()) == 10  # cells 20 / 4 and 40 / 4
    assert float(px.sum()) == pytest.approx(1.0) and float(py.sum()) == pytest.approx(1.0)
    flat_x, _ = heatmap_marginals(torch.full((1, 1, 4, 8), -1.0))  # nothing positive: uniform
    assert torch.allclose(flat_x, torch.full((1, 1, 8), 1 / 8))


def test_spread_is_the_standard_deviation_in_pixels():
    p = torch.zeros(2, 10)
    p[0, 3] = 1.0
    p[1, [2, 4]] = 0.5  # +- 1 bin around bin 3
    assert spread(p, 1.0).tolist() == pytest.approx([0.0, 1.0])
    assert spread(p, 4.0).tolist() == pytest.approx([0.0, 4.0])  # one bin = 4 px
    assert spread(p * 3, 0.5).tolist() == pytest.approx([0.0, 0.5])  # unnormalised input is normalised


def test_weight_maps_reshape_each_bins_row_and_find_its_column():
    head = nn.Linear(4 * 6, 6)
    with torch.no_grad():
        head.weight.zero_()
        for b in range(6):
            head.weight[b].view(4, 6)[:, b] = 1.0  # bin b reads column b
    maps = bin_weight_maps(head, (4, 6))
    assert maps.shape == (6, 4, 6)
    assert preferred_cells(maps, "x").tolist() == list(range(6))
    assert preferred_cells(maps, "y").tolist() == [0] * 6  # every row weighs the same: the first wins
    assert preferred_cells(-maps, "x", extreme="min").tolist() == list(range(6))  # a negative stripe
    with pytest.raises(ValueError, match="takes 24 features"):
        bin_weight_maps(head, (5, 5))
    with pytest.raises(ValueError, match="axis"):
        preferred_cells(maps, "z")
    with pytest.raises(ValueError, match="extreme"):
        preferred_cells(maps, "x", extreme="mean")


def test_classify_predictions_own_other_ghost_neither():
    own, other = np.array([10.0, 10.0]), np.array([30.0, 40.0])
    preds = np.array([[11.0, 9.0], [30.0, 41.0], [10.5, 40.0], [30.0, 10.0], [20.0, 25.0]])
    got = classify_predictions(preds, np.broadcast_to(own, preds.shape), np.broadcast_to(other, preds.shape),
                               3.0)
    assert [OUTCOMES[i] for i in got] == ["own", "other", "ghost", "ghost", "neither"]
    close = np.array([30.0, 14.0])  # the other person's y is only 4 px from ours: no ghost can be told apart
    got = classify_predictions(np.array([10.0, 15.0]), own, close, 3.0)
    assert OUTCOMES[int(got)] == "neither"


class _Crops:
    """Two persons in one image, one in another; crops centred on each person (scale 1: 200 px)."""

    input_size = (64, 64)
    image_ids = np.array([1, 1, 2])
    centers = np.array([[100.0, 100.0], [120.0, 100.0], [100.0, 100.0]], np.float32)
    scales = np.ones((3, 2), np.float32) * 0.32  # 64 px boxes: 1 image px = 1 crop px
    joints = np.array([[[100.0, 100.0]], [[120.0, 110.0]], [[0.0, 0.0]]], np.float32)
    visible = np.array([[1.0], [1.0], [1.0]], np.float32)


def test_other_joints_are_mapped_into_the_crop():
    pts, vis = other_joints_in_crop(_Crops(), 0)
    assert pts.shape == (1, 1, 2) and vis.tolist() == [[1.0]]
    assert pts[0, 0] == pytest.approx([52.0, 42.0], abs=1e-3)  # 20 px right, 10 px down of (32, 32)
    pts, vis = other_joints_in_crop(_Crops(), 2)
    assert pts.shape == (0, 1, 2) and vis.shape == (0, 1)
