"""The paper's numbers beside the numbers measured here (Tables 2-8 and Figure 3).

``simdr-lite eval --config CONFIG --checkpoint CKPT [--set KEY=VALUE ...]`` appends
``config, checkpoint, overrides, <metrics>`` to ``runs/runs.csv`` (``overrides``: the ``--set``
strings joined by ``;``; a header row above each group of rows names the metrics). :func:`read_runs`
reads that file (and the older ``config, checkpoint, <metrics>`` rows) and maps each row's config path
and overrides to the paper cells it reproduces (:func:`config_cells`); :func:`compare_tables` lays
every paper table out with the paper's number beside the measured one (``None``, printed "—", where
nothing was measured); :func:`figure3` gives the k ablation's AP-vs-k curves and
:data:`FIG3_RECOMMENDED_K` the paper's recommended ``k`` (Figure 3 prints no numbers).

A config reproduces a cell by *where it lives* under ``configs/`` (the layout
``tools/make_paper_configs.py`` writes, see the README's paper -> config table), so the mapping needs
no file but ``runs.csv``. The committed heatmap configs set ``test.post_process: true``, so a heatmap
run fills the "Extra post. = Y" cell of Table 2, and with ``--set test.post_process=false`` the
"Extra post. = N" cell (only Table 2 has heatmap rows without post-processing). The paper's COCO
numbers use detected boxes (``--set data.use_gt_bbox=false``; most committed COCO configs use the
ground-truth boxes): :meth:`TableComparison.format` lists each measured row's overrides under the
table, so the boxes a number was measured with can be read there. Table 5 (COCO test-dev) is laid out
with nothing beside it: test-dev AP comes only from the COCO evaluation server, never from ``runs.csv``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import torch
import yaml

from simdr_lite.evaluation.mpii import GROUPS
from simdr_lite.models import build_model, complexity, macs
from simdr_lite.notebook.paper import (
    MPII_COLUMNS,
    TABLE2,
    TABLE3,
    TABLE4,
    TABLE5,
    TABLE6,
    TABLE7,
    TABLE8,
    Row,
    input_size_wh,
)
from simdr_lite.representations import REPRESENTATIONS

#: The metric names of each dataset's evaluator, in order (``simdr_lite.evaluation``:
#: ``coco.STAT_NAMES``, ``crowdpose.CROWD_STAT_NAMES``, the keys of ``mpii.pckh``; for MPII
#: ``simdr-lite eval`` adds the per-joint ``Head@0.1`` ... ``Ankle@0.1``). Used to name the metrics of
#: the older ``runs.csv`` rows, which have no header of their own.
METRIC_NAMES: dict[str, tuple[str, ...]] = {
    "coco": ("AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl"),
    "crowdpose": ("AP", "AP50", "AP75", "AR", "AR50", "AR75", "APE", "APM", "APH"),
    "mpii": ("Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Mean", "Mean@0.1"),
}
#: COCO and CrowdPose stats are fractions, MPII PCKh is in percent; the paper prints percent.
SCALE = {"coco": 100.0, "crowdpose": 100.0, "mpii": 1.0}

TITLES = {
    "2": "Table 2 · COCO val2017: heatmap (with / without extra post-processing) vs SimDR",
    "3": "Table 3 · COCO val2017: HRNet-W48 at higher input resolution, heatmap / SimDR / SimDR*",
    "4": "Table 4 · COCO val2017: SimBa-Res50 with deconvolutions (heatmap) vs without (SimDR)",
    "5": "Table 5 · COCO test-dev: SimDR* and the heatmap on the same networks (evaluation server only)",
    "6": "Table 6 · COCO val2017: SimpleBaseline at 384x288",
    "7": "Table 7 · CrowdPose test: HRNet-W32",
    "8": "Table 8 · MPII val: HRNet-W32, PCKh@0.5 and PCKh@0.1",
}
_COCO6 = ("AP", "AP50", "AP75", "APM", "APL", "AR")
#: Accuracy columns compared per table (Table 4's FPS is machine-dependent: notebook 04 / bench).
COLUMNS: dict[str, tuple[str, ...]] = {
    "2": ("AP", "AR"), "3": _COCO6, "4": ("AP",), "5": _COCO6, "6": _COCO6,
    "7": ("AP", "AP50", "AP75", "APE", "APM", "APH"), "8": MPII_COLUMNS,
}
COMPLEXITY_COLUMNS = ("Params", "GFLOPs")
#: Table 8's joint columns as the paper abbreviates them (display only).
_SHORT = {"Head": "Hea", "Shoulder": "Sho", "Elbow": "Elb", "Wrist": "Wri", "Knee": "Kne", "Ankle": "Ank"}
#: Paper column -> ``runs.csv`` metric name, per dataset.
_METRIC_OF = {
    "coco": {"AP": "AP", "AP50": "AP50", "AP75": "AP75", "APM": "APm", "APL": "APl", "AR": "AR"},
    "crowdpose": {c: c for c in COLUMNS["7"]},
    "mpii": {c: c for c in MPII_COLUMNS},
}

#: Figure 3 (Sec. 4.2): the splitting factors tried and the recommended one per (model, input).
FIG3_K = (1, 2, 3, 4)
FIG3_RECOMMENDED_K: dict[tuple[str, str], int] = {
    ("hrnet_w32", "128x128"): 2,
    ("hrnet_w32", "256x192"): 2,
    ("simbaseline_res50", "128x128"): 3,
    ("simbaseline_res50", "256x192"): 2,
}

_HEAD_DIRS = {"heatmap": "heatmap", "simdr": "simdr", "sa_simdr": "sa-simdr"}
_SIZE = re.compile(r"(?<![0-9])(\d+)x(\d+)(?![0-9])")


@dataclass(frozen=True)
class Cell:
    """One row of a paper table (``table`` "2".."8") or one point of Figure 3 (``table`` "fig3").

    ``post``: Table 2's "Extra post." (None elsewhere); ``setting``: "PCKh@0.5" / "PCKh@0.1" in
    Table 8; ``k``: the splitting factor of a Figure 3 point.
    """

    table: str
    model: str
    head: str
    input: str
    post: bool | None = None
    setting: str = ""
    k: float | None = None


@dataclass(frozen=True)
class Run:
    """One ``runs.csv`` row: ``metrics`` as ``simdr-lite eval`` wrote them, ``cells`` it reproduces,
    ``overrides`` its ``--set`` strings (() for rows written before eval recorded them)."""

    config: str
    checkpoint: str
    dataset: str | None
    metrics: dict[str, float]
    cells: tuple[Cell, ...]
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComparedRow:
    """One table row: the paper's numbers and ours (None = not measured) by column; ``source`` is
    the config of the run the measured numbers come from, ``overrides`` that run's ``--set`` strings."""

    cell: Cell
    paper: dict[str, float | None]
    measured: dict[str, float | None]
    source: str | None = None
    overrides: tuple[str, ...] = ()


@dataclass
class TableComparison:
    """A paper table with the measured numbers beside the paper's."""

    table: str
    title: str
    columns: tuple[str, ...]
    rows: list[ComparedRow] = field(default_factory=list)

    def _cells(self) -> list[bool]:
        return [r.measured.get(c) is not None for r in self.rows for c in self.columns
                if r.paper.get(c) is not None]

    @property
    def measured(self) -> int:
        """Number of paper numbers that have a measured counterpart."""
        return sum(self._cells())

    @property
    def unmeasured(self) -> int:
        """Number of paper numbers with nothing measured beside them."""
        return len(self._cells()) - self.measured

    def format(self, digits: int = 1) -> str:
        """A fixed-width text table: for each column the paper's number, then ours (— if none)."""

        def num(v: float | None) -> str:
            return "—" if v is None else f"{v:.{digits}f}"

        extra = {"2": ["post"], "8": ["PCKh"]}.get(self.table, [])
        labels = ["model", "head", "input", *extra]
        names = [_SHORT.get(c, c) for c in self.columns]
        table = [labels + [v for c in names for v in (f"{c} paper", "ours")]]
        for r in self.rows:
            c = r.cell
            lab = [c.model, c.head, c.input] + {"2": ["Y" if c.post else "N"],
                                                "8": [c.setting.removeprefix("PCKh")]}.get(self.table, [])
            nums = [num(d.get(col)) for col in self.columns for d in (r.paper, r.measured)]
            table.append(lab + nums)
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        n = len(labels)
        lines = [self.title]
        for row in table:
            left = "  ".join(v.ljust(w) for v, w in zip(row[:n], widths[:n]))
            pairs = [f"{row[i].rjust(widths[i])} {row[i + 1].rjust(widths[i + 1])}"
                     for i in range(n, len(row), 2)]
            lines.append(left + " | " + " | ".join(pairs))
        lines.append(f"measured {self.measured} of {self.measured + self.unmeasured} numbers, "
                     f"unmeasured {self.unmeasured}")
        for label, r in zip(table[1:], self.rows):  # e.g. data.use_gt_bbox=false: the paper's boxes
            if r.overrides:
                lines.append(f"  {' '.join(label[:n])}: --set {' --set '.join(r.overrides)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class KCurve:
    """Figure 3, one (model, input): measured ``(k, AP x 100)`` sorted by k, and the paper's best k."""

    model: str
    input: str
    recommended_k: int
    points: tuple[tuple[float, float], ...]


def parse_config_path(config: str | Path) -> dict | None:
    """Dataset, model, head, input (paper ``"HxW"``) and, for ``configs/ablation_k``, ``k`` of a
    config, read from its path under ``configs/``; None for a path outside that layout."""
    parts = PurePosixPath(str(config).replace("\\", "/")).parts
    if "configs" not in parts:
        return None
    rel = parts[len(parts) - 1 - parts[::-1].index("configs") + 1:]
    if len(rel) < 2 or not rel[-1].endswith((".yaml", ".yml")):
        return None
    stem = rel[-1].rsplit(".", 1)[0]
    size = _SIZE.search(stem)
    if size is None:
        return None
    h, w = size.groups()
    if rel[0] == "ablation_k":
        m = re.fullmatch(r"(simbaseline_res50|hrnet_w32)_(\d+x\d+)_k(\d+(?:\.\d+)?)", stem)
        if m is None or len(rel) != 2:
            return None
        return {"dataset": "coco", "model": m[1], "head": "simdr", "input": m[2], "k": float(m[3]),
                "ablation": True}
    dataset, family = rel[0], rel[1]
    if dataset not in METRIC_NAMES or len(rel) < 3:
        return None
    if len(rel) >= 4 and rel[2] in _HEAD_DIRS:
        head = _HEAD_DIRS[rel[2]]
    elif stem.endswith(("_heatmap", "_simdr")):
        head = stem.rsplit("_", 1)[1]
    else:
        return None
    if family == "tokenpose":
        model = "tokenpose_s"
    elif family == "hrnet" and (m := re.search(r"(?:^|_)w(32|48)_", stem)):
        model = f"hrnet_w{m[1]}"
    elif family == "resnet" and (m := re.search(r"(?:^|_)res(50|101|152)_", stem)):
        model = "upfree_res50" if "upsample_free" in rel else f"simbaseline_res{m[1]}"
    else:
        return None
    return {"dataset": dataset, "model": model, "head": head, "input": f"{h}x{w}", "k": None,
            "ablation": False}


def override_value(overrides: Iterable[str], key: str) -> object | None:
    """The value ``--set key=value`` gives ``key`` in ``overrides`` (parsed as YAML, as ``load_config``
    does; the last one wins), None if ``key`` is not overridden."""
    value = None
    for pair in overrides:
        name, _, text = pair.partition("=")
        if name.strip() == key:
            value = yaml.safe_load(text)
    return value


def config_cells(config: str | Path, overrides: Iterable[str] = ()) -> tuple[Cell, ...]:
    """The paper cells a config, evaluated with the ``--set`` strings ``overrides``, reproduces: a COCO
    config may fill Table 2 and 3 or 4 at once (the paper repeats those rows); an ``ablation_k``
    config gives one Figure 3 point; () if none. A heatmap run has Table 2's extra post-processing
    (the committed heatmap configs set ``test.post_process: true``) unless ``overrides`` turn it off;
    then it fills only Table 2's "post = N" row."""
    p = parse_config_path(config)
    if p is None:
        return ()
    key = (p["model"], p["head"], p["input"])
    if p["ablation"]:
        return (Cell("fig3", *key, k=p["k"]),)
    heatmap = REPRESENTATIONS[p["head"]].heatmap_head  # Table 2's "Extra post." is for heatmaps
    post = heatmap and override_value(overrides, "test.post_process") is not False
    if heatmap and not post:  # only Table 2 has heatmap rows without the post-processing
        rows = TABLE2 if p["dataset"] == "coco" else ()
        return tuple(Cell("2", *key, post=False) for r in rows
                     if (r.model, r.head, r.input, r.post) == (*key, False))
    cells: list[Cell] = []
    if p["dataset"] == "coco":
        for table, rows in (("2", TABLE2), ("3", TABLE3), ("4", TABLE4), ("6", TABLE6)):
            for r in rows:
                if (r.model, r.head, r.input) == key and r.post in (None, post):
                    cells.append(Cell(table, *key, post=r.post))
    elif p["dataset"] == "crowdpose":
        cells += [Cell("7", *key) for r in TABLE7 if (r.model, r.head, r.input) == key]
    elif p["model"] == "hrnet_w32":  # mpii
        cells += [Cell("8", *key, setting=f"PCKh@{t}") for h, s, t in TABLE8 if (h, s) == key[1:]]
    return tuple(cells)


def _float(v: str) -> float | None:
    try:
        return float(v)
    except ValueError:
        return None


def read_runs(path: str | Path) -> list[Run]:
    """Rows of ``runs.csv`` (``simdr-lite eval``'s log) with the cells each reproduces; [] if the file
    is missing.

    A row is named by the last header row above it. Rows under a ``config, checkpoint, overrides, ...``
    header carry their ``--set`` strings (joined by ``;``). Under an older ``config, checkpoint, ...``
    header (one for the whole file, which may mix COCO, CrowdPose and MPII rows) a row has no overrides
    and its metrics are named by the config's dataset when their count fits it, else by the header.
    """
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    if not rows:
        return []
    header, runs = rows[0], []
    for row in rows[1:]:
        if row[:2] == ["config", "checkpoint"]:
            header = row
            continue
        if len(row) < 2 or row[:2] == header[:2]:
            continue
        parsed = parse_config_path(row[0])
        dataset = parsed["dataset"] if parsed else None
        if header[2:3] == ["overrides"]:
            overrides = tuple(s for s in row[2].split(";") if s) if len(row) > 2 else ()
            names, values = header[3:], row[3:]
        else:
            overrides, values = (), row[2:]
            names = METRIC_NAMES.get(dataset or "", ())
            if len(names) != len(values):
                names = header[2:]
        metrics = {n: x for n, v in zip(names, values) if (x := _float(v)) is not None}
        runs.append(Run(row[0], row[1], dataset, metrics, config_cells(row[0], overrides), overrides))
    return runs


def _paper_values(table: str, row: Row | tuple[float, ...], with_complexity: bool) -> dict:
    if table == "8":
        values = dict(zip(MPII_COLUMNS, row))
    else:
        values = {"AP": row.ap, "AR": row.ar, **dict(row.extra)}
        if with_complexity:
            values.update(Params=row.params_m, GFLOPs=row.gflops)
    return {c: values.get(c) for c in COLUMNS[table] + (COMPLEXITY_COLUMNS if with_complexity else ())}


def _measured_values(table: str, cell: Cell, run: Run | None) -> dict[str, float | None]:
    if run is None or run.dataset is None:
        return {}
    names = _METRIC_OF[run.dataset]
    if table == "8" and cell.setting == "PCKh@0.1":
        names = {c: f"{c}@0.1" for c in MPII_COLUMNS}  # rows written before eval added the joints: Mean only
    scale = SCALE[run.dataset]
    return {c: run.metrics[m] * scale for c, m in names.items() if m in run.metrics}


def _paper_rows(table: str) -> list[tuple[Cell, Row | tuple[float, ...]]]:
    if table == "8":
        return [(Cell("8", "hrnet_w32", h, s, setting=f"PCKh@{t}"), v)
                for (h, s, t), v in sorted(TABLE8.items(), key=lambda kv: (-kv[0][2], kv[0][1] != "64x64"))]
    rows = {"2": TABLE2, "3": TABLE3, "4": TABLE4, "5": TABLE5, "6": TABLE6, "7": TABLE7}[table]
    return [(Cell(table, r.model, r.head, r.input, post=r.post if table == "2" else None), r) for r in rows]


def compare_tables(runs: Iterable[Run] = (), complexity: Iterable[Mapping] | None = None
                   ) -> dict[str, TableComparison]:
    """Tables 2-8 with the paper's numbers beside the measured ones (Table 5: never measured here).

    ``runs``: :func:`read_runs`'s rows; the last run of a cell wins. ``complexity``: optional rows of
    :func:`simdr_lite.models.paper_complexity_table` (keys ``model, head, input, params_m, gflops``);
    given, Tables 2-4 get ``Params`` (M) and ``GFLOPs`` columns filled with them (slow on a CPU: notebook
    04 shows that table).
    """
    latest: dict[Cell, Run] = {}
    for run in runs:
        for cell in run.cells:
            latest[cell] = run
    comp = (None if complexity is None else
            {(c["model"], REPRESENTATIONS[c["head"]].heatmap_head, c["input"]): c for c in complexity})
    out = {}
    for table, title in TITLES.items():
        with_c = comp is not None and table in ("2", "3", "4")
        tc = TableComparison(table, title, COLUMNS[table] + (COMPLEXITY_COLUMNS if with_c else ()))
        for cell, row in _paper_rows(table):
            run = latest.get(cell)
            measured = _measured_values(table, cell, run)
            if with_c:
                c = comp.get((cell.model, REPRESENTATIONS[cell.head].heatmap_head, cell.input))
                if c is not None:
                    measured.update(Params=c["params_m"], GFLOPs=c["gflops"])
            measured = {k: measured.get(k) for k in tc.columns}
            tc.rows.append(ComparedRow(cell, _paper_values(table, row, with_c), measured,
                                       run.config if run else None, run.overrides if run else ()))
        out[table] = tc
    return out


def figure3(runs: Iterable[Run] = ()) -> list[KCurve]:
    """Figure 3 (Sec. 4.2, the splitting factor ablation): for each (model, input) of
    :data:`FIG3_RECOMMENDED_K`, the measured AP x 100 per k from ``configs/ablation_k`` runs (the last
    run of a k wins; no points when none) and the paper's recommended k."""
    aps: dict[tuple[str, str], dict[float, float]] = {key: {} for key in FIG3_RECOMMENDED_K}
    for run in runs:
        for cell in run.cells:
            if cell.table == "fig3" and "AP" in run.metrics and (cell.model, cell.input) in aps:
                aps[(cell.model, cell.input)][cell.k] = run.metrics["AP"] * SCALE["coco"]
    return [KCurve(m, s, k, tuple(sorted(aps[(m, s)].items()))) for (m, s), k in FIG3_RECOMMENDED_K.items()]


def demo_vs_paper(path: str | Path, size: str = "64x64") -> list[dict] | None:
    """The demo's ``results.json`` (``make demo``, or a ``--seeds`` summary) as rows ``variant, post,
    AP, AP_std, AR`` (x 100; ``AP_std`` is 0 for one seed) beside Table 2's SimBa-Res50 row of the same
    kind at input ``size`` (``"64x64"`` or ``"128x128"``; a tiny network on synthetic data: the layout is
    the paper's, the setting is not); None if the file is missing."""
    path = Path(path)
    if not path.is_file():
        return None
    results = json.loads(path.read_text())
    paper = {(r.head, r.post): r for r in TABLE2 if r.model == "simbaseline_res50" and r.input == size}
    if not paper:
        raise ValueError(f"Table 2 has no SimBa-Res50 row at {size!r}: use 64x64, 128x128 or 256x192")
    rows = []
    for variant, head, post in (("heatmap", "heatmap", False), ("heatmap_post", "heatmap", True),
                                ("simdr", "simdr", False)):
        if variant not in results:
            continue
        r, p = results[variant], paper[(head, post)]
        rows.append({"variant": variant, "post": post, "AP": 100 * r["AP"],
                     "AP_std": 100 * r.get("AP_std", 0.0), "AR": 100 * r["AR"],
                     "paper_AP": p.ap, "paper_AR": p.ar})
    return rows


def recorded_k_sweep(folder: str | Path) -> list[tuple[float, float]]:
    """``(k, AP x 100)`` of a recorded k sweep: one ``k<k>/results.json`` per run under ``folder``
    (written by :func:`simdr_lite.notebook.runs.record_run`), sorted by k; empty if none."""
    points = []
    for results in sorted(Path(folder).glob("k*/results.json")):
        k = float(results.parent.name[1:])
        points.append((k, 100 * json.loads(results.read_text())["AP"]))
    return sorted(points)


def count_cells(tables: Mapping[str, TableComparison]) -> tuple[int, int]:
    """``(measured, unmeasured)`` numbers over all tables."""
    return sum(t.measured for t in tables.values()), sum(t.unmeasured for t in tables.values())


__all__ = [
    "COLUMNS", "FIG3_K", "FIG3_RECOMMENDED_K", "METRIC_NAMES", "SCALE", "TITLES", "Cell", "ComparedRow",
    "KCurve", "Run", "TableComparison", "compare_tables", "config_cells", "count_cells", "demo_vs_paper",
    "figure3", "override_value", "parse_config_path", "read_runs", "recorded_k_sweep",
]


def official_k(model: str, size: str) -> float:
    """The splitting factor of the official SimDR config for a model and ``"HxW"`` input (TokenPose: 2)."""
    k3 = {"simbaseline_res50": ("64x64", "128x128"), "simbaseline_res101": ("64x64",),
          "hrnet_w32": ("64x64",), "hrnet_w48": ("64x64",), "upfree_res50": ("64x64", "128x128")}
    if size in k3.get(model, ()):
        return 3.0
    return 1.5 if (model, size) == ("hrnet_w48", "384x288") else 2.0


def paper_complexity_table(sizes: Sequence[str] | None = None) -> list[dict]:
    """Our #Params / GFLOPs / true GMACs beside the paper's for every model of Tables 2, 3 and 4.

    SimDR cells use the official configs' ``k`` (and ``channels_per_joint`` for the upfree ResNet).
    ``sizes`` keeps only some inputs (paper notation, e.g. ``("64x64",)``).
    """
    rows, seen = [], set()
    for r in TABLE2 + TABLE3 + TABLE4:
        heatmap = REPRESENTATIONS[r.head].heatmap_head  # the network differs only by its head
        key = (r.model, heatmap, r.input)
        if key in seen or (sizes is not None and r.input not in sizes):
            continue
        seen.add(key)
        k = None if heatmap else official_k(r.model, r.input)
        kw = {"channels_per_joint": 28 if r.input == "256x192" else 32} if r.model == "upfree_res50" else {}
        size = input_size_wh(r.input)
        with torch.device("meta"):  # shapes only: no memory, no weight initialisation
            model = build_model(r.model, input_size=size, simdr_k=k, **kw)
        params, gflops = complexity(model, size)
        rows.append({"model": r.model, "head": r.head, "input": r.input, "k": k,
                     "params_m": params, "paper_params_m": r.params_m, "gflops": gflops,
                     "paper_gflops": r.gflops, "gmacs": macs(model, size)})
    return rows


def tables_from_metrics(metrics: Mapping[str, float]) -> dict[float, dict[str, float]]:
    """``{0.5: table, 0.1: table}`` from the flat metrics ``simdr-lite eval`` writes for MPII (groups and
    ``Mean`` at 0.5, ``<group>@0.1`` and ``Mean@0.1``): the layout :func:`table8_beside` takes."""
    return {0.5: {**{g: metrics[g] for g in GROUPS}, "Mean": metrics["Mean"]},
            0.1: {**{g: metrics[f"{g}@0.1"] for g in GROUPS}, "Mean": metrics["Mean@0.1"]}}


def table8_beside(
    measured: Mapping[tuple[str, str], Mapping[float, Mapping[str, float]]],
    thresholds: tuple[float, ...] = (0.5, 0.1),
) -> str:
    """Text table: each row of the paper's Table 8 (HRNet-W32, MPII val), our measured row under it.

    ``measured[(head, "HxW")][threshold]`` is a :func:`pckh` table computed at that threshold (e.g.
    from :func:`pckh_tables`); paper rows without a measurement are printed alone. One block per
    threshold, columns Head ... Ankle and Mean, in percent with one decimal.
    """
    def line(label: str, source: str, values) -> str:
        return f"{label:17s}{source:6s}" + "".join(f"{v:>9.1f}" for v in values)

    lines = []
    for t in thresholds:
        lines.append(f"{'PCKh@' + format(t, 'g'):23s}" + "".join(f"{c:>9s}" for c in MPII_COLUMNS))
        for (head, size, thr), row in TABLE8.items():
            if thr != t:
                continue
            lines.append(line(f"{head} {size}", "paper", row))
            if (head, size) in measured:
                table = measured[(head, size)][t]
                lines.append(line("", "ours", [table.get(c, float("nan")) for c in MPII_COLUMNS]))
        lines.append("")
    return "\n".join(lines).rstrip()
