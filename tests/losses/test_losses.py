"""Losses equal the official per-joint formulas (spec Sec. 3) to 1e-5, also where those crash."""

import pytest
import torch
import torch.nn.functional as F

from simdr_lite.codecs import SASimDRCodec, SimDRCodec
from simdr_lite.losses import JointsMSELoss, KLDiscretLoss, SimDRLoss


def smoothed(target, m, ls):
    q = torch.full((len(target), m), ls / (m - 1))
    q[torch.arange(len(target)), target] = 1 - ls
    return q


def official_nmt(ox, oy, bins, w, ls, normalize):
    """The official NMT(NORM)Critierion, written as its per-joint loop without the squeeze bug."""
    b, j = ox.shape[:2]
    loss = 0.0
    for idx in range(j):
        for out, axis in ((ox, 0), (oy, 1)):
            scores = F.log_softmax(out[:, idx], dim=1)
            q = smoothed(bins[:, idx, axis], out.shape[-1], ls)
            kl = torch.xlogy(q, q) - q * scores
            per = kl.mean(dim=1) if normalize else kl.sum(dim=1)
            per = per * w[:, idx]
            loss = loss + (per.mean() if normalize else per.sum())
    return loss / j if normalize else loss / b


def make_simdr_case(batch, seed=0, k=2.0):
    g = torch.Generator().manual_seed(seed)
    codec = SimDRCodec((48, 64), k=k)
    kp = torch.rand(batch, 17, 2, generator=g, dtype=torch.float64) * torch.tensor([50.0, 66.0]) - 1
    bins, w = codec.encode(kp)
    ox = torch.randn(batch, 17, codec.bins[0], generator=g)
    oy = torch.randn(batch, 17, codec.bins[1], generator=g)
    return ox, oy, bins, w


@pytest.mark.parametrize("batch", [1, 4])
@pytest.mark.parametrize("ls", [0.0, 0.1, 0.4])
@pytest.mark.parametrize("normalize", [False, True])
def test_simdr_loss_matches_official(batch, ls, normalize):
    ox, oy, bins, w = make_simdr_case(batch, seed=batch)
    ours = SimDRLoss(label_smoothing=ls, normalize=normalize)((ox, oy), bins, w)
    ref = official_nmt(ox, oy, bins, w, ls, normalize)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-5, abs=1e-6)


def test_simdr_loss_without_smoothing_is_cross_entropy():
    ox, oy, bins, w = make_simdr_case(3)
    w = torch.ones_like(w)
    ce = F.cross_entropy(ox.flatten(0, 1), bins[..., 0].flatten(), reduction="sum")
    ce = ce + F.cross_entropy(oy.flatten(0, 1), bins[..., 1].flatten(), reduction="sum")
    assert SimDRLoss(0.0)((ox, oy), bins, w).item() == pytest.approx(ce.item() / 3, rel=1e-5)


def test_simdr_loss_minimised_by_log_of_smoothed_labels():
    codec = SimDRCodec((48, 64), k=2, label_smoothing=0.1)
    kp = torch.rand(2, 17, 2, dtype=torch.float64) * 40
    bins, w = codec.encode(kp)
    best = tuple(torch.as_tensor(x) for x in codec.perfect_output(kp))
    loss = SimDRLoss(0.1)
    assert loss(best, bins, w).item() == pytest.approx(0.0, abs=1e-5)
    assert loss((best[0] + 0.3 * torch.randn_like(best[0]), best[1]), bins, w).item() > 1e-3


def official_kl_discret(ox, oy, tx, ty, w):
    j = ox.shape[1]
    loss = 0.0
    for idx in range(j):
        for out, t in ((ox, tx), (oy, ty)):
            scores = F.log_softmax(out[:, idx], dim=1)
            kl = F.kl_div(scores, t[:, idx], reduction="none").mean(dim=1)
            loss = loss + (kl * w[:, idx]).mean()
    return loss / j


@pytest.mark.parametrize("batch", [1, 3])
def test_kl_discret_matches_official(batch):
    codec = SASimDRCodec((48, 64), k=2, sigma=4)
    g = torch.Generator().manual_seed(batch)
    kp = torch.rand(batch, 17, 2, generator=g, dtype=torch.float64) * 60 - 5
    (tx, ty), w = codec.encode(kp)
    ox = torch.randn(batch, 17, 96, generator=g)
    oy = torch.randn(batch, 17, 128, generator=g)
    ours = KLDiscretLoss()((ox, oy), (tx, ty), w)
    assert ours.item() == pytest.approx(official_kl_discret(ox, oy, tx, ty, w).item(), rel=1e-5)


@pytest.mark.parametrize("batch", [1, 2])
def test_joints_mse_matches_official(batch):
    g = torch.Generator().manual_seed(0)
    pred = torch.randn(batch, 17, 16, 12, generator=g)
    gt = torch.rand(batch, 17, 16, 12, generator=g)
    w = (torch.rand(batch, 17, generator=g) > 0.3).float()
    ref = 0.0
    for j in range(17):
        ref = ref + 0.5 * F.mse_loss(pred[:, j] * w[:, j, None, None], gt[:, j] * w[:, j, None, None])
    ref = ref / 17
    assert JointsMSELoss()(pred, gt, w).item() == pytest.approx(ref.item(), rel=1e-5)
    unweighted = 0.5 * F.mse_loss(pred, gt)
    assert JointsMSELoss(use_target_weight=False)(pred, gt, w).item() == pytest.approx(unweighted.item())


def test_losses_are_differentiable_and_zero_weight_joints_get_no_gradient():
    ox, oy, bins, w = make_simdr_case(2)
    ox.requires_grad_(True)
    w[0, 3] = 0
    SimDRLoss(0.1)((ox, oy), bins, w).backward()
    assert torch.all(ox.grad[0, 3] == 0) and ox.grad[1, 3].abs().sum() > 0


def test_bad_shapes_and_arguments():
    ox, oy, bins, w = make_simdr_case(2)
    with pytest.raises(ValueError, match=r"targets must be \(N, K, 2\)"):
        SimDRLoss()((ox, oy), bins[..., 0], w)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\)"):
        SimDRLoss(label_smoothing=1.0)
    with pytest.raises(ValueError, match="must both be"):
        JointsMSELoss()(torch.zeros(1, 17, 8, 8), torch.zeros(1, 17, 4, 4), torch.ones(1, 17))
    with pytest.raises(ValueError, match="must match"):
        KLDiscretLoss()((ox, oy), (ox[..., :5], oy), w)
