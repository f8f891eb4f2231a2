"""Shared download helpers for the ``data_scripts``: resumable HTTP(S), checksums, extraction.

Standard library only (plus tqdm for the progress bar), so the scripts run before the package is
installed. The rules the scripts rely on:

- ``download`` writes into ``<dest>.part`` and renames it only once complete and verified. A
  second call resumes with an HTTP ``Range`` request; a server that ignores ranges (200 instead of
  206) makes it start again from byte 0.
- No network (or a dead mirror) fails at once: one attempt with a short connect timeout, no retry
  loop, and a :class:`DownloadError` whose message says what to fetch by hand and where to put it.
- ``verify`` checks MD5/SHA-256 where a source publishes one; a mismatch deletes the bad file and
  raises :class:`ChecksumError`.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import shutil
import ssl
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

CONNECT_TIMEOUT = 5.0  # seconds to open the connection (no network must fail fast)
READ_TIMEOUT = 60.0  # seconds a transfer may stall before it is abandoned (resume later)
CHUNK = 1 << 20
USER_AGENT = "simdr-lite-data-scripts/0.1"


class DownloadError(RuntimeError):
    """A file could not be fetched; the message says how to get it by hand."""


class ChecksumError(RuntimeError):
    """A downloaded file does not match its published checksum."""


@dataclass(frozen=True)
class Remote:
    """One file to fetch: where from, where to, how to check it, where to get it by hand."""

    url: str | None  # None: no direct link exists (Google Drive / OneDrive folders)
    dest: Path  # where the file must end up
    md5: str | None = None
    sha256: str | None = None
    size: int | None = None  # bytes, for the plan only
    manual: str = ""  # where to get it by hand (page, drive folder), shown on failure
    extract_to: Path | None = None  # unpack here after download (zip / tar[.gz])
    members: tuple[str, ...] | None = None  # only extract names starting with one of these


def hand_download_message(remote: Remote, reason: str = "") -> str:
    lines = [f"could not fetch {remote.dest.name}" + (f": {reason}" if reason else "")]
    lines.append("Fetch it by hand:")
    if remote.url:
        lines.append(f"  from   {remote.url}   (e.g. wget -c '{remote.url}')")
    if remote.manual:
        lines.append(f"  see    {remote.manual}")
    lines.append(f"  put it at {remote.dest}")
    lines.append(
        "then run this script again: it keeps what is there, checks it where a checksum is "
        "published, and extracts it"
    )
    return "\n".join(lines)


def _connect(url: str, headers: dict[str, str], connect_timeout: float, read_timeout: float):
    """GET ``url`` following up to 5 redirects; returns (response, final url)."""
    for _ in range(6):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DownloadError(f"unsupported URL {url!r} (need http:// or https://)")
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        kw = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
        conn = cls(parts.hostname, parts.port, timeout=connect_timeout, **kw)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.connect()
            conn.sock.settimeout(read_timeout)
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, **headers})
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise DownloadError(f"{type(e).__name__}: {e}") from e
        if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
            url = urljoin(url, resp.getheader("Location"))
            resp.close()
            conn.close()
            continue
        return resp, url
    raise DownloadError(f"too many redirects for {url}")


def download(
    remote: Remote,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    progress: bool = True,
) -> Path:
    """Fetch ``remote.url`` to ``remote.dest`` (resuming ``dest.part``); verify; return the path.

    An existing ``dest`` is kept (and verified if a checksum is known). Raises
    :class:`DownloadError` (with the hand-download message) or :class:`ChecksumError`.
    """
    dest = Path(remote.dest)
    if dest.is_file():
        verify(dest, md5=remote.md5, sha256=remote.sha256)
        return dest
    if not remote.url:
        raise DownloadError(hand_download_message(remote, "there is no direct download link"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        resp, _ = _connect(remote.url, headers, connect_timeout, read_timeout)
    except DownloadError as e:
        raise DownloadError(hand_download_message(remote, str(e))) from e
    try:
        if resp.status == 416 and have:  # nothing left to send: the .part is complete
            total = have
        elif resp.status == 206:
            total = have + int(resp.getheader("Content-Length") or 0) or None
        elif resp.status == 200:
            have = 0  # the server ignored the range: start again
            total = int(resp.getheader("Content-Length") or 0) or None
        else:
            msg = f"HTTP {resp.status} {resp.reason}"
            raise DownloadError(hand_download_message(remote, msg))
        if resp.status != 416:
            _stream(resp, part, have, total, progress, dest.name)
    except (OSError, http.client.HTTPException) as e:
        kept = part.stat().st_size if part.is_file() else 0
        reason = f"transfer interrupted ({type(e).__name__}: {e}); {kept} bytes kept in {part}"
        raise DownloadError(hand_download_message(remote, reason) + "\n(re-run to resume)") from e
    finally:
        resp.close()
    size = part.stat().st_size
    if total is not None and size != total:
        raise DownloadError(
            hand_download_message(remote, f"got {size} of {total} bytes") + "\n(re-run to resume)"
        )
    try:
        verify(part, md5=remote.md5, sha256=remote.sha256, name=dest.name)
    except ChecksumError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    return dest


def _stream(resp, part: Path, have: int, total: int | None, progress: bool, name: str) -> None:
    from tqdm import tqdm

    with (
        open(part, "ab" if have else "wb") as f,
        tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
             desc=name, disable=not progress, file=sys.stderr) as bar,
    ):  # fmt: skip
        while chunk := resp.read(CHUNK):
            f.write(chunk)
            bar.update(len(chunk))


def file_hash(path: Path, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def verify(
    path: Path, *, md5: str | None = None, sha256: str | None = None, name: str = ""
) -> bool:
    """Check ``path`` against the published checksums; False (and a note) when none is known."""
    name = name or Path(path).name
    checks = [(algo, want) for algo, want in (("md5", md5), ("sha256", sha256)) if want]
    if not checks:
        print(f"  {name}: the source publishes no checksum; not verified")
        return False
    for algo, want in checks:
        got = file_hash(Path(path), algo)
        if got.lower() != want.lower():
            Path(path).unlink(missing_ok=True)
            raise ChecksumError(
                f"{name}: {algo} mismatch (expected {want}, got {got}); the file was deleted, "
                "run the script again to fetch it anew"
            )
    print(f"  {name}: {', '.join(a for a, _ in checks)} OK")
    return True


def _safe_target(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"refusing to extract {name!r}: it would land outside {root}")
    return target


def extraction_marker(remote: Remote) -> Path:
    """File that records that ``remote``'s archive was unpacked (so it need not stay on disk)."""
    assert remote.extract_to is not None
    return Path(remote.extract_to) / f".extracted-{Path(remote.dest).name}"


def extract(archive: Path, dest: Path, members: Sequence[str] | None = None) -> Path:
    """Unpack a zip or tar(.gz) into ``dest`` (once: a marker file records it); return ``dest``.

    Zip members are CRC-checked while they are read, which is the only integrity check COCO's
    archives get. ``members`` keeps only names starting with one of the given prefixes.
    """
    archive, dest = Path(archive), Path(dest)
    marker = dest / f".extracted-{archive.name}"
    if marker.is_file():
        print(f"  {archive.name}: already extracted into {dest}")
        return dest
    dest.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return members is None or any(name.startswith(m) for m in members)

    print(f"  extracting {archive.name} -> {dest}")
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            infos = [i for i in z.infolist() if wanted(i.filename)]
            for info in infos:
                _safe_target(dest, info.filename)
            for info in infos:
                z.extract(info, dest)
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as t:
            tmembers = [m for m in t.getmembers() if wanted(m.name)]
            for m in tmembers:
                _safe_target(dest, m.name)
                if m.issym() or m.islnk():
                    raise ValueError(f"refusing to extract link {m.name!r} from {archive}")
            kw = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            t.extractall(dest, members=tmembers, **kw)
    else:
        raise ValueError(f"{archive} is neither a zip nor a tar archive")
    marker.write_text("ok\n")
    return dest


def fetch_all(remotes: Iterable[Remote], *, args: argparse.Namespace) -> int:
    """Download (and extract) each remote; print hand-download messages; return an exit code."""
    failed = []
    for r in remotes:
        if r.extract_to is not None and extraction_marker(r).is_file():
            print(f"  {r.dest.name}: already extracted into {r.extract_to}")
            continue
        try:
            path = download(r, connect_timeout=args.connect_timeout, progress=not args.quiet)
            if r.extract_to is not None and not args.no_extract:
                extract(path, r.extract_to, r.members)
                if not args.keep_archives:
                    path.unlink()
        except (DownloadError, ChecksumError) as e:
            print(f"\n[!] {e}\n", file=sys.stderr)
            failed.append(r)
    return 1 if failed else 0


def print_plan(remotes: Sequence[Remote]) -> None:
    print("Plan (nothing is written in --dry-run):")
    for r in remotes:
        size = f" ({r.size / 2**30:.1f} GiB)" if r.size and r.size > 2**28 else ""
        src = r.url or f"by hand: {r.manual}"
        check = "md5" if r.md5 else "sha256" if r.sha256 else "no published checksum"
        state = "present" if r.dest.is_file() else "missing"
        print(f"  - {r.dest.name}{size}: {src}")
        print(f"      -> {r.dest} [{state}; {check}]")
        if r.extract_to is not None:
            only = f" (only {', '.join(r.members)})" if r.members else ""
            print(f"      extract into {r.extract_to}{only}")


def print_layout(root: Path, entries: Sequence[str]) -> None:
    """Print the expected tree under ``root``, marking what exists."""
    print(f"\nExpected layout under {root}:")
    for e in entries:
        mark = "ok     " if (root / e).exists() else "missing"
        print(f"  [{mark}] {root / e}")


def base_parser(description: str, default_root: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--root", type=Path, default=Path(default_root),
                   help=f"data set folder (default: {default_root})")  # fmt: skip
    p.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    p.add_argument("--mirror", default=None,
                   help="base URL replacing the official host (a mirror holding the same file "
                        "names)")  # fmt: skip
    p.add_argument("--connect-timeout", type=float, default=CONNECT_TIMEOUT,
                   help=f"seconds (default {CONNECT_TIMEOUT}); there are no retries")  # fmt: skip
    p.add_argument("--no-extract", action="store_true", help="download only")
    p.add_argument("--keep-archives", action="store_true",
                   help="keep archives after extraction (default: delete them)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def mirrored(url: str | None, mirror: str | None) -> str | None:
    """``url`` with its scheme/host/folder replaced by ``mirror`` (same file name)."""
    if url is None or not mirror:
        return url
    return mirror.rstrip("/") + "/" + url.rsplit("/", 1)[-1]


def copy_or_link(src: Path, dst: Path, mode: str) -> None:
    """Place ``src`` at ``dst`` by 'copy' or 'symlink' (absolute)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists() or dst.is_symlink():
        dst.unlink()
    if mode == "symlink":
        dst.symlink_to(Path(src).resolve())
    elif mode == "copy":
        shutil.copy2(src, dst)
    else:
        raise ValueError(f"mode must be 'copy' or 'symlink', got {mode!r}")
