"""data_scripts/make_mpii_fixture.py: both splits and the PCKh ground truth, in HRNet's layout."""

import json

import pytest

from data_scripts.make_mpii_fixture import main
from simdr_lite.evaluation.mpii import load_mpii_gt


def test_writes_both_splits_and_gt_valid(tmp_path):
    main([str(tmp_path), "--train", "3", "--val", "2"])
    train = json.loads((tmp_path / "train/annot/train.json").read_text())
    valid = json.loads((tmp_path / "valid/annot/valid.json").read_text())
    assert len(train) == 3 and len(valid) == 2
    assert len(list((tmp_path / "train/images").glob("*.jpg"))) == 3
    gt = load_mpii_gt(tmp_path / "valid/annot/gt_valid.mat")
    assert gt["pos_gt_src"].shape == (16, 2, 2)


def test_rejects_empty_splits(tmp_path):
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--train", "0"])
