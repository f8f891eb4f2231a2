"""Figure 3's ablation on the synthetic set: one SimDR run per k, only k differs."""

import json

import pytest

from simdr_lite.engine.config import load_config
from simdr_lite.notebook.compare import recorded_k_sweep
from simdr_lite.notebook.ksweep import k_sweep, record_k_sweep, run_name


def test_k_sweep_fast_path_trains_scores_and_records_each_k(tmp_path):
    results = k_sweep(tmp_path, (1, 2.5), fast=True, progress=False, parallel=False)
    assert list(results) == ["k1", "k2.5"]
    for k, name in ((1.0, "k1"), (2.5, "k2.5")):
        cfg = load_config(tmp_path / name / "config.yaml")
        assert cfg.representation.k == k and cfg.representation.name == "simdr"
        assert 0.0 <= results[name]["AP"] <= 1.0
        assert json.loads((tmp_path / name / "results.json").read_text()) == results[name]
    first, second = (load_config(tmp_path / n / "config.yaml").to_dict() for n in results)
    first["representation"].pop("k"), second["representation"].pop("k")
    first.pop("description"), second.pop("description")
    assert first == second  # nothing but k differs
    assert [k for k, _ in recorded_k_sweep(tmp_path)] == [1.0, 2.5]
    rec = record_k_sweep(tmp_path, tmp_path / "rec", ["simdr-lite demo --k-sweep 1 2.5 --fast"])
    assert recorded_k_sweep(rec) == recorded_k_sweep(tmp_path) and not list(rec.rglob("*.pth"))
    assert (rec / "k1" / "command.txt").read_text() == "simdr-lite demo --k-sweep 1 2.5 --fast\n"


def test_k_sweep_rejects_bad_k(tmp_path):
    with pytest.raises(ValueError, match="positive splitting factors"):
        k_sweep(tmp_path, (0, 2), fast=True)
    assert run_name(3.0) == "k3"
