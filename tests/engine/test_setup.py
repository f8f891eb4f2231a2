"""engine.setup: the learning rate for the launch's global batch."""

import pytest

from simdr_lite.engine.config import from_dict
from simdr_lite.engine.setup import learning_rate


def test_learning_rate_warns_or_scales_when_the_global_batch_is_not_the_official_one():
    cfg = from_dict({"train": {"lr": 1e-3, "batch_size": 32, "reference_batch": 128}})
    assert learning_rate(cfg, 4) == (1e-3, None)  # the official 4 x 32
    lr, note = learning_rate(cfg, 1)
    assert lr == 1e-3 and "global batch 32" in note and "official 128" in note and "scale_lr" in note
    scaled = from_dict({"train": {"lr": 1e-3, "batch_size": 32, "reference_batch": 128, "scale_lr": True}})
    lr, note = learning_rate(scaled, 2)
    assert lr == pytest.approx(5e-4) and "= 0.0005" in note
    assert learning_rate(from_dict({"train": {"reference_batch": 0}}), 1)[1] is None  # no reference: no note
