"""logit_gradients matches the closed form of softmax + KL gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from simdr_lite.analysis.gradients import logit_gradients
from simdr_lite.losses import JointsMSELoss, SimDRLoss


def test_simdr_gradient_is_p_minus_q():
    rng = np.random.default_rng(0)
    ox = rng.normal(size=(2, 3, 8)).astype(np.float32)
    oy = rng.normal(size=(2, 3, 6)).astype(np.float32)
    bins = np.array([[[1, 2], [3, 4], [7, 5]]] * 2)
    w = np.ones((2, 3), dtype=np.float32)
    ls = 0.2
    loss, (gx, gy) = logit_gradients(SimDRLoss(ls), (ox, oy), bins, w)
    q = np.full((2, 3, 8), ls / 7)
    np.put_along_axis(q, bins[..., :1], 1 - ls, axis=-1)
    p = torch.softmax(torch.from_numpy(ox), -1).numpy()
    np.testing.assert_allclose(gx, (p - q) / 2, atol=1e-6)  # NMT divides by the batch (2)
    assert gy.shape == (2, 3, 6) and loss > 0


def test_single_array_outputs():
    out = np.zeros((1, 2, 3, 3), dtype=np.float32)
    tgt = np.ones_like(out)
    loss, g = logit_gradients(JointsMSELoss(), out, tgt, np.ones((1, 2), dtype=np.float32))
    assert loss == pytest.approx(0.5)
    np.testing.assert_allclose(g, np.full(out.shape, -1.0 / out.size))
