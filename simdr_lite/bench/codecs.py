"""Benchmark: codec encode/decode time per instance (17 joints) against the per-joint reference loops.

``python -m simdr_lite.bench.codecs [--quick] [--sizes 64x64 256x192] [--markdown out.md]``

For each input size (64x64, 128x128, 256x192, 384x288) and batch (1, 64) it times the vectorized
codecs of :mod:`simdr_lite.codecs` on numpy and on torch inputs, and the official-algorithm loops of
:mod:`simdr_lite.codecs.reference` (one call per instance, a Python loop per joint inside) in the
same run, and prints microseconds per instance and the speed-up ``reference / vectorized``.

Rows:

* ``encode heatmap``: HRNet targets (N, 17, H/4, W/4), official sigma for the size;
* ``encode simdr``: integer bins, k = 2; ``encode sa-simdr``: Gaussian labels, k = 2, sigma 6;
* ``decode heatmap+shift`` (arg-max + quarter offset), ``decode dark``, ``decode simdr``,
  ``decode sa-simdr`` (softmax, arg-max);
* ``memset`` / ``copy``: filling / copying a float32 array of the heatmap target's size, the memory
  bandwidth bound of writing a dense heatmap (no codec can produce it faster).

Timing (:func:`time_interleaved`): every callable of a size and batch is first warmed up and
calibrated (``number`` calls so that one measurement lasts at least ``min_time`` seconds); then
``repeat`` rounds each measure every callable once, in a rotated order, and we report the minimum
(best case, least disturbed by other processes) and the median per instance. Interleaving spreads the
measurements of one row over the whole run of its size: a disturbance that lasts a few seconds now
spoils one round of several rows instead of every measurement of one row, and the min and median
ignore it. Rows whose median is more than twice their min are listed under the table as unstable.

Threads (``--threads``, default 1): an earlier table reported 15,984 µs for a 25 µs SimDR decode
(min and median alike, four rows in a row). The cause is not the timer: with 2 torch threads on the
2-core machine while another job keeps one core busy, every ``aten::_softmax`` opens an OpenMP
parallel region and waits ~8 ms for its second thread to be scheduled (reproduced: 15,982 µs per
decode with 2 threads under load, 44 µs with 1 thread at the same moment). One thread is also what
the data-loader workers use, and what the single-threaded reference loops get.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import torch

from simdr_lite.codecs import HeatmapCodec, SASimDRCodec, SimDRCodec
from simdr_lite.codecs import reference as ref

SIZES = {"64x64": (64, 64), "128x128": (128, 128), "256x192": (192, 256), "384x288": (288, 384)}
HEATMAP_SIGMA = {"64x64": 1.0, "128x128": 1.0, "256x192": 2.0, "384x288": 3.0}
NUM_JOINTS = 17
K = 2.0
SA_SIGMA = 6.0

# targets of the issue (#3): speed-up of batched (N=64) encode at 256x192 and decode budgets (µs/inst.)
ENCODE_TARGETS = {"sa-simdr": 10.0, "heatmap": 5.0}
DECODE_TARGETS_US = {"simdr": 10.0, "heatmap+shift": 20.0, "dark": 60.0}


Clock = Callable[[], float]


def calibrate(fn: Callable[[], Any], min_time: float, clock: Clock = time.perf_counter) -> int:
    """Calls per measurement so that one lasts at least ``min_time`` s (after one warm-up call)."""
    fn()  # warm-up (allocations, lazy init, caches)
    number = 1
    while True:
        t0 = clock()
        for _ in range(number):
            fn()
        elapsed = clock() - t0
        if elapsed >= min_time or number >= 10_000:
            return number
        number *= 2 if elapsed <= 0 else max(2, min(10, int(min_time / elapsed * 1.2) + 1))


def measure(fn: Callable[[], Any], number: int, clock: Clock = time.perf_counter) -> float:
    """Seconds per call of ``fn`` over ``number`` back-to-back calls."""
    t0 = clock()
    for _ in range(number):
        fn()
    return (clock() - t0) / number


def time_interleaved(
    fns: Sequence[Callable[[], Any]],
    repeat: int = 5,
    min_time: float = 0.02,
    clock: Clock = time.perf_counter,
) -> list[tuple[float, float]]:
    """``(min, median)`` seconds per call of each callable over ``repeat`` interleaved rounds.

    Each callable is warmed up and calibrated (:func:`calibrate`) first; then round ``r`` measures
    every callable once, starting at callable ``r mod len(fns)``, so a disturbance shorter than a
    round or two lands in one or two of a callable's measurements instead of all of them.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    numbers = [calibrate(fn, min_time, clock) for fn in fns]
    samples: list[list[float]] = [[] for _ in fns]
    n = len(fns)
    for r in range(repeat):
        for k in range(n):
            i = (r + k) % n
            samples[i].append(measure(fns[i], numbers[i], clock))
    return [(min(x), statistics.median(x)) for x in samples]


def time_call(fn: Callable[[], Any], repeat: int = 5, min_time: float = 0.02,
              clock: Clock = time.perf_counter) -> tuple[float, float]:
    """``(min, median)`` seconds per call of one callable (:func:`time_interleaved` of one)."""
    return time_interleaved([fn], repeat, min_time, clock)[0]


def _keypoints(n: int, input_size: tuple[int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    w, h = input_size
    kp = rng.uniform((0, 0), (w, h), size=(n, NUM_JOINTS, 2))
    vis = (rng.random((n, NUM_JOINTS)) > 0.1).astype(np.float32)
    return kp, vis


def bench_size(name: str, batch: int, repeat: int, min_time: float) -> list[dict[str, Any]]:
    """All rows for one input size and batch: ``{op, codec, input, us_min, us_med, ref_us, speedup}``."""
    size = SIZES[name]
    sigma = HEATMAP_SIGMA[name]
    kp, vis = _keypoints(batch, size)
    kp_t, vis_t = torch.from_numpy(kp), torch.from_numpy(vis)
    hm = HeatmapCodec(size, sigma=sigma, refine="shift")
    dark = HeatmapCodec(size, sigma=sigma, refine="dark", unbiased=True)
    sd = SimDRCodec(size, k=K)
    sa = SASimDRCodec(size, k=K, sigma=SA_SIGMA)
    hsize = hm.heatmap_size

    hm_out = hm.encode(kp, vis)[0]
    dark_out = dark.encode(kp, vis)[0]
    rng = np.random.default_rng(1)
    logits = tuple(rng.normal(size=(batch, NUM_JOINTS, b)).astype(np.float32) for b in sd.bins)
    # SimDR* decode on its perfect output (peaked logits) and SimDR on random logits: the cost of
    # softmax + arg-max does not depend on the values
    sa_out = sa.perfect_output(kp, vis)

    def loop(fn: Callable[[int], Any]) -> Callable[[], None]:
        def run() -> None:
            with np.errstate(invalid="ignore"):  # reference dark_decode: 0/0 on all-zero maps, as official
                for i in range(batch):
                    fn(i)

        return run

    cases: list[tuple[str, str, Callable[[], Any], Callable[[], Any], Callable[[], Any]]] = [
        (
            "encode",
            "heatmap",
            lambda: hm.encode(kp, vis),
            lambda: hm.encode(kp_t, vis_t),
            loop(lambda i: ref.heatmap_encode(kp[i], vis[i], size, hsize, sigma)),
        ),
        (
            "encode",
            "simdr",
            lambda: sd.encode(kp, vis),
            lambda: sd.encode(kp_t, vis_t),
            loop(lambda i: ref.simdr_encode(kp[i], vis[i], size, K)),
        ),
        (
            "encode",
            "sa-simdr",
            lambda: sa.encode(kp, vis),
            lambda: sa.encode(kp_t, vis_t),
            loop(lambda i: ref.sa_simdr_encode(kp[i], vis[i], size, K, SA_SIGMA)),
        ),
    ]
    hm_t, dark_t = torch.from_numpy(hm_out), torch.from_numpy(dark_out)
    logits_t = tuple(torch.from_numpy(x) for x in logits)
    sa_t = tuple(torch.from_numpy(x) for x in sa_out)
    cases += [
        (
            "decode",
            "heatmap+shift",
            lambda: hm.decode(hm_out),
            lambda: hm.decode(hm_t),
            loop(lambda i: ref.heatmap_decode(hm_out[i], size, refine="shift")),
        ),
        (
            "decode",
            "dark",
            lambda: dark.decode(dark_out),
            lambda: dark.decode(dark_t),
            loop(lambda i: ref.dark_decode(dark_out[i], size)),
        ),
        (
            "decode",
            "simdr",
            lambda: sd.decode(logits),
            lambda: sd.decode(logits_t),
            loop(lambda i: ref.simdr_decode(logits[0][i], logits[1][i], K)),
        ),
        (
            "decode",
            "sa-simdr",
            lambda: sa.decode(sa_out),
            lambda: sa.decode(sa_t),
            loop(lambda i: ref.simdr_decode(sa_out[0][i], sa_out[1][i], K, confidence="min")),
        ),
    ]
    # memory-bandwidth bound: write (memset) and copy a float32 array of the heatmap target's size
    nbytes = batch * NUM_JOINTS * hsize[0] * hsize[1] * 4
    buf = np.empty(nbytes // 4, dtype=np.float32)
    src = np.ones_like(buf)
    bounds = [("memset", lambda: buf.fill(0.0)), ("copy", lambda: np.copyto(buf, src))]
    fns = [f for _, _, fn_np, fn_t, fn_ref in cases for f in (fn_ref, fn_np, fn_t)] + [f for _, f in bounds]
    times = time_interleaved(fns, repeat=repeat, min_time=min_time)
    rows = []
    for c, (op, codec, *_) in enumerate(cases):
        (ref_min, _), *pair = times[3 * c: 3 * c + 3]
        for kind, (t_min, t_med) in zip(("numpy", "torch"), pair):
            rows.append(
                {
                    "size": name, "batch": batch, "op": op, "codec": codec, "input": kind,
                    "us_min": 1e6 * t_min / batch, "us_med": 1e6 * t_med / batch,
                    "ref_us": 1e6 * ref_min / batch, "speedup": ref_min / t_min,
                }
            )  # fmt: skip
    for (op, _), (t_min, t_med) in zip(bounds, times[3 * len(cases):]):
        rows.append(
            {
                "size": name, "batch": batch, "op": op, "codec": f"{nbytes / batch / 1024:.0f} KiB/inst",
                "input": "numpy", "us_min": 1e6 * t_min / batch, "us_med": 1e6 * t_med / batch,
                "ref_us": float("nan"), "speedup": float("nan"),
                "gbps": nbytes * (2 if op == "copy" else 1) / t_min / 1e9,
            }
        )  # fmt: skip
    return rows


def unstable_rows(rows: Sequence[dict[str, Any]], ratio: float = 2.0) -> list[str]:
    """Rows whose median exceeds ``ratio`` x their min: most of their rounds were disturbed."""
    return [f"{r['size']} N={r['batch']} {r['op']} {r['codec']} {r['input']}: "
            f"median {r['us_med']:.2f} vs min {r['us_min']:.2f} µs/inst"
            for r in rows if r["us_med"] > ratio * r["us_min"]]


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """Markdown table of the rows (µs per instance, min / median, reference, speed-up)."""
    lines = [
        "| size | N | op | codec | input | µs/inst (min) | µs/inst (median) | reference µs/inst | speed-up |",
        "|---|---:|---|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["op"] in ("memset", "copy"):
            ref_cell, sp = "-", f"{r['gbps']:.1f} GB/s"
        else:
            ref_cell, sp = f"{r['ref_us']:.1f}", f"{r['speedup']:.1f}x"
        lines.append(
            f"| {r['size']} | {r['batch']} | {r['op']} | {r['codec']} | {r['input']} | "
            f"{r['us_min']:.2f} | {r['us_med']:.2f} | {ref_cell} | {sp} |"
        )
    return "\n".join(lines)


def check_targets(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Lines stating each target of the issue at 256x192, N=64, numpy input, and pass/miss."""
    out = []
    pick = {(r["op"], r["codec"]): r for r in rows if r["size"] == "256x192" and r["batch"] == 64}
    pick.update(
        {
            (r["op"], r["codec"]): r
            for r in rows
            if r["size"] == "256x192" and r["batch"] == 64 and r["input"] == "numpy"
        }
    )
    for codec, target in ENCODE_TARGETS.items():
        r = pick.get(("encode", codec))
        if r is not None:
            ok = "met" if r["speedup"] >= target else "MISSED"
            out.append(
                f"encode {codec} N=64 256x192: {r['speedup']:.1f}x vs reference (target >= {target:g}x) {ok}"
            )
    for codec, budget in DECODE_TARGETS_US.items():
        r = pick.get(("decode", codec))
        if r is not None:
            ok = "met" if r["us_min"] < budget else "MISSED"
            out.append(f"decode {codec} N=64 256x192: {r['us_min']:.1f} µs/inst (target < {budget:g}) {ok}")
    enc = pick.get(("encode", "heatmap"))
    mem = next((r for r in rows if r["op"] == "memset" and r["size"] == "256x192" and r["batch"] == 64), None)
    if enc is not None and mem is not None:
        out.append(
            f"heatmap encode N=64 256x192: {enc['us_min']:.1f} µs/inst vs memset of the same "
            f"{mem['codec']} {mem['us_min']:.1f} µs/inst ({enc['us_min'] / mem['us_min']:.1f}x the bound)"
        )
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    threads = torch.get_num_threads()
    return f"{cpu}, {os.cpu_count()} logical cores, torch {torch.__version__} ({threads} threads)"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m simdr_lite.bench codecs", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short run: 256x192 and 64x64, fewer repeats")
    ap.add_argument("--sizes", nargs="+", choices=list(SIZES), default=None)
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 64])
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--markdown", default=None, help="also write the report to this file")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op threads (default 1: see the module docstring)")
    args = ap.parse_args(argv)
    sizes = args.sizes or (["64x64", "256x192"] if args.quick else list(SIZES))
    repeat = args.repeat or (3 if args.quick else 7)
    min_time = 0.01 if args.quick else 0.05
    torch.manual_seed(0)
    torch.set_num_threads(max(1, args.threads))
    start = time.perf_counter()
    rows = []
    for name in sizes:
        for batch in args.batches:
            rows.extend(bench_size(name, batch, repeat, min_time))
    table = format_table(rows)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = "\n".join(
        [
            f"date: {stamp}; machine: {machine()}",
            f"load average at end: {os.getloadavg()[0]:.2f}; run time {time.perf_counter() - start:.0f} s",
            "",
            table,
            "",
            *check_targets(rows),
            *(["", "unstable rows (median > 2x min; rerun on a quieter machine):"] + unstable
              if (unstable := unstable_rows(rows)) else []),
        ]
    )
    print(report)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(report + "\n")


if __name__ == "__main__":
    main()
