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
