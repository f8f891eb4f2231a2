"""Slider views for the notebooks: pure functions computing what a widget shows, and thin wrappers.

Each ``*_view`` function takes the slider values and returns a dict of numpy arrays and numbers,
computed by the package's codecs, losses and analyses (unit-tested without any widget). The
``interact_*`` functions bind them to ``ipywidgets`` sliders and draw with :mod:`simdr_lite.notebook.viz`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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

    Returns ``heatmap`` ``(h, w)``, ``stride``, ``decoded`` ``(x, y)`` and ``error`` (Euclidean, px).
    """
    codec = HeatmapCodec(input_size, sigma=sigma, refine=refine, unbiased=unbiased)
    kp = _one_joint(x, y)
    hm, _ = codec.encode(kp)
    dec = codec.decode(hm)[0][0, 0].astype(np.float64)
    return {
        "heatmap": hm[0, 0],
        "stride": codec.stride[0],
        "decoded": dec,
        "error": float(np.hypot(*(dec - kp[0, 0]))),
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


# ------------------------------------------------------------------------- ipywidgets wrappers
def interact_simdr_labels(input_width: int = 64):  # pragma: no cover - needs a notebook front-end
    """Sliders for k, sigma, x and label smoothing; redraws the label vectors and the error histogram."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from simdr_lite.notebook import viz

    def show(k=2.0, sigma=6.0, x=20.3, label_smoothing=0.1):
        v = simdr_label_view(k, sigma, x, input_width, label_smoothing)
        e = error_distribution_view(k, (input_width, input_width))
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 3.5))
        labels = {"SimDR (smoothed)": v["simdr_label"], "SimDR*": v["sa_label"]}
        viz.plot_label_vectors(a1, labels, k=k, true_x=x)
        a1.set_xlim(x - 4, x + 4)
        a1.set_title(f"SimDR error {v['simdr_error']:.3f} px, SimDR* {v['sa_error']:.3f} px")
        viz.plot_error_histograms(a2, e["errors"], bounds=e["bounds"])
        plt.show()

    return w.interact(
        show,
        k=w.FloatSlider(value=2.0, min=1.0, max=4.0, step=0.5),
        sigma=w.FloatSlider(value=6.0, min=0.5, max=12.0, step=0.5),
        x=w.FloatSlider(value=20.3, min=0.0, max=input_width - 1, step=0.05),
        label_smoothing=w.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05),
    )


def interact_loss_gradients(input_width: int = 64):  # pragma: no cover - needs a notebook front-end
    """Sliders for the truth, the prediction, k, label smoothing and sigma; redraws the gradients."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from simdr_lite.notebook import viz

    def show(x=30.0, pred_x=26.0, k=2.0, label_smoothing=0.1, sigma=6.0):
        v = loss_gradient_view(x, pred_x, k, label_smoothing, sigma, input_width)
        fig, ax = plt.subplots(figsize=(10, 3.5))
        viz.plot_curves(ax, v["positions"], v["grads"], "x (pixels)", "d loss / d logit")
        ax.axvline(x, ls="--", c="k")
        plt.show()

    return w.interact(
        show,
        x=w.FloatSlider(value=30.0, min=0.0, max=input_width - 1, step=0.1),
        pred_x=w.FloatSlider(value=26.0, min=0.0, max=input_width - 1, step=0.1),
        k=w.FloatSlider(value=2.0, min=1.0, max=4.0, step=0.5),
        label_smoothing=w.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05),
        sigma=w.FloatSlider(value=6.0, min=0.5, max=12.0, step=0.5),
    )
