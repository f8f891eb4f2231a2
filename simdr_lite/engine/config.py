"""Experiment configuration: the dataclasses of :mod:`.schema` are the schema, OmegaConf loads and merges.

A config has five sections (``model``, ``representation``, ``data``, ``train``, ``test``) whose keys
mirror the official yacs configs (:mod:`.schema` names them). OmegaConf does the YAML loading, the
``--set section.key=value`` overrides and the type checks; an integer is accepted where a float is
expected (the official ``nmt_res50_64x64..._split_3.yaml`` fails to load on ``SIMDR_SPLIT_RATIO: 3``).
A misspelt key lists the valid ones and suggests the closest; :func:`check_config` checks across keys.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import ConfigKeyError, ValidationError

from simdr_lite.representations import FLIP_SHIFTS, REPRESENTATIONS
from simdr_lite.skeletons import SKELETONS

from .schema import Config, DataConfig, ModelConfig, RepresentationConfig, TestConfig, TrainConfig

__all__ = ["Config", "DataConfig", "ModelConfig", "RepresentationConfig", "TestConfig", "TrainConfig",
           "check_config", "from_dict", "load_config", "save_config"]


def _unknown_key(err: ConfigKeyError) -> ValueError:
    *section, key = str(err.full_key).split(".")
    node: Any = Config
    for name in section:
        node = {f.name: f.default_factory for f in dataclasses.fields(node)}[name]
    valid = [f.name for f in dataclasses.fields(node)]
    close = difflib.get_close_matches(key, valid, n=1)
    where = "".join(f"{s}." for s in section)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ValueError(f"unknown key {where}{key!r}.{hint} Valid keys: {', '.join(sorted(valid))}")


#: The fixed-length pairs, checked first so that the message names the key.
PAIRS = ("model.input_size", "data.synthetic_images")


def from_dict(*layers: Any) -> Config:
    """A checked :class:`Config` from nested dicts or OmegaConf nodes merged in order over the defaults."""
    for layer in layers:
        plain = OmegaConf.to_container(OmegaConf.create(layer or {}))
        for where in PAIRS:
            section, key = where.split(".")
            value = plain[section].get(key) if isinstance(plain.get(section), dict) else None
            if value is not None and (not isinstance(value, (list, tuple)) or len(value) != 2):
                raise TypeError(f"{where} must have 2 values, got {value!r}")
    try:
        merged = OmegaConf.merge(OmegaConf.structured(Config), *(layer or {} for layer in layers))
        cfg = OmegaConf.to_object(merged)
    except ConfigKeyError as err:
        raise _unknown_key(err) from None
    except ValidationError as err:
        raise TypeError(f"{err.full_key}: {str(err.msg).splitlines()[0]}") from None
    check_config(cfg)
    return cfg


def check_config(cfg: Config) -> None:
    """Checks across keys, with messages that say what to change."""
    rep = REPRESENTATIONS.get(cfg.representation.name)
    choices = {
        "representation.name": (cfg.representation.name, tuple(REPRESENTATIONS)),
        "representation.loss": (cfg.representation.loss, ("auto", *(rep.losses if rep else ()))),
        "data.dataset": (cfg.data.dataset, (*SKELETONS, "synthetic")),
        "train.amp": (cfg.train.amp, ("none", "bf16", "fp16")),
        "test.flip_shift": (cfg.test.flip_shift, FLIP_SHIFTS),
    }
    for where, (value, allowed) in choices.items():
        if value not in allowed:
            raise ValueError(f"{where} must be one of {allowed}, got {value!r}")
    joints = SKELETONS.get(cfg.data.dataset, SKELETONS["coco"]).num_joints
    if cfg.model.num_joints != joints:
        raise ValueError(f"model.num_joints is {cfg.model.num_joints}, but {cfg.data.dataset} has {joints} "
                         "joints")
    try:
        rep.from_config(cfg)  # the representation checks its own settings (k, sigma, label smoothing)
    except ValueError as err:
        raise ValueError(f"representation: {err}") from None
    if list(cfg.train.milestones) != sorted(cfg.train.milestones):
        raise ValueError(f"train.milestones must be increasing, got {cfg.train.milestones}")


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Load a YAML config (or the defaults) and apply ``section.key=value`` overrides."""
    for pair in overrides or []:
        if "=" not in pair or "." not in pair.split("=", 1)[0]:
            raise ValueError(f"override {pair!r} must look like section.key=value, e.g. train.lr=5e-4")
    if path is not None and not Path(path).is_file():
        raise FileNotFoundError(f"config {path} not found (configs live under configs/)")
    pairs = [f"{p}''" if p.endswith("=") else p for p in overrides or []]  # "key=" sets the empty string
    return from_dict(OmegaConf.load(path) if path else {}, OmegaConf.from_dotlist(pairs))


def save_config(cfg: Config, path: str | Path) -> None:
    Path(path).write_text(OmegaConf.to_yaml(OmegaConf.structured(cfg), sort_keys=False))
