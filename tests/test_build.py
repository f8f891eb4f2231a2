"""simdr_lite.build: a config's model, representation, datasets and loader."""

import pytest

from simdr_lite import build
from simdr_lite.engine.config import from_dict
from simdr_lite.notebook.demo import demo_config


def test_the_model_gets_the_head_its_representation_needs():
    heat = build.model(demo_config("heatmap", pretrained=False))
    simdr = build.model(demo_config("simdr", pretrained=False))
    assert heat.simdr_k is None and not hasattr(heat, "mlp_head_x")
    assert simdr.simdr_k == 3.0 and simdr.mlp_head_x.out_features == 64 * 3


def test_workers_default_to_the_cpus_per_local_process(monkeypatch):
    monkeypatch.setattr(build.os, "sched_getaffinity", lambda pid: set(range(24)), raising=False)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "4")
    assert build.workers(from_dict({})) == 6  # the official 24 workers for 4 GPUs
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "1")
    assert build.workers(from_dict({})) == 8  # at most 8
    assert build.workers(from_dict({"data": {"workers": 0}})) == 0


def test_datasets_ship_uint8_crops_and_crop_joints(tmp_path):
    cfg = demo_config("simdr", fast=True, root=str(tmp_path / "data"))
    train_ds, val_ds = build.datasets(cfg)
    sample = train_ds[0]
    assert sample["image"].dtype.is_floating_point is False and "target" not in sample
    assert sample["joints"].shape == (17, 2) and len(val_ds) > 0
    loader = build.loader(cfg, train_ds)
    assert loader.batch_size == cfg.train.batch_size


def test_missing_real_data_is_reported_before_any_work(tmp_path):
    cfg = from_dict({"data": {"root": str(tmp_path / "nothing")}})
    with pytest.raises(FileNotFoundError, match="download_coco.py"):
        build.datasets(cfg)
