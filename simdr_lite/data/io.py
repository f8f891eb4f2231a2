"""Reading images and annotation files, with errors that say what to do.

The JPEG decoder is ``cv2.imdecode`` on the file's bytes, chosen by measurement: on the project's
2-core CPU it decodes a 640x480 JPEG within ~5% of ``torchvision.io.decode_jpeg`` (0.90 vs 0.85 ms;
``python -m simdr_lite.bench.data --decoders``, docs/results/data.md), and unlike torchvision it
returns the BGR ``(H, W, 3)`` uint8 layout that ``cv2.warpAffine`` and the official pipeline work in
(no copy), also reads PNGs, honours
``IMREAD_IGNORE_ORIENTATION`` like the official ``cv2.imread`` call, and reports a corrupt file as
``None`` instead of raising from C++.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

IMREAD_FLAGS = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION


class ImageReadError(OSError):
    """An image file is missing, unreadable, corrupt or truncated."""


def read_image(path: str | os.PathLike, color_rgb: bool = False) -> np.ndarray:
    """Decode an image file to ``(H, W, 3)`` uint8, BGR (official default) or RGB.

    Raises :class:`ImageReadError` (an ``OSError``) naming the file when it is missing, empty,
    corrupt or truncated so that the dataset can count it and substitute another sample.
    Differs from official: the official loader converts colour *before* checking for a failed read
    and so dies with a cv2 error; here every failure is the same catchable error.
    """
    path = os.fspath(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:  # missing file, permission, directory
        raise ImageReadError(f"cannot read image file {path!r}: {exc}") from exc
    if data.size == 0:
        raise ImageReadError(f"image file {path!r} is empty")
    img = cv2.imdecode(data, IMREAD_FLAGS)
    if img is None:
        raise ImageReadError(f"image file {path!r} is corrupt or not an image (cv2.imdecode failed)")
    if _truncated_jpeg(data):
        # libjpeg pads a truncated JPEG with grey and only prints a warning: treat it as corrupt.
        raise ImageReadError(f"JPEG file {path!r} is truncated (no end-of-image marker)")
    if color_rgb:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return img


def _truncated_jpeg(data: np.ndarray) -> bool:
    """A JPEG (starts with FFD8) whose last bytes hold no EOI marker FFD9 was cut short."""
    if data.size < 4 or data[0] != 0xFF or data[1] != 0xD8:
        return False
    tail = data[-16:].tobytes()  # some writers append a few padding bytes after EOI
    return b"\xff\xd9" not in tail


def require_file(path: str | os.PathLike, what: str, hint: str) -> Path:
    """Return ``Path(path)`` or raise ``FileNotFoundError`` saying what is missing and how to get it."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{what} not found: {str(p)!r}. {hint}")
    return p


def require_dir(path: str | os.PathLike, what: str, hint: str) -> Path:
    """Return ``Path(path)`` or raise ``FileNotFoundError`` saying what is missing and how to get it."""
    p = Path(path)
    if not p.is_dir():
        raise FileNotFoundError(f"{what} not found: {str(p)!r}. {hint}")
    return p


def load_json(path: str | os.PathLike) -> Any:
    """``json.load`` with a ``ValueError`` naming the file when it is not valid JSON."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        msg = f"{os.fspath(path)!r} is not valid JSON ({exc}); re-download or regenerate it"
        raise ValueError(msg) from exc
