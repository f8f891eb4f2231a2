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


class FakeClock:
    """A clock that only moves when the timed callables say so: exact, repeatable 'times'."""

    def __init__(self) -> None:
        self.t = 0.0
        self.calls = 0

    def __call__(self) -> float:
        return self.t


def _costly(clock: FakeClock, cost: float, slow: range, slow_cost: float = 1000.0):
    """A callable that advances the clock by ``cost`` per call, by ``slow_cost`` for the global call
    numbers in ``slow`` (a disturbance: another process took the CPU)."""

    def fn() -> None:
        clock.t += slow_cost if clock.calls in slow else cost
        clock.calls += 1

    return fn


def test_one_outlier_changes_neither_min_nor_median():
    clock = FakeClock()
    # warm-up 1 call, calibration 1 + 5 calls (0.25 s each, min_time 1 s: 5 calls per measurement),
    # then 5 measurements of 5 calls: call 13 falls in the 2nd measurement
    fn = _costly(clock, 0.25, slow=range(13, 14))
    best, median = bench.time_call(fn, repeat=5, min_time=1.0, clock=clock)
    assert best == pytest.approx(0.25) and median == pytest.approx(0.25)
    assert clock.calls == 1 + 6 + 25


def test_interleaving_spreads_a_disturbance_over_rows():
    """A disturbance as long as 1.5 rounds hits at most 2 of each callable's 5 measurements, so both
    statistics stay clean; measured back to back, one callable would have had 3 of 5 disturbed."""
    clock = FakeClock()
    calibration = 3 * (1 + 6)  # warm-up + calibration calls of the three callables
    slow = range(calibration, calibration + 22)  # 22 calls = 1.5 rounds of 3 x 5 calls
    fns = [_costly(clock, 0.25, slow) for _ in range(3)]
    for best, median in bench.time_interleaved(fns, repeat=5, min_time=1.0, clock=clock):
        assert best == pytest.approx(0.25) and median == pytest.approx(0.25)
    # the same disturbance with the callables timed one after another (the old scheme)
    clock = FakeClock()
    fns = [_costly(clock, 0.25, slow) for _ in range(3)]
    medians = [bench.time_call(fn, repeat=5, min_time=1.0, clock=clock)[1] for fn in fns]
    assert medians[0] > 10 * 0.25
    with pytest.raises(ValueError, match="repeat"):
        bench.time_interleaved(fns, repeat=0)


def test_unstable_rows_are_listed():
    rows = [{"size": "128x128", "batch": 1, "op": "decode", "codec": "simdr", "input": "numpy",
             "us_min": 25.0, "us_med": 15984.0},
            {"size": "128x128", "batch": 1, "op": "decode", "codec": "simdr", "input": "torch",
             "us_min": 25.0, "us_med": 26.0}]
    (line,) = bench.unstable_rows(rows)
    assert line.startswith("128x128 N=1 decode simdr numpy")
