import contextlib
import io
import json

import cv2
import numpy as np
import pytest
from pycocotools.coco import COCO as COCOApi
from pycocotools.cocoeval import COCOeval

from simdr_lite.data.synthetic import (
    JOINT_COLORS,
    make_synthetic_coco,
    synthetic_annotations,
    synthetic_image,
)
from simdr_lite.skeletons import COCO


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    return make_synthetic_coco(root, 12, seed=3, image_size=(96, 128), workers=1)


def _keypoints(coco: dict) -> np.ndarray:
    return np.array([a["keypoints"] for a in coco["annotations"]], float).reshape(-1, 17, 3)


def test_layout_and_json_schema(small_set):
    assert small_set.ann_file == small_set.root / "annotations" / "person_keypoints_train.json"
    assert small_set.image_dir == small_set.root / "images" / "train"
    coco = json.loads(small_set.ann_file.read_text())
    assert len(coco["images"]) == small_set.num_images == 12
    assert len(coco["annotations"]) == small_set.num_persons
    cat = coco["categories"][0]
    assert cat["id"] == 1 and cat["name"] == "person" and cat["keypoints"] == list(COCO.keypoints)
    assert cat["skeleton"][0] == [16, 14]  # COCO's own 1-based skeleton
    per_image = np.bincount([a["image_id"] for a in coco["annotations"]], minlength=13)[1:]
    assert per_image.min() >= 1 and per_image.max() <= 3
    for a in coco["annotations"]:
        assert a["category_id"] == 1 and a["iscrowd"] == 0 and len(a["keypoints"]) == 51
        assert a["num_keypoints"] == sum(v > 0 for v in a["keypoints"][2::3])
        assert a["area"] == pytest.approx(0.55 * a["bbox"][2] * a["bbox"][3], abs=0.01)


def test_images_decode_with_the_right_size(small_set):
    coco = json.loads(small_set.ann_file.read_text())
    for im in coco["images"]:
        img = cv2.imread(str(small_set.image_dir / im["file_name"]))
        assert img is not None and img.shape == (128, 96, 3)
        assert (im["width"], im["height"]) == (96, 128)
        assert im["file_name"] == f"{im['id']:012d}.jpg"


def test_deterministic_and_independent_of_workers(tmp_path, small_set):
    again = make_synthetic_coco(tmp_path, 12, seed=3, image_size=(96, 128), workers=2)
    assert again.ann_file.read_bytes() == small_set.ann_file.read_bytes()
    for i in range(1, 13):
        name = f"{i:012d}.jpg"
        assert (again.image_dir / name).read_bytes() == (small_set.image_dir / name).read_bytes()
    # same poses without rendering; another seed or split gives other poses
    ann = synthetic_annotations(12, seed=3, image_size=(96, 128))
    assert json.dumps(ann, separators=(",", ":")) == small_set.ann_file.read_text()
    assert synthetic_annotations(12, seed=4, image_size=(96, 128)) != ann
    assert synthetic_annotations(12, seed=3, split="val", image_size=(96, 128)) != ann


def test_in_memory_image_matches_annotations(small_set):
    coco = json.loads(small_set.ann_file.read_text())
    img, kp = synthetic_image(5, seed=3, image_size=(96, 128))
    assert img.shape == (128, 96, 3) and img.dtype == np.uint8
    expected = [a["keypoints"] for a in coco["annotations"] if a["image_id"] == 6]
    np.testing.assert_array_equal(kp.reshape(len(kp), -1), expected)
    jpg = cv2.imread(str(small_set.image_dir / "000000000006.jpg"))[..., ::-1]
    # only JPEG loss (which mostly drops the pixel noise): compare smoothed pictures
    smooth = [cv2.GaussianBlur(x, (5, 5), 0).astype(int) for x in (jpg, img)]
    assert np.abs(smooth[0] - smooth[1]).mean() < 3
    other = cv2.GaussianBlur(synthetic_image(4, seed=3, image_size=(96, 128))[0], (5, 5), 0)
    assert np.abs(other.astype(int) - smooth[1]).mean() > 10


def test_visible_joints_show_their_colour():
    img, kp = synthetic_image(0, seed=11)
    vis = kp[..., 2] == 2
    xy = np.round(kp[vis][:, :2]).astype(int)
    colours = img[xy[:, 1], xy[:, 0]].astype(int)
    ids = np.nonzero(vis)[1]
    # later figures may cover earlier ones; most visible joints show their own colour
    close = np.abs(colours - JOINT_COLORS[ids].astype(int)).max(1) < 40
    assert close.mean() > 0.8
    assert len({tuple(c) for c in JOINT_COLORS.tolist()}) == 17


def test_pycocotools_loads_and_self_evaluation_is_perfect(small_set):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCOApi(str(small_set.ann_file))
        assert len(gt.getImgIds()) == 12 and gt.getCatIds() == [1]
        dets = [
            {"image_id": a["image_id"], "category_id": 1, "keypoints": a["keypoints"], "score": 1.0}
            for a in gt.loadAnns(gt.getAnnIds())
            if a["num_keypoints"] > 0
        ]
        ev = COCOeval(gt, gt.loadRes(dets), iouType="keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)  # AP
    assert ev.stats[5] == pytest.approx(1.0)  # AR


def test_boxes_contain_visible_keypoints_and_lie_in_the_image():
    coco = synthetic_annotations(300, seed=1, image_size=(200, 160))
    kp = _keypoints(coco)
    box = np.array([a["bbox"] for a in coco["annotations"]])
    x1, y1, w, h = box.T
    assert (x1 >= 0).all() and (y1 >= 0).all() and (x1 + w <= 200).all() and (y1 + h <= 160).all()
    assert (w > 0).all() and (h > 0).all()
    lab = kp[..., 2] > 0
    x, y = kp[..., 0], kp[..., 1]
    inside = (x >= x1[:, None]) & (x <= (x1 + w)[:, None]) & (y >= y1[:, None])
    inside &= y <= (y1 + h)[:, None]
    assert inside[lab].all()
    assert (x[lab] < 200).all() and (y[lab] < 160).all()
    assert (kp[~lab] == 0).all()  # unlabelled joints are 0, 0, 0 as in COCO


def test_visibility_flags_truncation_and_scale_are_sane():
    coco = synthetic_annotations(500, seed=2)
    kp = _keypoints(coco)
    v = kp[..., 2]
    frac = [(v == i).mean() for i in range(3)]
    assert 0.05 < frac[0] < 0.30, frac  # missing + outside + face seen from behind
    assert 0.06 < frac[1] < 0.14, frac  # ~10% occluded
    assert frac[2] > 0.6, frac
    box = np.array([a["bbox"] for a in coco["annotations"]])
    touches = (box[:, 0] <= 0) | (box[:, 1] <= 0) | (box[:, 0] + box[:, 2] >= 256)
    touches |= box[:, 1] + box[:, 3] >= 256
    assert 0.1 < touches.mean() < 0.7  # truncation at the borders happens, but not always
    assert np.median(box[:, 3]) > 0.35 * 256  # persons are large enough for 64x64 crops
    n = np.bincount([a["image_id"] for a in coco["annotations"]])[1:]
    assert set(n.tolist()) == {1, 2, 3}
    # left/right are not tied to image sides: figures seen from behind put the left on the left
    lx, rx = kp[:, 5, 0], kp[:, 6, 0]
    both = (kp[:, 5, 2] > 0) & (kp[:, 6, 2] > 0)
    assert 0.03 < (lx[both] < rx[both]).mean() < 0.4


def test_idempotent_manifest(tmp_path):
    first = make_synthetic_coco(tmp_path, 3, seed=0, image_size=(64, 64))
    stamp = first.ann_file.stat().st_mtime_ns
    again = make_synthetic_coco(tmp_path, 3, seed=0, image_size=(64, 64))
    assert first.generated and not again.generated
    assert again.ann_file.stat().st_mtime_ns == stamp and again.num_persons == first.num_persons
    smaller = make_synthetic_coco(tmp_path, 2, seed=0, image_size=(64, 64))
    assert smaller.generated
    assert sorted(p.name for p in smaller.image_dir.iterdir()) == [
        "000000000001.jpg", "000000000002.jpg"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_images": 0}, "num_images must be >= 1"),
        ({"num_images": 2.5}, "num_images must be an int"),
        ({"image_size": (16, 64)}, r"image_size \(W, H\) must lie in \[32, 4096\]"),
        ({"image_size": 64}, "image_size must be a pair"),
        ({"image_size": (64.0, 64)}, "image_size must be a pair"),
        ({"max_persons": 0}, "max_persons must be in"),
        ({"seed": -1}, "seed must be a non-negative int"),
        ({"split": "a/b"}, "split must be"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    args = {"num_images": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        synthetic_annotations(args.pop("num_images"), **args)


def test_bad_workers_raise(tmp_path):
    with pytest.raises(ValueError, match="workers must be"):
        make_synthetic_coco(tmp_path, 2, workers=-1)
    with pytest.raises(ValueError, match="num_images must be >= 1"):
        make_synthetic_coco(tmp_path, 0)
