"""Matplotlib helpers for the notebooks and analyses: skeletons, 1-D labels, heatmaps, errors.

Every function draws on a given ``Axes`` (or creates one) and returns the artists it made, so tests
and callers can inspect them. Nothing here computes a result; the package computes, this draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from simdr_lite.skeletons import COCO, Skeleton


def _axes(ax: Axes | None) -> Axes:
    return plt.gca() if ax is None else ax


def draw_skeleton(
    ax: Axes | None,
    keypoints: np.ndarray,
    visible: np.ndarray | None = None,
    skeleton: Skeleton = COCO,
    image: np.ndarray | None = None,
    color: str = "lime",
    marker_size: float = 12.0,
) -> dict[str, Any]:
    """Draw one person's ``keypoints (K, 2)`` (image pixels) and the skeleton's edges.

    Joints with ``visible <= 0`` and edges touching them are skipped. ``image`` (H, W[, 3]) is shown
    underneath with ``imshow``. Returns ``{"image": AxesImage|None, "points": PathCollection,
    "lines": [Line2D, ...]}``.
    """
    ax = _axes(ax)
    kp = np.asarray(keypoints, dtype=float).reshape(-1, 2)
    vis = np.ones(len(kp), bool) if visible is None else np.asarray(visible).reshape(-1) > 0
    if len(kp) != len(skeleton.keypoints):
        raise ValueError(
            f"keypoints must be ({len(skeleton.keypoints)}, 2) for this skeleton, got {kp.shape}"
        )
    im = ax.imshow(image) if image is not None else None
    lines = [
        ax.plot(kp[[a, b], 0], kp[[a, b], 1], "-", color=color, lw=1.5)[0]
        for a, b in skeleton.edges
        if vis[a] and vis[b]
    ]
    pts = ax.scatter(kp[vis, 0], kp[vis, 1], s=marker_size, c=color, edgecolors="k", zorder=3)
    if image is None and not ax.yaxis_inverted():
        ax.invert_yaxis()  # image convention: y grows downwards
    ax.set_aspect("equal")
    return {"image": im, "points": pts, "lines": lines}


def plot_label_vectors(
    ax: Axes | None,
    vectors: Mapping[str, np.ndarray],
    k: float = 1.0,
    true_x: float | None = None,
) -> dict[str, Any]:
    """Plot 1-D label vectors (Eqs. 3-4, 6-7) against the pixel position ``bin / k``.

    ``vectors`` maps a legend label to a ``(M,)`` array; ``true_x`` (pixels) is drawn as a dashed
    vertical line. Returns ``{"lines": {label: Line2D}, "true": Line2D|None}``.
    """
    ax = _axes(ax)
    lines = {}
    for label, v in vectors.items():
        v = np.asarray(v, dtype=float).ravel()
        lines[label] = ax.plot(np.arange(len(v)) / k, v, ".-", label=label, lw=1)[0]
    true = ax.axvline(true_x, ls="--", c="k", lw=1, label="true x") if true_x is not None else None
    ax.set_xlabel("x (input pixels) = bin / k")
    ax.set_ylabel("label value")
    ax.legend(fontsize=8)
    return {"lines": lines, "true": true}


def plot_heatmap_overlay(
    ax: Axes | None,
    heatmap: np.ndarray,
    image: np.ndarray | None = None,
    stride: float = 1.0,
    points: Mapping[str, Sequence[float]] | None = None,
    alpha: float = 0.6,
) -> dict[str, Any]:
    """Show a ``(h, w)`` heatmap, upsampled by ``stride`` onto ``image`` (input pixels) if given.

    ``points`` maps a label to an ``(x, y)`` in input pixels (e.g. truth and decoded), drawn as
    markers. Returns ``{"image": AxesImage|None, "heatmap": AxesImage, "points": {label: Line2D}}``.
    """
    ax = _axes(ax)
    hm = np.asarray(heatmap, dtype=float)
    if hm.ndim != 2:
        raise ValueError(f"heatmap must be (h, w), got {hm.shape}")
    h, w = hm.shape
    im = ax.imshow(image) if image is not None else None
    # cell (i, j) covers input pixels [j*s - s/2, j*s + s/2): centres on the official integer grid
    extent = (-0.5 * stride, (w - 0.5) * stride, (h - 0.5) * stride, -0.5 * stride)
    hi = ax.imshow(hm, cmap="magma", alpha=alpha if image is not None else 1.0, extent=extent)
    pts = {}
    for marker, (label, (x, y)) in zip("x+o*^", (points or {}).items()):
        pts[label] = ax.plot([x], [y], marker, ms=10, mew=2, label=label)[0]
    if pts:
        ax.legend(fontsize=8)
    return {"image": im, "heatmap": hi, "points": pts}


def plot_error_histograms(
    ax: Axes | None,
    errors: Mapping[str, np.ndarray],
    bounds: Mapping[str, float] | None = None,
    bins: int = 40,
    log: bool = False,
) -> dict[str, Any]:
    """Overlaid step histograms of absolute errors (pixels), one per label, with bound markers.

    ``log=True`` uses a logarithmic count axis (for codecs whose errors differ by orders of magnitude).
    ``bounds`` maps labels to the App. D bound, drawn as a dotted vertical line in the same colour.
    Returns ``{"hists": {label: (counts, edges)}, "bounds": {label: Line2D}}``.
    """
    ax = _axes(ax)
    arrays = {k: np.asarray(v, dtype=float).ravel() for k, v in errors.items()}
    if not arrays:
        raise ValueError("errors is empty: pass {label: array of absolute errors}")
    top = max(float(v.max()) for v in arrays.values())
    if bounds:
        top = max(top, *bounds.values())
    edges = np.linspace(0.0, top * 1.02 + 1e-9, bins + 1)
    hists, blines = {}, {}
    styles = ("-", "--", "-.", ":")  # identical histograms stay visible on top of each other
    for i, (label, e) in enumerate(arrays.items()):
        counts, _, patches = ax.hist(
            e, bins=edges, histtype="step", lw=1.5, ls=styles[i % len(styles)], label=label, log=log
        )
        hists[label] = (counts, edges)
        if bounds and label in bounds:
            blines[label] = ax.axvline(bounds[label], ls=":", color=patches[0].get_edgecolor())
    ax.set_xlabel("absolute error (input pixels)")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    return {"hists": hists, "bounds": blines}


def plot_ap_table(
    ax: Axes | None, table: Mapping[str, Mapping[str, Mapping[str, float]]], stat: str = "AP"
) -> dict[str, Any]:
    """Grouped bars of ``table[size][codec][stat] * 100`` (the oracle-AP table of the analysis).

    Returns ``{"bars": {codec: BarContainer}, "values": (codecs x sizes) array}``.
    """
    ax = _axes(ax)
    sizes = list(table)
    codecs = list(dict.fromkeys(c for row in table.values() for c in row))
    values = np.array([[100 * table[s].get(c, {}).get(stat, np.nan) for s in sizes] for c in codecs])
    width = 0.8 / max(1, len(codecs))
    x = np.arange(len(sizes))
    bars = {}
    for i, c in enumerate(codecs):
        bars[c] = ax.bar(x + (i - (len(codecs) - 1) / 2) * width, values[i], width, label=c)
    ax.set_xticks(x, sizes)
    ax.set_xlabel("input size (H x W)")
    ax.set_ylabel(f"oracle {stat} x 100")
    lo = np.nanmin(values)
    ax.set_ylim(max(0.0, lo - 5), 100.5)
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    return {"bars": bars, "values": values}


def plot_curves(
    ax: Axes | None, x: np.ndarray, curves: Mapping[str, np.ndarray], xlabel: str = "", ylabel: str = ""
) -> dict[str, Any]:
    """Line plot of several ``(M,)`` curves over a shared ``x`` (e.g. gradients over bins)."""
    ax = _axes(ax)
    lines = {k: ax.plot(np.asarray(x), np.asarray(v), label=k, lw=1.2)[0] for k, v in curves.items()}
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return {"lines": lines}
