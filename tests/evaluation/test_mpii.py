"""PCKh: perfect predictions, a hand-computed offset case, the .mat round trip, Mean@0.1 index, tables."""

import numpy as np
import pytest
from scipy.io import savemat

from simdr_lite.evaluation.mpii import MPII_NAMES, load_mpii_gt, pckh, pckh_tables


def fake_gt(n=20, seed=0):
    rng = np.random.default_rng(seed)
    pos = rng.uniform(50, 400, size=(16, 2, n))
    missing = (rng.uniform(size=(16, n)) < 0.1).astype(np.int64)
    top_left = rng.uniform(50, 300, size=(2, n))
    head = np.stack([top_left, top_left + 50.0])  # (2, 2, N): diagonal 50 * sqrt(2)
    return pos, missing, head


def test_ground_truth_gives_100():
    pos, missing, head = fake_gt()
    preds = np.transpose(pos, (2, 0, 1)) - 1.0  # 0-based
    table = pckh(preds, pos, missing, head)
    assert all(v == pytest.approx(100.0) for v in table.values())


def test_offset_between_thresholds_is_hand_computable():
    pos, missing, head = fake_gt()
    headsize = 50 * np.sqrt(2) * 0.6
    preds = np.transpose(pos, (2, 0, 1)) - 1.0
    preds[:, :, 0] += 0.3 * headsize  # every joint off by 0.3 head sizes
    preds[:, MPII_NAMES.index("head"), 0] += 0.5 * headsize  # the head top by 0.8
    table = pckh(preds, pos, missing, head)
    assert table["Shoulder"] == pytest.approx(100.0) and table["Head"] == pytest.approx(0.0)
    counts = (1 - missing).sum(1)
    keep = np.ones(16, bool)
    keep[[6, 7]] = False
    assert table["Mean"] == pytest.approx(100 * (counts[keep].sum() - counts[9]) / counts[keep].sum())
    assert table["Mean@0.1"] == pytest.approx(0.0)
    assert pckh(preds, pos, missing, head, threshold=0.2)["Shoulder"] == pytest.approx(0.0)


def test_mean01_reads_threshold_010_or_hrnets_011():
    pos, missing, head = fake_gt()
    preds = np.transpose(pos, (2, 0, 1)) - 1.0
    preds[..., 0] += 0.105 * 50 * np.sqrt(2) * 0.6
    assert pckh(preds, pos, missing, head)["Mean@0.1"] == pytest.approx(0.0)
    assert pckh(preds, pos, missing, head, mean01_index=11)["Mean@0.1"] == pytest.approx(100.0)


def test_gt_valid_mat_round_trip(tmp_path):
    pos, missing, head = fake_gt()
    names = np.array([[np.array([n]) for n in MPII_NAMES]], dtype=object)
    savemat(tmp_path / "gt_valid.mat", {"pos_gt_src": pos, "jnt_missing": missing,
                                        "headboxes_src": head, "dataset_joints": names})
    gt = load_mpii_gt(tmp_path / "gt_valid.mat")
    assert gt["names"] == MPII_NAMES
    preds = np.transpose(pos, (2, 0, 1)) - 1.0
    assert pckh(preds, gt["pos_gt_src"], gt["jnt_missing"], gt["headboxes_src"])["Mean"] == pytest.approx(100)
    with pytest.raises(FileNotFoundError, match="download_mpii.py"):
        load_mpii_gt(tmp_path / "nope.mat")


def test_pckh_tables_align_on_image_ids_and_skip_invalid():
    pos, missing, head = fake_gt(n=6)
    coords = np.transpose(pos, (2, 0, 1)) - 1.0
    order = np.array([3, 0, 5, 1, 4, 2])  # shuffled instances, plus one invalid copy at the end
    preds = {"coords": np.concatenate([coords[order], coords[:1] + 1e3]),
             "image_ids": np.concatenate([order, [0]]), "valid": np.array([True] * 6 + [False])}
    gt = {"pos_gt_src": pos, "jnt_missing": missing, "headboxes_src": head}
    tables = pckh_tables(preds, gt, thresholds=(0.5, 0.1))
    assert set(tables) == {0.5, 0.1}
    assert tables[0.5]["Mean"] == pytest.approx(100) and tables[0.1]["Wrist"] == pytest.approx(100)
