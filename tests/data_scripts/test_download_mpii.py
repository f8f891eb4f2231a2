from types import SimpleNamespace as S

import numpy as np
import pytest

from data_scripts.download_mpii import convert_mat, convert_release


def _release():
    """Mimic scipy.io.loadmat(..., struct_as_record=False, squeeze_me=True)['RELEASE']."""
    pts = np.array([S(id=0, x=10.0, y=20.0, is_visible=1), S(id=9, x=30.0, y=5.0, is_visible=0)],
                   dtype=object)  # fmt: skip
    person = S(annopoints=S(point=pts), objpos=S(x=25.0, y=40.0), scale=1.5)
    one_point = S(annopoints=S(point=S(id=6, x=1.0, y=2.0, is_visible="1")),
                  objpos=S(x=3.0, y=4.0), scale=0.8)  # squeezed single point  # fmt: skip
    no_points = S(annopoints=np.array([]), objpos=S(x=1.0, y=1.0), scale=1.0)
    train_img = S(image=S(name="000001163.jpg"),
                  annorect=np.array([person, no_points], dtype=object))  # fmt: skip
    other_img = S(image=S(name="000003072.jpg"), annorect=one_point)
    test_img = S(image=S(name="000009999.jpg"), annorect=person)
    return S(annolist=np.array([train_img, test_img, other_img], dtype=object),
             img_train=np.array([1, 0, 1]))  # fmt: skip


def test_convert_release_to_hrnet_records():
    recs = convert_release(_release())["trainval"]
    assert [r["image"] for r in recs] == ["000001163.jpg", "000003072.jpg"]  # test image skipped
    r = recs[0]
    assert r["center"] == [25.0, 40.0] and r["scale"] == 1.5
    assert len(r["joints"]) == 16 and len(r["joints_vis"]) == 16
    assert r["joints"][0] == [10.0, 20.0] and r["joints"][9] == [30.0, 5.0]
    assert r["joints"][1] == [-1.0, -1.0] and sum(r["joints_vis"]) == 2
    assert recs[1]["joints"][6] == [1.0, 2.0] and sum(recs[1]["joints_vis"]) == 1


def test_convert_release_split_and_missing_file(tmp_path):
    split = convert_release(_release(), valid_images={"000003072.jpg"})
    assert [r["image"] for r in split["valid"]] == ["000003072.jpg"]
    assert [r["image"] for r in split["train"]] == ["000001163.jpg"]
    with pytest.raises(FileNotFoundError, match="--only annotations"):
        convert_mat(tmp_path / "missing.mat", tmp_path)
