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

Timing: each measurement runs a callable ``number`` times (chosen so one measurement lasts at least
``min_time`` seconds) after a warm-up; ``repeat`` measurements; we report the minimum (best case,
least disturbed by other processes) and the median per instance.
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


def time_call(fn: Callable[[], Any], repeat: int = 5, min_time: float = 0.02) -> tuple[float, float]:
    """``(min, median)`` seconds per call of ``fn`` over ``repeat`` measurements, after a warm-up."""
    fn()  # warm-up (allocations, lazy init)
    number, elapsed = 1, 0.0
    while True:  # calibrate: enough calls for one measurement to last min_time
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time or number >= 10_000:
            break
        number *= 2 if elapsed == 0 else max(2, min(10, int(min_time / elapsed * 1.2) + 1))
    samples = [elapsed / number]
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return min(samples), statistics.median(samples)


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
    rows = []
    for op, codec, fn_np, fn_t, fn_ref in cases:
        ref_min, _ = time_call(fn_ref, repeat=max(3, repeat // 2), min_time=min_time)
        for kind, fn in (("numpy", fn_np), ("torch", fn_t)):
            t_min, t_med = time_call(fn, repeat=repeat, min_time=min_time)
            rows.append(
                {
                    "size": name, "batch": batch, "op": op, "codec": codec, "input": kind,
                    "us_min": 1e6 * t_min / batch, "us_med": 1e6 * t_med / batch,
                    "ref_us": 1e6 * ref_min / batch, "speedup": ref_min / t_min,
                }
            )  # fmt: skip
    # memory-bandwidth bound: write (memset) and copy a float32 array of the heatmap target's size
    nbytes = batch * NUM_JOINTS * hsize[0] * hsize[1] * 4
    buf = np.empty(nbytes // 4, dtype=np.float32)
    src = np.ones_like(buf)
    for op, fn in (("memset", lambda: buf.fill(0.0)), ("copy", lambda: np.copyto(buf, src))):
        t_min, t_med = time_call(fn, repeat=repeat, min_time=min_time)
        rows.append(
            {
                "size": name, "batch": batch, "op": op, "codec": f"{nbytes / batch / 1024:.0f} KiB/inst",
                "input": "numpy", "us_min": 1e6 * t_min / batch, "us_med": 1e6 * t_med / batch,
                "ref_us": float("nan"), "speedup": float("nan"),
                "gbps": nbytes * (2 if op == "copy" else 1) / t_min / 1e9,
            }
        )  # fmt: skip
    return rows


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
    args = ap.parse_args(argv)
    sizes = args.sizes or (["64x64", "256x192"] if args.quick else list(SIZES))
    repeat = args.repeat or (3 if args.quick else 7)
    min_time = 0.01 if args.quick else 0.05
    torch.manual_seed(0)
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
        ]
    )
    print(report)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(report + "\n")


if __name__ == "__main__":
    main()
