"""Slider views for the notebooks: pure functions computing what a widget shows, figures, and sliders.

Three layers, each usable alone:

* ``*_view`` functions take the slider values and return a dict of numpy arrays and numbers, computed by
  the package's codecs, losses and analyses (unit-tested without any widget);
* ``*_figure`` functions draw a view into a new matplotlib ``Figure`` (the notebooks also call them once
  with the default values, so that GitHub and nbviewer show the figure a slider would draw);
* ``interact_*`` functions bind them to ``ipywidgets`` sliders (ipywidgets 7.7, as on Colab, and 8).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from simdr_lite.analysis.gradients import logit_gradients
from simdr_lite.analysis.quantization import appd_bound, roundtrip_errors, sample_positions
from simdr_lite.codecs import HeatmapCodec, SASimDRCodec, SimDRCodec
from simdr_lite.losses import JointsMSELoss, KLDiscretLoss, SimDRLoss


def _one_joint(x: float, y: float = 0.0) -> np.ndarray:
    return np.array([[[float(x), float(y)]]])


def simdr_label_view(
    k: float, sigma: float, x: float, input_width: int = 64, label_smoothing: float = 0.1
) -> dict[str, Any]:
    """The x label vectors of one joint at ``x`` pixels: SimDR (Eqs. 2-3 + smoothing) and SimDR* (Eq. 6).

    Returns ``positions`` (bin / k, pixels), ``simdr_label`` (smoothed one-hot), ``sa_label``
    (Gaussian, unnormalised as official), the SimDR bin, the decoded x of a perfect network for both
    and their absolute errors (``< 1/(2k)``, App. D.1), and ``bound``.
    """
    size = (int(input_width), 1)
    sd = SimDRCodec(size, k=k, label_smoothing=label_smoothing)
    sa = SASimDRCodec(size, k=k, sigma=sigma, weight_rule="bins")
    kp = _one_joint(x)
    bins, _ = sd.encode(kp)
    simdr_label = sd.soft_labels(bins)[0][0, 0]
    (sa_x, _), sa_weight = sa.encode(kp)
    simdr_x = float(sd.round_trip(kp)[0, 0, 0])
    sa_x_dec = float(sa.round_trip(kp)[0, 0, 0])
    return {
        "positions": np.arange(sd.bins[0]) / sd.k,
        "simdr_label": np.asarray(simdr_label, dtype=np.float64),
        "sa_label": np.asarray(sa_x[0, 0], dtype=np.float64),
        "simdr_bin": int(bins[0, 0, 0]),
        "sa_center": float(x) * sd.k,
        "sa_weight": float(sa_weight[0, 0]),
        "simdr_decoded": simdr_x,
        "sa_decoded": sa_x_dec,
        "simdr_error": abs(simdr_x - float(x)),
        "sa_error": abs(sa_x_dec - float(x)),
        "bound": 1.0 / (2.0 * sd.k),
    }


def error_distribution_view(
    k: float, input_size: tuple[int, int] = (64, 64), num: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Round-trip errors (x axis) of SimDR with this ``k`` and of the stride-4 heatmap arg-max.

    Returns ``errors`` ``{label: (num,)}``, ``bounds`` ``{label: App. D bound}`` and ``mean``.
    """
    return _error_distribution(float(k), tuple(int(v) for v in input_size), int(num), int(seed))


@functools.lru_cache(maxsize=32)
def _error_distribution(k: float, input_size: tuple[int, int], num: int, seed: int) -> dict[str, Any]:
    """Cached per ``k``: dragging another slider (x, sigma) never recomputes the 2,000 round trips."""
    pts = sample_positions(input_size, num, seed=seed)
    codecs = {
        f"SimDR k={k:g}": SimDRCodec(input_size, k=k),
        "heatmap (arg-max)": HeatmapCodec(input_size, refine=None),
    }
    errors = {label: roundtrip_errors(c, pts)[:, 0] for label, c in codecs.items()}
    return {
        "errors": errors,
        "bounds": {label: appd_bound(c) for label, c in codecs.items()},
        "mean": {label: float(e.mean()) for label, e in errors.items()},
    }


def heatmap_view(
    x: float,
    y: float,
    input_size: tuple[int, int] = (64, 64),
    sigma: float = 1.0,
    refine: str | None = "shift",
    unbiased: bool = False,
) -> dict[str, Any]:
    """Heatmap target of one joint at ``(x, y)`` input pixels and what the decoder reads from it.

    Returns ``heatmap`` ``(h, w)``, ``stride``, the arg-max ``cell`` ``(column, row)``, ``decoded``
    ``(x, y)``, ``error`` (Euclidean, px), ``error_xy`` (per axis) and ``bound``: App. D.2's
    ``stride / 2`` per axis for the plain arg-max (``refine=None``).
    """
    codec = HeatmapCodec(input_size, sigma=sigma, refine=refine, unbiased=unbiased)
    kp = _one_joint(x, y)
    hm, _ = codec.encode(kp)
    dec = codec.decode(hm)[0][0, 0].astype(np.float64)
    flat = int(np.argmax(hm[0, 0]))
    return {
        "heatmap": hm[0, 0],
        "stride": codec.stride[0],
        "cell": (flat % codec.heatmap_size[0], flat // codec.heatmap_size[0]),
        "decoded": dec,
        "error": float(np.hypot(*(dec - kp[0, 0]))),
        "error_xy": np.abs(dec - kp[0, 0]),
        "bound": appd_bound(codec),
    }


def loss_gradient_view(
    x: float,
    pred_x: float,
    k: float = 2.0,
    label_smoothing: float = 0.1,
    sigma: float = 6.0,
    input_width: int = 64,
    pred_sigma: float = 4.0,
    hm_sigma: float = 2.0,
) -> dict[str, Any]:
    """``d loss / d x-logits`` of SimDR (NMT, NMTNORM) and SimDR* (KLDiscret) for one joint.

    The prediction is a network whose logits peak at ``pred_x`` (a Gaussian-shaped logit vector of
    width ``pred_sigma`` bins); the truth is at ``x``. Both sit at ``y = input_width / 2`` of a square
    crop with a perfect y prediction, so the y terms are constant. Returns ``positions`` (pixels),
    the prediction ``probs`` and ``grads`` ``{loss name: (bins,)}`` plus ``losses`` ``{loss name: value}``.
    For the same prediction as a stride-4 heatmap (unbiased Gaussian at ``pred_x``, sigma ``hm_sigma``
    cells, against the official target of ``x``): ``losses["heatmap JointsMSE"]``, and
    ``heatmap_positions`` / ``heatmap_grad``, the gradient along the heatmap row through the joint.
    """
    size = (int(input_width), int(input_width))
    yc = input_width / 2.0
    sd = SimDRCodec(size, k=k, label_smoothing=label_smoothing)
    sa = SASimDRCodec(size, k=k, sigma=sigma, weight_rule="bins")
    pred = SASimDRCodec(size, k=k, sigma=pred_sigma).perfect_output(_one_joint(pred_x, yc))
    kp = _one_joint(x, yc)
    bins, w = sd.encode(kp)
    sa_t, sa_w = sa.encode(kp)
    grads, losses = {}, {}
    for name, fn, tgt, wt in (
        ("SimDR NMT", SimDRLoss(label_smoothing), bins, w),
        ("SimDR NMTNORM", SimDRLoss(label_smoothing, normalize=True), bins, w),
        ("SimDR* KLDiscret", KLDiscretLoss(), sa_t, sa_w),
    ):
        losses[name], (gx, _) = logit_gradients(fn, pred, tgt, wt)
        grads[name] = gx[0, 0]
    hm_codec = HeatmapCodec(size, sigma=hm_sigma, refine=None)
    hm_target, hm_w = hm_codec.encode(kp)
    hm_pred = HeatmapCodec(size, sigma=hm_sigma, unbiased=True).encode(_one_joint(pred_x, yc))[0]
    losses["heatmap JointsMSE"], hm_grad = logit_gradients(JointsMSELoss(), hm_pred, hm_target, hm_w)
    row = int(yc / hm_codec.stride[1] + 0.5)
    logits = pred[0][0, 0].astype(np.float64)
    probs = np.exp(logits - logits.max())
    return {
        "positions": np.arange(sd.bins[0]) / sd.k,
        "probs": probs / probs.sum(),
        "grads": grads,
        "losses": losses,
        "heatmap_positions": np.arange(hm_codec.heatmap_size[0]) * float(hm_codec.stride[0]),
        "heatmap_grad": hm_grad[0, 0, row],
    }


def augmentation_view(
    image: np.ndarray,
    joints: np.ndarray,
    visible: np.ndarray,
    center: np.ndarray,
    scale: np.ndarray,
    input_size: tuple[int, int],
    flip_index: np.ndarray,
    *,
    rotation: float = 0.0,
    scale_mult: float = 1.0,
    flip: bool = False,
    k: float = 2.0,
    sigma: float = 2.0,
) -> dict[str, Any]:
    """One sample through the training code path with hand-set augmentation, and its targets.

    Returns the ``crop`` ``(H, W, 3)``, crop ``joints`` ``(K, 2)`` and ``visible`` ``(K,)`` (after the
    flip's left/right swap), the ``heatmaps`` ``(K, H/4, W/4)`` (sigma cells), and SimDR's smoothed
    label vectors ``simdr_x`` ``(K, W k)`` / ``simdr_y`` ``(K, H k)``; joints that leave the crop get
    weight 0 (``weights``).
    """
    from simdr_lite.data.augment import preview_augmentation

    crop, kp = preview_augmentation(image, joints, visible, center, scale, input_size, flip_index,
                                    rotation=rotation, scale_mult=scale_mult, flip=flip)
    vis = np.asarray(visible, np.float32)[flip_index] if flip else np.asarray(visible, np.float32)
    hm, hm_w = HeatmapCodec(input_size, sigma=sigma, refine=None).encode(kp[None], vis[None])
    codec = SimDRCodec(input_size, k=k)
    bins, weights = codec.encode(kp[None], vis[None])
    sx, sy = codec.soft_labels(bins)
    return {"crop": crop, "joints": kp, "visible": vis, "heatmaps": hm[0], "heatmap_weights": hm_w[0],
            "simdr_x": sx[0], "simdr_y": sy[0], "weights": weights[0], "k": codec.k}


# ------------------------------------------------------------------------------------ figures
# Fixed margins (subplots_adjust), not tight_layout: it doubled the time of a slider's redraw.
def heatmap_figure(x: float = 21.3, y: float = 38.9, sigma: float = 1.0,
                   input_size: tuple[int, int] = (64, 64)) -> Figure:
    """The heatmap target of one joint, its arg-max cell, the decoded point, and the error vs the bound."""
    from matplotlib.patches import Rectangle

    from simdr_lite.notebook import viz

    v = heatmap_view(x, y, input_size, sigma=sigma, refine=None)
    fig = Figure(figsize=(4.6, 4.2))
    ax = fig.subplots()
    viz.plot_heatmap_overlay(ax, v["heatmap"], stride=v["stride"],
                             points={"true joint": (x, y), "decoded (arg-max)": v["decoded"]})
    s, (cx, cy) = v["stride"], v["cell"]
    ax.add_patch(Rectangle((cx * s - s / 2, cy * s - s / 2), s, s, fill=False, ec="cyan", lw=1.5))
    ex, ey = v["error_xy"]
    ax.set_title(f"error x {ex:.2f}, y {ey:.2f} px (bound {v['bound']:.1f} px per axis)", fontsize=9)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.1, top=0.92)
    return fig


def simdr_labels_figure(k: float = 2.0, sigma: float = 6.0, x: float = 20.3, label_smoothing: float = 0.1,
                        input_width: int = 64) -> Figure:
    """The two label vectors around ``x`` and the round-trip error histograms of SimDR (this ``k``) and the
    heatmap arg-max."""
    from simdr_lite.notebook import viz

    v = simdr_label_view(k, sigma, x, input_width, label_smoothing)
    e = error_distribution_view(k, (input_width, input_width))
    fig = Figure(figsize=(12, 3.5))
    a1, a2 = fig.subplots(1, 2)
    viz.plot_label_vectors(a1, {"SimDR (smoothed)": v["simdr_label"], "SimDR*": v["sa_label"]}, k=k, true_x=x)
    a1.set_xlim(x - 4, x + 4)
    a1.set_title(f"SimDR error {v['simdr_error']:.3f} px, SimDR* {v['sa_error']:.3f} px", fontsize=9)
    viz.plot_error_histograms(a2, e["errors"], bounds=e["bounds"])
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.15, top=0.9, wspace=0.2)
    return fig


def loss_gradients_figure(x: float = 30.0, pred_x: float = 26.0, k: float = 2.0, label_smoothing: float = 0.1,
                          sigma: float = 6.0, input_width: int = 64) -> Figure:
    """Each loss's gradient on its own axis (their scales differ by about 1000x): NMT, NMTNORM, KLDiscret
    over the x bins, and JointsMSE along the heatmap row through the joint."""
    v = loss_gradient_view(x, pred_x, k, label_smoothing, sigma, input_width)
    curves = {**{name: (v["positions"], g) for name, g in v["grads"].items()},
              "heatmap JointsMSE": (v["heatmap_positions"], v["heatmap_grad"])}
    fig = Figure(figsize=(11, 5))
    for ax, (name, (pos, grad)) in zip(fig.subplots(2, 2).ravel(), curves.items()):
        ax.plot(pos, grad, lw=1.2)
        ax.axvline(x, ls="--", c="k", lw=1)
        ax.axvline(pred_x, ls=":", c="r", lw=1)
        ax.set_title(f"{name}: loss {v['losses'][name]:.3g}, max |grad| {np.abs(grad).max():.2g}", fontsize=9)
        ax.set_xlabel("x (pixels); dashed: truth, dotted: prediction", fontsize=8)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.93, wspace=0.2, hspace=0.45)
    return fig


def augmentation_figure(view: dict[str, Any]) -> Figure:
    """An :func:`augmentation_view`: the crop with its joints and heatmaps, and both SimDR label vectors
    (summed over the joints that keep a weight)."""
    fig = Figure(figsize=(11, 3.6))
    a0, a1, a2 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.4, 1.4]})
    crop, kp, keep = view["crop"], view["joints"], view["weights"] > 0
    h, w = crop.shape[:2]
    a0.imshow(crop)
    a0.imshow(view["heatmaps"][keep].max(axis=0) if keep.any() else np.zeros((h // 4, w // 4)),
              cmap="magma", alpha=0.5, extent=(-2, w - 2, h - 2, -2))
    a0.scatter(*kp[keep].T, s=10, c=np.flatnonzero(keep), cmap="hsv")
    a0.set_axis_off()
    a0.set_title("crop, joints, heatmap targets", fontsize=9)
    k = view["k"]
    for ax, key, axis in ((a1, "simdr_x", "x"), (a2, "simdr_y", "y")):
        labels = view[key][keep].sum(axis=0) if keep.any() else np.zeros(view[key].shape[-1])
        ax.plot(np.arange(len(labels)) / k, labels, lw=1)
        ax.set_title(f"SimDR {axis} labels, summed over joints (k = {k:g})", fontsize=9)
        ax.set_xlabel(f"{axis} (crop pixels)", fontsize=8)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.14, top=0.9, wspace=0.2)
    return fig


# ------------------------------------------------------------------------------------ sliders
def _sliders(draw: Callable[..., Figure], **controls: Any):  # pragma: no cover - needs a front-end
    """``ipywidgets.interactive`` over ``draw`` (a ``*_figure`` function), displayed; works on ipywidgets
    7.7 (Colab) and 8. Each change replaces the figure in the widget's output; ``ui.result`` is the
    latest ``Figure``."""
    import ipywidgets as w
    from IPython.display import display

    ui = w.interactive(draw, {"auto_display": True}, **controls)
    display(ui)
    return ui


def _slider(value: float, lo: float, hi: float, step: float, description: str, *, heavy: bool = False):
    import ipywidgets as w

    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         continuous_update=not heavy)


def interact_heatmap(input_size: tuple[int, int] = (64, 64)):  # pragma: no cover - needs a front-end
    """Sliders for a joint's sub-pixel position and sigma: the heatmap target, arg-max cell, decoded point."""
    return _sliders(lambda x, y, sigma: heatmap_figure(x, y, sigma, input_size),
                    x=_slider(21.3, 0.0, input_size[0] - 1, 0.05, "x"),
                    y=_slider(38.9, 0.0, input_size[1] - 1, 0.05, "y"),
                    sigma=_slider(1.0, 0.5, 3.0, 0.25, "sigma"))


def interact_simdr_labels(input_width: int = 64):  # pragma: no cover - needs a front-end
    """Sliders for k, sigma, x and label smoothing; the error histogram is cached per k (k redraws on
    release)."""
    return _sliders(lambda k, sigma, x, label_smoothing: simdr_labels_figure(k, sigma, x, label_smoothing,
                                                                              input_width),
                    k=_slider(2.0, 1.0, 4.0, 0.5, "k", heavy=True),
                    sigma=_slider(6.0, 0.5, 12.0, 0.5, "sigma"),
                    x=_slider(20.3, 0.0, input_width - 1, 0.05, "x"),
                    label_smoothing=_slider(0.1, 0.0, 0.5, 0.05, "smoothing"))


def interact_loss_gradients(input_width: int = 64):  # pragma: no cover - needs a front-end
    """Sliders for the truth, the prediction, k, label smoothing and sigma; each gradient on its own axis."""
    return _sliders(lambda x, pred_x, k, label_smoothing, sigma: loss_gradients_figure(
        x, pred_x, k, label_smoothing, sigma, input_width),
                    x=_slider(30.0, 0.0, input_width - 1, 0.1, "x"),
                    pred_x=_slider(26.0, 0.0, input_width - 1, 0.1, "pred x"),
                    k=_slider(2.0, 1.0, 4.0, 0.5, "k"),
                    label_smoothing=_slider(0.1, 0.0, 0.5, 0.05, "smoothing"),
                    sigma=_slider(6.0, 0.5, 12.0, 0.5, "sigma"))


def interact_augmentation(image: np.ndarray, joints: np.ndarray, visible: np.ndarray, center: np.ndarray,
                          scale: np.ndarray, input_size: tuple[int, int],
                          flip_index: Sequence[int]):  # pragma: no cover - needs a front-end
    """Sliders for rotation and scale, a flip box: the augmented crop, its heatmaps and SimDR labels."""
    import ipywidgets as w

    def draw(rotation: float, scale_mult: float, flip: bool) -> Figure:
        return augmentation_figure(augmentation_view(image, joints, visible, center, scale, input_size,
                                                     np.asarray(flip_index), rotation=rotation,
                                                     scale_mult=scale_mult, flip=flip))

    return _sliders(draw, rotation=_slider(0.0, -90.0, 90.0, 5.0, "rotation"),
                    scale_mult=_slider(1.0, 0.65, 1.35, 0.05, "scale"),
                    flip=w.Checkbox(value=False, description="flip"))
