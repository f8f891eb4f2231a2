"""The notebooks' stored outputs agree with the committed recorded runs and with docs/RESULTS.md."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "docs" / "runs"
DEMO = RUNS / "demo_64x64_3seeds"
DEMO128 = RUNS / "demo_128x128_3seeds"
DEMO_LONG = RUNS / "demo_64x64_64epochs_3seeds"


def _stored_text(notebook: str, marker: str) -> str:
    """The printed output of the one code cell of ``notebook`` whose source contains ``marker``."""
    cells = [c for c in json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
             if c["cell_type"] == "code" and marker in "".join(c["source"])]
    assert len(cells) == 1, f"{notebook}: {len(cells)} cells contain {marker!r}"
    return "".join("".join(o.get("text", "")) for o in cells[0]["outputs"]
                   if o.get("output_type") == "stream")


def _demo_rows(folder: Path = DEMO):
    study = json.loads((folder / "results.json").read_text())
    for variant in ("heatmap", "heatmap_post", "simdr"):
        r = study[variant]
        seeds = [f"{100 * a:.1f}" for a in r["AP_seeds"]]
        yield variant, f"{100 * r['AP']:.1f}", f"{100 * r['AP_std']:.1f}", seeds


def test_notebook_07_shows_the_recorded_3_seed_study():
    text = _stored_text("07_training_synthetic.ipynb", 'RECORDED / "results.json"')
    for variant, mean, std, seeds in _demo_rows():
        line = next(line for line in text.splitlines() if line.startswith(variant + " "))
        assert f"{mean} +- {std}" in line and " / ".join(seeds) in line, line


def test_notebook_07_shows_the_recorded_128x128_study():
    text = _stored_text("07_training_synthetic.ipynb", 'RECORDED_128 / "results.json"')
    for variant, mean, std, seeds in _demo_rows(DEMO128):
        line = next(line for line in text.splitlines() if line.startswith(variant + " "))
        assert f"{mean} +- {std}" in line and " / ".join(seeds) in line, line


def test_notebook_07_shows_the_recorded_64_epoch_study():
    text = _stored_text("07_training_synthetic.ipynb", 'RECORDED_LONG / "results.json"')
    for (variant, mean16, std16, _), (_, mean, std, seeds) in zip(_demo_rows(), _demo_rows(DEMO_LONG)):
        line = next(line for line in text.splitlines() if line.startswith(variant + " "))
        assert f"{mean16} +- {std16}" in line and f"{mean} +- {std}" in line, line
        assert " / ".join(seeds) in line, line


def test_notebook_10_shows_the_recorded_demos():
    text = _stored_text("10_results_vs_paper.ipynb", "demo_vs_paper(")
    halves = text.split("128x128:")
    assert len(halves) == 2 and halves[0].startswith("64x64:")
    for half, folder in zip(halves, (DEMO, DEMO128)):
        for variant, mean, std, _ in _demo_rows(folder):
            line = next(line for line in half.splitlines() if line.startswith(variant + " "))
            assert f"{mean} +- {std}" in line, line


def _sweep(size: str) -> dict[str, float]:
    summary = json.loads((RUNS / f"ksweep_tiny_{size}" / "results.json").read_text())
    return {k: 100 * v["AP"] for k, v in summary.items()}


def test_notebooks_10_and_11_show_the_recorded_k_sweeps():
    text10 = _stored_text("10_results_vs_paper.ipynb", "recorded_k_sweep(")
    text11 = _stored_text("11_why_it_works.ipynb", "round(kx)/k")
    for size in ("64x64", "128x128"):
        sweep = _sweep(size)
        line = next(line for line in text10.splitlines() if line.startswith(f"synthetic {size}"))
        assert ", ".join(f"{k[0]}={k[1:]}: {ap:.1f}" for k, ap in sweep.items()) in line, line
        column = 1 + ("64x64", "128x128").index(size)
        got = [line.split()[-2:][column - 1] for line in text11.splitlines()[1:5]]
        assert got == [f"{ap:.1f}" for ap in sweep.values()], (size, got)


def test_notebook_11_rescores_the_recorded_models():
    text = _stored_text("11_why_it_works.ipynb", "recorded: ")
    seed0 = json.loads((DEMO / "seed0" / "results.json").read_text())
    for run in ("heatmap", "simdr"):
        line = next(line for line in text.splitlines() if line.startswith(run + " "))
        assert f"(recorded: {100 * seed0[run]['AP']:.1f})" in line, line


def test_results_md_records_the_same_demo_numbers():
    results = (ROOT / "docs" / "RESULTS.md").read_text()
    for folder in (DEMO, DEMO128, DEMO_LONG):
        for _, mean, std, seeds in _demo_rows(folder):
            assert f"{mean} +- {std} | {' / '.join(seeds)}" in results
    for size in ("64x64", "128x128"):
        assert " / ".join(f"{ap:.1f}" for ap in _sweep(size).values()) in results, size


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("[01][0-9]_*.ipynb")))
def test_no_stored_output_shows_an_untrained_ap_of_zero(notebook):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    text = "\n".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code"
                     for o in c["outputs"] if o.get("output_type") == "stream")
    assert not re.search(r"\bAP\s+0\.0\b", text), f"{notebook} stores a FAST-path output (AP 0.0)"
