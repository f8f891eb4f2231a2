"""simdr_lite.notebook.runs: record a finished run's small artefacts and read them back."""

import json

import pytest

from simdr_lite.notebook.runs import load_run, read_log, record_run


def _fake_run(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text("model:\n  name: hrnet_w32\n")
    (run / "log.csv").write_text("epoch,loss,lr,img_s,val_AP,val_AR\n"
                                 "1,2.5,0.001,30.0,,\n"
                                 "2,2.0,0.001,31.0,0.25,0.4\n"
                                 "3,1.5,0.0001,29.0,,\n")
    (run / "last.pth").write_bytes(b"not copied")
    return run


def test_read_log_leaves_out_epochs_without_validation(tmp_path):
    rows = read_log(_fake_run(tmp_path) / "log.csv")
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert "val_AP" not in rows[0] and rows[1]["val_AP"] == pytest.approx(0.25)


def test_read_log_rejects_rows_wider_than_the_header(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss\n1,2.0\n2,1.0,0.3\n")
    with pytest.raises(ValueError, match="fixed schema"):
        read_log(path)


def test_record_then_load_round_trip(tmp_path):
    dest = record_run(_fake_run(tmp_path), tmp_path / "docs" / "r1", ["simdr-lite train --config c.yaml"])
    assert not (dest / "last.pth").exists()  # checkpoints stay behind
    assert json.loads((dest / "results.json").read_text()) == {"epoch": 2, "AP": 0.25, "AR": 0.4}
    run = load_run(dest)
    assert run.name == "r1" and run.command == "simdr-lite train --config c.yaml"
    assert run.config["model"]["name"] == "hrnet_w32"
    epochs, ap = run.column("val_AP")
    assert epochs == [2] and ap == [pytest.approx(0.25)]


def test_record_needs_a_validation_row_or_explicit_results(tmp_path):
    run = _fake_run(tmp_path)
    (run / "log.csv").write_text("epoch,loss\n1,2.0\n")
    with pytest.raises(ValueError, match="no validation row"):
        record_run(run, tmp_path / "d", ["cmd"])
    dest = record_run(run, tmp_path / "d", ["cmd"], results={"AP": 0.1})
    assert load_run(dest).results == {"AP": 0.1}


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="log.csv"):
        record_run(tmp_path, tmp_path / "d", ["cmd"])
    (tmp_path / "half").mkdir()
    with pytest.raises(FileNotFoundError, match="command.txt"):
        load_run(tmp_path / "half")
