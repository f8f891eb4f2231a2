"""Config loading: unknown keys with suggestions, type checks, overrides, path checks."""

import pytest

from simdr_lite.engine.config import from_dict, load_config, parse_overrides, save_config


def test_misspelt_key_lists_valid_keys_and_suggests():
    with pytest.raises(ValueError, match=r"unknown key train\.'lr_stepz'") as err:
        from_dict({"train": {"lr_stepz": [1]}})
    assert "Valid keys:" in str(err.value) and "milestones" in str(err.value)
    with pytest.raises(ValueError, match="unknown key 'modle'. Did you mean 'model'"):
        from_dict({"modle": {}})


def test_integer_k_is_accepted_and_types_are_checked():
    cfg = from_dict({"model": {"k": 3, "input_size": [64, 64]}})
    assert cfg.model.k == 3.0 and isinstance(cfg.model.k, float) and cfg.model.input_size == (64, 64)
    with pytest.raises(TypeError, match="train.epochs must be an integer"):
        from_dict({"train": {"epochs": 1.5}})
    with pytest.raises(TypeError, match="model.input_size must have 2 values"):
        from_dict({"model": {"input_size": [64]}})
    with pytest.raises(ValueError, match=r"model.head must be one of"):
        from_dict({"model": {"head": "regression"}})
    with pytest.raises(ValueError, match="model.k must be >= 1"):
        from_dict({"model": {"k": 0.5}})


def test_overrides_and_round_trip(tmp_path):
    assert parse_overrides(["train.epochs=3", "model.input_size=[64, 48]"]) == {
        "train": {"epochs": 3}, "model": {"input_size": [64, 48]}}
    assert from_dict(parse_overrides(["train.lr=5e-4"])).train.lr == 5e-4  # YAML 1.1 reads a string
    with pytest.raises(ValueError, match="section.key=value"):
        parse_overrides(["lr=1"])
    cfg = from_dict({"model": {"head": "simdr", "k": 2}, "train": {"milestones": [3, 5]}})
    save_config(cfg, tmp_path / "c.yaml")
    again = load_config(tmp_path / "c.yaml", ["train.lr=0.002"])
    assert again.model == cfg.model and again.train.lr == 0.002 and again.train.milestones == (3, 5)


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
