"""The representation objects: one registry, their losses, heads, settings and predict."""

import pytest
import torch

from simdr_lite import build
from simdr_lite.engine.config import from_dict
from simdr_lite.losses import JointsMSELoss, KLDiscretLoss, SimDRLoss
from simdr_lite.models import build_model
from simdr_lite.representations import REPRESENTATIONS, Heatmap, SimDR, SimDRStar, get_representation


def test_one_registry_of_names():
    assert tuple(REPRESENTATIONS) == ("heatmap", "simdr", "sa-simdr")
    assert get_representation("sa-simdr", (64, 64), k=3).codec.k == 3.0
    with pytest.raises(ValueError, match="unknown representation 'regression'"):
        get_representation("regression", (64, 64))


@pytest.mark.parametrize(("rep", "loss", "simdr_k"), [
    (Heatmap((64, 64)), JointsMSELoss, None), (SimDR((64, 64), k=3), SimDRLoss, 3.0),
    (SimDRStar((64, 64), k=2), KLDiscretLoss, 2.0)])
def test_default_loss_and_the_head_each_needs(rep, loss, simdr_k):
    assert isinstance(rep.make_loss(), loss) and rep.simdr_k == simdr_k
    model = build_model("simbaseline_tiny", input_size=(64, 64), simdr_k=rep.simdr_k).eval()
    images = torch.randn(2, 3, 64, 64)
    kp = torch.rand(2, 17, 2) * 60
    targets, weights = rep.encode(kp, torch.ones(2, 17))
    assert torch.isfinite(rep.make_loss()(model(images), targets, weights))
    coords, scores = rep.predict(model, images)
    assert coords.shape == (2, 17, 2) and scores.shape == (2, 17)
    coords_flip, _ = rep.predict(model, images, flip_pairs=[(1, 2)])
    assert coords_flip.shape == (2, 17, 2)


def test_losses_that_do_not_train_a_representation_are_refused():
    assert isinstance(SimDR((64, 64), label_smoothing=0.2).make_loss("nmtnorm"), SimDRLoss)
    with pytest.raises(ValueError, match="loss 'mse' does not train 'simdr'"):
        SimDR((64, 64)).make_loss("mse")


def test_settings_are_checked_once_by_the_codecs():
    with pytest.raises(ValueError, match=r"k \(the splitting factor\) must be >= 1"):
        SimDR((64, 64), k=0.5)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        Heatmap((64, 64), sigma=0)


def test_from_config_reads_the_representation_and_test_sections():
    cfg = from_dict({"model": {"input_size": [64, 48]},
                     "representation": {"name": "heatmap", "heatmap_sigma": 1.0, "unbiased": True},
                     "test": {"post_process": True, "flip_shift": "exact"}})
    rep = build.representation(cfg)
    assert isinstance(rep, Heatmap) and rep.codec.refine == "dark" and rep.codec.sigma == 1.0
    assert rep.flip_shift == "exact" and rep.input_size == (64, 48)
    cfg = from_dict({"representation": {"name": "sa-simdr", "k": 3, "label_sigma": 4}})
    rep = build.representation(cfg)
    assert isinstance(rep, SimDRStar) and (rep.codec.k, rep.codec.sigma) == (3.0, 4.0)
