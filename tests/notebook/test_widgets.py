"""Widget callbacks: what the sliders show is computed by the package and obeys the paper."""

from __future__ import annotations

import numpy as np
import pytest

from simdr_lite.notebook import widgets as W


@pytest.mark.parametrize("k", [1.0, 2.0, 3.0])
def test_simdr_label_view_eqs_2_to_7(k):
    v = W.simdr_label_view(k=k, sigma=2.0, x=20.3, input_width=64, label_smoothing=0.2)
    assert v["positions"].shape == v["simdr_label"].shape == v["sa_label"].shape == (int(64 * k),)
    assert v["simdr_bin"] == round(20.3 * k)  # Eq. 2
    assert v["simdr_label"][v["simdr_bin"]] == pytest.approx(0.8)  # 1 - ls on the target bin
    assert v["simdr_label"].sum() == pytest.approx(1.0, abs=1e-5)
    # Eq. 6: Gaussian centred at k x, peak 1 / (sigma sqrt(2 pi)), arg-max is the nearest bin
    assert int(np.argmax(v["sa_label"])) == round(20.3 * k)
    assert v["sa_label"].max() <= 1 / (2.0 * np.sqrt(2 * np.pi))
    assert v["simdr_error"] < v["bound"] == 1 / (2 * k)  # App. D.1
    assert v["simdr_decoded"] == pytest.approx(round(20.3 * k) / k)


def test_simdr_label_view_rounds_half_to_even():
    assert W.simdr_label_view(1.0, 2.0, 20.5, 64)["simdr_bin"] == 20
    assert W.simdr_label_view(1.0, 2.0, 21.5, 64)["simdr_bin"] == 22


def test_error_distribution_view_shrinks_with_k():
    e1 = W.error_distribution_view(1.0, num=500)
    e3 = W.error_distribution_view(3.0, num=500)
    assert e3["mean"]["SimDR k=3"] < e1["mean"]["SimDR k=1"] < e1["mean"]["heatmap (arg-max)"]
    assert e3["errors"]["SimDR k=3"].max() <= e3["bounds"]["SimDR k=3"] + 1e-6
    assert e1["bounds"]["heatmap (arg-max)"] == 2.0


def test_heatmap_view_decodes_to_grid():
    v = W.heatmap_view(20.3, 30.7, (64, 64), sigma=1.0, refine=None)
    assert v["heatmap"].shape == (16, 16) and v["stride"] == 4
    np.testing.assert_allclose(v["decoded"], [20.0, 32.0])  # int(x / 4 + 0.5) * 4
    assert v["error"] == pytest.approx(np.hypot(0.3, 1.3), abs=1e-5)
    dark = W.heatmap_view(20.3, 30.7, (64, 64), sigma=1.0, refine="dark", unbiased=True)
    assert dark["error"] < 0.1


def test_loss_gradient_view_signs_and_smoothing():
    v = W.loss_gradient_view(x=30.0, pred_x=26.0, k=2.0, label_smoothing=0.1)
    g = v["grads"]["SimDR NMT"]
    assert v["probs"].sum() == pytest.approx(1.0)
    # softmax + KL: gradient is p - q; it sums to zero and pulls the true bin up (negative gradient)
    assert g.sum() == pytest.approx(0.0, abs=1e-5)
    assert np.argmin(g) == 60 and g[60] < 0
    assert np.argmax(g) == int(np.argmax(v["probs"]))
    # NMTNORM is NMT divided by the number of bins and joints (here one joint)
    np.testing.assert_allclose(v["grads"]["SimDR NMTNORM"], g / 128, atol=1e-7)
    # stronger smoothing: a smaller pull on the true bin
    g2 = W.loss_gradient_view(x=30.0, pred_x=26.0, label_smoothing=0.4)["grads"]["SimDR NMT"]
    assert abs(g2[60]) < abs(g[60])
    # SimDR: the pull is on the true bin only; SimDR*: spread over its neighbours (sigma = 6 bins)
    assert abs(g[59]) < 0.05 * abs(g[60]) and abs(g[61]) < 0.05 * abs(g[60])
    ga = v["grads"]["SimDR* KLDiscret"]
    assert (ga[58:63] < 0).all() and abs(int(np.argmin(ga)) - 60) <= 6
    assert abs(ga[61]) > 0.5 * abs(ga[60])
    # the heatmap MSE gradient along the joint's row: negative at the target cell (30 / 4 -> 8),
    # positive at the predicted cell (26 / 4 = 6.5)
    hg = v["heatmap_grad"]
    assert hg.shape == (16,) and v["heatmap_positions"][8] == 32.0
    assert hg[8] < 0 and hg[6] > 0 and v["losses"]["heatmap JointsMSE"] > 0


def test_heatmap_view_names_the_argmax_cell_and_the_appd_bound():
    v = W.heatmap_view(21.3, 38.9, (64, 64), sigma=1.0, refine=None)
    assert v["cell"] == (5, 10)  # int(21.3 / 4 + 0.5), int(38.9 / 4 + 0.5)
    assert v["bound"] == 2.0 and (v["error_xy"] <= v["bound"]).all()
    np.testing.assert_allclose(v["decoded"], np.array(v["cell"]) * 4.0)


def test_the_error_distribution_is_computed_once_per_k():
    W._error_distribution.cache_clear()
    first = W.error_distribution_view(2.5, num=300)
    again = W.error_distribution_view(2.5, (64, 64), num=300)
    assert again is first and W._error_distribution.cache_info().hits == 1


def test_augmentation_view_gives_the_crop_and_both_targets():
    from simdr_lite.skeletons import COCO

    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (120, 100, 3), dtype=np.uint8)
    joints = np.column_stack([np.linspace(30, 70, 17), np.linspace(20, 100, 17)]).astype(np.float32)
    visible = np.ones(17, np.float32)
    args = (image, joints, visible, np.array([50.0, 60.0], np.float32), np.array([0.5, 0.6], np.float32),
            (48, 64), COCO.flip_index())
    v = W.augmentation_view(*args, k=2.0, sigma=2.0)
    assert v["crop"].shape == (64, 48, 3) and v["heatmaps"].shape == (17, 16, 12)
    assert v["simdr_x"].shape == (17, 96) and v["simdr_y"].shape == (17, 128)
    kept = v["weights"] > 0
    # each kept joint's SimDR label peaks at round(k x) of its crop position (Eq. 2)
    np.testing.assert_array_equal(v["simdr_x"][kept].argmax(-1), np.round(v["joints"][kept, 0] * 2))
    flipped = W.augmentation_view(*args, flip=True)
    np.testing.assert_array_equal(flipped["visible"], visible[COCO.flip_index()])
    rotated = W.augmentation_view(*args, rotation=30.0)
    assert not np.allclose(rotated["joints"], v["joints"])


def test_figures_draw_every_panel():
    assert len(W.heatmap_figure().axes) >= 1 and "bound 2.0 px" in W.heatmap_figure().axes[0].get_title()
    assert len(W.simdr_labels_figure(k=3.0).axes) == 2
    grads = W.loss_gradients_figure(sigma=3.0)
    assert [a.get_title().split(":")[0] for a in grads.axes] == [
        "SimDR NMT", "SimDR NMTNORM", "SimDR* KLDiscret", "heatmap JointsMSE"]
    # sigma changes the SimDR* gradient (the curve on its own axis), not the NMT one
    other = W.loss_gradients_figure(sigma=9.0)
    nmt, kl = (0, 2)
    assert np.allclose(grads.axes[nmt].lines[0].get_ydata(), other.axes[nmt].lines[0].get_ydata())
    assert not np.allclose(grads.axes[kl].lines[0].get_ydata(), other.axes[kl].lines[0].get_ydata())
