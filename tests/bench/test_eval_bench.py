"""The evaluation benchmark's baseline (official per-image NMS) agrees with the vectorised NMS."""

import numpy as np

from simdr_lite.bench import eval as bench
from simdr_lite.data.synthetic import synthetic_annotations
from simdr_lite.evaluation.coco import oks_nms, rescore


def test_detections_and_official_baseline_agree_with_ours():
    gt = synthetic_annotations(40, seed=1, split="val")
    det = bench.make_detections(gt, per_image=4)
    assert det["keypoints"].shape == (160, 17, 3) and len(det["image_ids"]) == 160
    scores = rescore(det["keypoints"][..., 2], det["box_scores"], 0.2)
    ref = bench.official_nms(bench.per_image_dicts(det, scores), 0.5)
    ours = np.sort(oks_nms(det["keypoints"], scores, det["areas"], 0.5, groups=det["image_ids"]))
    np.testing.assert_array_equal(ours, ref)
    assert 40 <= len(ours) < 160  # duplicates were removed, every image kept something


def test_main_runs_quick(capsys):
    bench.main(["--images", "60"])
    out = capsys.readouterr().out
    assert "identical stats" in out and "| OKS-NMS |" in out
