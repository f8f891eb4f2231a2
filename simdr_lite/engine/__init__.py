"""Training: the config schema, the resumable loop, torchrun DDP, checkpoints and run logs.

What belongs here: what runs an experiment from a config (building its parts is :mod:`simdr_lite.build`).
"""

from .config import Config, load_config
from .trainer import Trainer, train
from .validation import evaluate_config, validate

__all__ = ["Config", "Trainer", "evaluate_config", "load_config", "train", "validate"]
