"""Write every notebook's first cell (the Colab / fresh-kernel set-up) and the README's Colab badges from
the one repository address, ``[project.urls] Repository`` in pyproject.toml.

Usage: python tools/sync_notebooks.py   (tests/test_notebooks.py checks that nothing is out of date)
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

SETUP_CELL = '''\
# Set-up for Colab or any kernel without simdr-lite: clone the repository (its configs/ and notebooks come
# with it) and install it. Where simdr-lite is installed (`make install`) this cell does nothing.
# SIMDR_LITE_REPO, if set, names another clone (a fork, a local path). Nothing that Colab ships is upgraded:
# the requirements accept its versions (ipywidgets 7.7 included).
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("simdr_lite") is None:
    repo = os.environ.get("SIMDR_LITE_REPO", "{url}")
    if not os.path.isdir("simdr-lite"):
        subprocess.run(["git", "clone", "--depth", "1", repo, "simdr-lite"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "simdr-lite"], check=True)
    sys.path.insert(0, os.path.abspath("simdr-lite"))
    os.chdir("simdr-lite/notebooks")  # the notebooks read ../configs and ../docs
if importlib.util.find_spec("google.colab") is not None:
    from google.colab import output

    output.enable_custom_widget_manager()  # the sliders'''


def repository_url() -> str:
    """``[project.urls] Repository`` (read with a pattern: tomllib needs Python 3.11, we support 3.10)."""
    text = (ROOT / "pyproject.toml").read_text()
    urls = text[text.index("[project.urls]"):]
    return re.search(r'^Repository\s*=\s*"([^"]+)"', urls, re.M).group(1)


def setup_cell() -> str:
    return SETUP_CELL.replace("{url}", repository_url())


def badge_prefix() -> str:
    """``https://colab.research.google.com/github/<owner>/<repo>/blob/main/`` for the README's badges."""
    owner_repo = re.sub(r"^https://github\.com/", "", repository_url()).removesuffix(".git")
    return f"https://colab.research.google.com/github/{owner_repo}/blob/main/"


def main() -> None:
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if nb.cells[0].cell_type == "code" and "".join(nb.cells[0].source) != setup_cell():
            nb.cells[0].source = setup_cell()
            nb.cells[0].outputs = []
            nbformat.write(nb, path)
            print(f"{path.name}: set-up cell written")
    readme = ROOT / "README.md"
    text = re.sub(r"https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/main/", badge_prefix(),
                  readme.read_text())
    readme.write_text(text)


if __name__ == "__main__":
    main()
