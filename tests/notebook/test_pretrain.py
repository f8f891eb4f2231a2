"""The demo's pretrained backbone: disjoint data, deterministic pretraining, SHA-256-checked loading."""

import hashlib

import pytest
import torch

from simdr_lite.data import make_synthetic_coco
from simdr_lite.models import build_model
from simdr_lite.models.pretrained import load_backbone_file, sha256_file
from simdr_lite.models.tiny import BACKBONE_FILE, BACKBONE_SHA256, HEAD_KEYS
from simdr_lite.notebook.demo import demo_config
from simdr_lite.notebook.pretrain import PRETRAIN_SEED, PRETRAIN_SPLIT, pretrain


def _image_hashes(split) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in split.image_dir.glob("*.jpg")}


def test_pretraining_split_is_disjoint_from_the_demo_splits(tmp_path):
    pre = make_synthetic_coco(tmp_path, 6, split=PRETRAIN_SPLIT, seed=PRETRAIN_SEED, workers=0)
    pre_images = _image_hashes(pre)
    assert len(pre_images) == 6
    for seed in (0, 1, 2):  # the demo's seeds: its splits are "train" / "val" with the run's seed
        cfg = demo_config("heatmap", seed=seed)
        assert PRETRAIN_SPLIT not in ("train", "val") and cfg.train.seed != PRETRAIN_SEED
        for split in ("train", "val"):
            demo = make_synthetic_coco(tmp_path / f"s{seed}", 6, split=split, seed=seed, workers=0)
            assert not pre_images & _image_hashes(demo)


def test_pretraining_is_deterministic_and_writes_a_backbone_with_its_sha(tmp_path):
    torch.set_num_threads(1)
    runs = [pretrain(tmp_path / f"run{i}" / "bb.pth", root=tmp_path / "data", images=12, epochs=1,
                     batch_size=4, max_iters=3, progress=False) for i in range(2)]
    assert len(runs[0]["losses"]) == 3 and runs[0]["losses"] == runs[1]["losses"]  # same ops, same order
    assert runs[0]["sha256"] == runs[1]["sha256"] == sha256_file(tmp_path / "run0" / "bb.pth")
    assert (tmp_path / "run0" / "bb.pth.sha256").read_text().split()[0] == runs[0]["sha256"]
    state = torch.load(tmp_path / "run0" / "bb.pth", weights_only=True)
    assert not any(k.startswith(HEAD_KEYS) for k in state) and state["conv1.weight"].dtype == torch.float16
    model = build_model("simbaseline_tiny", input_size=(64, 64), simdr_k=2,
                        pretrained=str(tmp_path / "run0" / "bb.pth"))
    assert torch.equal(model.conv1.weight, state["conv1.weight"].float())
    assert torch.equal(model.layer4[0].bn1.running_var, state["layer4.0.bn1.running_var"].float())


def test_tampered_backbone_fails_the_sha_check(tmp_path):
    path = tmp_path / "bb.pth"
    net = build_model("simbaseline_tiny", input_size=(64, 64))
    torch.save({k: v for k, v in net.state_dict().items() if not k.startswith(HEAD_KEYS)}, path)
    good = sha256_file(path)
    load_backbone_file(net, path, ignore=HEAD_KEYS, sha256=good)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256"):
        load_backbone_file(net, path, ignore=HEAD_KEYS, sha256=good)


@pytest.mark.skipif(not BACKBONE_FILE.is_file(), reason="the committed backbone is absent")
def test_committed_backbone_matches_its_sha_and_loads():
    assert sha256_file(BACKBONE_FILE) == BACKBONE_SHA256
    model = build_model("simbaseline_tiny", input_size=(64, 64), pretrained=True)
    state = torch.load(BACKBONE_FILE, weights_only=True)
    assert torch.equal(model.conv1.weight, state["conv1.weight"].float())
