"""Experiment configuration: typed sections, YAML files, validation and ``--set`` overrides.

A config has four sections (``model``, ``data``, ``train``, ``test``) whose keys mirror the official
yacs configs (names in the comments). Loading checks every key against the dataclass fields (a
misspelt key is an error that lists the valid ones and suggests the closest) and every value
against the field's type; unlike the official loader, an integer is accepted where a float is
expected (the official ``nmt_res50_64x64..._split_3.yaml`` fails to load on ``SIMDR_SPLIT_RATIO: 3``).
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class ModelConfig:
    name: str = "simbaseline_res50"  # MODEL.NAME (a simdr_lite.models registry name)
    head: str = "heatmap"  # MODEL.COORD_REPRESENTATION: heatmap | simdr | sa-simdr
    input_size: tuple[int, int] = (192, 256)  # MODEL.IMAGE_SIZE, (W, H)
    k: float = 2.0  # MODEL.SIMDR_SPLIT_RATIO
    sigma: float = 2.0  # MODEL.SIGMA: heatmap cells, or SA-SimDR bins
    num_joints: int = 17  # MODEL.NUM_JOINTS
    channels_per_joint: int = 32  # upfree ResNet only
    unbiased: bool = False  # DARK / TokenPose float-centre heatmap targets
    pretrained: str = ""  # "" (none), "imagenet", or a backbone weight file


@dataclass
class DataConfig:
    dataset: str = "coco"  # coco | crowdpose | mpii | synthetic
    root: str = "data/coco"  # DATASET.ROOT
    train_ann: str = "annotations/person_keypoints_train2017.json"
    train_images: str = "images/train2017"
    val_ann: str = "annotations/person_keypoints_val2017.json"
    val_images: str = "images/val2017"
    det_file: str = ""  # TEST.COCO_BBOX_FILE, used when use_gt_bbox is false
    use_gt_bbox: bool = True  # TEST.USE_GT_BBOX
    image_thre: float = 0.0  # TEST.IMAGE_THRE
    color_rgb: bool = True  # DATASET.COLOR_RGB (ResNet configs: false, BGR input)
    scale_factor: float = 0.35  # DATASET.SCALE_FACTOR
    rotation_factor: float = 45.0  # DATASET.ROT_FACTOR
    half_body_prob: float = 0.3  # DATASET.PROB_HALF_BODY
    num_joints_half_body: int = 8  # DATASET.NUM_JOINTS_HALF_BODY
    flip: bool = True  # DATASET.FLIP
    workers: int = 2  # WORKERS
    cache_images: bool = False  # keep decoded images in memory (small sets, e.g. the synthetic demo)
    synthetic_images: tuple[int, int] = (2000, 200)  # dataset=synthetic: train / val images


@dataclass
class TrainConfig:
    epochs: int = 210  # TRAIN.END_EPOCH
    lr: float = 1e-3  # TRAIN.LR (Adam; the official WD is ignored by its optimizer)
    milestones: tuple[int, ...] = (170, 200)  # TRAIN.LR_STEP
    gamma: float = 0.1  # TRAIN.LR_FACTOR
    batch_size: int = 32  # TRAIN.BATCH_SIZE_PER_GPU (per process under torchrun)
    reference_batch: int = 128  # the global batch the official lr belongs to (32 per GPU x 4 GPUs); 0: none
    scale_lr: bool = False  # lr x (global batch / reference_batch), the linear rule, when they differ
    loss: str = "auto"  # auto | mse | nmt | nmtnorm | kl (auto: by head)
    label_smoothing: float = 0.1  # LOSS.LABEL_SMOOTHING
    amp: str = "none"  # none | bf16 (CPU or CUDA) | fp16 (CUDA only; ignored on CPU)
    channels_last: bool = False
    compile: bool = False
    grad_clip: float = 0.0  # 0: off
    scheduler_steps_early: bool = False  # the official loop's one-epoch-early decay (see engine docs)
    seed: int = 0
    checkpoint_every_iters: int = 0  # 0: only at the end of each epoch
    val_every: int = 10  # epochs
    deterministic: bool = False
    sync_bn: bool = False  # torchrun: BatchNorm statistics over all processes
    tensorboard: bool = True  # also write TensorBoard events (when tensorboard is installed)


@dataclass
class TestConfig:
    flip: bool = True  # TEST.FLIP_TEST
    shift_heatmap: bool = True  # TEST.SHIFT_HEATMAP (also the SimDR one-bin shift)
    simdr_shift: str = "official"  # official | exact | none
    post_process: bool = True  # TEST.POST_PROCESS: heatmap quarter shift
    in_vis_thre: float = 0.2  # TEST.IN_VIS_THRE
    oks_thre: float = 0.9  # TEST.OKS_THRE
    batch_size: int = 32  # TEST.BATCH_SIZE_PER_GPU


@dataclass
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    test: TestConfig = field(default_factory=TestConfig)
    description: str = ""  # which paper cell this config reproduces

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where} must be a list, got {value!r}")
        args = typing.get_args(hint)
        inner = args[0]
        if len(args) == 2 and args[1] is not Ellipsis and len(value) != 2:
            raise TypeError(f"{where} must have 2 values, got {value!r}")
        return tuple(_coerce(v, inner, where) for v in value)
    if hint is float:
        if isinstance(value, str):  # YAML 1.1 reads "5e-4" (no dot) as a string
            try:
                return float(value)
            except ValueError:
                raise TypeError(f"{where} must be a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{where} must be a number, got {value!r}")
        return float(value)  # an integer k is accepted (the official loader rejects it)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} must be an integer, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{where} must be true or false, got {value!r}")
        return value
    if hint is str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise TypeError(f"{where} must be a string, got {value!r}")
        return value
    return value


def _unknown(key: str, valid: list[str], where: str) -> ValueError:
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ValueError(f"unknown key {where}{key!r}.{hint} Valid keys: {', '.join(sorted(valid))}")


def from_dict(raw: dict[str, Any]) -> Config:
    """Build a validated :class:`Config` from nested dicts (missing keys keep their defaults)."""
    cfg = Config()
    hints = typing.get_type_hints(Config)
    sections = [f.name for f in dataclasses.fields(Config)]
    for name, value in (raw or {}).items():
        if name not in sections:
            raise _unknown(name, sections, "")
        if name == "description":
            cfg.description = str(value)
            continue
        if not isinstance(value, dict):
            raise TypeError(f"section {name!r} must be a mapping, got {value!r}")
        section = getattr(cfg, name)
        sec_hints = typing.get_type_hints(hints[name])
        for key, v in value.items():
            if key not in sec_hints:
                raise _unknown(key, list(sec_hints), f"{name}.")
            setattr(section, key, _coerce(v, sec_hints[key], f"{name}.{key}"))
    validate(cfg)
    return cfg


def validate(cfg: Config) -> None:
    """Checks across keys, with messages that say what to change."""
    choices = {
        "model.head": (cfg.model.head, ("heatmap", "simdr", "sa-simdr")),
        "data.dataset": (cfg.data.dataset, ("coco", "crowdpose", "mpii", "synthetic")),
        "train.loss": (cfg.train.loss, ("auto", "mse", "nmt", "nmtnorm", "kl")),
        "train.amp": (cfg.train.amp, ("none", "bf16", "fp16")),
        "test.simdr_shift": (cfg.test.simdr_shift, ("official", "exact", "none")),
    }
    for where, (value, allowed) in choices.items():
        if value not in allowed:
            raise ValueError(f"{where} must be one of {allowed}, got {value!r}")
    if cfg.model.k < 1:
        raise ValueError(f"model.k must be >= 1, got {cfg.model.k}")
    if cfg.model.sigma <= 0:
        raise ValueError(f"model.sigma must be > 0, got {cfg.model.sigma}")
    if list(cfg.train.milestones) != sorted(cfg.train.milestones):
        raise ValueError(f"train.milestones must be increasing, got {cfg.train.milestones}")


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """``["train.lr=5e-4", "model.input_size=[64, 64]"]`` -> nested dict (values parsed as YAML)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair or "." not in pair.split("=", 1)[0]:
            raise ValueError(f"override {pair!r} must look like section.key=value, e.g. train.lr=5e-4")
        key, value = pair.split("=", 1)
        section, name = key.split(".", 1)
        out.setdefault(section, {})[name] = yaml.safe_load(value)
    return out


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Load a YAML config (or the defaults) and apply ``section.key=value`` overrides."""
    raw: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"config {path} not found (configs live under configs/)")
        raw = yaml.safe_load(path.read_text()) or {}
    for section, values in parse_overrides(overrides or []).items():
        if isinstance(raw.get(section), dict) and isinstance(values, dict):
            raw[section] = {**raw[section], **values}
        else:
            raw[section] = values
    return from_dict(raw)


def save_config(cfg: Config, path: str | Path) -> None:
    data = cfg.to_dict()
    Path(path).write_text(yaml.safe_dump(_plain(data), sort_keys=False))


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj
