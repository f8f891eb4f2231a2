"""CrowdPose protocol: perfect predictions, box-area OKS scale, the crowd-index split."""

import json

import numpy as np
import pytest

from simdr_lite.evaluation.crowdpose import evaluate_crowdpose
from simdr_lite.skeletons import CROWDPOSE


@pytest.fixture(scope="module")
def crowd_gt(tmp_path_factory):
    rng = np.random.default_rng(0)
    images, anns = [], []
    for i in range(1, 31):  # crowd index from 0.03 (easy) to 0.97 (hard)
        images.append({"id": i, "file_name": f"{i}.jpg", "width": 640, "height": 480, "crowdIndex": i / 31})
        for _ in range(2):
            xy = rng.uniform(100, 400, (14, 2))
            (x0, y0), (x1, y1) = xy.min(0), xy.max(0)
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": 1, "num_keypoints": 14,
                         "keypoints": np.concatenate([xy, np.full((14, 1), 2.0)], 1).reshape(-1).tolist(),
                         "bbox": [x0, y0, x1 - x0, y1 - y0], "iscrowd": 0})
    path = tmp_path_factory.mktemp("crowd") / "gt.json"
    path.write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 1}]}))
    return path, images, anns


def predictions(anns, shift_of):
    out = []
    for a in anns:
        kp = np.array(a["keypoints"]).reshape(14, 3) + [shift_of(a), 0, 0]
        out.append({"image_id": a["image_id"], "category_id": 1, "score": 1.0,
                    "keypoints": kp.reshape(-1).tolist()})
    return out


def test_ground_truth_scores_one(crowd_gt):
    path, _, anns = crowd_gt
    stats = evaluate_crowdpose(path, predictions(anns, lambda a: 0.0))
    assert all(v == pytest.approx(1.0) for v in stats.values())


def test_oks_uses_053_box_area_and_split_follows_crowd_index(crowd_gt):
    path, images, anns = crowd_gt
    crowd = {im["id"]: im["crowdIndex"] for im in images}
    # Hard images get predictions far off; the others get an offset whose OKS we compute by hand.
    far = lambda a: 500.0 if crowd[a["image_id"]] > 0.8 else 0.0  # noqa: E731
    stats = evaluate_crowdpose(path, predictions(anns, far))
    assert stats["APE"] == pytest.approx(1.0) and stats["APM"] == pytest.approx(1.0)
    assert stats["APH"] == pytest.approx(0.0)
    var = (np.array(CROWDPOSE.sigmas) * 2) ** 2
    a = anns[0]
    d = 20.0
    oks = np.exp(-(d**2) / var / (a["bbox"][2] * a["bbox"][3] * 0.53 + np.spacing(1)) / 2).mean()
    single = evaluate_crowdpose(path, predictions([a], lambda _: d))
    assert (single["AP50"] > 0) == (oks >= 0.5)
    # one true positive out of 60 ground-truth persons: precision 1 up to recall 1/60
    expected = np.sum(np.linspace(0, 1, 101) <= 1 / 60) / 101 if oks >= 0.5 else 0.0
    assert single["AP50"] == pytest.approx(expected)


def test_missing_file_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_crowdpose.py"):
        evaluate_crowdpose(tmp_path / "x.json", [])
