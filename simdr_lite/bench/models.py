"""Benchmark: inference speed with and without the deconvolution head (paper Table 4).

``python -m simdr_lite.bench models [--quick] [--runs 300] [--threads N] [--gpu]``

CPU, batch 1, fp32: SimpleBaseline-Res50 with its heatmap head (3 deconvolutions) against the
upsample-free ResNet-50 with a SimDR head at 64x64, 128x128 and 256x192, and HRNet-W48 heatmap
against SimDR at 256x192. The two sides of each pair run interleaved (one forward each, in turn) so
that other load hits both alike; FPS is ``runs / total time``. The ratio is printed next to the
paper's (Xeon Gold 6130: 1.32, 1.38, 1.24; HRNet-W48 4.5 vs 4.8 FPS).

glibc re-allocates the 32 MiB temporary of the first deconvolution on every call unless its mmap
threshold is raised (reference spec Sec. 10); the benchmark re-runs itself once with
``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` = 4e9 (``--no-malloc-tuning`` keeps the
default) and prints the setting, which applies to both sides of every comparison.

With ``--gpu`` and CUDA present it also measures throughput at batch 64 and 128 (channels_last,
AMP bf16, optionally ``torch.compile``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import torch

from simdr_lite.models import build_model

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "4000000000", "MALLOC_TRIM_THRESHOLD_": "4000000000"}
PAIRS = [  # (label, (W, H), heatmap model, simdr model + kwargs, paper ratio)
    ("SimBa-Res50 64x64", (64, 64), ("simbaseline_res50", {}), ("upfree_res50", {"simdr_k": 3}), 45 / 34),
    ("SimBa-Res50 128x128", (128, 128), ("simbaseline_res50", {}), ("upfree_res50", {"simdr_k": 3}), 29 / 21),
    ("SimBa-Res50 256x192", (192, 256), ("simbaseline_res50", {}),
     ("upfree_res50", {"simdr_k": 2, "channels_per_joint": 28}), 21 / 17),
    ("HRNet-W48 256x192", (192, 256), ("hrnet_w48", {}), ("hrnet_w48", {"simdr_k": 2}), 4.8 / 4.5),
]


def interleaved_fps(
    a: torch.nn.Module, b: torch.nn.Module, x: torch.Tensor, runs: int
) -> tuple[float, float]:
    """FPS of ``a`` and ``b`` on ``x``, alternating one forward of each, after 3 warm-up rounds."""
    ta = tb = 0.0
    with torch.inference_mode():
        for i in range(runs + 3):
            t0 = time.perf_counter()
            a(x)
            t1 = time.perf_counter()
            b(x)
            t2 = time.perf_counter()
            if i >= 3:
                ta, tb = ta + t1 - t0, tb + t2 - t1
    return runs / ta, runs / tb


def cpu_table(runs: int, quick: bool) -> list[str]:
    lines = ["| model | input | heatmap FPS | SimDR FPS | ratio | paper ratio |",
             "|---|---|---:|---:|---:|---:|"]
    for label, size, (hm_name, hm_kw), (sd_name, sd_kw), paper in PAIRS:
        n = max(3, runs // 6) if label.startswith("HRNet") else runs  # HRNet-W48 is ~6x slower
        if quick:
            n = 5
        heat = build_model(hm_name, input_size=size, **hm_kw).eval()
        simdr = build_model(sd_name, input_size=size, **sd_kw).eval()
        x = torch.randn(1, 3, size[1], size[0])
        fh, fs = interleaved_fps(heat, simdr, x, n)
        lines.append(f"| {label} | {size[1]}x{size[0]} | {fh:.1f} | {fs:.1f} | {fs / fh:.2f} | {paper:.2f} |")
        print(lines[-1], flush=True)
    return lines


def gpu_table(compile_model: bool) -> None:
    """Throughput (img/s) at batch 64 / 128, channels_last + AMP bf16 (CUDA only)."""
    print("\n| model | head | batch | img/s |\n|---|---|---:|---:|")
    for name, head, k in [("simbaseline_res50", "heatmap", None), ("upfree_res50", "simdr", 2),
                          ("hrnet_w32", "heatmap", None), ("hrnet_w32", "simdr", 2)]:
        model = build_model(name, input_size=(192, 256), simdr_k=k).cuda().eval()
        model = model.to(memory_format=torch.channels_last)
        if compile_model:
            model = torch.compile(model)
        for batch in (64, 128):
            x = torch.randn(batch, 3, 256, 192, device="cuda").to(memory_format=torch.channels_last)
            with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(5):
                    model(x)
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                for _ in range(20):
                    model(x)
                torch.cuda.synchronize()
            print(f"| {name} | {head} | {batch} | {20 * batch / (time.perf_counter() - t0):.0f} |")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m simdr_lite.bench models", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="5 interleaved runs per pair")
    ap.add_argument("--runs", type=int, default=300, help="runs per model (HRNet-W48: a sixth)")
    ap.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    ap.add_argument("--no-malloc-tuning", action="store_true", help="keep glibc's default mmap threshold")
    ap.add_argument("--gpu", action="store_true", help="also measure CUDA throughput (batch 64 / 128)")
    ap.add_argument("--compile", action="store_true", help="torch.compile the GPU models")
    args = ap.parse_args(argv)
    if not args.no_malloc_tuning and any(os.environ.get(k) != v for k, v in MALLOC_ENV.items()):
        cmd = [sys.executable, "-m", "simdr_lite.bench", "models", *argv]
        subprocess.run(cmd, env={**os.environ, **MALLOC_ENV}, check=True)
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    tuned = all(os.environ.get(k) == v for k, v in MALLOC_ENV.items())
    print(f"CPU batch 1 fp32, {torch.get_num_threads()} threads, torch {torch.__version__}; glibc malloc "
          f"{'MMAP/TRIM thresholds 4e9 (both sides)' if tuned else 'defaults (both sides)'}", flush=True)
    cpu_table(args.runs, args.quick)
    if args.gpu and torch.cuda.is_available():
        gpu_table(args.compile)


if __name__ == "__main__":
    main()
