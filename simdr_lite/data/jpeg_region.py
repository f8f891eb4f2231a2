"""Decoding only the rectangle of a JPEG that a crop reads (optional, compiled on first use).

A training crop's source box covers on average 16 % of a COCO-like 640x480 photo and ends at two thirds
of its height (``python -m simdr_lite.bench data`` prints both), yet ``cv2.imdecode`` decodes every pixel.
libjpeg-turbo can do less: it stops after the last row asked for, skips the IDCT and colour conversion
of the rows above the rectangle (``jpeg_skip_scanlines``) and of the columns beside it
(``jpeg_crop_scanline``). The entropy (Huffman) decoding of every row down to the rectangle's bottom
remains, and is about two thirds of a full decode's time on such photos, so a typical training crop
decodes in about half the time of the whole image (``bench data`` prints it).

Exactness: inside the rectangle the pixels equal a full decode's bit for bit (same libjpeg-turbo
code as OpenCV's decoder, same defaults: islow IDCT, fancy upsampling), provided the rectangle is
widened by one MCU on each side, so that chroma upsampling at the cut sees the same neighbours
(:func:`decode_region` does that). The rectangle is written at its own place in an image of the whole
picture, so the crop's warp uses its usual matrix and reads exactly the pixels it would read in a
full decode (``tests/data/test_jpeg_region.py``).

The libjpeg API needs C (its error handler must ``longjmp``), so ``jpeg_region.c`` (60 lines) is compiled
on first use with the system's C compiler against libjpeg-turbo's headers (Debian/Ubuntu
``libjpeg-dev``, conda-forge ``libjpeg-turbo``, Homebrew ``jpeg-turbo``) and cached under
``~/.cache/simdr-lite`` (``CC``, ``CFLAGS`` and ``LDFLAGS`` are honoured, e.g. for Homebrew's paths);
``python -m simdr_lite.data.jpeg_region`` builds it and says what it found.
Without a compiler or the headers, :func:`available` is False and the data path decodes whole images
with OpenCV, as before (``SIMDR_JPEG_REGION=0`` forces that).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).with_name("jpeg_region.c")
# JPEG markers that carry a frame header (SOF0-SOF15 except DHT C4, JPG C8 and DAC CC)
SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class JpegFrame:
    """What a JPEG's frame header says, read without decoding (:func:`jpeg_frame`): the size, and the
    MCU's size in pixels (8 x the largest horizontal / vertical sampling factor)."""

    width: int
    height: int
    mcu_width: int
    mcu_height: int


def jpeg_frame(data: np.ndarray | bytes) -> JpegFrame | None:
    """The :class:`JpegFrame` of ``data``, or ``None`` if it is not a JPEG (or its frame header cannot be
    read before the first scan, or states a zero size, i.e. a height given later by a DNL marker). Walks
    the marker segments from the start: a few microseconds, only the headers are touched."""
    buf = memoryview(data).cast("B") if not isinstance(data, bytes) else data
    n = len(buf)
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        return None
    i = 2
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
        if m in (0xD9, 0xDA):  # end of image, or a scan before any frame header
            return None
        length = (buf[i + 2] << 8) | buf[i + 3]
        if m in SOF_MARKERS:
            if i + 10 > n or length < 8:
                return None
            h, w, nf = (buf[i + 5] << 8) | buf[i + 6], (buf[i + 7] << 8) | buf[i + 8], buf[i + 9]
            factors = [buf[j + 1] for j in range(i + 10, min(i + 10 + 3 * nf, n - 1), 3)]
            if not (w > 0 and h > 0 and factors):
                return None
            hmax, vmax = max(f >> 4 for f in factors), max(f & 0x0F for f in factors)
            return JpegFrame(w, h, 8 * max(1, hmax), 8 * max(1, vmax))
        i += 2 + length
    return None


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "simdr-lite"


def _compile(target: Path) -> str | None:
    """Compile :data:`SOURCE` to ``target`` (atomically); ``None``, or why it failed."""
    cc = shlex.split(os.environ.get("CC", "")) or [shutil.which("cc") or shutil.which("gcc")]
    if cc[0] is None:
        return "no C compiler found (install gcc, or set CC)"
    extra = []
    env_include = Path(sys.prefix) / "include"
    if (env_include / "jpeglib.h").is_file():  # a conda environment's libjpeg-turbo
        lib = Path(sys.prefix) / "lib"
        extra = [f"-I{env_include}", f"-L{lib}", f"-Wl,-rpath,{lib}"]
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=target.parent)
    os.close(fd)
    flags = shlex.split(os.environ.get("CFLAGS", "")) + shlex.split(os.environ.get("LDFLAGS", ""))
    cmd = [*cc, "-O2", "-shared", "-fPIC", *extra, *flags, "-o", tmp, str(SOURCE), "-ljpeg"]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            lines = (run.stderr or run.stdout).strip().splitlines()
            return f"compiling {SOURCE.name} failed: {lines[-1] if lines else run.returncode}"
        os.replace(tmp, target)  # atomic: concurrent builds (DataLoader workers) never see half a file
        return None
    except (OSError, subprocess.SubprocessError) as exc:
        return f"compiling {SOURCE.name} failed: {exc}"
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _load() -> tuple[ctypes.CDLL | None, str | None]:
    """The compiled helper (built on first use, then reused), or ``None`` and the reason."""
    if os.environ.get("SIMDR_JPEG_REGION") == "0":
        return None, "switched off by SIMDR_JPEG_REGION=0"
    key = hashlib.sha256(SOURCE.read_bytes() + f"{sys.platform}:{sys.prefix}".encode()).hexdigest()[:16]
    target = _cache_dir() / f"jpeg_region-{key}.so"
    if not target.is_file():
        try:
            error = _compile(target)
        except OSError as exc:  # cache folder not writable
            error = f"cannot write {target.parent}: {exc}"
        if error is not None:
            return None, error
    try:
        lib = ctypes.CDLL(str(target))
        fn = lib.simdr_decode_region
    except (OSError, AttributeError) as exc:
        return None, f"cannot load {target}: {exc}"
    u8p, c_int = ctypes.POINTER(ctypes.c_ubyte), ctypes.c_int
    fn.argtypes = [u8p, ctypes.c_ulong, c_int, c_int, c_int, c_int, c_int, c_int, c_int, u8p, ctypes.c_long]
    fn.restype = c_int
    return lib, None


_LIB: ctypes.CDLL | None = None
_WHY: str | None = None
_LOADED = False


def _helper() -> ctypes.CDLL | None:
    global _LIB, _WHY, _LOADED
    if not _LOADED:
        _LIB, _WHY = _load()
        _LOADED = True
    return _LIB


def available() -> bool:
    """Whether region decoding works here (the helper is built on the first call)."""
    return _helper() is not None


def missing_note() -> str | None:
    """The one line a training run prints when region decoding is unavailable (``None`` when it works)."""
    if _helper() is not None:
        return None
    return (f"note: JPEG region decoding unavailable ({_WHY}), so each JPEG is decoded whole; with a C "
            "compiler and libjpeg-turbo's headers (apt-get install gcc libjpeg-dev, or conda's "
            "libjpeg-turbo) the loader decodes only the rectangle each crop reads: bit-identical crops, "
            "more samples/s (docs/RESULTS.md)")


def _canvas(shape: tuple[int, int, int]) -> np.ndarray:
    """The image of the whole picture a region is written into; only the region is ever read."""
    return np.empty(shape, np.uint8)


def decode_region(data: np.ndarray, frame: JpegFrame, box: tuple[int, int, int, int],
                  factor: int = 1) -> np.ndarray | None:
    """BGR ``(ceil(H / f), ceil(W / f), 3)`` uint8 whose pixels inside ``box = (x0, y0, x1, y1)`` (at scale
    ``1/f``, end-exclusive) equal a full decode's; the pixels outside it are undefined. ``None`` when it
    cannot (no helper, nothing to skip, or a libjpeg error): the caller then decodes in full, and a corrupt
    file is reported by the full decode, exactly as without this module.
    """
    lib = _helper()
    if lib is None or factor not in (1, 2, 4, 8):
        return None
    height, width = -(-frame.height // factor), -(-frame.width // factor)
    mx, my = -(-frame.mcu_width // factor), -(-frame.mcu_height // factor)  # one MCU at this scale
    x0, y0 = max(0, int(box[0]) - mx), max(0, int(box[1]) - my)
    x1, y1 = min(width, int(box[2]) + mx), min(height, int(box[3]) + my)
    if x1 <= x0 or y1 <= y0 or (x1 - x0) * (y1 - y0) >= width * height:
        return None  # empty, or the whole picture: the full decode (and its cache) serves
    out = _canvas((height, width, 3))
    u8p = ctypes.POINTER(ctypes.c_ubyte)
    status = lib.simdr_decode_region(data.ctypes.data_as(u8p), data.size, factor, x0, y0, x1, y1,
                                     width, height, out.ctypes.data_as(u8p), width * 3)
    return out if status == 0 else None


if __name__ == "__main__":
    print("JPEG region decoding:", "available" if available() else f"unavailable ({_WHY})")
