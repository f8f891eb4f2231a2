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


def test_demo_config_seed_and_scratch():
    cfg = demo_config("simdr", seed=2, pretrained=False)
    assert cfg.train.seed == 2 and cfg.model.pretrained == "" and cfg.data.root.endswith("-seed2")
