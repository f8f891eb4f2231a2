"""Plot helpers draw what they are given (Agg backend; assertions on the returned artists)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from simdr_lite.notebook import viz  # noqa: E402
from simdr_lite.skeletons import COCO  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_draw_skeleton_skips_invisible_joints_and_their_edges(ax):
    kp = np.stack([np.arange(17.0), np.arange(17.0) * 2], 1)
    vis = np.ones(17)
    vis[0] = 0  # the nose: edges touching it disappear
    out = viz.draw_skeleton(ax, kp, vis, image=np.zeros((40, 20, 3)))
    expected = sum(1 for a, b in COCO.edges if a != 0 and b != 0)
    assert len(out["lines"]) == expected
    np.testing.assert_allclose(out["points"].get_offsets(), kp[1:])
    assert out["image"] is not None and out["image"].get_array().shape == (40, 20, 3)
    with pytest.raises(ValueError, match="keypoints must be"):
        viz.draw_skeleton(ax, np.zeros((5, 2)))


def test_plot_label_vectors_uses_pixel_axis(ax):
    v = np.zeros(10)
    v[4] = 1.0
    out = viz.plot_label_vectors(ax, {"one-hot": v}, k=2.0, true_x=2.1)
    xs, ys = out["lines"]["one-hot"].get_data()
    np.testing.assert_allclose(xs, np.arange(10) / 2.0)
    assert xs[np.argmax(ys)] == 2.0
    assert out["true"].get_xdata()[0] == 2.1


def test_heatmap_overlay_extent_matches_stride(ax):
    hm = np.zeros((4, 5))
    hm[1, 3] = 1
    out = viz.plot_heatmap_overlay(ax, hm, stride=4.0, points={"truth": (12.0, 4.0)})
    left, right, bottom, top = out["heatmap"].get_extent()
    assert (left, right, bottom, top) == (-2.0, 18.0, 14.0, -2.0)
    assert out["points"]["truth"].get_xdata()[0] == 12.0
    with pytest.raises(ValueError, match=r"\(h, w\)"):
        viz.plot_heatmap_overlay(ax, np.zeros((1, 4, 5)))


def test_error_histograms_count_every_sample(ax):
    errors = {"a": np.linspace(0, 0.5, 101), "b": np.full(50, 0.1)}
    out = viz.plot_error_histograms(ax, errors, bounds={"a": 0.5})
    assert out["hists"]["a"][0].sum() == 101 and out["hists"]["b"][0].sum() == 50
    assert out["bounds"]["a"].get_xdata()[0] == 0.5 and "b" not in out["bounds"]
    with pytest.raises(ValueError, match="empty"):
        viz.plot_error_histograms(ax, {})


def test_ap_table_bars_hold_the_values(ax):
    table = {"64x64": {"heatmap": {"AP": 0.8}, "SimDR": {"AP": 1.0}}, "128x128": {"heatmap": {"AP": 0.95}}}
    out = viz.plot_ap_table(ax, table)
    np.testing.assert_allclose(out["values"], [[80.0, 95.0], [100.0, np.nan]])
    heights = [b.get_height() for b in out["bars"]["heatmap"]]
    np.testing.assert_allclose(heights, [80.0, 95.0])


def test_plot_curves(ax):
    out = viz.plot_curves(ax, np.arange(3), {"g": np.array([1.0, -1.0, 0.0])}, "x", "grad")
    np.testing.assert_allclose(out["lines"]["g"].get_ydata(), [1.0, -1.0, 0.0])
    assert ax.get_ylabel() == "grad"


def test_error_histograms_log_axis(ax):
    viz.plot_error_histograms(ax, {"a": np.array([0.0, 0.1, 0.1])}, log=True)
    assert ax.get_yscale() == "log"
