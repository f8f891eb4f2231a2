"""Benchmarks: ``python -m simdr_lite.bench NAME [args]`` or ``simdr-lite bench NAME``.

Each ``simdr_lite/bench/NAME.py`` has ``main(argv)`` and prints a ratio against the naive / official
approach measured in the same run. ``all`` runs every benchmark in its ``--quick`` mode.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys


def available() -> list[str]:
    """Names of the benchmark modules in this package."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def run(name: str, argv: list[str] | None = None) -> None:
    """Run one benchmark by name (``all``: each one with ``--quick``)."""
    names = available()
    if name == "all":
        for n in names:
            print(f"\n=== python -m simdr_lite.bench {n} --quick", flush=True)
            importlib.import_module(f"{__name__}.{n}").main(["--quick", *(argv or [])])
        return
    if name not in names:
        sys.exit(f"unknown benchmark {name!r}; choose one of {names + ['all']}")
    importlib.import_module(f"{__name__}.{name}").main(argv)
