"""data_scripts/download_pretrained.py and the timm -> pose-backbone key mapping, offline."""

import pytest
import timm
import torch

from data_scripts import download_pretrained as script
from simdr_lite.models import build_model
from simdr_lite.models.pretrained import backbone_state_from_timm, load_backbone_file


@pytest.mark.parametrize("name, arch", [("hrnet_w32", "hrnet_w32"), ("simbaseline_res50", "resnet50")])
def test_every_backbone_tensor_of_a_timm_model_maps_onto_ours(name, arch):
    """A randomly initialised timm ImageNet model stands in for the downloaded one."""
    from simdr_lite.models.hrnet import IMAGENET_ONLY_KEYS

    source = backbone_state_from_timm(timm.create_model(arch, pretrained=False).state_dict())
    source = {k: v for k, v in source.items() if not k.startswith(IMAGENET_ONLY_KEYS)}  # as the loader does
    ours = build_model(name, input_size=(64, 64)).state_dict()
    assert set(source) <= set(ours)  # every backbone tensor has a home ...
    assert all(source[k].shape == ours[k].shape for k in source)  # ... of the same shape
    head_only = {k for k in set(ours) - set(source) if not k.startswith(("deconv_layers.", "final_layer."))}
    assert head_only == set()  # and only the pose head is left to train from scratch


def test_a_fetched_hrnet_file_loads_and_its_sha256_is_checked(tmp_path, monkeypatch):
    timm_model = timm.create_model("hrnet_w32", pretrained=False)
    monkeypatch.setattr(timm, "create_model", lambda *a, **k: timm_model)  # no network: the random model
    line = script.fetch("hrnet_w32", tmp_path)
    path = tmp_path / script.TARGETS["hrnet_w32"]
    assert str(path) in line and path.with_name(path.name + ".sha256").is_file()
    model = build_model("hrnet_w32", input_size=(64, 64), simdr_k=3, pretrained=str(path))
    torch.testing.assert_close(model.state_dict()["conv1.weight"], timm_model.state_dict()["conv1.weight"])
    torch.save({"conv1.weight": torch.zeros(1)}, path)  # a changed file
    with pytest.raises(ValueError, match="SHA-256"):
        load_backbone_file(model, path)


def test_offline_fails_at_once_with_the_manual_steps(monkeypatch, capsys):
    monkeypatch.setattr("simdr_lite.models.pretrained.hub_reachable", lambda *a, **k: False)
    assert script.main(["--only", "hrnet_w32", "resnet50"]) == 2
    err = capsys.readouterr().err
    assert "HRNet-Image-Classification" in err and "models/hrnet_w32-36af842e.pth" in err
    assert "download.pytorch.org/models/resnet50" in err and "model.pretrained=''" in err
