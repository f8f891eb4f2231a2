"""The ``simdr-lite`` command: ``demo``, ``bench`` (more sub-commands join as the engine lands)."""

from __future__ import annotations

import argparse


def _demo(args: argparse.Namespace) -> None:
    from simdr_lite.analysis import quantization

    quantization.main(["--out", args.out])


def _bench(args: argparse.Namespace) -> None:
    from simdr_lite.bench import run

    run(args.name, args.args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simdr-lite", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="the main job: the synthetic low-resolution study (no downloads)")
    demo.add_argument("--out", default="runs/quantization", help="output directory")
    demo.set_defaults(func=_demo)
    bench = sub.add_parser("bench", help="run a benchmark (python -m simdr_lite.bench NAME)")
    bench.add_argument("name", help="benchmark name, or 'all'")
    bench.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the benchmark")
    bench.set_defaults(func=_bench)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
