"""Reading images and annotation files, with errors that say what to do.

The JPEG decoder is ``cv2.imdecode`` on the file's bytes, chosen by measurement: on the project's
2-core CPU it decodes a 640x480 JPEG within ~5% of ``torchvision.io.decode_jpeg`` (0.90 vs 0.85 ms;
``python -m simdr_lite.bench.data --decoders``, docs/RESULTS.md), and unlike torchvision it
returns the BGR ``(H, W, 3)`` uint8 layout that ``cv2.warpAffine`` and the official pipeline work in
(no copy), also reads PNGs, honours
``IMREAD_IGNORE_ORIENTATION`` like the official ``cv2.imread`` call, and reports a corrupt file as
``None`` instead of raising from C++.

Reduced-scale decoding (:func:`decode_image` with ``factor`` 2, 4 or 8; :class:`LazyImage`): libjpeg
can decode a JPEG at 1/2, 1/4 or 1/8 of its size by scaling its inverse DCTs (``cv2.IMREAD_REDUCED_*``),
which skips most of the IDCT and colour-conversion work. Reduced pixel ``i`` then holds (close to)
the mean of original pixels ``[f*i, f*i + f)``, so its centre is at original coordinate
``f*i + (f - 1)/2``: original ``x`` maps to ``(x + 0.5)/f - 0.5`` (:func:`reduced_to_original` in
:mod:`simdr_lite.data.augment`). Measured on a 640x480 q90 pink-noise JPEG: the reduced image differs
from the f x f block means of the full decode by 0.74 / 0.69 / 0.52 grey levels on average for f = 2 / 4 / 8,
and by 7.8 / 11.1 / 12.6 if pixel corners were aligned instead (original ``x`` -> ``x / f``).
Decoding time does not shrink in proportion: Huffman decoding of the whole file remains. On 640x480
quality-90 photo-like JPEGs (~150 KB) a 1/2, 1/4, 1/8 decode takes ~86%, ~80%, ~68% of a full one
(1.36 / 1.26 / 1.07 vs 1.58 ms on the project's 2-core CPU).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .jpeg_region import JpegFrame, decode_region, jpeg_frame

IMREAD_FLAGS = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION
# imdecode flags per scale factor: full, or libjpeg DCT scaling to 1/2, 1/4, 1/8 (JPEG only)
DECODE_FLAGS = {
    1: IMREAD_FLAGS,
    2: cv2.IMREAD_REDUCED_COLOR_2 | cv2.IMREAD_IGNORE_ORIENTATION,
    4: cv2.IMREAD_REDUCED_COLOR_4 | cv2.IMREAD_IGNORE_ORIENTATION,
    8: cv2.IMREAD_REDUCED_COLOR_8 | cv2.IMREAD_IGNORE_ORIENTATION,
}


class ImageReadError(OSError):
    """An image file is missing, unreadable, corrupt or truncated."""


def read_bytes(path: str | os.PathLike) -> np.ndarray:
    """The file's bytes as a uint8 array; :class:`ImageReadError` when missing, unreadable or empty."""
    path = os.fspath(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:  # missing file, permission, directory
        raise ImageReadError(f"cannot read image file {path!r}: {exc}") from exc
    if data.size == 0:
        raise ImageReadError(f"image file {path!r} is empty")
    return data


def decode_image(data: np.ndarray, path: str | os.PathLike = "<bytes>", color_rgb: bool = False,
                 factor: int = 1) -> np.ndarray:
    """Decode an encoded image (uint8 bytes) to ``(H, W, 3)`` uint8, BGR or RGB.

    ``factor`` 2, 4 or 8 decodes a JPEG at that reduced scale with libjpeg's DCT scaling (size
    ``ceil(W / f) x ceil(H / f)``; see the module docstring for the pixel convention). OpenCV resizes
    other formats after a full decode (a different, corner-aligned convention), so callers pass
    ``factor > 1`` only for JPEGs (:func:`jpeg_size` is not ``None``).
    Raises :class:`ImageReadError` for a corrupt or truncated file.
    """
    if factor not in DECODE_FLAGS:
        raise ValueError(f"factor must be one of {sorted(DECODE_FLAGS)}, got {factor!r}")
    path = os.fspath(path)
    img = cv2.imdecode(data, DECODE_FLAGS[factor])
    if img is None:
        raise ImageReadError(f"image file {path!r} is corrupt or not an image (cv2.imdecode failed)")
    if _truncated_jpeg(data):
        # libjpeg pads a truncated JPEG with grey and only prints a warning: treat it as corrupt.
        raise ImageReadError(f"JPEG file {path!r} is truncated (no end-of-image marker)")
    if color_rgb:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return img


def read_image(path: str | os.PathLike, color_rgb: bool = False) -> np.ndarray:
    """Decode an image file to ``(H, W, 3)`` uint8, BGR (official default) or RGB.

    Raises :class:`ImageReadError` (an ``OSError``) naming the file when it is missing, empty,
    corrupt or truncated so that the dataset can count it and substitute another sample.
    Differs from official: the official loader converts colour *before* checking for a failed read
    and so dies with a cv2 error; here every failure is the same catchable error.
    """
    return decode_image(read_bytes(path), path, color_rgb)


def jpeg_size(data: np.ndarray | bytes) -> tuple[int, int] | None:
    """``(W, H)`` from a JPEG's frame header without decoding, or ``None`` if ``data`` is not a JPEG
    (or its header cannot be read before the first scan); :func:`~simdr_lite.data.jpeg_region.jpeg_frame`
    reads it. EXIF orientation is not applied, as in :data:`IMREAD_FLAGS` (``IMREAD_IGNORE_ORIENTATION``)."""
    frame = jpeg_frame(data)
    return None if frame is None else (frame.width, frame.height)


class LazyImage:
    """An image file whose size is known and whose pixels are decoded on demand, at full scale or,
    for a JPEG, at 1/2, 1/4 or 1/8 (``decode(factor)``, always BGR).

    Args:
        path: the file (read when a decode needs it and ``data`` is ``None``).
        size: ``(W, H)`` of the full-scale image.
        data: the file's bytes, if already read.
        max_factor: 8 for a JPEG, 1 for other formats.
        cache: optional dict shared by a dataset, keyed by ``(path, factor)``: decoded images are
            kept there and reused (each scale of a file is decoded at most once).
        frame: the JPEG's headers (:meth:`open` reads them), which let :meth:`decode_region` decode
            only the rectangle a crop reads.
    """

    __slots__ = ("path", "width", "height", "data", "max_factor", "cache", "frame")

    def __init__(self, path: str, size: tuple[int, int], data: np.ndarray | None = None,
                 max_factor: int = 8, cache: dict | None = None, frame: JpegFrame | None = None) -> None:
        self.path = path
        self.width, self.height = int(size[0]), int(size[1])
        self.data, self.max_factor = data, int(max_factor)
        self.cache, self.frame = cache, frame

    @classmethod
    def open(cls, path: str | os.PathLike, cache: dict | None = None) -> LazyImage:
        """Read the file's bytes and its JPEG header; a file that is not a JPEG is decoded in full at
        once (its size is needed) and gets ``max_factor = 1``. Raises :class:`ImageReadError`."""
        path = os.fspath(path)
        data = read_bytes(path)
        frame = jpeg_frame(data)
        if frame is not None:
            return cls(path, (frame.width, frame.height), data, 8, cache, frame)
        img = decode_image(data, path)
        out = cls(path, (img.shape[1], img.shape[0]), data, 1, cache)
        out._store(1, img)
        return out

    def _store(self, factor: int, img: np.ndarray) -> None:
        if self.cache is None:
            self.cache = {}  # private: keeps the full decode of a non-JPEG for decode(1)
        self.cache[(self.path, factor)] = img

    def shape_at(self, factor: int) -> tuple[int, int]:
        """``(H, W)`` of the decode at ``factor`` (libjpeg rounds up)."""
        return -(-self.height // factor), -(-self.width // factor)

    def decode(self, factor: int = 1) -> np.ndarray:
        """BGR ``(ceil(H / f), ceil(W / f), 3)`` uint8; raises :class:`ImageReadError` when corrupt."""
        factor = min(int(factor), self.max_factor)
        key = (self.path, factor)
        if self.cache is not None and key in self.cache:
            return self.cache[key]
        if self.data is None:
            self.data = read_bytes(self.path)
        img = decode_image(self.data, self.path, False, factor)
        if img.shape[:2] != self.shape_at(factor):
            if factor == 1:
                raise ImageReadError(f"image file {self.path!r} decodes to {img.shape[1]}x{img.shape[0]}, "
                                     f"its header says {self.width}x{self.height}")
            return self.decode(1)  # unexpected reduced size (unusual JPEG): fall back to full scale
        if self.cache is not None:
            self.cache[key] = img
        return img

    def decode_region(self, factor: int, box: tuple[int, int, int, int]) -> np.ndarray:
        """BGR image at ``factor`` whose pixels inside ``box = (x0, y0, x1, y1)`` (end-exclusive, at that
        scale) equal a full decode's; outside the box they are undefined unless it is a full decode.

        Without a shared cache (which keeps whole images) and with the compiled helper, only the box is
        decoded (:func:`~simdr_lite.data.jpeg_region.decode_region`); otherwise this is :meth:`decode`.
        Raises :class:`ImageReadError` when corrupt or truncated (the full decode judges), as :meth:`decode`.
        """
        factor = min(int(factor), self.max_factor)
        if self.cache is None and self.frame is not None:
            if self.data is None:
                self.data = read_bytes(self.path)
            if _truncated_jpeg(self.data):
                raise ImageReadError(f"JPEG file {self.path!r} is truncated (no end-of-image marker)")
            img = decode_region(self.data, self.frame, box, factor)
            if img is not None:
                return img
        return self.decode(factor)


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
