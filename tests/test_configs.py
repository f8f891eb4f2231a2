"""Every config under configs/ loads, validates and builds its model; the demo configs are the demo's."""

from pathlib import Path

import pytest
import torch

from simdr_lite import build
from simdr_lite.engine import load_config
from simdr_lite.models.complexity import count_params
from simdr_lite.notebook.demo import demo_config

CONFIGS = sorted((Path(__file__).parents[1] / "configs").rglob("*.yaml"))


def test_every_paper_experiment_has_a_config():
    assert len(CONFIGS) >= 70
    groups = ("coco/hrnet", "coco/resnet", "coco/tokenpose", "mpii/hrnet", "crowdpose/hrnet", "ablation_k")
    for group in groups:
        assert any(group in str(p) for p in CONFIGS), group


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_config_loads_and_builds_its_model(path):
    cfg = load_config(path, ["model.pretrained="])
    with torch.device("meta"):
        model = build.model(cfg)
    assert count_params(model) > (3e5 if cfg.model.name == "simbaseline_tiny" else 1e6)  # not a stub


def test_official_hyper_parameters_spot_checks():
    res50 = "configs/coco/resnet/simdr/original/nmt_res50_64x64_d256x3_adam_lr1e-3_split_3_deconv3.yaml"
    cfg = load_config(Path(res50))  # the file whose integer k the official loader rejects
    assert cfg.representation.k == 3.0 and cfg.train.milestones == (90, 120) and not cfg.data.color_rgb
    cfg = load_config(Path("configs/mpii/hrnet/simdr/norm_w32_256x256_adam_lr1e-3_ls2e1.yaml"))
    r = cfg.representation
    assert r.loss == "nmtnorm" and r.label_smoothing == 0.2 and cfg.model.num_joints == 16
    cfg = load_config(Path("configs/coco/hrnet/sa_simdr/w48_384x288_adam_lr1e-3_split1_5_sigma4.yaml"))
    r = cfg.representation
    assert (r.k, r.label_sigma, r.loss, cfg.test.in_vis_thre) == (1.5, 4.0, "kl", 0.005)
    cfg = load_config(Path("configs/coco/tokenpose/tokenpose_s_256x192_heatmap.yaml"))
    assert cfg.representation.unbiased and cfg.test.flip_shift == "none"  # TokenPose: DARK, no flip shift


@pytest.mark.parametrize("run", ["heatmap", "simdr"])
def test_synthetic_configs_are_the_demo_defaults(run):
    assert load_config(Path(f"configs/synthetic/tiny_64x64_{run}.yaml")) == demo_config(run)


def test_demo_config_other_sizes():
    cfg = demo_config("simdr", size=128)
    assert cfg.model.input_size == (128, 128) and "128x128" in cfg.description
    with torch.device("meta"):
        model = build.model(cfg)
    assert model.mlp_head_x.out_features == 384  # 128 px x k = 3
    with pytest.raises(ValueError, match="multiple of 16"):
        demo_config("heatmap", size=100)
