"""The codec benchmark helpers (the benchmark itself runs by hand: `python -m simdr_lite.bench codecs`)."""

import time

import pytest

from simdr_lite.bench import codecs as bench


def test_time_call_measures_per_call_time():
    best, median = bench.time_call(lambda: time.sleep(0.002), repeat=3, min_time=0.004)
    assert 0.0015 < best <= median  # sleep() never returns early; no upper bound (no timing asserts)


def test_bench_rows_and_targets_on_a_tiny_run():
    rows = bench.bench_size("256x192", 64, repeat=1, min_time=0.0)
    ops = {(r["op"], r["codec"], r["input"]) for r in rows if r["op"] in ("encode", "decode")}
    assert ("encode", "sa-simdr", "numpy") in ops and ("decode", "dark", "torch") in ops
    for r in rows:
        assert r["us_min"] > 0 and r["us_med"] >= r["us_min"]
        if r["op"] in ("encode", "decode"):
            assert r["speedup"] == pytest.approx(r["ref_us"] / r["us_min"], rel=1e-9)
    lines = bench.check_targets(rows)
    assert any(line.startswith("encode sa-simdr N=64 256x192") for line in lines)
    assert any("x the bound" in line for line in lines)
    table = bench.format_table(rows)
    assert table.count("\n") == len(rows) + 1 and "speed-up" in table.splitlines()[0]
