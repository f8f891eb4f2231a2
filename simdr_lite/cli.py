"""The ``simdr-lite`` command: ``demo``, ``pretrain``, ``train``, ``eval``, ``export``, ``bench``.

Any config value can be overridden with ``--set section.key=value`` (repeatable), e.g.
``simdr-lite train --config configs/coco/hrnet/simdr/nmt_w32_256x192_adam_lr1e-3.yaml --set train.lr=5e-4``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path


def _demo(args: argparse.Namespace) -> None:
    from simdr_lite.notebook.demo import run_demo

    if args.k_sweep:
        from simdr_lite.notebook.ksweep import k_sweep

        results = k_sweep(args.out, args.k_sweep, size=args.size, fast=args.fast, device=args.device)
        print(json.dumps({run: round(r["AP"], 4) for run, r in results.items()}))
        return
    results = run_demo(args.out, fast=args.fast, device=args.device, size=args.size, seeds=args.seeds,
                       pretrained=not args.scratch, epochs=args.epochs, lr=args.lr,
                       batch_size=args.batch)
    print((Path(args.out) / "report.md").read_text())
    print(json.dumps({k: round(v["AP"], 4) for k, v in results.items()}))


def _pretrain(args: argparse.Namespace) -> None:
    from simdr_lite.notebook.pretrain import pretrain

    out = pretrain(args.out, root=args.root, images=args.images, size=args.size, epochs=args.epochs)
    losses = out["losses"]
    print(f"wrote {args.out} (SHA-256 {out['sha256']}); loss {losses[0]:.4f} -> {losses[-1]:.4f}")


def _train(args: argparse.Namespace) -> None:
    from simdr_lite.engine import load_config, train
    from simdr_lite.engine.preflight import preflight

    cfg = load_config(args.config, args.set)
    run_dir = args.run_dir or str(Path("runs") / Path(args.config).stem)
    preflight(cfg, run_dir=run_dir)
    out = train(cfg, run_dir, resume=not args.no_resume, device=args.device)
    best = out["best"] if math.isfinite(out["best"]) else None  # no validation yet: null, not -Infinity
    print(json.dumps({"best": best, "last": out["history"][-1] if out["history"] else None}))


def _eval(args: argparse.Namespace) -> None:
    import torch

    from simdr_lite import build
    from simdr_lite.engine import evaluate_config, load_config
    from simdr_lite.engine.preflight import preflight
    from simdr_lite.evaluation.mpii import GROUPS, load_mpii_gt, pckh_tables
    from simdr_lite.models import load_official_checkpoint

    cfg = load_config(args.config, args.set)
    cfg.model.pretrained = ""  # the checkpoint holds every weight: no backbone file is needed to evaluate
    preflight(cfg, checkpoint=args.checkpoint)
    rep = build.representation(cfg)
    model = build.model(cfg, rep)
    load_official_checkpoint(model, args.checkpoint)  # ours or an official SimCC .pth
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    _, val_ds = build.datasets(cfg)
    out = evaluate_config(model.to(device), val_ds, rep, cfg, device)  # MPII needs the predictions
    metrics = dict(out["metrics"])
    if cfg.data.dataset == "mpii":  # Table 8's per-joint PCKh@0.1 ("Mean@0.1" is already there)
        gt = load_mpii_gt(Path(val_ds.ann_file).parent / "gt_valid.mat")
        at01 = pckh_tables(out["predictions"], gt, thresholds=(0.1,))[0.1]
        metrics.update({f"{name}@0.1": at01[name] for name in GROUPS})
    ckpt = Path(args.checkpoint)
    (ckpt.with_suffix(".results.json")).write_text(json.dumps(metrics, indent=2))
    append_run(Path("runs") / "runs.csv", args.config, str(ckpt), args.set, metrics)
    print(json.dumps(metrics, indent=2))


#: The leading columns of ``runs/runs.csv``; the metric names follow.
RUNS_COLUMNS = ("config", "checkpoint", "overrides")


def append_run(path: Path, config: str, checkpoint: str, overrides: list[str],
               metrics: dict[str, float]) -> None:
    """Append one ``simdr-lite eval`` row to ``path``: ``config, checkpoint, overrides, <metrics>``.

    ``overrides`` are the ``--set`` strings joined by ``;``. The header row (the leading columns, then
    the metric names) is written again whenever it differs from the file's last header, so a file
    holding COCO, CrowdPose and MPII runs names every row's metrics by the header above it.
    """
    header = [*RUNS_COLUMNS, *metrics]
    last = None
    if path.exists():
        with path.open(newline="") as f:
            last = next((r for r in reversed(list(csv.reader(f))) if r[:2] == ["config", "checkpoint"]), None)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", newline="") as f:
        writer = csv.writer(f)
        if last != header:
            writer.writerow(header)
        writer.writerow([config, checkpoint, ";".join(overrides), *metrics.values()])


def _export(args: argparse.Namespace) -> None:
    from simdr_lite import build
    from simdr_lite.engine import load_config
    from simdr_lite.models import export_onnx, load_official_checkpoint

    cfg = load_config(args.config, args.set)
    model = build.model(cfg)
    if args.checkpoint:
        load_official_checkpoint(model, args.checkpoint)
    print(export_onnx(model, args.out, cfg.model.input_size))


def _bench(args: argparse.Namespace) -> None:
    from simdr_lite.bench import run

    run(args.name, args.args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simdr-lite", description=__doc__.split("\n")[0])
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="the main job: heatmap vs SimDR at 64x64 on synthetic data")
    demo.add_argument("--out", default="runs/demo", help="output directory")
    demo.add_argument("--fast", action="store_true", help="a few images and one epoch (smoke test)")
    demo.add_argument("--device", default=None, help="cpu / cuda (default: cuda when available)")
    demo.add_argument("--size", type=int, default=64,
                      help="input side: 64 (default, Table 2's 64x64 rows) or 128 (its 128x128 rows; "
                           "about 4x longer)")
    demo.add_argument("--seeds", type=int, default=1,
                      help="repeat the study over seeds 0..N-1 (other data and init) and report mean +- std")
    demo.add_argument("--scratch", action="store_true", help="train from scratch (no pretrained backbone)")
    demo.add_argument("--epochs", type=int, default=None,
                      help="both heads' schedule (default 16, the make-demo budget; decays at 3/4 and 15/16)")
    demo.add_argument("--lr", type=float, default=None,
                      help="both heads' Adam learning rate (default 1e-3, the official one)")
    demo.add_argument("--batch", type=int, default=None, help="both heads' batch size (default 32)")
    demo.add_argument("--k-sweep", type=float, nargs="+", metavar="K",
                      help="instead of the study: Figure 3's ablation, the SimDR run once per K")
    demo.set_defaults(func=_demo)
    from simdr_lite.models.tiny import BACKBONE_FILE
    from simdr_lite.notebook.pretrain import PRETRAIN_DEFAULTS as D

    pre = sub.add_parser("pretrain", help="pretrain the demo network's backbone")
    pre.add_argument("--out", default=str(BACKBONE_FILE), help="weight file (its SHA-256 goes to OUT.sha256)")
    pre.add_argument("--root", default="runs/data/synthetic-pretrain", help="pretraining data folder")
    pre.add_argument("--images", type=int, default=D["images"], help="synthetic images in the split")
    pre.add_argument("--size", type=int, default=D["size"], help="input side")
    pre.add_argument("--epochs", type=int, default=D["epochs"], help="passes over the split")
    pre.set_defaults(func=_pretrain)
    for name, fn, text in (("train", _train, "train a config (resumes from --run-dir)"),
                           ("eval", _eval, "evaluate a checkpoint (ours or an official SimCC .pth)"),
                           ("export", _export, "export a model to ONNX")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--config", required=True, help="YAML config (see configs/)")
        p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                       help="override a config value (repeatable)")
        if name == "train":
            p.add_argument("--run-dir", default=None, help="default: runs/<config name>")
            p.add_argument("--no-resume", action="store_true", help="start over even if a checkpoint exists")
            p.add_argument("--device", default=None)
        if name == "eval":
            p.add_argument("--checkpoint", required=True)
            p.add_argument("--device", default=None)
        if name == "export":
            p.add_argument("--checkpoint", default=None)
            p.add_argument("--out", default="model.onnx")
        p.set_defaults(func=fn)
    bench = sub.add_parser("bench", help="run a benchmark (python -m simdr_lite.bench NAME)")
    bench.add_argument("name", help="benchmark name, or 'all'")
    bench.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the benchmark")
    bench.set_defaults(func=_bench)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run a command. A user error (a missing file, a bad config value, an unsafe weight file) prints
    one clean message on stderr and exits with status 2; ``--debug`` shows the traceback instead."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (FileNotFoundError, ValueError, TypeError) as err:
        if args.debug:
            raise
        print(f"simdr-lite {args.command}: error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
