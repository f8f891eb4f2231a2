"""The MPII fixture's PCKh ground truth: shapes, a perfect score, and the head size it implies."""

import numpy as np
import pytest

from simdr_lite.data.fixtures import write_mpii_fixture, write_mpii_gt_valid
from simdr_lite.evaluation.mpii import MPII_NAMES, SC_BIAS, load_mpii_gt, pckh


def test_mpii_gt_valid_round_trip(tmp_path):
    ann_file, _ = write_mpii_fixture(tmp_path, num_images=5, seed=1)
    path = write_mpii_gt_valid(ann_file)
    assert path == ann_file.parent / "gt_valid.mat"
    gt = load_mpii_gt(path)
    assert gt["names"] == MPII_NAMES
    assert gt["pos_gt_src"].shape == (16, 2, 5) and gt["headboxes_src"].shape == (2, 2, 5)
    preds = np.transpose(gt["pos_gt_src"], (2, 0, 1)) - 1.0  # 0-based, as a model's output
    assert pckh(preds, gt["pos_gt_src"], gt["jnt_missing"], gt["headboxes_src"])["Mean"] == pytest.approx(100)
    # head size = 0.6 x diagonal of a square of side |head top - neck|
    pos = gt["pos_gt_src"]
    side = np.linalg.norm(pos[MPII_NAMES.index("head")] - pos[MPII_NAMES.index("neck")], axis=0)
    diag = np.linalg.norm(gt["headboxes_src"][1] - gt["headboxes_src"][0], axis=0)
    assert np.allclose(SC_BIAS * diag, SC_BIAS * np.sqrt(2) * side)
    assert set(np.unique(gt["jnt_missing"])) <= {0, 1}
