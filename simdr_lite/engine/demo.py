"""The main job: the synthetic low-resolution study (``simdr-lite demo`` / ``make demo``).

The paper's central result (Table 2, 64x64 rows) reproduced on data anyone can make: the same small
SimpleBaseline is trained on the synthetic pose set at 64x64 input once with a heatmap head and once
with a SimDR head (k = 3, as the official 64x64 configs), then both are scored with COCO OKS AP:
heatmap with and without the quarter-pixel post-processing, SimDR without any. Flip test is off so that
only the representation differs. Writes ``report.md``, ``results.json``, ``curves.png`` and
``predictions.png`` to the output directory.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .config import Config, from_dict
from .trainer import train, validate

#: The embedded defaults (``configs/synthetic/*.yaml`` are these, written out).
DEMO_BASE: dict[str, Any] = {
    "model": {"name": "simbaseline_tiny", "input_size": [64, 64]},
    "data": {"dataset": "synthetic", "root": "runs/data/synthetic", "synthetic_images": [1200, 200],
             "color_rgb": True, "scale_factor": 0.3, "rotation_factor": 40.0, "half_body_prob": 0.0,
             "workers": 2},
    "train": {"epochs": 14, "lr": 1e-3, "milestones": [10, 13], "batch_size": 64, "val_every": 0},
    "test": {"flip": False, "batch_size": 64},
}
HEADS = {
    "heatmap": {"model": {"head": "heatmap", "sigma": 1.0}, "test": {"in_vis_thre": 0.2}},
    "simdr": {"model": {"head": "simdr", "k": 3.0}, "train": {"label_smoothing": 0.1},
              "test": {"in_vis_thre": 0.02}},
}
FAST = {"data": {"synthetic_images": [48, 16], "workers": 0}, "train": {"epochs": 1, "milestones": [1]}}


def _merge(*dicts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for d in dicts:
        for section, values in d.items():
            out[section] = {**out.get(section, {}), **values} if isinstance(values, dict) else values
    return out


def demo_config(head: str, fast: bool = False, root: str | None = None) -> Config:
    """The demo's config for ``head`` (``fast``: a few images and one epoch, for tests and CI)."""
    extra = {"data": {"root": root}} if root else {}
    return from_dict(_merge(DEMO_BASE, HEADS[head], FAST if fast else {}, extra,
                            {"description": f"simdr-lite demo: {head} head, 64x64, synthetic set"}))


def run_demo(out_dir: str | Path = "runs/demo", *, fast: bool = False, device: str | None = None,
             progress: bool = True) -> dict[str, dict[str, float]]:
    """Train both heads, evaluate the three variants, write the report; returns the COCO stats."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = str(out / "data") if fast else None
    results, histories, trained, timings = {}, {}, {}, {}
    for head in ("heatmap", "simdr"):
        cfg = demo_config(head, fast=fast, root=root)
        start = time.perf_counter()
        run = train(cfg, out / head, resume=False, progress=progress, device=device)
        timings[head] = time.perf_counter() - start
        histories[head], trained[head] = run["history"], (run["model"], run["codec"], run["val_dataset"], cfg)
        if head == "heatmap":
            codec = run["codec"]
            for name, refine in (("heatmap", None), ("heatmap_post", "shift")):
                codec.refine = refine
                results[name] = validate(run["model"], run["val_dataset"], codec, cfg, _device(run["model"]))
        else:
            model = run["model"]
            results["simdr"] = validate(model, run["val_dataset"], run["codec"], cfg, _device(model))
    (out / "results.json").write_text(json.dumps(results, indent=2))
    _plot_curves(histories, out / "curves.png")
    _plot_predictions(trained, out / "predictions.png")
    (out / "report.md").write_text(_report(results, timings, fast))
    return results


def _device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def _report(results: dict[str, dict[str, float]], timings: dict[str, float], fast: bool) -> str:
    cfg = demo_config("simdr", fast)
    lines = [
        "# simdr-lite demo: heatmap vs SimDR at 64x64 input (synthetic set)",
        "",
        f"Small SimpleBaseline (`simbaseline_tiny`), trained from scratch {cfg.train.epochs} epochs on "
        f"{cfg.data.synthetic_images[0]} synthetic images, evaluated on {cfg.data.synthetic_images[1]} "
        "with COCO OKS AP (ground-truth boxes, no flip test). Paper: Table 2, 64x64 rows.",
        "",
        "| variant | extra post. | AP | AP50 | AP75 | AR |",
        "|---|---|---:|---:|---:|---:|",
    ]
    names = {"heatmap": ("heatmap", "N"), "heatmap_post": ("heatmap", "Y (quarter shift)"),
             "simdr": ("SimDR k=3", "N")}
    for key, (label, post) in names.items():
        r = results[key]
        cells = " | ".join(f"{100 * r[k]:.1f}" for k in ("AP", "AP50", "AP75", "AR"))
        lines.append(f"| {label} | {post} | {cells} |")
    verdict = results["simdr"]["AP"] > results["heatmap"]["AP"]
    lines += ["", f"SimDR {'beats' if verdict else 'does NOT beat'} the heatmap without post-processing "
              f"({100 * results['simdr']['AP']:.1f} vs {100 * results['heatmap']['AP']:.1f} AP).", "",
              "Training time: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ".", "",
              "![training curves](curves.png)", "", "![predictions](predictions.png)", ""]
    return "\n".join(lines)


def _plot_curves(histories: dict[str, list[dict]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, head in zip(axes, histories):
        h = histories[head]
        ax.plot([r["epoch"] for r in h], [r["loss"] for r in h], marker="o")
        ax.set_title(f"{head} training loss")
        ax.set_xlabel("epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


@torch.no_grad()
def _plot_predictions(trained: dict[str, tuple], path: Path, n: int = 6) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simdr_lite.data.augment import normalize_batch
    from simdr_lite.viz import draw_skeleton

    _, _, val_ds, _ = trained["simdr"]
    samples = [val_ds[i] for i in range(min(n, len(val_ds)))]
    images = torch.stack([s["image"] for s in samples])
    fig, axes = plt.subplots(2, len(samples), figsize=(2 * len(samples), 4.2), squeeze=False)
    for row, head in enumerate(("heatmap", "simdr")):
        model, codec, _, _ = trained[head]
        model.eval()
        x = normalize_batch(images.to(_device(model)))
        out = model(x)
        if head == "heatmap":
            codec.refine = None
        coords = codec.decode(out)[0].cpu().numpy()
        for col, s in enumerate(samples):
            ax = axes[row, col]
            img = s["image"].permute(1, 2, 0).numpy()
            ax.imshow(img)
            vis = np.asarray(s["joints_vis"]) > 0
            draw_skeleton(ax, coords[col], vis)
            ax.set_axis_off()
        axes[row, 0].set_title("heatmap (no post)" if head == "heatmap" else "SimDR", fontsize=9, loc="left")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
