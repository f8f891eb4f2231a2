"""Training: configs, the resumable loop and torchrun DDP."""

from .config import Config, load_config
from .trainer import make_codec, make_datasets, make_loss, make_model, train

__all__ = ["Config", "load_config", "make_codec", "make_datasets", "make_loss", "make_model", "train"]
