import hashlib
import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from data_scripts import _download as dl
from data_scripts import download_coco, download_crowdpose, download_mpii

DEAD = "http://127.0.0.1:9/"  # discard port: nothing listens, connection refused at once
REPO = Path(__file__).resolve().parents[2]
PAYLOAD = bytes(range(256)) * 64  # 16 KiB


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _count_connects(monkeypatch) -> list[tuple[str, float]]:
    """Record (url, connect timeout) of every connection attempt: fail-fast is checked without timing."""
    calls, real = [], dl._connect

    def counting(url, headers, connect_timeout, read_timeout):
        calls.append((url, connect_timeout))
        return real(url, headers, connect_timeout, read_timeout)

    monkeypatch.setattr(dl, "_connect", counting)
    return calls


def test_unreachable_host_fails_fast_with_hand_download_message(tmp_path, monkeypatch):
    calls = _count_connects(monkeypatch)
    remote = dl.Remote(DEAD + "val2017.zip", tmp_path / "val2017.zip", manual="cocodataset.org")
    with pytest.raises(dl.DownloadError) as err:
        dl.download(remote, progress=False)
    assert calls == [(DEAD + "val2017.zip", dl.CONNECT_TIMEOUT)] and dl.CONNECT_TIMEOUT <= 10  # one try
    msg = str(err.value)
    assert "Fetch it by hand" in msg and str(tmp_path / "val2017.zip") in msg
    assert DEAD + "val2017.zip" in msg and "cocodataset.org" in msg
    assert not (tmp_path / "val2017.zip").exists()


def test_script_offline_returns_error_and_says_where_to_put_files(tmp_path, capsys, monkeypatch):
    calls = _count_connects(monkeypatch)
    code = download_coco.main(["--root", str(tmp_path), "--only", "annotations", "detections",
                               "--mirror", DEAD, "--quiet"])  # fmt: skip
    assert code == 1 and len({url for url, _ in calls}) == len(calls)  # no retry
    err = capsys.readouterr().err
    assert str(tmp_path / "annotations_trainval2017.zip") in err
    detections = tmp_path / "person_detection_results" / download_coco.DETECTIONS
    assert str(detections) in err and "1drv.ms" in err and "drive.google.com" in err


@pytest.mark.parametrize("script", [download_coco, download_mpii, download_crowdpose])
def test_dry_run_prints_plan_and_writes_nothing(script, tmp_path, capsys):
    root = tmp_path / "data"
    assert script.main(["--root", str(root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Plan" in out and "Expected layout" in out and str(root) in out
    assert not root.exists()


def test_scripts_run_as_files():
    for name in ("download_coco", "download_mpii", "download_crowdpose", "make_subset"):
        res = subprocess.run([sys.executable, str(REPO / "data_scripts" / f"{name}.py"), "--help"],
                             capture_output=True, text=True, timeout=60, cwd=REPO)  # fmt: skip
        assert res.returncode == 0, res.stderr
        assert "--dry-run" in res.stdout


def test_download_verifies_and_leaves_no_part(tmp_path, http_files):
    base, store = http_files
    store.files["file.bin"] = PAYLOAD
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    dest = tmp_path / "file.bin"
    assert dl.download(dl.Remote(base + "file.bin", dest, sha256=sha), progress=False) == dest
    assert dest.read_bytes() == PAYLOAD and not (tmp_path / "file.bin.part").exists()
    # already there: no new request
    n = len(store.requests)
    dl.download(dl.Remote(base + "file.bin", dest, sha256=sha), progress=False)
    assert len(store.requests) == n


def test_resume_sends_range_and_appends(tmp_path, http_files):
    base, store = http_files
    store.files["file.bin"] = PAYLOAD
    dest = tmp_path / "file.bin"
    (tmp_path / "file.bin.part").write_bytes(PAYLOAD[:5000])
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    dl.download(dl.Remote(base + "file.bin", dest, md5=md5), progress=True)  # tqdm path too
    assert dest.read_bytes() == PAYLOAD
    assert store.requests[-1] == ("/file.bin", "bytes=5000-")


def test_resume_of_a_complete_part_and_redirects(tmp_path, http_files):
    base, store = http_files
    store.files["file.bin"] = PAYLOAD
    (tmp_path / "a.bin.part").write_bytes(PAYLOAD)  # server answers 416: nothing left to fetch
    dl.download(dl.Remote(base + "file.bin", tmp_path / "a.bin"), progress=False)
    assert (tmp_path / "a.bin").read_bytes() == PAYLOAD
    dl.download(dl.Remote(base + "redirect/file.bin", tmp_path / "b.bin"), progress=False)
    assert (tmp_path / "b.bin").read_bytes() == PAYLOAD


def test_server_ignoring_range_restarts_from_zero(tmp_path, http_files):
    base, store = http_files
    store.files["file.bin"] = PAYLOAD
    (tmp_path / "file.bin.part").write_bytes(b"garbage that must not survive")
    dl.download(dl.Remote(base + "norange/file.bin", tmp_path / "file.bin"), progress=False)
    assert (tmp_path / "file.bin").read_bytes() == PAYLOAD


def test_checksum_mismatch_is_detected_and_the_file_dropped(tmp_path, http_files):
    base, store = http_files
    store.files["file.bin"] = PAYLOAD
    dest = tmp_path / "file.bin"
    with pytest.raises(dl.ChecksumError, match="sha256 mismatch"):
        dl.download(dl.Remote(base + "file.bin", dest, sha256="0" * 64), progress=False)
    assert not dest.exists() and not (tmp_path / "file.bin.part").exists()
    dest.write_bytes(b"corrupt")  # a damaged file already on disk is caught too
    with pytest.raises(dl.ChecksumError, match="md5 mismatch"):
        dl.download(dl.Remote(base + "file.bin", dest, md5=hashlib.md5(PAYLOAD).hexdigest()))


def test_http_error_is_a_download_error(tmp_path, http_files):
    base, _ = http_files
    with pytest.raises(dl.DownloadError, match="HTTP 404"):
        dl.download(dl.Remote(base + "nope.zip", tmp_path / "nope.zip"), progress=False)


def test_extract_zip_tar_filters_and_refuses_traversal(tmp_path):
    z = tmp_path / "a.zip"
    z.write_bytes(_zip({"annotations/person_keypoints_val2017.json": b"{}",
                        "annotations/instances_val2017.json": b"{}"}))  # fmt: skip
    dl.extract(z, tmp_path / "out", members=("annotations/person_keypoints_",))
    assert (tmp_path / "out/annotations/person_keypoints_val2017.json").is_file()
    assert not (tmp_path / "out/annotations/instances_val2017.json").exists()
    t = tmp_path / "b.tar.gz"
    with tarfile.open(t, "w:gz") as tf:
        info = tarfile.TarInfo("images/000001163.jpg")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"jpg"))
    dl.extract(t, tmp_path / "mpii")
    assert (tmp_path / "mpii/images/000001163.jpg").read_bytes() == b"jpg"
    evil = tmp_path / "evil.zip"
    evil.write_bytes(_zip({"../escaped.txt": b"x"}))
    with pytest.raises(ValueError, match="outside"):
        dl.extract(evil, tmp_path / "safe")
    assert not (tmp_path / "escaped.txt").exists()


def test_coco_script_end_to_end_against_a_mirror(tmp_path, http_files, capsys):
    base, store = http_files
    store.files["annotations_trainval2017.zip"] = _zip(
        {"annotations/person_keypoints_val2017.json": b"{}",
         "annotations/captions_val2017.json": b"{}"}  # fmt: skip
    )
    args = ["--root", str(tmp_path), "--only", "annotations", "--mirror", base, "--quiet"]
    assert download_coco.main(args) == 0
    assert (tmp_path / "annotations/person_keypoints_val2017.json").is_file()
    assert not (tmp_path / "annotations/captions_val2017.json").exists()
    assert not (tmp_path / "annotations_trainval2017.zip").exists()  # archive removed
    n = len(store.requests)
    assert download_coco.main(args) == 0  # extracted already: nothing fetched again
    assert len(store.requests) == n
    assert "already extracted" in capsys.readouterr().out
