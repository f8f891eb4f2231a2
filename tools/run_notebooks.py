"""Execute notebooks top to bottom, in place, so that their stored outputs match `pytest --nbval`.

Usage: python tools/run_notebooks.py notebooks/01_*.ipynb [...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def quiet_widgets(client: NotebookClient) -> None:
    """Turn off nbclient's emulation of the Output widget: it sends comm messages on the shell channel while a
    cell runs, which intermittently deadlocks with ipykernel 7 (jupyter/nbclient#312); seen here twice with
    the sliders' ``interactive``. The widgets' state is still stored; their figures go to the cell output."""
    client.widget_registry = {}


def run(path: Path, timeout: int = 1800) -> None:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    quiet_widgets(client)
    client.execute()
    nbformat.write(nb, path)
    print(f"{path}: executed in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        sys.exit("usage: python tools/run_notebooks.py NOTEBOOK [NOTEBOOK ...]")
    for p in sorted(paths):
        run(p)
