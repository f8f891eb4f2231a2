import json

import pytest

from simdr_lite import bench, cli


def test_demo_fast_path_writes_the_report(tmp_path):
    cli.main(["demo", "--fast", "--out", str(tmp_path)])
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == {"heatmap", "heatmap_post", "simdr"}
    assert all(0.0 <= r["AP"] <= 1.0 for r in results.values())
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# simdr-lite demo") and "| SimDR k=3 | N |" in report
    for png in ("curves.png", "predictions.png", "quantization/quantization.png"):
        assert (tmp_path / png).stat().st_size > 5_000
    assert (tmp_path / "heatmap" / "last.pth").exists() and (tmp_path / "simdr" / "config.yaml").exists()

    # evaluate and export the trained checkpoints through the CLI (checkpoint files wrap the state dict)
    run = tmp_path / "simdr"
    cli.main(["eval", "--config", str(run / "config.yaml"), "--checkpoint", str(run / "last.pth"),
              "--set", "test.flip=true"])
    metrics = json.loads((run / "last.results.json").read_text())
    assert set(metrics) >= {"AP", "AR"} and 0.0 <= metrics["AP"] <= 1.0
    cli.main(["export", "--config", str(run / "config.yaml"), "--checkpoint", str(run / "last.pth"),
              "--out", str(tmp_path / "simdr.onnx")])
    assert (tmp_path / "simdr.onnx").stat().st_size > 100_000


def test_bench_lists_modules_and_rejects_unknown_names():
    assert {"codecs", "data", "eval", "models"} <= set(bench.available())
    with pytest.raises(SystemExit, match="unknown benchmark 'nope'"):
        cli.main(["bench", "nope"])


@pytest.mark.parametrize("command", [[], ["demo"], ["train"], ["eval"], ["export"], ["bench"]])
def test_help_exits_cleanly(command, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([*command, "--help"])
    assert exc.value.code == 0 and "usage: simdr-lite" in capsys.readouterr().out


def test_train_reports_a_misspelt_config_key(tmp_path):
    (tmp_path / "c.yaml").write_text("train: {epoch: 3}\n")
    with pytest.raises(ValueError, match="Did you mean 'epochs'"):
        cli.main(["train", "--config", str(tmp_path / "c.yaml")])
