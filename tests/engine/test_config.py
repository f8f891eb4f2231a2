"""Config loading: unknown keys with suggestions, type checks, overrides, cross-field checks."""

import pytest

from simdr_lite.engine.config import from_dict, load_config, save_config


def test_misspelt_key_lists_valid_keys_and_suggests():
    with pytest.raises(ValueError, match=r"unknown key train\.'lr_stepz'") as err:
        from_dict({"train": {"lr_stepz": [1]}})
    assert "Valid keys:" in str(err.value) and "milestones" in str(err.value)
    with pytest.raises(ValueError, match="unknown key 'modle'. Did you mean 'model'"):
        from_dict({"modle": {}})


def test_integer_k_is_accepted_and_types_are_checked():
    cfg = from_dict({"representation": {"k": 3}, "model": {"input_size": [64, 64]}})
    assert cfg.representation.k == 3.0 and isinstance(cfg.representation.k, float)
    assert cfg.model.input_size == (64, 64)
    with pytest.raises(TypeError, match="train.epochs: .*could not be converted to Integer"):
        from_dict({"train": {"epochs": 1.5}})
    with pytest.raises(TypeError, match="model.input_size must have 2 values"):
        from_dict({"model": {"input_size": [64]}})
    with pytest.raises(ValueError, match=r"representation.name must be one of"):
        from_dict({"representation": {"name": "regression"}})
    with pytest.raises(ValueError, match=r"representation: k \(the splitting factor\) must be >= 1"):
        from_dict({"representation": {"name": "simdr", "k": 0.5}})


def test_cross_field_checks():
    with pytest.raises(ValueError, match=r"representation.loss must be one of \('auto', 'nmt', 'nmtnorm'\)"):
        from_dict({"representation": {"name": "simdr", "loss": "mse"}})
    with pytest.raises(ValueError, match="model.num_joints is 17, but mpii has 16 joints"):
        from_dict({"data": {"dataset": "mpii"}})
    assert from_dict({"data": {"dataset": "mpii"}, "model": {"num_joints": 16}}).model.num_joints == 16


def test_overrides_and_round_trip(tmp_path):
    cfg = load_config(None, ["train.epochs=3", "model.input_size=[64, 48]", "train.lr=5e-4"])
    assert (cfg.train.epochs, cfg.model.input_size, cfg.train.lr) == (3, (64, 48), 5e-4)
    with pytest.raises(ValueError, match="section.key=value"):
        load_config(None, ["lr=1"])
    cfg = from_dict({"representation": {"name": "simdr", "k": 2}, "train": {"milestones": [3, 5]}})
    save_config(cfg, tmp_path / "c.yaml")
    again = load_config(tmp_path / "c.yaml", ["train.lr=0.002"])
    assert again.representation == cfg.representation and again.model == cfg.model
    assert again.train.lr == 0.002 and again.train.milestones == (3, 5)


def test_a_missing_config_file_names_the_configs_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="configs live under configs/"):
        load_config(tmp_path / "nope.yaml")


def test_training_writes_csv_and_tensorboard_logs(tmp_path):
    from simdr_lite.engine.trainer import train
    from simdr_lite.notebook.demo import demo_config

    cfg = demo_config("heatmap", fast=True, root=str(tmp_path / "data"))
    out = train(cfg, tmp_path / "run", progress=False)
    assert len(out["history"]) == cfg.train.epochs
    assert (tmp_path / "run" / "log.csv").read_text().startswith("epoch,loss,lr,img_s")
    assert any((tmp_path / "run" / "tb").iterdir())  # TensorBoard event file
    assert (tmp_path / "run" / "environment.json").exists() and (tmp_path / "run" / "config.yaml").exists()
