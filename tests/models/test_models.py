"""Every model of paper Tables 2, 3 and 4: parameters and GFLOPs as printed, exact official counts,
official key names, output shapes, ONNX export and the offline pretrained error."""

import numpy as np
import pytest
import torch

from simdr_lite.codecs import HeatmapCodec, SimDRCodec
from simdr_lite.models import build_model, export_onnx, list_models, load_official_checkpoint, macs
from simdr_lite.models.complexity import count_params


@pytest.mark.parametrize(
    ("name", "size", "k", "kw", "expected"),  # k None: the heatmap head
    [
        ("simbaseline_res50", (192, 256), None, {}, 33_999_697),
        ("simbaseline_res50", (192, 256), 2, {}, 36_753_105),
        ("simbaseline_res152", (288, 384), 2, {}, 77_926_545),
        ("hrnet_w32", (192, 256), None, {}, 28_536_113),
        ("hrnet_w32", (192, 256), 2, {}, 31_289_521),
        ("hrnet_w48", (192, 256), None, {}, 63_595_745),
        ("hrnet_w48", (192, 256), 2, {}, 66_349_153),  # SimDR*, Table 3
        ("hrnet_w48", (288, 384), 1.5, {}, 70_564_049),
        ("upfree_res50", (64, 64), 3, {}, 24_672_224),
        ("upfree_res50", (128, 128), 3, {}, 25_016_672),
        ("upfree_res50", (192, 256), 2, {"channels_per_joint": 28}, 25_688_476),
        ("hrnet_w32", (256, 256), 2, {"num_joints": 16}, 32_731_408),  # MPII, Table 8
    ],
)
def test_exact_official_parameter_counts(name, size, k, kw, expected):
    with torch.device("meta"):
        model = build_model(name, input_size=size, simdr_k=k, **kw)
    assert count_params(model, trainable_only=False) == expected


def test_tokenpose_trainable_counts_exclude_the_frozen_sine_embedding():
    for size, k, expected in [((192, 256), None, 6_620_736), ((128, 128), None, 5_167_552),
                              ((64, 64), None, 4_871_872), ((192, 256), 2, 5_535_680)]:
        with torch.device("meta"):
            model = build_model("tokenpose_s", input_size=size, simdr_k=k)
        assert count_params(model) == expected
        assert count_params(model, trainable_only=False) == expected + 49_152


def test_true_macs_differ_from_the_paper_convention_for_deconvolutions():
    m = build_model("simbaseline_res50", input_size=(192, 256))
    assert macs(m, (192, 256)) == pytest.approx(5.43, abs=0.01)  # vs 8.99 "GFLOPs" in the paper


@pytest.mark.parametrize("name", list_models())
@pytest.mark.parametrize("k", [None, 3])
def test_forward_shapes_match_the_codecs(name, k):
    if name == "upfree_res50" and k is None:
        with pytest.raises(ValueError, match="no heatmap head"):
            build_model(name, input_size=(64, 64))
        return
    model = build_model(name, input_size=(64, 64), simdr_k=k).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 64, 64))
    if k is None:
        assert out.shape == (2, 17, 16, 16)
        HeatmapCodec((64, 64), sigma=1).decode(out)
    else:
        assert out[0].shape == (2, 17, 192) and out[1].shape == (2, 17, 192)
        SimDRCodec((64, 64), k=3).decode(out)


OFFICIAL_KEYS = {
    "simbaseline_res50": ["conv1.weight", "layer4.2.bn3.running_var", "deconv_layers.0.weight",
                          "deconv_layers.7.bias", "final_layer.weight", "mlp_head_x.weight"],
    "upfree_res50": ["layer1.0.downsample.0.weight", "final_layer.weight", "mlp_head_y.bias"],
    "hrnet_w32": ["conv2.weight", "transition1.1.0.0.weight", "stage2.0.fuse_layers.0.1.0.weight",
                  "stage4.2.branches.3.3.bn2.num_batches_tracked", "final_layer.bias", "mlp_head_x.weight"],
    "tokenpose_s": ["keypoint_token", "pos_embedding", "patch_to_embedding.weight",
                    "transformer.layers.11.0.fn.fn.to_qkv.weight", "transformer.layers.0.1.fn.fn.net.3.bias"],
}


@pytest.mark.parametrize("name", list_models())
def test_official_checkpoint_round_trip_is_exact(name):
    model = build_model(name, input_size=(64, 64), simdr_k=2)
    state = model.state_dict()
    for key in OFFICIAL_KEYS.get(name, []):
        assert key in state, key
    official = {f"module.{k}": v.clone() + 1 for k, v in state.items()}  # as saved by DataParallel
    other = build_model(name, input_size=(64, 64), simdr_k=2)
    load_official_checkpoint(other, {"state_dict": official})
    for k, v in other.state_dict().items():
        assert torch.equal(v, state[k] + 1), k


def test_checkpoint_mismatch_lists_the_keys():
    model = build_model("hrnet_w32", input_size=(64, 64), simdr_k=2)
    state = model.state_dict()
    state["extra.weight"] = torch.zeros(1)
    del state["final_layer.bias"]
    with pytest.raises(ValueError, match=r"missing \['final_layer.bias'\].*unexpected \['extra.weight'\]"):
        load_official_checkpoint(model, state)


def test_pretrained_offline_fails_fast_with_instructions(monkeypatch):
    import socket

    timeouts = []

    def unreachable(*args, timeout=None, **kwargs):
        timeouts.append(timeout)
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(RuntimeError, match="resnet50-19c8e357.pth"):
        build_model("simbaseline_res50", input_size=(64, 64), pretrained=True)
    assert len(timeouts) == 1 and 0 < timeouts[0] <= 5  # one short-timeout probe, no retry (no timing assert)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RuntimeError, match="cannot reach the weight hub"):
        build_model("simbaseline_res101", input_size=(64, 64), pretrained=True)
    with pytest.raises(RuntimeError, match="hrnet_w32-36af842e.pth"):
        build_model("hrnet_w32", input_size=(64, 64), pretrained=True)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown model 'resnet9'"):
        build_model("resnet9")
    with pytest.raises(ValueError, match="k .* must be >= 1"):
        build_model("hrnet_w32", simdr_k=0.5)


@pytest.mark.parametrize(("name", "k"), [("simbaseline_res50", None), ("upfree_res50", 2)])
def test_onnx_export_matches_pytorch(tmp_path, name, k):
    ort = pytest.importorskip("onnxruntime")
    model = build_model(name, input_size=(64, 64), simdr_k=k).eval()
    path = export_onnx(model, tmp_path / "m.onnx", (64, 64))
    x = torch.randn(3, 3, 64, 64)  # batch 3: the batch axis is dynamic
    with torch.no_grad():
        ref = model(x)
    ref = [ref] if isinstance(ref, torch.Tensor) else list(ref)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outs = session.run(None, {"images": x.numpy()})
    for a, b in zip(outs, ref):
        assert np.abs(a - b.numpy()).max() < 1e-4
