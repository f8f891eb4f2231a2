"""COCO protocol: OKS-NMS against the official greedy loop, rescoring, AP of known predictions."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simdr_lite.data.synthetic import synthetic_annotations
from simdr_lite.evaluation.coco import coco_results, evaluate_coco, instance_oks, oks_nms, rescore
from simdr_lite.evaluation.reference import oks_nms_loop as official_oks_nms
from simdr_lite.skeletons import COCO

SIGMAS = np.array(COCO.sigmas)


def clustered_detections(seed, n):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(50, 400, size=(max(1, n // 4), 1, 2))
    base = centres + rng.normal(0, 20, size=(len(centres), 17, 2))
    pick = rng.integers(0, len(base), n)
    xy = base[pick] + rng.normal(0, rng.choice([0.5, 3, 15]), size=(n, 17, 2))
    kp = np.concatenate([xy, rng.uniform(0, 1, (n, 17, 1))], axis=-1)
    return kp, rng.permutation(n) / n + 0.01, rng.uniform(2000, 20000, n)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 30), thr=st.sampled_from([0.3, 0.6, 0.9]),
       vis=st.sampled_from([None, 0.2]))
def test_oks_nms_matches_official_greedy_loop(seed, n, thr, vis):
    kp, scores, areas = clustered_detections(seed, n)
    ours = oks_nms(kp, scores, areas, thr, in_vis_thre=vis)
    assert list(ours) == official_oks_nms(kp, scores, areas, thr, in_vis_thre=vis)


def test_grouped_nms_equals_nms_per_image():
    kp, scores, areas = clustered_detections(3, 60)
    images = np.random.default_rng(0).integers(0, 7, 60)
    ours = set(oks_nms(kp, scores, areas, 0.5, groups=images).tolist())
    expected = set()
    for img in np.unique(images):
        idx = np.flatnonzero(images == img)
        expected |= set(idx[official_oks_nms(kp[idx], scores[idx], areas[idx], 0.5)].tolist())
    assert ours == expected


def test_rescore_is_box_score_times_mean_of_confident_keypoints():
    ks = np.array([[0.9, 0.1, 0.5], [0.1, 0.1, 0.1]])
    np.testing.assert_allclose(rescore(ks, np.array([0.5, 1.0]), 0.2), [0.5 * 0.7, 0.0])


@pytest.fixture(scope="module")
def gt_file(tmp_path_factory):
    gt = synthetic_annotations(12, seed=5, split="val")
    path = tmp_path_factory.mktemp("coco") / "gt.json"
    path.write_text(json.dumps(gt))
    return path, gt


def gt_predictions(gt, offset=0.0):
    anns = [a for a in gt["annotations"] if a["num_keypoints"] > 0]
    kp = np.array([a["keypoints"] for a in anns], dtype=np.float64).reshape(-1, 17, 3)
    coords = kp[..., :2] + offset
    return anns, kp, coords


@pytest.mark.parametrize("backend", ["pycocotools", "faster-coco-eval"])
def test_ground_truth_scores_ap_one(gt_file, backend):
    path, gt = gt_file
    anns, kp, coords = gt_predictions(gt)
    results = coco_results(coords, np.ones(coords.shape[:2]), [a["image_id"] for a in anns],
                           np.ones(len(anns)), np.array([a["area"] for a in anns]))
    assert len(results) == len(anns)  # no GT pose is an OKS duplicate of another
    stats = evaluate_coco(path, results, backend=backend)
    assert stats["AP"] == pytest.approx(1.0) and stats["AR"] == pytest.approx(1.0)


def test_fixed_offset_gives_the_ap_that_hand_computed_oks_predicts(gt_file, tmp_path):
    path, gt = gt_file
    anns, kp, coords = gt_predictions(gt, offset=np.array([3.0, -2.0]))
    var = (SIGMAS * 2) ** 2
    area = np.array([a["area"] for a in anns])
    visible = kp[..., 2] > 0
    e = 13.0 / var / (area[:, None] + np.spacing(1)) / 2
    oks = (np.exp(-e) * visible).sum(1) / visible.sum(1)
    # Score each detection by its OKS: at threshold t the matched ones rank first, so precision is 1
    # up to recall r_t = #(oks >= t) / n and the 101-point AP is #(recall points <= r_t) / 101.
    results = [{"image_id": a["image_id"], "category_id": 1, "score": float(s),
                "keypoints": np.concatenate([c, np.ones((17, 1))], 1).reshape(-1).tolist()}
               for a, c, s in zip(anns, coords, oks)]
    thresholds = np.linspace(0.5, 0.95, 10)
    recall = np.array([(oks >= t).mean() for t in thresholds])
    expected_ap = np.mean([np.sum(np.linspace(0, 1, 101) <= r + 1e-12) / 101 if r > 0 else 0 for r in recall])
    stats = evaluate_coco(path, results)
    assert 0.05 < expected_ap < 0.95  # the offset is informative, not all-or-nothing
    assert stats["AP"] == pytest.approx(expected_ap, abs=1e-6)
    (tmp_path / "res.json").write_text(json.dumps(results))
    assert evaluate_coco(path, tmp_path / "res.json", backend="faster-coco-eval")["AP"] == pytest.approx(
        stats["AP"], abs=1e-6
    )


def test_bad_inputs(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_coco.py"):
        evaluate_coco(tmp_path / "missing.json", [])
    with pytest.raises(ValueError, match="backend must be one of"):
        evaluate_coco(tmp_path, [], backend="fast")
    with pytest.raises(ValueError, match=r"keypoints must be \(N, K, 3\)"):
        oks_nms(np.zeros((2, 17, 2)), np.ones(2), np.ones(2))


def test_instance_oks_equals_cocoeval_compute_oks():
    """Each instance's OKS is what pycocotools' ``computeOks`` gives for that (truth, prediction) pair."""
    from pycocotools.coco import COCO as PyCOCO
    from pycocotools.cocoeval import COCOeval

    rng = np.random.default_rng(0)
    n, k = 5, 17
    gt = rng.uniform(20, 180, (n, k, 2))
    vis = rng.integers(0, 3, (n, k))
    vis[0] = 0  # no labelled joint: NaN here, an empty OKS matrix entry in pycocotools
    pred = gt + rng.normal(0, 4, (n, k, 2))
    areas = rng.uniform(500, 9000, n)
    ann = lambda i, xy, v: [float(c) for p, vv in zip(xy, v) for c in (*p, vv)]  # noqa: E731
    coco = PyCOCO()
    coco.dataset = {
        "images": [{"id": i + 1, "width": 200, "height": 200} for i in range(n)],
        "annotations": [{"id": i + 1, "image_id": i + 1, "category_id": 1, "keypoints": ann(i, gt[i], vis[i]),
                         "num_keypoints": int((vis[i] > 0).sum()), "area": float(areas[i]),
                         "bbox": [10.0, 10.0, 180.0, 180.0], "iscrowd": 0} for i in range(n)],
        "categories": [{"id": 1, "name": "person", "keypoints": list(COCO.keypoints), "skeleton": []}],
    }
    coco.createIndex()
    dets = coco.loadRes([{"image_id": i + 1, "category_id": 1, "score": 1.0,
                          "keypoints": ann(i, pred[i], np.ones(k))} for i in range(n)])
    ev = COCOeval(coco, dets, "keypoints")
    ev._prepare()
    ours = instance_oks(pred, gt, vis, areas)
    assert np.isnan(ours[0])
    for i in range(1, n):
        assert ours[i] == pytest.approx(ev.computeOks(i + 1, 1)[0, 0], abs=1e-12)
    assert 0.05 < np.nanmean(ours) < 0.95  # neither trivial value
