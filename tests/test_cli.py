import json

import pytest

from simdr_lite import bench, cli


def test_demo_writes_the_quantization_report(tmp_path):
    cli.main(["demo", "--out", str(tmp_path)])
    table = json.loads((tmp_path / "oracle_ap.json").read_text())
    assert table  # one entry per codec and size
    assert (tmp_path / "quantization.md").read_text().startswith("#")
    assert (tmp_path / "quantization.png").stat().st_size > 10_000


def test_bench_lists_modules_and_rejects_unknown_names():
    assert "codecs" in bench.available()
    with pytest.raises(SystemExit, match="unknown benchmark 'nope'"):
        cli.main(["bench", "nope"])


def test_help_exits_cleanly(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0 and "demo" in capsys.readouterr().out
