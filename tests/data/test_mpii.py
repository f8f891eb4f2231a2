import json

import numpy as np
import pytest

from simdr_lite.codecs import HeatmapCodec
from simdr_lite.data.augment import AugmentConfig
from simdr_lite.data.mpii import MPIIKeypoints
from simdr_lite.skeletons import MPII

INPUT = (256, 256)
CODEC = HeatmapCodec(INPUT)


def _files(root):
    return root / "annot" / "valid.json", root / "images"


def test_official_adjustment_and_skips(mpii_root):
    ann, img = _files(mpii_root)
    raw = json.loads(ann.read_text())
    ds = MPIIKeypoints(ann, img, INPUT)
    assert len(ds) == 4 and dict(ds.skipped) == {"bad_keypoints": 1}  # eval keeps "nothing visible"
    a = raw[0]
    s = a["scale"]
    assert np.allclose(ds.centers[0], [a["center"][0] - 1, a["center"][1] + 15 * s - 1], atol=1e-4)
    assert np.allclose(ds.scales[0], [1.25 * s, 1.25 * s])
    assert np.allclose(ds.joints[0], np.array(a["joints"]) - 1, atol=1e-4)
    assert ds.image_ids.tolist() == [0, 1, 2, 4]  # position in the file (PCKh alignment)
    train = MPIIKeypoints(ann, img, INPUT, train=True)
    assert len(train) == 3 and train.skipped["no_keypoints"] == 1


def test_sample_warp_and_target(mpii_root):
    ds = MPIIKeypoints(*_files(mpii_root), INPUT)
    s = ds[1]
    c, sc = ds.centers[1], ds.scales[1]
    k = 256 / (sc[0] * 200)
    vis = ds.visible[1] > 0
    expected = (ds.joints[1] - c) * k + 128
    assert np.allclose(s["joints"][vis], expected[vis], atol=1e-3)
    target, _ = CODEC.encode(s["joints"][None], s["joints_vis"][None])  # what the batch step builds
    assert target.shape == (1, 16, 64, 64)
    j = int(np.flatnonzero(vis)[0])
    peak = np.unravel_index(np.argmax(target[0, j]), (64, 64))
    assert np.allclose(peak[::-1], np.floor(s["joints"][j] / 4 + 0.5), atol=0)


def test_flip_uses_mpii_pairs(mpii_root):
    cfg = AugmentConfig(scale_factor=0.0, rotation_factor=0.0, prob_half_body=-1, flip_prob=1.0)
    ds = MPIIKeypoints(*_files(mpii_root), INPUT, train=True, augment=cfg)
    plain = MPIIKeypoints(*_files(mpii_root), INPUT)
    s, p = ds[0], plain[0]
    for a, b in MPII.flip_pairs:
        if p["joints_vis"][b] > 0:
            assert s["joints_vis"][a] == 1
            # x -> W - 1 - x and c[0] -> W - 1 - c[0] mirror the crop about its centre: x' = 256 - x
            assert s["joints"][a][0] == pytest.approx(256 - p["joints"][b][0], abs=1e-3)
            assert s["joints"][a][1] == pytest.approx(p["joints"][b][1], abs=1e-3)


def test_missing_annotation_points_to_download_script(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_mpii.py"):
        MPIIKeypoints(tmp_path / "annot" / "valid.json", tmp_path, INPUT)
