import json
import logging

import cv2
import numpy as np
import pytest
import torch
from torch.utils.data import default_collate

from simdr_lite.data.augment import AugmentConfig, normalize_batch
from simdr_lite.data.batch import prepare_batch
from simdr_lite.data.coco import CocoKeypoints
from simdr_lite.geometry import get_affine_transform
from simdr_lite.representations import Heatmap, SimDR, SimDRStar
from simdr_lite.skeletons import COCO, CROWDPOSE

INPUT = (192, 256)
# KNOWN_BOX = [100, 50, 60, 200] in a 640x480 image: clean box [100, 50, 59, 199]
KNOWN_CENTER = (100 + 59 / 2, 50 + 199 / 2)
KNOWN_SCALE = (199 * 0.75 / 200 * 1.25, 199 / 200 * 1.25)  # w grown to 0.75 h, then x 1.25
NO_AUG = AugmentConfig(scale_factor=0.0, rotation_factor=0.0, prob_half_body=0.0, flip=False)


def _known_indices(ds):
    return np.flatnonzero(ds.image_ids == 100)


def test_gt_boxes_centres_scales_and_skips(coco_files, caplog):
    with caplog.at_level(logging.WARNING):
        ds = CocoKeypoints(*coco_files, INPUT)
    assert len(ds) == 4 * 2 + 1 + 3  # generated + known + missing/corrupt/truncated image instances
    assert dict(ds.skipped) == {"crowd": 1, "no_keypoints": 1, "bad_box": 2, "bad_keypoints": 1}
    assert "crowd=1" in caplog.text and "bad_keypoints=1" in caplog.text
    (i,) = _known_indices(ds)
    assert np.allclose(ds.boxes[i], [100, 50, 59, 199])
    assert np.allclose(ds.centers[i], KNOWN_CENTER)
    assert np.allclose(ds.scales[i], KNOWN_SCALE, rtol=1e-6)
    assert ds.visible[i].sum() == 4 and ds.visible[i].max() == 1  # v = 2 clipped to 1
    assert ds.areas[i] == 5000.0 and ds.areas.shape == (len(ds),)  # annotation area: COCOeval's OKS scale


def test_eval_sample_joints_targets_and_meta(coco_files):
    ds = CocoKeypoints(*coco_files, INPUT)
    (i,) = _known_indices(ds)
    s = ds[i]
    assert s["image"].shape == (3, 256, 192) and s["image"].dtype == torch.uint8  # the crop: no targets
    assert set(s) == {"image", "joints", "joints_vis", "meta"}
    px = 256 / (KNOWN_SCALE[1] * 200)  # crop pixels per image pixel
    # joint 0 is the box centre -> crop centre; joint 5 is 50 px above and 20.5 px right of it
    assert np.allclose(s["joints"][0], [96, 128], atol=1e-3)
    assert np.allclose(s["joints"][5], [96 + 20.5 * px, 128 - 49.5 * px], atol=1e-3)
    # the batch step builds the targets: SimDR bins = round(joints * k)
    images, target, weight = prepare_batch(default_collate([s]), "cpu", SimDR(INPUT, k=2.0).encode)
    assert np.allclose(target[0, 0], [192, 256])
    assert np.array_equal(target[0, 5], np.round(s["joints"][5] * 2).astype(np.int64))
    assert weight[0].tolist() == [1 if j in (0, 5, 6, 11) else 0 for j in range(17)]
    meta = s["meta"]
    assert meta["image_id"] == 100 and meta["image_file"].endswith("known.jpg")
    assert np.allclose(meta["center"], KNOWN_CENTER) and meta["rotation"] == 0.0
    assert np.isclose(meta["area"], KNOWN_SCALE[0] * KNOWN_SCALE[1] * 200**2, rtol=1e-5)
    # the image is the official crop of the JPEG (BGR by default); the batch step normalises it
    img = cv2.imread(meta["image_file"])
    t = get_affine_transform(meta["center"], meta["scale"], 0, INPUT)
    crop = cv2.warpAffine(img, t, INPUT, flags=cv2.INTER_LINEAR)
    assert np.array_equal(s["image"].permute(1, 2, 0).numpy(), crop)
    ref = (crop.astype(np.float32) / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    assert np.allclose(images[0].permute(1, 2, 0).numpy(), ref, atol=1e-4)


@pytest.mark.parametrize("rep", [Heatmap(INPUT), SimDRStar(INPUT)])
def test_the_batch_step_encodes_every_representation_like_its_codec(coco_files, rep):
    ds = CocoKeypoints(*coco_files, INPUT)
    batch = default_collate([ds[i] for i in range(4)])
    images, target, weight = prepare_batch(batch, "cpu", rep.encode, channels_last=True)
    want, want_w = rep.codec.encode(batch["joints"].numpy(), batch["joints_vis"].numpy())
    for got, exp in zip(target if isinstance(target, tuple) else (target,),
                        want if isinstance(want, tuple) else (want,)):
        assert np.array_equal(got.numpy(), exp)
    assert np.array_equal(weight.numpy(), want_w)
    assert images.is_contiguous(memory_format=torch.channels_last)
    assert torch.allclose(images, normalize_batch(batch["image"]))


def test_flip_swaps_pairs_and_mirrors_centre(coco_files):
    cfg = AugmentConfig(scale_factor=0.0, rotation_factor=0.0, prob_half_body=0.0, flip_prob=1.0)
    ds = CocoKeypoints(*coco_files, INPUT, train=True, augment=cfg)
    plain = CocoKeypoints(*coco_files, INPUT)
    (i,) = _known_indices(ds)
    s, p = ds[i], plain[i]
    assert s["meta"]["flipped"] == 1
    assert np.allclose(s["meta"]["center"], [640 - KNOWN_CENTER[0] - 1, KNOWN_CENTER[1]])
    # after the flip, left shoulder (5) is where the mirrored right shoulder (6) was
    px = 256 / (KNOWN_SCALE[1] * 200)
    x6 = 640 - 110 - 1  # right shoulder x in the mirrored image
    want = [96 + (x6 - s["meta"]["center"][0]) * px, p["joints"][6][1]]
    assert np.allclose(s["joints"][5], want, atol=1e-3)
    assert s["joints_vis"][5] == 1 and s["joints_vis"][6] == 1
    assert np.allclose(s["joints"][0], [96, 128], atol=1e-3)


def test_training_is_deterministic_per_epoch(coco_files):
    ds = CocoKeypoints(*coco_files, INPUT, train=True, augment=AugmentConfig.for_family("hrnet"))
    a, b, c = ds[(3, 2)], ds[(3, 2)], ds[(4, 2)]
    assert torch.equal(a["image"], b["image"]) and np.array_equal(a["joints"], b["joints"])
    assert not np.allclose(a["meta"]["scale"], c["meta"]["scale"])


@pytest.mark.parametrize("reduced", [False, True])
def test_image_cache_gives_the_same_samples_and_decodes_each_file_once(coco_files, monkeypatch, reduced):
    import collections

    import simdr_lite.data.io as io
    import simdr_lite.data.topdown as topdown

    augment = AugmentConfig.for_family("hrnet")
    plain = CocoKeypoints(*coco_files, INPUT, train=True, augment=augment, reduced_decode=reduced)
    cached = CocoKeypoints(*coco_files, INPUT, train=True, augment=augment, cache_images=True,
                           reduced_decode=reduced)
    expected = [plain[(epoch, i)] for epoch in range(2) for i in range(len(plain))]
    reads = collections.Counter()  # full decodes by path, or (path, scale factor) with reduced_decode
    if reduced:
        real_decode = io.decode_image

        def counting_decode(data, path="<bytes>", color_rgb=False, factor=1):
            reads.update([(str(path), factor)])
            return real_decode(data, path, color_rgb, factor)

        monkeypatch.setattr(io, "decode_image", counting_decode)
    else:
        real_read = topdown.read_image
        monkeypatch.setattr(topdown, "read_image",
                            lambda path, rgb: reads.update([path]) or real_read(path, rgb))
    got = [cached[(epoch, i)] for epoch in range(2) for i in range(len(cached))]
    for a, b in zip(expected, got):
        assert torch.equal(a["image"], b["image"]) and np.array_equal(a["joints"], b["joints"])
    decoded = set(cached._cache)  # the fixture's corrupt files fail every time and are not kept
    assert decoded and all(reads[p] == 1 for p in decoded)
    path_of = (lambda k: k[0]) if reduced else (lambda k: k)
    failed = collections.Counter()
    for k, n in reads.items():
        if k not in decoded:
            failed[path_of(k)] += n
    assert failed and all(n >= 2 for n in failed.values())


def test_bad_images_replaced_in_training_blank_in_eval(coco_files, caplog):
    train = CocoKeypoints(*coco_files, INPUT, train=True)
    bad = np.flatnonzero(np.isin(train.image_ids, [101, 102, 103]))
    assert len(bad) == 3
    with caplog.at_level(logging.WARNING):
        for i in bad:
            s = train[int(i)]
            assert s["meta"]["replaced"] == 1 and s["meta"]["image_id"] not in (101, 102, 103)
    assert train.skipped["bad_image"] >= 3
    for name in ("missing.jpg", "corrupt.jpg", "truncated.jpg"):
        assert name in caplog.text
    ev = CocoKeypoints(*coco_files, INPUT)
    s = ev[int(bad[0])]
    assert s["meta"]["valid"] == 0 and s["meta"]["image_id"] == 101
    assert s["joints_vis"].sum() == 0 and int(s["image"].sum()) == 0


def test_detections_threshold_and_category(coco_files, coco_root):
    ds = CocoKeypoints(*coco_files, INPUT, det_file=coco_root / "dets.json", image_thre=0.1)
    assert len(ds) == 1
    assert dict(ds.skipped) == {"low_score": 1, "not_person": 1, "bad_box": 1}
    assert np.allclose(ds.centers[0], [130, 150]) and np.isclose(ds.scores[0], 0.9)
    assert np.allclose(ds.scales[0], [200 * 0.75 / 200 * 1.25, 200 / 200 * 1.25])  # no sanitising
    s = ds[0]
    assert s["meta"]["score"] == pytest.approx(0.9) and s["joints_vis"].sum() == 17
    assert len(CocoKeypoints(*coco_files, INPUT, det_file=coco_root / "dets.json")) == 2  # thre 0


def test_missing_files_raise_with_instructions(coco_files, tmp_path):
    ann, img = coco_files
    with pytest.raises(FileNotFoundError, match="download_coco.py"):
        CocoKeypoints(tmp_path / "nope.json", img, INPUT)
    with pytest.raises(FileNotFoundError, match="image directory"):
        CocoKeypoints(ann, tmp_path / "no_images", INPUT)
    with pytest.raises(FileNotFoundError, match="detection"):
        CocoKeypoints(ann, img, INPUT, det_file=tmp_path / "dets.json")


def test_crowdpose_layout_and_select_data(coco_files, tmp_path):
    ann, img = coco_files
    data = json.loads(ann.read_text())
    data["categories"][0]["keypoints"] = list(CROWDPOSE.keypoints)
    data["annotations"] = [dict(a, keypoints=a["keypoints"][: 3 * 14]) for a in data["annotations"]
                           if len(a["keypoints"]) == 51]
    (tmp_path / "cp.json").write_text(json.dumps(data))
    ds = CocoKeypoints(tmp_path / "cp.json", img, INPUT)
    assert ds.skeleton is CROWDPOSE and ds[0]["joints"].shape == (14, 2)
    full = CocoKeypoints(ann, img, INPUT, train=True)
    sel = CocoKeypoints(ann, img, INPUT, train=True, select_data=True)
    assert len(sel) + sel.skipped["select_data"] == len(full) and full.skeleton is COCO
