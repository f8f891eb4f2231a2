"""The data-pipeline benchmark's image set and helpers (the benchmark itself runs by hand:
``python -m simdr_lite.bench data``). No assertion on measured times."""

import json

import cv2
import numpy as np
import pytest

from simdr_lite.bench import data as bench
from simdr_lite.data import jpeg_region
from simdr_lite.data.augment import AugmentConfig, flip_center
from simdr_lite.data.coco import CocoKeypoints
from simdr_lite.representations import REPRESENTATIONS, get_representation


def test_photo_like_image_is_deterministic_and_photo_sized_as_jpeg():
    a = bench.photo_like_image(np.random.default_rng(3))
    b = bench.photo_like_image(np.random.default_rng(3))
    assert a.shape == (480, 640, 3) and a.dtype == np.uint8 and np.array_equal(a, b)
    assert a.std() > 20  # textured, not flat
    kb = cv2.imencode(".jpg", a, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].size / 1024
    assert 80 < kb < 300  # COCO's 640x480 photos: ~100-200 KB


def test_make_photo_coco_is_a_coco_set_with_all_person_sizes(tmp_path):
    ann, img_dir, mean_kb = bench.make_photo_coco(tmp_path, 12, seed=1)
    data = json.loads(ann.read_text())
    assert len(data["images"]) == 12 and len(list(img_dir.glob("*.jpg"))) == 12
    assert 80 < mean_kb < 300
    areas = np.array([a["area"] for a in data["annotations"]])
    assert (areas < 32**2).any() and ((areas >= 32**2) & (areas < 96**2)).any() and (areas >= 96**2).any()
    ds = CocoKeypoints(ann, img_dir, bench.INPUT, train=True, augment=AugmentConfig.for_family("hrnet"))
    assert len(ds) == len(data["annotations"])  # every person kept by the official filters
    s = ds[0]
    assert s["image"].shape == (3, 256, 192)
    shares = bench.factor_shares(ds, epochs=2)
    assert set(shares) == {1, 2, 4, 8} and abs(sum(shares.values()) - 1) < 1e-9
    area, rows = bench.roi_shares(ds, epochs=1)
    assert 0 < area < 1 and area <= rows <= 1  # a box never covers more area than the rows above its bottom
    again = bench.make_photo_coco(tmp_path / "again", 12, seed=1)
    assert again[0].read_text() == ann.read_text()


def test_roi_shares_of_a_crop_that_covers_the_top_half(tmp_path):
    ann, img_dir, _ = bench.make_photo_coco(tmp_path, 1, seed=3)
    still = AugmentConfig(scale_factor=0, rotation_factor=0, flip=False, prob_half_body=0)
    ds = CocoKeypoints(ann, img_dir, (64, 24), train=True, augment=still)
    ds.centers[:] = (320, 120)  # a 640 px wide box (scale[0] x 200) of the crop's 8:3 shape: the top half
    ds.scales[:] = (3.2, 1.2)
    assert bench.roi_shares(ds, epochs=1) == pytest.approx((0.5, 0.5), abs=0.01)


def test_drawn_augmentations_are_those_the_data_path_draws(tmp_path):
    ann, img_dir, _ = bench.make_photo_coco(tmp_path, 3, seed=4)
    ds = CocoKeypoints(ann, img_dir, bench.INPUT, train=True, augment=AugmentConfig.for_family("hrnet"))
    drawn = list(bench._drawn_augmentations(ds, epochs=2))
    assert [i for i, _ in drawn] == list(range(len(ds))) * 2
    for k, (i, aug) in enumerate(drawn):
        meta = ds[k // len(ds), i]["meta"]  # the sample's centre: in the mirrored image when flipped
        width = ds.images[int(ds.image_ids[i])]["width"]
        expected = flip_center(aug.center, width) if aug.flip else aug.center
        assert np.allclose(meta["center"], expected) and np.allclose(meta["scale"], aug.scale)


def test_reference_sample_and_decode_times(tmp_path):
    ann, img_dir, _ = bench.make_photo_coco(tmp_path, 3, seed=2)
    ds = CocoKeypoints(ann, img_dir, bench.INPUT, train=True)
    for name in REPRESENTATIONS:
        codec = get_representation(name, bench.INPUT).codec
        image, target = bench.OfficialReference(ds, codec, AugmentConfig(), color_rgb=True)[0]
        assert image.shape == (3, 256, 192) and len(target) == 2
    times = bench.decode_times([str(p) for p in img_dir.glob("*.jpg")], repeat=1)
    assert set(times) == {1, 2, 4, 8} and all(t > 0 for t in times.values())


def test_main_tiny_run(capsys):
    bench.main(["--quick", "--images", "3", "--samples", "8", "--batch", "4", "--workers", "0",
                "--reference-workers"])
    out = capsys.readouterr().out
    assert "mean file" in out and "training samples decoded at scale: 1/1" in out
    assert "region of interest (crop's source box)" in out
    assert "official per-sample reference" in out and "(median of 1 rounds)" in out
    assert "ours, full decode, 0 workers: loader" in out
    assert "ours, partial decode (default), 0 workers: + batch step on CPU" in out
    assert ("only the crop's rectangle (jpeg_region)" in out) == jpeg_region.available()


def test_rate_table_reports_medians_ranges_and_ratios_of_medians():
    rates = {"official per-sample reference": [100.0, 300.0, 200.0],
             "official reference, DataLoader, 2 workers": [400.0, 380.0, 420.0],
             "ours, 0 workers": [500.0, 100.0, 300.0], "ours, 2 workers": [800.0, 900.0, 700.0],
             "ours, 1 workers": [250.0]}
    workers = {n: w for n, w in zip(rates, (0, 2, 0, 2, 1))}
    rows = {r[0]: r[1:] for r in bench.rate_table(rates, workers)}
    assert rows["official per-sample reference"] == (200.0, 100.0, 300.0, 1.0, 1.0)
    med, lo, hi, ratio, same = rows["ours, 2 workers"]
    assert (med, lo, hi) == (800.0, 700.0, 900.0)
    assert ratio == pytest.approx(4.0) and same == pytest.approx(2.0)
    assert rows["ours, 0 workers"][3:] == pytest.approx((1.5, 1.5))
    assert rows["ours, 1 workers"][4] is None  # no reference measured with 1 worker
