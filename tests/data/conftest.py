"""COCO-format and MPII-format fixtures written by the tests (real-sized JPEGs + annotations)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from simdr_lite.data.fixtures import write_coco_fixture, write_mpii_fixture

K = 17
# A hand-made instance whose box, centre and scale the tests compute by hand.
KNOWN_BOX = [100.0, 50.0, 60.0, 200.0]


def _kps(points: dict[int, tuple[float, float]], v: int = 2) -> list[float]:
    out = [0.0] * (3 * K)
    for j, (x, y) in points.items():
        out[3 * j: 3 * j + 3] = [x, y, v]
    return out


@pytest.fixture(scope="session")
def coco_root(tmp_path_factory) -> Path:
    """4 generated images (2 persons each) + one hand-made image with good and bad annotations."""
    root = tmp_path_factory.mktemp("coco")
    ann_file, image_dir = write_coco_fixture(root, num_images=4, persons_per_image=2, seed=1)
    data = json.loads(ann_file.read_text())
    rng = np.random.default_rng(5)
    img = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    cv2.imwrite(str(image_dir / "known.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    good = cv2.imencode(".jpg", img)[1].tobytes()
    (image_dir / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg" * 10)
    (image_dir / "truncated.jpg").write_bytes(good[: len(good) // 2])
    data["images"] += [
        {"id": 100, "file_name": "known.jpg", "width": 640, "height": 480},
        {"id": 101, "file_name": "missing.jpg", "width": 640, "height": 480},
        {"id": 102, "file_name": "corrupt.jpg", "width": 640, "height": 480},
        {"id": 103, "file_name": "truncated.jpg", "width": 640, "height": 480},
    ]
    base = {"category_id": 1, "iscrowd": 0, "area": 5000.0}
    known_pts = {0: (129.5, 149.5), 5: (150.0, 100.0), 6: (110.0, 100.0), 11: (140.0, 200.0)}
    extra = [
        dict(base, id=1000, image_id=100, bbox=KNOWN_BOX, keypoints=_kps(known_pts)),
        dict(base, id=1001, image_id=100, bbox=KNOWN_BOX, keypoints=_kps(known_pts), iscrowd=1),  # crowd
        dict(base, id=1002, image_id=100, bbox=KNOWN_BOX, keypoints=[0.0] * (3 * K)),  # no joints
        dict(base, id=1003, image_id=100, bbox=[10, 10, 50, 80], keypoints=_kps(known_pts), area=0.0),
        dict(base, id=1004, image_id=100, bbox=[700, 500, 50, 80], keypoints=_kps(known_pts)),  # off image
        dict(base, id=1005, image_id=100, bbox=KNOWN_BOX, keypoints=[1.0] * (3 * 16)),  # wrong length
        dict(base, id=1006, image_id=101, bbox=KNOWN_BOX, keypoints=_kps(known_pts)),  # missing file
        dict(base, id=1007, image_id=102, bbox=KNOWN_BOX, keypoints=_kps(known_pts)),  # corrupt
        dict(base, id=1008, image_id=103, bbox=KNOWN_BOX, keypoints=_kps(known_pts)),  # truncated
    ]
    data["annotations"] += extra
    ann_file.write_text(json.dumps(data))
    dets = [
        {"image_id": 100, "category_id": 1, "bbox": KNOWN_BOX, "score": 0.9},
        {"image_id": 100, "category_id": 1, "bbox": [300, 100, 80, 160], "score": 0.05},
        {"image_id": 100, "category_id": 2, "bbox": [300, 100, 80, 160], "score": 0.99},
        {"image_id": 100, "category_id": 1, "bbox": [300, 100, 0, 160], "score": 0.99},
    ]
    (root / "dets.json").write_text(json.dumps(dets))
    return root


@pytest.fixture(scope="session")
def coco_files(coco_root) -> tuple[Path, Path]:
    return coco_root / "annotations" / "person_keypoints_val2017.json", coco_root / "images" / "val2017"


@pytest.fixture(scope="session")
def mpii_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mpii")
    ann_file, _ = write_mpii_fixture(root, num_images=3, seed=2)
    entries = json.loads(ann_file.read_text())
    entries.append(dict(entries[0], joints=entries[0]["joints"][:15]))  # wrong length
    entries.append(dict(entries[0], joints_vis=[0] * 16))  # nothing visible
    ann_file.write_text(json.dumps(entries))
    return root
