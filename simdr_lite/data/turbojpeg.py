"""Decoding only the top rows of a JPEG, through the system's TurboJPEG library (optional).

A training crop's source box ends on average at two thirds of a COCO-like photo's height
(``python -m simdr_lite.bench data`` prints it), yet ``cv2.imdecode`` decodes every row. libjpeg decodes
rows from the top and stops at the height the frame header states, so a copy of the file whose header
states a smaller height ``H'`` decodes only rows ``[0, H')``: their Huffman decoding, IDCT and colour
conversion are all that is done, and the rest of the file is skipped as unused bytes. The rows returned
equal a full decode's bit for bit, except the last MCU row (chroma upsampling there sees no row below),
so ``H'`` is the rows needed rounded up to whole MCU rows plus one more.

Why TurboJPEG (``libturbojpeg.so.0``: Debian/Ubuntu package ``libturbojpeg0``, conda-forge
``libjpeg-turbo``, Homebrew ``jpeg-turbo``; its 2.x API, which 3.x keeps) through ``ctypes``: it is
the same libjpeg-turbo code as OpenCV's decoder (identical pixels), decodes straight to BGR at 1/2, 1/4
or 1/8 scale, and keeps libjpeg's warnings (here: "N extraneous bytes") to itself, where OpenCV prints
one per call. Pillow was tried for the same cut and did not pay (docs/RESULTS.md). Without the library
:func:`available` is False and the data path decodes whole images with OpenCV, as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from dataclasses import dataclass

import numpy as np

_TJPF_BGR = 1  # TurboJPEG pixel format: 3 bytes per pixel, B G R
_TJERR_FATAL = 1  # tjGetErrorCode: 0 is a warning (the image is complete), 1 an error
# JPEG markers that carry a frame header (SOF0-SOF15 except DHT C4, JPG C8 and DAC CC), and the sequential
# Huffman ones (baseline SOF0, extended SOF1), whose first rows can be decoded alone.
SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_SEQUENTIAL = frozenset({0xC0, 0xC1})


@dataclass(frozen=True)
class JpegFrame:
    """What a JPEG's headers say, read without decoding (:func:`jpeg_frame`).

    ``height_at``: byte offset of the frame header's 2-byte height; ``mcu_height``: pixel rows per MCU
    row (8 x the largest vertical sampling factor); ``rows_alone``: 8-bit sequential, with every component
    in the first scan, so that its top rows decode without the rest.
    """

    width: int
    height: int
    height_at: int
    mcu_height: int
    rows_alone: bool


def jpeg_frame(data: np.ndarray | bytes) -> JpegFrame | None:
    """The :class:`JpegFrame` of ``data``, or ``None`` if it is not a JPEG (or its frame header cannot be
    read before the first scan, or states a zero size, i.e. a height given later by a DNL marker). Walks
    the marker segments from the start: a few microseconds, only the headers are touched."""
    buf = memoryview(data).cast("B") if not isinstance(data, bytes) else data
    n = len(buf)
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        return None
    i, frame = 2, None
    while i + 4 <= n:
        if buf[i] != 0xFF:
            return None  # not at a marker: malformed
        m = buf[i + 1]
        if m == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if m == 0x01 or 0xD0 <= m <= 0xD8:  # standalone markers (TEM, RSTn, SOI)
            i += 2
            continue
        if m == 0xD9 or (m == 0xDA and frame is None):  # end of image, or a scan before any frame
            return None
        if m == 0xDA:  # the first scan: are all the frame's components in it?
            return JpegFrame(*frame[:4], frame[4] and buf[i + 4] == frame[5])
        length = (buf[i + 2] << 8) | buf[i + 3]
        if m in SOF_MARKERS:
            if i + 10 > n or length < 8:
                return None
            h, w, nf = (buf[i + 5] << 8) | buf[i + 6], (buf[i + 7] << 8) | buf[i + 8], buf[i + 9]
            if not (w > 0 and h > 0):
                return None
            vmax = max((buf[j + 1] & 0x0F for j in range(i + 10, min(i + 10 + 3 * nf, n - 1), 3)), default=1)
            eight_bit = buf[i + 4] == 8  # 12-bit sequential JPEGs (SOF1) are left to the full decode
            frame = (w, h, i + 5, 8 * max(1, vmax), m in _SEQUENTIAL and eight_bit, nf)
        i += 2 + length
    return JpegFrame(*frame[:4], False) if frame is not None else None


class _TurboJPEG:
    """The few TurboJPEG 2.x calls needed, with one decompressor handle per thread and process (a handle
    must not be shared between threads, nor used in a child forked from its process: DataLoader workers)."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib, self._local = lib, threading.local()
        u8p, c_int, c_ulong = ctypes.POINTER(ctypes.c_ubyte), ctypes.c_int, ctypes.c_ulong
        lib.tjInitDecompress.restype = ctypes.c_void_p
        lib.tjDecompress2.argtypes = [ctypes.c_void_p, u8p, c_ulong, u8p, c_int, c_int, c_int, c_int, c_int]
        lib.tjDecompress2.restype = c_int
        lib.tjGetErrorCode.argtypes = [ctypes.c_void_p]

    def handle(self) -> int:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.handle, local.pid = self.lib.tjInitDecompress(), os.getpid()
        return local.handle

    def decode_bgr(self, data: np.ndarray, width: int, height: int) -> np.ndarray | None:
        """Decode ``data`` scaled to ``(width, height)`` (a size libjpeg's DCT scaling gives exactly):
        BGR ``(height, width, 3)``, or ``None`` on an error (not on a warning)."""
        out = np.empty((height, width, 3), np.uint8)
        u8p = ctypes.POINTER(ctypes.c_ubyte)
        h = self.handle()
        rc = self.lib.tjDecompress2(h, data.ctypes.data_as(u8p), data.size, out.ctypes.data_as(u8p),
                                    width, width * 3, height, _TJPF_BGR, 0)
        if rc != 0 and self.lib.tjGetErrorCode(h) == _TJERR_FATAL:
            return None
        return out  # 0, or a warning only (the skipped rest of the file): the image is complete


def _load() -> _TurboJPEG | None:
    if os.environ.get("SIMDR_TURBOJPEG") == "0":
        return None  # switched off: whole-image decoding with OpenCV
    # the system's (apt, Homebrew), then an environment's own lib/ (conda-forge's libjpeg-turbo)
    lib = os.path.join(sys.prefix, "lib")
    names = [ctypes.util.find_library("turbojpeg"), "libturbojpeg.so.0",
             os.path.join(lib, "libturbojpeg.so.0"), os.path.join(lib, "libturbojpeg.dylib")]
    for name in filter(None, names):
        try:
            return _TurboJPEG(ctypes.CDLL(name))
        except (OSError, AttributeError):  # not there, or too old to have the 2.x API
            continue
    return None


_TURBO = _load()


def available() -> bool:
    """Whether the system's TurboJPEG library was found (``SIMDR_TURBOJPEG=0`` switches it off)."""
    return _TURBO is not None


def missing_note() -> str | None:
    """The one line a training run prints when the library is absent (``None`` when it is present)."""
    if _TURBO is not None:
        return None
    return ("note: TurboJPEG not found, so each JPEG is decoded whole; with it (apt-get install "
            "libturbojpeg0, or conda's libjpeg-turbo) the loader decodes only the rows each crop reads: "
            "bit-identical crops, 15-25 % more samples/s (docs/RESULTS.md)")


def decode_top_rows(data: np.ndarray, frame: JpegFrame, rows: int, factor: int = 1) -> np.ndarray | None:
    """BGR ``(h, ceil(W / f), 3)`` uint8 with ``rows <= h`` whose first ``rows`` rows (at scale ``1/f``)
    equal a full decode's; ``None`` when it cannot (no library, a progressive or multi-scan JPEG, too few
    rows to skip, or an error from the library), and the caller decodes in full: a corrupt file is then
    reported by the full decode, exactly as without this module.
    """
    if _TURBO is None or not frame.rows_alone or factor not in (1, 2, 4, 8):
        return None
    mcu = frame.mcu_height
    keep = -(-max(1, rows) * factor // mcu) * mcu + mcu  # whole MCU rows, plus one
    if keep >= frame.height:
        return None  # nothing to skip: the full decode (and its cache) serves
    buf = np.array(data, np.uint8, copy=True)
    buf[frame.height_at:frame.height_at + 2] = (keep >> 8, keep & 0xFF)
    return _TURBO.decode_bgr(buf, -(-frame.width // factor), keep // factor)
