"""The schema of a config: five typed sections, keys named after the official yacs configs.

Each field's comment gives the official key it mirrors (``MODEL.*``, ``DATASET.*``, ``TRAIN.*``, ``TEST.*``)
or says what it adds. :mod:`.config` loads YAML files and ``--set`` overrides onto these dataclasses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ModelConfig:
    name: str = "simbaseline_res50"  # MODEL.NAME (a simdr_lite.models registry name)
    input_size: tuple[int, int] = (192, 256)  # MODEL.IMAGE_SIZE, (W, H)
    num_joints: int = 17  # MODEL.NUM_JOINTS
    channels_per_joint: int = 32  # upfree ResNet only
    pretrained: str = ""  # "" (none), "imagenet", or a backbone weight file


@dataclass
class RepresentationConfig:
    name: str = "heatmap"  # MODEL.COORD_REPRESENTATION: a simdr_lite.representations name
    k: float = 2.0  # MODEL.SIMDR_SPLIT_RATIO (SimDR, SimDR*): bins per pixel
    heatmap_sigma: float = 2.0  # MODEL.SIGMA of heatmap configs, in heatmap cells
    label_sigma: float = 6.0  # MODEL.SIGMA of SimDR* configs, in bins
    label_smoothing: float = 0.1  # LOSS.LABEL_SMOOTHING (SimDR)
    unbiased: bool = False  # DARK / TokenPose float-centre heatmap targets
    loss: str = "auto"  # LOSS.TYPE: auto (the representation's own) | mse | nmt | nmtnorm | kl


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
    random_flip: bool = True  # DATASET.FLIP (augmentation)
    workers: int | None = None  # loader workers per process; null: the CPUs per local process, at most 8
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
    flip_test: bool = True  # TEST.FLIP_TEST
    flip_shift: str = "official"  # TEST.SHIFT_HEATMAP: official | exact | none (representations.flip)
    post_process: bool = True  # TEST.POST_PROCESS: heatmap quarter shift (DARK for unbiased targets)
    in_vis_thre: float = 0.2  # TEST.IN_VIS_THRE
    oks_thre: float = 0.9  # TEST.OKS_THRE
    batch_size: int = 32  # TEST.BATCH_SIZE_PER_GPU


@dataclass
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    representation: RepresentationConfig = field(default_factory=RepresentationConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    test: TestConfig = field(default_factory=TestConfig)
    description: str = ""  # which paper cell this config reproduces

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
