import cv2
import numpy as np
import pytest

from simdr_lite.data.io import ImageReadError, load_json, read_image, require_file


def test_read_image_bgr_and_rgb(tmp_path):
    img = np.zeros((8, 10, 3), np.uint8)
    img[..., 0] = 255  # blue in BGR
    cv2.imwrite(str(tmp_path / "a.png"), img)
    assert read_image(tmp_path / "a.png").shape == (8, 10, 3)
    assert read_image(tmp_path / "a.png")[0, 0].tolist() == [255, 0, 0]
    assert read_image(tmp_path / "a.png", color_rgb=True)[0, 0].tolist() == [0, 0, 255]


@pytest.mark.parametrize("content", [None, b"", b"\xff\xd8garbage" * 20, "truncated"])
def test_bad_images_raise_named_error(tmp_path, content):
    path = tmp_path / "bad.jpg"
    if content == "truncated":
        img = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
        data = cv2.imencode(".jpg", img)[1].tobytes()
        path.write_bytes(data[: len(data) // 2])
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ImageReadError, match="bad.jpg"):
        read_image(path)


def test_require_file_and_json_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_coco"):
        require_file(tmp_path / "x.json", "COCO annotation file", "Run data_scripts/download_coco.py.")
    (tmp_path / "b.json").write_text("{not json")
    with pytest.raises(ValueError, match="b.json"):
        load_json(tmp_path / "b.json")
