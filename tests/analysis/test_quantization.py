"""Quantization study: App. D bounds, oracle AP pipeline (GT against itself = 1.0), CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simdr_lite.analysis import quantization as q
from simdr_lite.codecs import HeatmapCodec, SASimDRCodec, SimDRCodec
from simdr_lite.skeletons import COCO


def tiny_coco(num_persons: int = 6, seed: int = 0) -> dict:
    """A hand-made COCO keypoint dict: persons of different sizes in 320x240 images."""
    rng = np.random.default_rng(seed)
    images, anns = [], []
    for i in range(num_persons):
        images.append({"id": i + 1, "file_name": f"{i + 1}.jpg", "width": 320, "height": 240})
        w, h = rng.uniform(20, 150), rng.uniform(40, 200)
        x0, y0 = rng.uniform(0, 320 - w), rng.uniform(0, 240 - h)
        kp = np.stack([rng.uniform(x0, x0 + w, 17), rng.uniform(y0, y0 + h, 17), np.full(17, 2.0)], 1)
        kp[rng.random(17) < 0.2] = 0  # unlabelled joints
        anns.append({
            "id": i + 1, "image_id": i + 1, "category_id": 1, "iscrowd": 0,
            "keypoints": kp.ravel().tolist(), "num_keypoints": int((kp[:, 2] > 0).sum()),
            "bbox": [x0, y0, w, h], "area": w * h * 0.6,
        })  # fmt: skip
    cat = {"id": 1, "name": "person", "keypoints": list(COCO.keypoints),
           "skeleton": [[a + 1, b + 1] for a, b in COCO.edges]}  # fmt: skip
    return {"images": images, "annotations": anns, "categories": [cat]}


@pytest.mark.parametrize(
    "codec",
    [
        HeatmapCodec((192, 256), sigma=2, refine=None),
        HeatmapCodec((64, 64), sigma=1, refine=None),
        SimDRCodec((192, 256), k=1),
        SimDRCodec((192, 256), k=2),
        SimDRCodec((64, 64), k=3),
        SASimDRCodec((192, 256), k=2, sigma=4),
    ],
    ids=repr,
)
def test_roundtrip_errors_within_appd_bound(codec):
    pts = q.sample_positions(codec.input_size, 3000, seed=1)
    err = q.roundtrip_errors(codec, pts)
    bound = q.appd_bound(codec)
    assert err.shape == (3000, 2)
    assert err.max() <= bound + 1e-5
    # uniform positions fill the interval: the max error comes close to the bound (not trivially 0)
    assert err.max() > 0.9 * bound
    # mean of |U(-b, b)| is b / 2
    assert err.mean() == pytest.approx(bound / 2, rel=0.1)


def test_refinements_beat_plain_argmax():
    pts = q.sample_positions((64, 64), 2000, seed=2)
    codecs = q.study_codecs((64, 64))
    e = {name: q.roundtrip_errors(c, pts).mean() for name, c in codecs.items()}
    assert e["heatmap+dark"] < 0.2 * e["heatmap"]
    assert e["SimDR k=3"] < e["SimDR k=2"] < e["SimDR k=1"] < e["heatmap"]


def test_error_sweep_over_k_and_summary():
    pts = q.sample_positions((192, 256), 1000, seed=3)
    sweep = q.error_sweep(lambda k: SimDRCodec((192, 256), k=k), [1.0, 2.0, 4.0], pts)
    assert list(sweep) == [1.0, 2.0, 4.0]
    maxima = [q.error_summary(e, 1 / (2 * k))["max"] for k, e in sweep.items()]
    assert maxima[0] > maxima[1] > maxima[2]
    s = q.error_summary(sweep[2.0], 0.25)
    assert s["within_bound"] == 1.0 and s["bound"] == 0.25 and s["p95"] <= s["max"]
    sizes = q.error_sweep(
        lambda size: HeatmapCodec(size, refine=None), [(64, 64), (192, 256)],
        lambda size: q.sample_positions(size, 500, seed=0),
    )  # fmt: skip
    assert sizes[(64, 64)].shape == (500, 2)


def test_sample_positions_errors():
    with pytest.raises(ValueError, match="margin"):
        q.sample_positions((20, 20), 10, margin=10)
    with pytest.raises(ValueError, match="positions must have shape"):
        q.roundtrip_errors(SimDRCodec((64, 64)), np.zeros((3, 3)))


def test_ground_truth_against_itself_is_ap_one():
    stats = q.oracle_ap(tiny_coco(), None, (192, 256))
    assert stats["AP"] == pytest.approx(1.0)
    assert stats["AR"] == pytest.approx(1.0)
    assert stats["OKS"] == pytest.approx(1.0)
    assert set(q.STAT_NAMES) <= set(stats)


def test_oracle_ap_orders_codecs_and_reads_files(tmp_path):
    path = tmp_path / "kp.json"
    path.write_text(json.dumps(tiny_coco(8, seed=4)))
    coco = q.load_coco(path)
    hm = q.oracle_ap(coco, HeatmapCodec((64, 64), sigma=1, refine=None), (64, 64))
    sd = q.oracle_ap(path, SimDRCodec((64, 64), k=2), (64, 64))
    assert 0.0 < hm["OKS"] < sd["OKS"] <= 1.0
    assert hm["AP"] <= sd["AP"]


def test_oracle_keypoints_geometry_is_exact_without_codec():
    coco = q.load_coco(tiny_coco())
    inst = q.gt_instances(coco, (288, 384))
    back = q.oracle_keypoints(inst, None, (288, 384))
    vis = inst["visible"] > 0
    np.testing.assert_allclose(back[vis], inst["keypoints"][vis], atol=1e-3)


def test_oracle_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="person_keypoints"):
        q.oracle_ap(tmp_path / "missing.json", None, (64, 64))
    with pytest.raises(ValueError, match="input_size"):
        q.oracle_ap(tiny_coco(), SimDRCodec((64, 64)), (128, 128))
    empty = tiny_coco()
    empty["annotations"] = []
    with pytest.raises(ValueError, match="no scorable"):
        q.oracle_ap(empty, None, (64, 64))


def test_oracle_table_and_markdown():
    table = q.oracle_table(tiny_coco(), input_sizes=[(64, 64)])
    assert list(table) == ["64x64"]
    assert set(table["64x64"]) == set(q.study_codecs((64, 64)))
    md = q.table_markdown(table)
    assert md.splitlines()[0] == "| codec | 64x64 |"
    assert len(md.splitlines()) == 2 + len(q.study_codecs((64, 64)))


def test_cli_writes_table_and_figure(tmp_path):
    ann = tmp_path / "kp.json"
    ann.write_text(json.dumps(tiny_coco()))
    q.main(["--out", str(tmp_path / "out"), "--ann", str(ann), "--positions", "500"])
    md = (tmp_path / "out" / "quantization.md").read_text()
    assert "| SimDR k=2 |" in md and "256x192" in md
    assert (tmp_path / "out" / "quantization.png").stat().st_size > 10_000
    table = json.loads((tmp_path / "out" / "oracle_ap.json").read_text())
    assert set(table) == {"64x64", "128x128", "256x192", "384x288"}


def test_synthetic_study_set_is_deterministic_and_scorable():
    a = q.synthetic_study_set(4, seed=1)
    b = q.synthetic_study_set(4, seed=1)
    assert a["annotations"] == b["annotations"] and len(a["images"]) == 4
    assert q.oracle_ap(a, None, (64, 64))["AP"] == pytest.approx(1.0)
