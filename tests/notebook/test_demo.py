"""The demo's summary over seeds and its one-sentence verdict."""

import pytest

from simdr_lite.notebook.demo import TABLE2_ROWS, _verdict, demo_config, summarize


def test_summarize_means_std_and_per_seed_values():
    runs = [{"simdr": {"AP": 0.6, "AR": 0.7}}, {"simdr": {"AP": 0.8, "AR": 0.9}}]
    s = summarize(runs)["simdr"]
    assert s["AP"] == pytest.approx(0.7) and s["AR"] == pytest.approx(0.8)
    assert s["AP_std"] == pytest.approx(0.1414213, rel=1e-5) and s["AP_seeds"] == [0.6, 0.8]


def test_verdict_counts_seeds_and_cites_the_paper():
    res = summarize([{"heatmap": {"AP": 0.5}, "heatmap_post": {"AP": 0.7}, "simdr": {"AP": 0.6}},
                     {"heatmap": {"AP": 0.5}, "heatmap_post": {"AP": 0.5}, "simdr": {"AP": 0.6}}])
    text = _verdict(res, TABLE2_ROWS[64], seeds=2)
    assert "SimDR beat the heatmap without post-processing" in text
    assert "beat in 1 of 2 seeds the heatmap with post-processing" in text and "40.8 vs 25.8" in text


def test_demo_config_seed_scratch_and_epochs():
    cfg = demo_config("simdr", seed=2, pretrained=False)
    assert cfg.train.seed == 2 and cfg.model.pretrained == "" and cfg.data.root.endswith("-seed2")
    assert (cfg.train.epochs, cfg.train.milestones) == (16, (12, 15))  # the make-demo schedule
    longer = demo_config("heatmap", epochs=64)
    assert (longer.train.epochs, longer.train.milestones) == (64, (48, 60))
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        demo_config("heatmap", epochs=0)
    assert demo_config("simdr").train.lr == pytest.approx(1e-3)  # the official Adam lr
    faster = [demo_config(run, lr=3e-3) for run in ("heatmap", "simdr")]
    assert [c.train.lr for c in faster] == [pytest.approx(3e-3)] * 2  # both heads alike
    assert faster[0].train.epochs == 16
    with pytest.raises(ValueError, match="lr must be > 0"):
        demo_config("simdr", lr=0.0)
    assert demo_config("heatmap", batch_size=16).train.batch_size == 16
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        demo_config("simdr", batch_size=0)


def test_record_demo_copies_the_small_artefacts_and_one_seeds_weights(tmp_path):
    import json

    from simdr_lite.notebook.demo import record_demo, run_demo
    from simdr_lite.notebook.runs import load_weights

    run_demo(tmp_path / "run", fast=True, seeds=2, progress=False, parallel=False)
    dest = record_demo(tmp_path / "run", tmp_path / "rec", ["simdr-lite demo --fast --seeds 2"])
    assert (dest / "command.txt").read_text() == "simdr-lite demo --fast --seeds 2\n"
    assert json.loads((dest / "results.json").read_text())["simdr"]["AP_seeds"]
    for seed in ("seed0", "seed1"):
        names = {p.name for p in (dest / seed).iterdir()}
        assert {"config_simdr.yaml", "log_heatmap.csv", "predictions.png"} <= names
    assert not list((dest / "seed1").glob("*.pth")) and not list(dest.rglob("last.pth"))
    model, rep = load_weights(dest / "seed0" / "config_simdr.yaml", dest / "seed0" / "model_simdr.pth")
    assert rep.name == "simdr" and model.simdr_k == 3.0
