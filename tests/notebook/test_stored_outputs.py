"""The notebooks' stored outputs agree with the committed recorded runs and with docs/RESULTS.md."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "docs" / "runs" / "demo_64x64_3seeds"


def _stored_text(notebook: str, marker: str) -> str:
    """The printed output of the one code cell of ``notebook`` whose source contains ``marker``."""
    cells = [c for c in json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
             if c["cell_type"] == "code" and marker in "".join(c["source"])]
    assert len(cells) == 1, f"{notebook}: {len(cells)} cells contain {marker!r}"
    return "".join("".join(o.get("text", "")) for o in cells[0]["outputs"]
                   if o.get("output_type") == "stream")


def _demo_rows():
    study = json.loads((DEMO / "results.json").read_text())
    for variant in ("heatmap", "heatmap_post", "simdr"):
        r = study[variant]
        seeds = [f"{100 * a:.1f}" for a in r["AP_seeds"]]
        yield variant, f"{100 * r['AP']:.1f}", f"{100 * r['AP_std']:.1f}", seeds


def test_notebook_07_shows_the_recorded_3_seed_study():
    text = _stored_text("07_training_synthetic.ipynb", 'RECORDED / "results.json"')
    for variant, mean, std, seeds in _demo_rows():
        line = next(line for line in text.splitlines() if line.startswith(variant + " "))
        assert f"{mean} +- {std}" in line and " / ".join(seeds) in line, line


def test_notebook_10_shows_the_recorded_demo():
    text = _stored_text("10_results_vs_paper.ipynb", "demo_vs_paper(")
    for variant, mean, std, _ in _demo_rows():
        line = next(line for line in text.splitlines() if line.startswith(variant + " "))
        assert f"{mean} +- {std}" in line, line


def test_results_md_records_the_same_demo_numbers():
    results = (ROOT / "docs" / "RESULTS.md").read_text()
    for _, mean, std, seeds in _demo_rows():
        assert f"{mean} +- {std} | {' / '.join(seeds)}" in results


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("[01][0-9]_*.ipynb")))
def test_no_stored_output_shows_an_untrained_ap_of_zero(notebook):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    text = "\n".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code"
                     for o in c["outputs"] if o.get("output_type") == "stream")
    assert not re.search(r"\bAP\s+0\.0\b", text), f"{notebook} stores a FAST-path output (AP 0.0)"
