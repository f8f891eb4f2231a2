"""engine.preflight: everything missing is named at once, each with its fix."""

import pytest

from simdr_lite.engine.config import from_dict
from simdr_lite.engine.preflight import PreflightError, check_data, preflight


def _coco_cfg(root, **model):
    return from_dict({"data": {"dataset": "coco", "root": str(root)}, "model": model})


def test_missing_data_and_backbone_are_listed_together_with_their_fixes(tmp_path):
    cfg = _coco_cfg(tmp_path / "coco", name="hrnet_w32", pretrained=str(tmp_path / "hrnet_w32-36af842e.pth"))
    with pytest.raises(PreflightError) as err:
        preflight(cfg, checkpoint=tmp_path / "best.pth")
    text = str(err.value)
    assert "6 thing(s) missing" in text  # 4 dataset paths, the backbone, the checkpoint
    assert "python data_scripts/download_coco.py --root" in text
    assert "hrnet_w32-36af842e.pth (ImageNet backbone weights" in text and "model.pretrained=''" in text
    assert "best.pth (checkpoint)" in text


def test_nothing_missing_passes(tmp_path):
    root = tmp_path / "coco"
    cfg = _coco_cfg(root)
    for rel in (cfg.data.train_ann, cfg.data.val_ann):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("{}")
    for rel in (cfg.data.train_images, cfg.data.val_images):
        (root / rel).mkdir(parents=True)
    preflight(cfg, run_dir=tmp_path / "runs" / "new")  # a folder that does not exist yet is fine
    check_data(cfg)


def test_detection_file_is_needed_only_without_gt_boxes(tmp_path):
    cfg = from_dict({"data": {"dataset": "coco", "root": str(tmp_path), "use_gt_bbox": False,
                              "det_file": "dets.json"}})
    with pytest.raises(PreflightError, match="dets.json"):
        check_data(cfg)


def test_synthetic_data_needs_nothing(tmp_path):
    check_data(from_dict({"data": {"dataset": "synthetic", "root": str(tmp_path / "x")}}))


def test_unwritable_run_dir_is_reported(tmp_path, monkeypatch):
    from simdr_lite.engine import preflight as module

    monkeypatch.setattr(module.os, "access", lambda path, mode: False)  # as a read-only mount answers
    with pytest.raises(PreflightError, match=r"run folder\) is not writable"):
        preflight(from_dict({"data": {"dataset": "synthetic"}}), run_dir=tmp_path / "run")
