import contextlib
import io
import json

import pytest
from pycocotools.coco import COCO as COCOApi

from data_scripts.make_subset import main, make_subset
from simdr_lite.data.synthetic import make_synthetic_coco, synthetic_annotations


@pytest.fixture
def ann_file(tmp_path):
    path = tmp_path / "person_keypoints_train.json"
    path.write_text(json.dumps(synthetic_annotations(40, seed=5, image_size=(64, 64))))
    return path


def test_subset_by_count_is_deterministic_and_keeps_ids(ann_file, tmp_path):
    src = json.loads(ann_file.read_text())
    res = make_subset(ann_file, tmp_path / "a.json", num_images=7, seed=1)
    sub = json.loads((tmp_path / "a.json").read_text())
    ids = [im["id"] for im in sub["images"]]
    assert res["images"] == 7 and len(ids) == 7 and ids == sorted(ids)
    by_id = {im["id"]: im for im in src["images"]}
    assert all(by_id[im["id"]] == im for im in sub["images"])
    expected = [a for a in src["annotations"] if a["image_id"] in set(ids)]
    assert sub["annotations"] == expected and res["annotations"] == len(expected)
    assert sub["categories"] == src["categories"]
    make_subset(ann_file, tmp_path / "b.json", num_images=7, seed=1)
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
    make_subset(ann_file, tmp_path / "c.json", num_images=7, seed=2)
    assert (tmp_path / "c.json").read_bytes() != (tmp_path / "a.json").read_bytes()
    make_subset(ann_file, tmp_path / "d.json", num_images=3, first=True)
    assert [im["id"] for im in json.loads((tmp_path / "d.json").read_text())["images"]] == [1, 2, 3]
    make_subset(ann_file, tmp_path / "e.json", num_images=30, with_keypoints=True)
    kept = json.loads((tmp_path / "e.json").read_text())
    with_kp = {a["image_id"] for a in kept["annotations"] if a["num_keypoints"] > 0}
    assert with_kp == {im["id"] for im in kept["images"]}
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCOApi(str(tmp_path / "a.json"))
    assert sorted(coco.getImgIds()) == ids and len(coco.getAnnIds()) == len(expected)


def test_subset_by_ids_and_errors(ann_file, tmp_path):
    out = tmp_path / "ids.json"
    assert make_subset(ann_file, out, image_ids=[5, 2, 5])["images"] == 2
    assert [im["id"] for im in json.loads(out.read_text())["images"]] == [2, 5]
    with pytest.raises(ValueError, match="not in"):
        make_subset(ann_file, out, image_ids=[999])
    with pytest.raises(ValueError, match="exactly one"):
        make_subset(ann_file, out)
    with pytest.raises(ValueError, match="only 40 images qualify"):
        make_subset(ann_file, out, num_images=41)
    with pytest.raises(ValueError, match="needs image_dir"):
        make_subset(ann_file, out, num_images=2, link="copy")
    with pytest.raises(FileNotFoundError, match="download the data set first"):
        make_subset(tmp_path / "nope.json", out, num_images=1)


@pytest.mark.parametrize("link", ["symlink", "copy"])
def test_subset_places_images(tmp_path, link):
    split = make_synthetic_coco(tmp_path / "src", 4, image_size=(64, 64), workers=1)
    out_dir = tmp_path / "mini" / "images" / "train"
    code = main([str(split.ann_file), str(tmp_path / "mini/annotations/k.json"), "--ids", "2", "4",
                 "--image-dir", str(split.image_dir), "--out-image-dir", str(out_dir),
                 "--link", link])  # fmt: skip
    assert code == 0
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == ["000000000002.jpg", "000000000004.jpg"]
    placed = out_dir / files[0]
    assert placed.is_symlink() == (link == "symlink")
    assert placed.read_bytes() == (split.image_dir / files[0]).read_bytes()


def test_cli_dry_run_writes_nothing(ann_file, tmp_path, capsys):
    assert main([str(ann_file), str(tmp_path / "x.json"), "--num-images", "3", "--dry-run"]) == 0
    assert not (tmp_path / "x.json").exists() and "would write" in capsys.readouterr().out
    assert main([str(ann_file), str(tmp_path / "x.json"), "--num-images", "0"]) == 2
