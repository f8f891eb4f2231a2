import csv
import json

import numpy as np
import pytest
import torch
import yaml

from simdr_lite import bench, cli
from simdr_lite.evaluation.coco import STAT_NAMES
from simdr_lite.notebook.compare import Cell, compare_tables, read_runs


def test_demo_fast_path_writes_the_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # eval appends to ./runs/runs.csv: never the repository's
    cli.main(["demo", "--fast", "--out", str(tmp_path)])
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == {"heatmap", "heatmap_post", "simdr"}
    assert all(0.0 <= r["AP"] <= 1.0 for r in results.values())
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# simdr-lite demo") and "| SimDR k=3 | N |" in report
    assert "| 40.8 |" in report and "Ceiling:" in report and "In this run SimDR" in report  # Table 2, oracle
    for png in ("curves.png", "predictions.png"):
        assert (tmp_path / png).stat().st_size > 5_000
    assert (tmp_path / "heatmap" / "last.pth").exists() and (tmp_path / "simdr" / "config.yaml").exists()

    # the notebook's failure-case helpers read the same checkpoints back
    from simdr_lite.notebook.demo import instance_scores, load_trained

    trained = load_trained(tmp_path)
    oks = instance_scores(trained)
    n_val = len(trained["simdr"][2])
    assert set(oks) == {"heatmap", "simdr"} and all(s.shape == (n_val,) for s in oks.values())
    assert all(np.all((s >= 0) & (s <= 1) | np.isnan(s)) for s in oks.values())

    # evaluate and export the trained checkpoints through the CLI (checkpoint files wrap the state dict)
    run = tmp_path / "simdr"
    cli.main(["eval", "--config", str(run / "config.yaml"), "--checkpoint", str(run / "last.pth"),
              "--set", "test.flip_test=true", "--set", "test.post_process=false"])
    metrics = json.loads((run / "last.results.json").read_text())
    assert set(metrics) >= {"AP", "AR"} and 0.0 <= metrics["AP"] <= 1.0
    with (tmp_path / "runs" / "runs.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["config", "checkpoint", "overrides", *STAT_NAMES]
    assert rows[1][:3] == [str(run / "config.yaml"), str(run / "last.pth"),
                           "test.flip_test=true;test.post_process=false"]
    assert [float(v) for v in rows[1][3:]] == pytest.approx(list(metrics.values()))
    (only,) = read_runs(tmp_path / "runs" / "runs.csv")
    assert only.overrides == ("test.flip_test=true", "test.post_process=false")
    assert only.metrics == pytest.approx(metrics) and only.cells == ()  # a config outside configs/
    cli.main(["export", "--config", str(run / "config.yaml"), "--checkpoint", str(run / "last.pth"),
              "--out", str(tmp_path / "simdr.onnx")])
    assert (tmp_path / "simdr.onnx").stat().st_size > 100_000


def test_bench_lists_modules_and_rejects_unknown_names():
    assert {"codecs", "data", "eval", "models"} <= set(bench.available())
    with pytest.raises(SystemExit, match="unknown benchmark 'nope'"):
        cli.main(["bench", "nope"])


@pytest.mark.parametrize("command", [[], ["demo"], ["pretrain"], ["train"], ["eval"], ["export"], ["bench"]])
def test_help_exits_cleanly(command, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([*command, "--help"])
    assert exc.value.code == 0 and "usage: simdr-lite" in capsys.readouterr().out


def test_train_reports_a_misspelt_config_key(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text("train: {epoch: 3}\n")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--config", str(tmp_path / "c.yaml")])
    assert exit_info.value.code == 2 and "Did you mean 'epochs'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="Did you mean 'epochs'"):
        cli.main(["--debug", "train", "--config", str(tmp_path / "c.yaml")])


def test_eval_records_overrides_and_mpii_pckh_at_0_1(tmp_path, monkeypatch):
    """An untrained tiny model on an MPII-format fixture: the row's columns, not its accuracy, are tested."""
    from simdr_lite import build
    from simdr_lite.data.fixtures import write_mpii_fixture, write_mpii_gt_valid
    from simdr_lite.engine import load_config

    monkeypatch.chdir(tmp_path)
    write_mpii_fixture(tmp_path / "mpii" / "train", num_images=2, seed=0, split="train")
    val_ann, _ = write_mpii_fixture(tmp_path / "mpii" / "valid", num_images=4, seed=1, split="valid")
    write_mpii_gt_valid(val_ann)
    # a tiny model saved under a Table 8 config path (compare maps configs by path): FAKE numbers
    config = tmp_path / "configs" / "mpii" / "hrnet" / "simdr" / "w32_64x64_FAKE_tiny.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(yaml.safe_dump({
        "model": {"name": "simbaseline_tiny", "input_size": [64, 64], "num_joints": 16},
        "representation": {"name": "simdr"},
        "data": {"dataset": "mpii", "root": "mpii", "train_ann": "train/annot/train.json",
                 "train_images": "train/images", "val_ann": "valid/annot/valid.json",
                 "val_images": "valid/images", "workers": 0},
        "test": {"batch_size": 4},
    }))
    torch.manual_seed(0)
    torch.save(build.model(load_config(config)).state_dict(), tmp_path / "FAKE.pth")
    for flip in ("false", "true"):
        cli.main(["eval", "--config", str(config), "--checkpoint", "FAKE.pth",
                  "--set", f"test.flip_test={flip}"])

    with (tmp_path / "runs" / "runs.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    joints = ["Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle"]
    header = ["config", "checkpoint", "overrides", *joints, "Mean", "Mean@0.1", *[f"{j}@0.1" for j in joints]]
    assert rows[0] == header and len(rows) == 3  # the header is written once for rows of one kind
    assert [r[2] for r in rows[1:]] == ["test.flip_test=false", "test.flip_test=true"]
    runs = read_runs(tmp_path / "runs" / "runs.csv")
    assert runs[1].overrides == ("test.flip_test=true",) and set(runs[1].metrics) == set(header[3:])
    t8 = {r.cell: r for r in compare_tables(runs)["8"].rows}
    row = t8[Cell("8", "hrnet_w32", "simdr", "64x64", setting="PCKh@0.1")]
    assert all(v is not None for v in row.measured.values())  # every joint at 0.1, not only the mean
    assert row.measured["Head"] == runs[1].metrics["Head@0.1"] and row.overrides == ("test.flip_test=true",)


def _run_cli(*args, cwd):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "simdr_lite.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_missing_data_and_backbone_exit_2_with_one_message_and_no_traceback(tmp_path):
    config = "configs/coco/hrnet/simdr/nmt_w32_64x64_adam_lr1e-3.yaml"
    repo = __import__("pathlib").Path(__file__).resolve().parents[1]
    res = _run_cli("train", "--config", str(repo / config), "--set", f"data.root={tmp_path / 'coco'}",
                   "--run-dir", str(tmp_path / "run"), cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert "download_coco.py" in res.stderr
    assert "hrnet_w32-36af842e.pth (ImageNet backbone weights" in res.stderr
    assert not (tmp_path / "run").exists()  # nothing was started
    debug = _run_cli("--debug", "train", "--config", str(repo / config), "--set",
                     f"data.root={tmp_path / 'coco'}", cwd=tmp_path)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_eval_refuses_a_crafted_checkpoint_without_running_it(tmp_path):
    from tests.models.test_pretrained import write_crafted_checkpoint

    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"name": "simbaseline_tiny", "input_size": [64, 64]},
                                   "representation": {"name": "simdr", "k": 2.0},
                                   "data": {"dataset": "synthetic", "root": str(tmp_path / "data"),
                                            "synthetic_images": [2, 2], "workers": 0}}))
    ckpt = write_crafted_checkpoint(tmp_path / "evil.pth", tmp_path / "marker")
    res = _run_cli("eval", "--config", str(cfg), "--checkpoint", str(ckpt), cwd=tmp_path)
    assert res.returncode == 2 and "could run arbitrary code" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "marker").exists()


def test_eval_needs_no_backbone_file(tmp_path, monkeypatch):
    """A checkpoint holds every weight: a config whose backbone file is absent still evaluates."""
    from simdr_lite.models import build_model

    monkeypatch.chdir(tmp_path)  # eval appends to ./runs/runs.csv
    cfg = tmp_path / "c.yaml"
    model_cfg = {"name": "simbaseline_tiny", "input_size": [64, 64],
                 "pretrained": str(tmp_path / "absent_backbone.pth")}
    cfg.write_text(yaml.safe_dump({"model": model_cfg, "representation": {"name": "simdr", "k": 2.0},
                                   "data": {"dataset": "synthetic", "root": str(tmp_path / "data"),
                                            "synthetic_images": [2, 2], "workers": 0},
                                   "test": {"flip_test": False}}))
    model = build_model("simbaseline_tiny", input_size=(64, 64), simdr_k=2.0)
    torch.save(model.state_dict(), tmp_path / "ckpt.pth")
    cli.main(["eval", "--config", str(cfg), "--checkpoint", str(tmp_path / "ckpt.pth")])
    assert 0.0 <= json.loads((tmp_path / "ckpt.results.json").read_text())["AP"] <= 1.0
