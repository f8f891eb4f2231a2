"""The main job: the synthetic low-resolution study (``simdr-lite demo`` / ``make demo``).

The paper's central result (Table 2, 64x64 rows) reproduced on data anyone can make: the same small
SimpleBaseline, started from one pretrained backbone (``simdr-lite pretrain``, the stand-in for the
paper's ImageNet weights; from scratch when the file is absent), is fine-tuned on the synthetic pose set
at 64x64 input once with a heatmap head and once with a SimDR head (k = 3, as the official 64x64
configs), with the same schedule and optimizer, then both are scored with COCO OKS AP: heatmap with
and without the quarter-pixel post-processing, SimDR without any. Flip test is off so that only the
representation differs. Writes ``report.md``, ``results.json``, ``curves.png`` and ``predictions.png``
to the output directory; ``seeds > 1`` repeats the study per seed (other data, other init) in
``out/seed<i>/`` and writes the mean +- std beside them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from simdr_lite import build
from simdr_lite.engine import train, validate
from simdr_lite.engine.checkpoint import load_checkpoint
from simdr_lite.engine.config import Config, from_dict
from simdr_lite.models.tiny import BACKBONE_FILE

#: The embedded defaults (``configs/synthetic/*.yaml`` are these, written out).
DEMO_BASE: dict[str, Any] = {
    "model": {"name": "simbaseline_tiny", "input_size": [64, 64], "pretrained": "imagenet"},
    "data": {"dataset": "synthetic", "root": "runs/data/synthetic", "synthetic_images": [1200, 200],
             "color_rgb": True, "scale_factor": 0.3, "rotation_factor": 40.0, "half_body_prob": 0.0,
             "workers": 0, "cache_images": True},
    "train": {"epochs": 16, "lr": 1e-3, "milestones": [12, 15], "batch_size": 32, "reference_batch": 0,
              "val_every": 0, "channels_last": True},  # the demo's own recipe: no official global batch
    "test": {"flip_test": False, "batch_size": 64},
}
#: The two trainings of the study: run name -> its config overrides (the official 64x64 settings:
#: heatmap sigma 1 cell; SimDR k = 3 with label smoothing 0.1; each its official rescoring threshold).
RUNS: dict[str, dict[str, Any]] = {
    "heatmap": {"representation": {"name": "heatmap", "heatmap_sigma": 1.0}, "test": {"in_vis_thre": 0.2}},
    "simdr": {"representation": {"name": "simdr", "k": 3.0, "label_smoothing": 0.1},
              "test": {"in_vis_thre": 0.02}},
}
FAST = {"data": {"synthetic_images": [48, 16]}, "train": {"epochs": 1, "milestones": [1]}}

#: The reported variants: name -> (the run it scores, the test settings it is scored with).
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "heatmap": ("heatmap", {"test": {"post_process": False}}),
    "heatmap_post": ("heatmap", {"test": {"post_process": True}}),
    "simdr": ("simdr", {}),
}
#: Table 2's matching rows (SimBa-Res50, COCO val AP): the demo's network is a small SimpleBaseline.
TABLE2_ROWS = {64: {"heatmap_post": 34.4, "heatmap": 25.8, "simdr": 40.8},
               128: {"heatmap_post": 60.3, "heatmap": 55.4, "simdr": 62.6}}


def demo_config(run: str, fast: bool = False, root: str | None = None, size: int = 64, seed: int = 0,
                pretrained: bool = True, epochs: int | None = None, lr: float | None = None,
                batch_size: int | None = None) -> Config:
    """The demo's config for ``run`` (one of :data:`RUNS`) at ``size`` x ``size`` input (``fast``: a few
    images and one epoch, for tests and CI). ``seed`` draws the synthetic data and the initialisation;
    ``pretrained``: start from the committed backbone (``model.pretrained: imagenet``,
    :data:`BACKBONE_FILE` for this network), or from scratch when False or when the file is absent.
    ``epochs``: a longer (or shorter) schedule of the same shape, decays at 3/4 and 15/16 of it.
    ``lr``, ``batch_size``: both heads' Adam learning rate (default 1e-3, the official one) and batch
    (default 32, the official per-GPU batch)."""
    if size < 32 or size % 16:
        raise ValueError(f"demo input size must be a multiple of 16 (the network's stride) and >= 32, "
                         f"got {size}")
    if root is None and seed:
        root = f"{DEMO_BASE['data']['root']}-seed{seed}"  # each seed's data in its own folder
    extra = {"data": {"root": root}} if root else {}
    backbone = "imagenet" if pretrained and BACKBONE_FILE.is_file() else ""
    if epochs is not None:
        if epochs < 1:
            raise ValueError(f"demo epochs must be >= 1, got {epochs}")
        decays = [max(1, epochs * 3 // 4), max(1, epochs * 15 // 16)]
        extra["train"] = {"epochs": epochs, "milestones": decays}
    if lr is not None:
        if not lr > 0:
            raise ValueError(f"demo lr must be > 0, got {lr}")
        extra.setdefault("train", {})["lr"] = float(lr)
    if batch_size is not None:
        if batch_size < 1:
            raise ValueError(f"demo batch_size must be >= 1, got {batch_size}")
        extra.setdefault("train", {})["batch_size"] = int(batch_size)
    return from_dict(DEMO_BASE, RUNS[run], FAST if fast else {}, extra,
                     {"model": {"input_size": [size, size], "pretrained": backbone}, "train": {"seed": seed},
                      "description": f"simdr-lite demo: {run} run, {size}x{size}, synthetic set"})


def run_demo(out_dir: str | Path = "runs/demo", *, fast: bool = False, device: str | None = None,
             progress: bool = True, parallel: bool | None = None, size: int = 64, seeds: int = 1,
             pretrained: bool = True, epochs: int | None = None, lr: float | None = None,
             batch_size: int | None = None) -> dict[str, dict[str, Any]]:
    """Train both heads, evaluate the three variants, write the report; returns the COCO stats.

    ``size``: the input side (64, the default, is the paper's 64x64 rows; 128 its 128x128 rows).
    ``seeds`` > 1: one study per seed 0 .. seeds-1 in ``out_dir/seed<i>``, then the mean of each stat
    in ``out_dir/results.json`` (same keys, plus ``AP_std`` and the per-seed ``AP_seeds``).
    ``epochs``, ``lr``, ``batch_size``: both heads' schedule (default 16 epochs, the ``make demo``
    budget), learning rate (default 1e-3) and batch (default 32); see :func:`demo_config`.
    """
    if seeds < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    out = Path(out_dir)
    if seeds > 1:
        per_seed = [run_demo_seed(out / f"seed{s}", seed=s, fast=fast, device=device, progress=progress,
                                  parallel=parallel, size=size, pretrained=pretrained, epochs=epochs, lr=lr,
                                  batch_size=batch_size)
                    for s in range(seeds)]
        summary = summarize(per_seed)
        (out / "results.json").write_text(json.dumps(summary, indent=2))
        cfg = demo_config("simdr", fast=fast, size=size, pretrained=pretrained, epochs=epochs, lr=lr,
                          batch_size=batch_size)
        (out / "report.md").write_text(_report(summary, {}, cfg, _oracle(out / "seed0", size), seeds=seeds,
                                               prefix="seed0/"))
        return summary
    return run_demo_seed(out, fast=fast, device=device, progress=progress, parallel=parallel, size=size,
                         pretrained=pretrained, epochs=epochs, lr=lr, batch_size=batch_size)


def run_demo_seed(out_dir: str | Path, *, seed: int = 0, fast: bool = False, device: str | None = None,
                  progress: bool = True, parallel: bool | None = None, size: int = 64,
                  pretrained: bool = True, epochs: int | None = None, lr: float | None = None,
                  batch_size: int | None = None) -> dict[str, dict[str, float]]:
    """One study (both heads trained and scored, report written) with ``seed``; returns the COCO stats.

    On a CPU with two or more cores the two trainings run side by side, one process each with half
    the cores (``parallel=None`` decides so); on a GPU, one after the other. Either way each run is
    seeded, checkpointed in ``out_dir/<run>`` and evaluated from its last checkpoint.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = str(out / "data") if fast else None
    configs = {run: demo_config(run, fast=fast, root=root, size=size, seed=seed, pretrained=pretrained,
                                epochs=epochs, lr=lr, batch_size=batch_size)
               for run in RUNS}
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    cores = build.cpu_cores()
    if parallel is None:
        parallel = device == "cpu" and cores >= 2
    build.datasets(next(iter(configs.values())))  # write the data once, up front
    jobs = [(cfg, str(out / run), device, max(1, cores // 2) if parallel else 0, progress and not parallel)
            for run, cfg in configs.items()]
    if parallel:
        timings = _train_side_by_side(jobs, out, progress)
    else:
        timings = dict(zip(configs, (_train_one(*job) for job in jobs)))

    trained = load_trained(out, device=device)
    results = {}
    for name, (run, overrides) in VARIANTS.items():
        model, _, val_ds, cfg = trained[run]
        cfg = from_dict(cfg.to_dict(), overrides)
        results[name] = validate(model, val_ds, build.representation(cfg), cfg, torch.device(device))
    histories = {run: load_checkpoint(out / run / "last.pth")["history"] for run in trained}
    (out / "results.json").write_text(json.dumps(results, indent=2))
    _plot_curves(histories, out / "curves.png")
    fig = plot_predictions(trained, range(min(6, len(trained["simdr"][2]))))
    fig.savefig(out / "predictions.png", dpi=90)
    (out / "report.md").write_text(_report(results, timings, configs["simdr"], _oracle(out, size, trained)))
    return results


def record_demo(out_dir: str | Path, dest: str | Path, commands: list[str],
                weights_of: int | None = 0) -> Path:
    """Copy a finished demo's small artefacts from ``out_dir`` to ``dest`` (``docs/runs/<name>/``): the
    reports and ``results.json``, and per seed its ``results.json``, figures, configs and logs (as
    ``config_<run>.yaml`` / ``log_<run>.csv``), the ``commands`` that made it (``command.txt``), and the
    trained weights of seed ``weights_of`` (``model_<run>.pth``, float32: notebook 11 reads them)."""
    import shutil

    from simdr_lite.notebook.runs import record_weights

    out, dest = Path(out_dir), Path(dest)
    seeds = sorted(p for p in out.glob("seed*") if p.is_dir()) or [out]
    for src in seeds:
        to = dest / src.name if src != out else dest
        to.mkdir(parents=True, exist_ok=True)
        for name in ("results.json", "report.md", "curves.png", "predictions.png"):
            shutil.copyfile(src / name, to / name)
        for run in RUNS:
            shutil.copyfile(src / run / "config.yaml", to / f"config_{run}.yaml")
            shutil.copyfile(src / run / "log.csv", to / f"log_{run}.csv")
            if weights_of is not None and src.name in (f"seed{weights_of}", out.name):
                record_weights(src / run, to / f"model_{run}.pth", torch.float32)
    for name in ("results.json", "report.md"):
        shutil.copyfile(out / name, dest / name)
    (dest / "command.txt").write_text("\n".join(commands) + "\n")
    return dest


def summarize(per_seed: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, Any]]:
    """Mean of every stat over the seeds (same keys as one run), plus ``AP_std`` and ``AP_seeds``."""
    out: dict[str, dict[str, Any]] = {}
    for variant in per_seed[0]:
        stats = {k: float(np.mean([r[variant][k] for r in per_seed])) for k in per_seed[0][variant]}
        aps = [float(r[variant]["AP"]) for r in per_seed]
        out[variant] = {**stats, "AP_std": float(np.std(aps, ddof=1)) if len(aps) > 1 else 0.0,
                        "AP_seeds": aps}
    return out


def _oracle(run_dir: Path, size: int, trained: dict | None = None) -> float:
    """Heatmap arg-max oracle AP (:func:`simdr_lite.analysis.quantization.oracle_ap`) on the run's val set."""
    from simdr_lite.analysis.quantization import oracle_ap
    from simdr_lite.codecs import HeatmapCodec

    val_ds = (trained or load_trained(run_dir))["heatmap"][2]
    return oracle_ap(val_ds.ann_file, HeatmapCodec((size, size), sigma=1.0, refine=None), (size, size))["AP"]


def load_trained(out_dir: str | Path = "runs/demo",
                 device: str = "cpu") -> dict[str, tuple[torch.nn.Module, Any, Any, Config]]:
    """The demo's trained models read back from ``out_dir/<run>/`` (``config.yaml``, ``last.pth``).

    Returns ``run -> (model in eval mode, representation without post-processing, validation set, config)``.
    """
    return {run: load_trained_run(Path(out_dir) / run, device) for run in RUNS}


def load_trained_run(run_dir: str | Path, device: str = "cpu") -> tuple[torch.nn.Module, Any, Any, Config]:
    """One finished run read back from ``run_dir`` (``config.yaml``, ``last.pth``): ``(model in eval
    mode, representation without post-processing, validation set, config)``."""
    from simdr_lite.notebook.runs import build_from_config

    run_dir = Path(run_dir)
    model, rep, cfg = build_from_config(run_dir / "config.yaml")
    model.load_state_dict(load_checkpoint(run_dir / "last.pth")["model"])
    return model.to(device).eval(), rep, build.datasets(cfg)[1], cfg


def instance_scores(trained: dict[str, tuple]) -> dict[str, np.ndarray]:
    """Per-instance OKS on the validation set: heatmap without post-processing, and SimDR.

    The validation set uses ground-truth boxes, so prediction ``i`` is instance ``i`` of the set; the
    OKS scale is each annotation's area, as COCOeval's (not the padded crop area the predictions carry).
    """
    from simdr_lite.evaluation import evaluate, instance_oks

    scores = {}
    for run, (model, rep, val_ds, cfg) in trained.items():
        preds = evaluate(model, val_ds, rep, flip_test=False, in_vis_thre=cfg.test.in_vis_thre,
                         batch_size=cfg.test.batch_size, device=_device(model), progress=False)["predictions"]
        scores[run] = instance_oks(preds["coords"], val_ds.joints, val_ds.visible, val_ds.areas)
    return scores


def _train_one(cfg: Config, run_dir: str, device: str, threads: int, progress: bool) -> float:
    """Train one head from scratch (``threads`` > 0: set torch's CPU threads); returns the seconds."""
    if threads:
        torch.set_num_threads(threads)
    start = time.perf_counter()
    train(cfg, run_dir, resume=False, progress=progress, device=device)
    return time.perf_counter() - start


def _train_side_by_side(jobs: list[tuple], out: Path, progress: bool, processes: int | None = None
                        ) -> dict[str, float]:
    """Run ``_train_one`` for each job in its own process, at most ``processes`` at a time (default: all
    at once); one progress bar over all their epochs."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from tqdm.auto import tqdm

    runs = [Path(job[1]).name for job in jobs]
    for run in runs:  # the bar counts epochs from the runs' CSV logs
        (out / run / "log.csv").unlink(missing_ok=True)
    total = sum(job[0].train.epochs for job in jobs)
    with ProcessPoolExecutor(processes or len(jobs), mp_context=mp.get_context("spawn")) as pool, \
            tqdm(total=total, desc="demo: " + " + ".join(runs) + " epochs", disable=not progress) as bar:
        futures = [pool.submit(_train_one, *job) for job in jobs]
        while not all(f.done() for f in futures):
            time.sleep(1.0)
            bar.update(sum(_epochs_logged(out / h / "log.csv") for h in runs) - bar.n)
        return {run: f.result() for run, f in zip(runs, futures)}  # re-raises a worker's error


def _epochs_logged(path: Path) -> int:
    try:
        return max(0, len(path.read_text().splitlines()) - 1)
    except OSError:
        return 0


def _device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def _report(results: dict[str, dict[str, Any]], timings: dict[str, float], cfg: Config, oracle: float,
            seeds: int = 1, prefix: str = "") -> str:
    """The markdown report: the table beside Table 2's matching row and the oracle, and the verdict."""
    side = cfg.model.input_size[0]
    size = "x".join(map(str, cfg.model.input_size[::-1]))
    start = ("fine-tuned from the backbone pretrained on a disjoint synthetic split (`simdr-lite pretrain`, "
             "the stand-in for ImageNet weights)" if cfg.model.pretrained else
             "trained FROM SCRATCH (the pretrained backbone file was absent or disabled)")
    over = f"mean +- std over {seeds} seeds (other data and initialisation each)" if seeds > 1 else "one seed"
    paper = TABLE2_ROWS.get(side, {})
    lines = [
        f"# simdr-lite demo: heatmap vs SimDR at {size} input (synthetic set)",
        "",
        f"Small SimpleBaseline (`simbaseline_tiny`), {start}; both heads with the same schedule and "
        f"optimizer ({cfg.train.epochs} epochs, Adam lr {cfg.train.lr:g}, batch {cfg.train.batch_size}) on "
        f"{cfg.data.synthetic_images[0]} synthetic images, evaluated on {cfg.data.synthetic_images[1]} "
        f"with COCO OKS AP (ground-truth boxes, no flip test); {over}.",
        "",
        f"| variant | extra post. | AP | AP50 | AP75 | AR | Table 2, SimBa-Res50 {size} (COCO) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    names = {"heatmap": ("heatmap", "N"), "heatmap_post": ("heatmap", "Y (quarter shift)"),
             "simdr": ("SimDR k=3", "N")}
    for key, (label, post) in names.items():
        r = results[key]
        ap = f"{100 * r['AP']:.1f}" + (f" +- {100 * r['AP_std']:.1f}" if seeds > 1 else "")
        cells = " | ".join([ap] + [f"{100 * r[k]:.1f}" for k in ("AP50", "AP75", "AR")])
        lines.append(f"| {label} | {post} | {cells} | {paper.get(key, '-')} |")
    lines += ["", f"Ceiling: a perfect network read through the stride-4 heatmap arg-max (the heatmap's "
              f"quantization alone, `simdr_lite.analysis.quantization.oracle_ap`) scores "
              f"{100 * oracle:.1f} AP on this validation set.", "", _verdict(results, paper, seeds), ""]
    if timings:
        lines += ["Training time: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ".", ""]
    lines += [f"![training curves]({prefix}curves.png)", "", f"![predictions]({prefix}predictions.png)", ""]
    return "\n".join(lines)


def _verdict(results: dict[str, dict[str, Any]], paper: dict[str, float], seeds: int) -> str:
    """One plain sentence: did SimDR beat the heatmap without and with post-processing, vs the paper."""
    def beats(key: str) -> str:
        sim = results["simdr"].get("AP_seeds", [results["simdr"]["AP"]])
        other = results[key].get("AP_seeds", [results[key]["AP"]])
        wins = sum(a > b for a, b in zip(sim, other))
        word = ("beat" if wins == len(sim) else "did NOT beat" if wins == 0
                else f"beat in {wins} of {len(sim)} seeds")
        return (f"{word} the heatmap {'with' if key == 'heatmap_post' else 'without'} post-processing "
                f"({100 * results['simdr']['AP']:.1f} vs {100 * results[key]['AP']:.1f} AP"
                f"{' on average' if seeds > 1 else ''})")

    if paper:
        ref = (f"; in the paper (Table 2) SimDR beats both ({paper['simdr']} vs {paper['heatmap']} and "
               f"{paper['heatmap_post']})")
    else:
        ref = ""
    return f"In this run SimDR {beats('heatmap')} and {beats('heatmap_post')}{ref}."


def _plot_curves(histories: dict[str, list[dict]], path: Path) -> None:
    from matplotlib.figure import Figure  # no pyplot: the caller's backend is left alone

    fig = Figure(figsize=(9, 3.2))
    axes = fig.subplots(1, 2)
    for ax, run in zip(axes, histories):
        h = histories[run]
        ax.plot([r["epoch"] for r in h], [r["loss"] for r in h], marker="o")
        ax.set_title(f"{run} training loss")
        ax.set_xlabel("epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


@torch.no_grad()
def plot_predictions(trained: dict[str, tuple], indices: Any):
    """Each run's predictions on the validation crops ``indices`` (without post-processing).

    Returns a matplotlib ``Figure`` (not attached to pyplot: save it, or display it in a notebook).
    """
    from matplotlib.figure import Figure

    from simdr_lite.data.batch import prepare_batch
    from simdr_lite.notebook.viz import draw_skeleton

    val_ds = trained["simdr"][2]
    samples = [val_ds[int(i)] for i in indices]
    batch = {"image": torch.stack([s["image"] for s in samples])}
    fig = Figure(figsize=(2 * len(samples), 4.2))
    axes = fig.subplots(2, len(samples), squeeze=False)
    for row, (run, (model, rep, _, _)) in enumerate(trained.items()):
        model.eval()
        coords = rep.predict(model, prepare_batch(batch, _device(model))[0])[0].cpu().numpy()
        for col, s in enumerate(samples):
            ax = axes[row, col]
            ax.imshow(s["image"].permute(1, 2, 0).numpy())
            draw_skeleton(ax, coords[col], np.asarray(s["joints_vis"]) > 0)
            ax.set_axis_off()
        axes[row, 0].set_title(f"{run} (no post-processing)", fontsize=9, loc="left")
    fig.tight_layout()
    return fig
