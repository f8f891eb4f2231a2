"""The sliders as a person uses them: JupyterLab 4 on 127.0.0.1, in Debian's chromium driven by Playwright.

For every notebook with a widget: run all cells, move each slider with the keyboard (and tick each box),
and check that the widget's figure was redrawn and that no error output appeared anywhere. A failing
check saves a screenshot (its path is in the message; ``SIMDR_BROWSER_ARTIFACTS`` picks the folder).

Skipped, with the reason, when chromium, Playwright or JupyterLab is missing; ``SIMDR_BROWSER_TESTS=1``
(set by ``.ci/run``, which installs chromium) turns the skip into a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ("01_heatmap_quantization", "02_simdr_encoding", "03_losses", "05_data")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("SIMDR_BROWSER_TESTS") == "1"
#: Chromium flags for a closed network and a root user (no sandbox, no background connections).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
#: JupyterLab settings of the test server: every cell in the DOM (no windowing), so that each widget can be
#: reached; widget comms on the main shell, not on ipykernel 7's subshells (there a slider callback runs on
#: another thread while cells execute: lost outputs and stalled runs, jupyterlab/jupyterlab#19719).
SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/kernels-settings": {"commsOverSubshells": "disabled"}}
RUN_TIMEOUT_MS = 240_000
REDRAW_TIMEOUT_MS = 60_000


def _missing() -> list[str]:
    missing = [] if Path(CHROMIUM).exists() else ["Debian's chromium (apt-get install -y chromium)"]
    missing += [f"the Python package {m}" for m in ("playwright", "jupyterlab")
                if importlib.util.find_spec(m) is None]
    return missing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of the notebooks (configs/ and docs/ linked beside them)."""
    missing = _missing()
    if missing:
        reason = "browser tests need " + " and ".join(missing)
        if REQUIRED:
            pytest.fail(reason + " (SIMDR_BROWSER_TESTS=1 makes this a failure)")
        pytest.skip(reason + "; SIMDR_BROWSER_TESTS=1 makes this a failure")
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", root / "notebooks")
    for folder in ("configs", "docs"):
        (root / folder).symlink_to(ROOT / folder)
    for plugin, values in SETTINGS.items():
        path = root / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(SIMDR_FAST="1", JUPYTERLAB_SETTINGS_DIR=str(root / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"), JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(root / "server.log", "w"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if server.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"JupyterLab did not start: {(root / 'server.log').read_text()[-2000:]}")
    yield {"url": url, "token": token, "root": root}
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


#: JavaScript: the open notebook's code cells, from the model (their execution counts and error outputs).
CELLS_JS = """() => {
  if (!window.jupyterapp || !window.jupyterapp.shell) return null;  // the page is still loading
  const nb = window.jupyterapp.shell.currentWidget;
  if (!nb || !nb.content || !nb.sessionContext.session) return null;
  const cells = nb.content.widgets.filter(c => c.model.type === 'code');
  return {
    kernel: nb.sessionContext.session.kernel ? nb.sessionContext.session.kernel.status : 'none',
    counts: cells.map(c => c.model.executionCount),
    errors: cells.flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error')
                                 .map(o => o.ename + ': ' + o.evalue)),
  };
}"""


def _figure_src(widget) -> str:
    img = widget.locator(".jp-OutputArea-output img").last
    img.wait_for(state="visible", timeout=REDRAW_TIMEOUT_MS)
    return img.get_attribute("src") or ""


def _redrawn(widget, before: str) -> None:
    widget.page.wait_for_function(
        "([el, before]) => { const imgs = el.querySelectorAll('.jp-OutputArea-output img');"
        " const img = imgs[imgs.length - 1]; return img && img.getAttribute('src') !== before; }",
        arg=[widget.element_handle(), before], timeout=REDRAW_TIMEOUT_MS)


def _traceback_texts(page) -> list[str]:
    stderr = ".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']"
    texts = page.locator(stderr).all_inner_texts()
    return [t for t in texts if "Traceback" in t]


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_slider_redraws_its_figure(lab, browser, name, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    shots = Path(os.environ.get("SIMDR_BROWSER_ARTIFACTS", tmp_path))
    try:
        # a workspace of its own, reset: this notebook is the only tab, so the notebook commands act on it
        page.goto(f"{lab['url']}/lab/workspaces/{name}/tree/notebooks/{name}.ipynb?reset&token={lab['token']}")
        page.wait_for_function("() => { const s = (" + CELLS_JS + ")(); return s && s.kernel === 'idle'; }",
                               timeout=RUN_TIMEOUT_MS)
        page.evaluate("() => window.jupyterapp.shell.activateById(window.jupyterapp.shell.currentWidget.id)")
        # the stored outputs (and execution counts) go first, so "every cell has a count" means "ran here"
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        cleared = "() => { const s = (" + CELLS_JS + ")(); return s && s.counts.every(n => n === null); }"
        page.wait_for_function(cleared, timeout=30_000)
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")  # no await
        page.wait_for_function(
            "() => { const s = (" + CELLS_JS + ")(); return s && s.kernel === 'idle' && "
            "s.counts.every(n => n !== null) || (s && s.errors.length > 0); }", timeout=RUN_TIMEOUT_MS)
        state = page.evaluate(CELLS_JS)
        assert not state["errors"], f"{name}: error output {state['errors']}"
        widgets = page.locator(".widget-interact")
        widgets.first.wait_for(state="visible", timeout=REDRAW_TIMEOUT_MS)  # views render after the run
        moved = 0
        for w in range(widgets.count()):
            widget = widgets.nth(w)
            widget.scroll_into_view_if_needed()
            for h in range(widget.locator(".noUi-handle").count()):
                before = _figure_src(widget)
                handle = widget.locator(".noUi-handle").nth(h)
                handle.focus()
                handle.press("ArrowRight")
                _redrawn(widget, before)
                moved += 1
            for b in range(widget.locator("input[type=checkbox]").count()):
                before = _figure_src(widget)
                widget.locator("input[type=checkbox]").nth(b).click()
                _redrawn(widget, before)
                moved += 1
        assert moved >= 3, f"{name}: only {moved} controls found"
        assert not _traceback_texts(page), f"{name}: a traceback appeared: {_traceback_texts(page)[:1]}"
        assert not page.evaluate(CELLS_JS)["errors"]
    except Exception as err:
        shot = shots / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"{err}\nscreenshot: {shot}") from err
    finally:
        page.close()
