"""The notebooks' Colab set-up: one repository address, and a Colab-like fresh kernel that runs them.

The simulation: an empty folder (Colab's /content), a kernel whose Python has no simdr_lite but has
Colab's ipywidgets 7.7, an importable stub ``google.colab``, and ``SIMDR_LITE_REPO`` pointing at a local
clone of this repository (its committed HEAD). Notebooks 01 and 08 must run top to bottom there through
nbclient, the set-up cell must leave ipywidgets at 7.7, and the sliders must work on 7.7.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import run_notebooks  # noqa: E402
import sync_notebooks  # noqa: E402

COLAB_IPYWIDGETS = "7.7.5"  # Colab ships ipywidgets 7.7.x


def test_every_notebook_opens_with_the_set_up_cell_and_the_readme_badges_use_the_address():
    url = sync_notebooks.repository_url()
    assert url.startswith("https://github.com/")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0]
        assert first.cell_type == "code" and first.source == sync_notebooks.setup_cell(), (
            f"{path.name}: run `python tools/sync_notebooks.py`")
        assert f'"SIMDR_LITE_REPO", "{url}"' in first.source
    readme = (ROOT / "README.md").read_text()
    badges = readme.count("https://colab.research.google.com/github/")
    assert badges >= 10 and readme.count(sync_notebooks.badge_prefix()) == badges


def _run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{cmd}: {out.stdout[-2000:]}{out.stderr[-3000:]}"
    return out


@pytest.fixture
def colab(tmp_path_factory):
    """A fresh Colab-like kernel: its own Python (a venv) that sees this environment's packages as plain path
    entries (their .pth files, simdr_lite's editable finder among them, are not run), plus ipywidgets 7.7.
    Function-scoped: every notebook gets a session where nothing was installed yet, as on Colab."""
    if not (ROOT / ".git").exists():
        pytest.skip("the simulation clones this repository: needs a git checkout")
    tmp = tmp_path_factory.mktemp("colab")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([str(python), "-c", where]).stdout.strip())
    (site / "outer_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND", "VIRTUAL_ENV")}
    _run([str(python), "-m", "pip", "install", "-q", f"ipywidgets=={COLAB_IPYWIDGETS}"], env=env)
    probe = _run([str(python), "-c", "import importlib.util, ipywidgets; "
                  "print(importlib.util.find_spec('simdr_lite') is None, ipywidgets.__version__)"], env=env,
                 cwd=tmp)
    assert probe.stdout.split() == ["True", COLAB_IPYWIDGETS]  # no simdr_lite; Colab's ipywidgets
    stubs = tmp / "stubs" / "google" / "colab"  # a namespace 'google' (protobuf's stays importable)
    stubs.mkdir(parents=True)
    (stubs / "__init__.py").write_text("")
    (stubs / "output.py").write_text(
        "import os\n\ndef enable_custom_widget_manager():\n"
        "    open(os.environ['COLAB_STUB_LOG'], 'a').write('custom widget manager\\n')\n")
    kernels = tmp / "jupyter" / "kernels" / "colab-sim"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Colab simulation", "language": "python"}))
    origin = tmp / "origin"
    _run(["git", "clone", "-q", str(ROOT), str(origin)])
    env.update(SIMDR_LITE_REPO=str(origin), SIMDR_FAST="1", PYTHONPATH=str(tmp / "stubs"),
               JUPYTER_PATH=str(tmp / "jupyter"), COLAB_STUB_LOG=str(tmp / "colab_stub.log"))
    return {"tmp": tmp, "python": python, "env": env}


#: Run after a notebook, in its kernel: where simdr_lite came from, ipywidgets' version, and (01) each slider
#: of the heatmap widget moved programmatically, with the figure redrawn in the widget's output.
PROBE = """
import json, ipywidgets, simdr_lite
report = {"simdr_lite": simdr_lite.__file__, "ipywidgets": ipywidgets.__version__, "redraws": []}
if _ is not None:
    for control in _.children[:-1]:
        before = _.result
        control.value = control.value + control.step
        report["redraws"].append(_.result is not None and _.result is not before)
print(json.dumps(report))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_heatmap_quantization", "08_train_coco"])
def test_a_notebook_runs_top_to_bottom_in_a_fresh_colab_like_kernel(colab, name, tmp_path):
    from nbclient import NotebookClient

    content = tmp_path / "content"  # Colab opens a notebook from GitHub into an empty folder
    content.mkdir()
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    widget = next((i for i, c in enumerate(nb.cells) if "widgets.interact_" in c.source), None)
    if widget is not None:  # the probe moves this widget's sliders: keep it as the last result
        nb.cells.insert(widget + 1, nbformat.v4.new_code_cell("_slider_ui = _"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "_ = globals().get('_slider_ui')\n" + PROBE))
    old_env = dict(os.environ)
    os.environ.update(colab["env"])
    try:
        client = NotebookClient(nb, timeout=600, kernel_name="colab-sim",
                                resources={"metadata": {"path": str(content)}})
        run_notebooks.quiet_widgets(client)  # nbclient's Output-widget emulation can deadlock (nbclient#312)
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    report = json.loads(nb.cells[-1].outputs[-1]["text"].strip().splitlines()[-1])
    assert report["simdr_lite"].startswith(str(content / "simdr-lite")), report  # the clone, installed
    assert report["ipywidgets"] == COLAB_IPYWIDGETS  # the set-up cell upgraded nothing
    if widget is not None:
        assert report["redraws"] and all(report["redraws"]), report  # every slider redrew on 7.7
    assert "custom widget manager" in (colab["tmp"] / "colab_stub.log").read_text()


@pytest.mark.slow
def test_widget_unit_tests_pass_on_colabs_ipywidgets(colab):
    assert importlib.util.find_spec("pytest") is not None
    out = subprocess.run([str(colab["python"]), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/notebook/test_widgets.py"], cwd=ROOT, capture_output=True, text=True,
                         env={**colab["env"], "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout[-3000:]
