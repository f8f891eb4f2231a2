"""The paper's result tables as data (arXiv 2107.03332v2), for tests and the paper-vs-measured notebook.

Every number is transcribed from the paper's text; nothing here is measured. Input sizes are written
``"HxW"`` as in the paper (``"256x192"`` is 256 high, 192 wide); ``head`` is ``"heatmap"``,
``"simdr"`` or ``"sa-simdr"``; ``post`` says whether heatmap post-processing (the quarter shift)
was applied.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One row of a COCO table: model, head, input, complexity and accuracy."""

    model: str
    head: str
    input: str
    params_m: float | None
    gflops: float | None
    post: bool | None
    ap: float
    ar: float | None = None
    extra: tuple[tuple[str, float], ...] = ()


def _t2(model: str, params: tuple[float, float, float, float, float, float, float, float, float],
        gflops: tuple[float, float, float], ap_ar: tuple[tuple[float, float], ...]) -> list[Row]:
    """Nine Table 2 rows of one model: (heatmap+post, heatmap, SimDR) x (64, 128, 256x192)."""
    rows = []
    for i, size in enumerate(("64x64", "128x128", "256x192")):
        for j, (head, post) in enumerate((("heatmap", True), ("heatmap", False), ("simdr", False))):
            ap, ar = ap_ar[3 * i + j]
            rows.append(Row(model, head, size, params[3 * i + j], gflops[i], post, ap, ar))
    return rows


#: Table 2: heatmap vs SimDR on COCO val2017 with the same detected boxes.
TABLE2: list[Row] = [
    *_t2("simbaseline_res50", (34.0, 34.0, 34.1, 34.0, 34.0, 34.8, 34.0, 34.0, 36.8), (0.7, 3.0, 8.9),
         ((34.4, 43.7), (25.8, 36.0), (40.8, 49.6), (60.3, 67.6), (55.4, 63.3), (62.6, 69.5),
          (70.4, 76.3), (68.5, 74.8), (71.4, 77.4))),
    *_t2("tokenpose_s", (4.9, 4.9, 4.9, 5.2, 5.2, 5.1, 6.6, 6.6, 5.5), (1.4, 1.6, 2.2),
         ((57.1, 64.8), (35.9, 47.0), (62.8, 70.1), (65.4, 71.6), (57.6, 64.9), (70.4, 76.4),
          (72.5, 78.0), (69.9, 75.8), (73.6, 78.9))),
    *_t2("simbaseline_res101", (53.0, 53.0, 53.1, 53.0, 53.0, 53.5, 53.0, 53.0, 55.7), (1.0, 4.1, 12.4),
         ((34.1, 43.5), (25.7, 36.1), (39.6, 48.9), (59.2, 66.7), (54.4, 62.5), (63.1, 70.1),
          (71.4, 77.1), (69.5, 75.6), (72.3, 78.0))),
    *_t2("hrnet_w32", (28.5, 28.5, 28.6, 28.5, 28.5, 29.1, 28.5, 28.5, 31.3), (0.6, 2.4, 7.1),
         ((45.8, 55.3), (34.6, 45.6), (56.4, 64.9), (67.2, 74.1), (61.9, 69.4), (70.7, 76.7),
          (74.4, 79.8), (72.3, 78.2), (75.3, 80.8))),
    *_t2("hrnet_w48", (63.6, 63.6, 63.7, 63.6, 63.6, 64.1, 63.6, 63.6, 66.3), (1.2, 4.9, 14.6),
         ((48.5, 57.8), (36.9, 47.8), (59.7, 67.5), (68.9, 75.3), (63.3, 70.5), (72.0, 77.9),
          (75.1, 80.4), (73.1, 78.7), (75.9, 81.2))),
]

_COCO6 = ("AP50", "AP75", "APM", "APL")

#: Table 3: HRNet-W48 at higher input resolutions (COCO val2017).
TABLE3: list[Row] = [
    Row("hrnet_w48", h, s, p, g, None, ap, ar, tuple(zip(_COCO6, rest)))
    for h, s, p, g, ap, ar, rest in (
        ("heatmap", "256x192", 63.6, 14.6, 75.1, 80.4, (90.6, 82.2, 71.5, 81.8)),
        ("simdr", "256x192", 66.3, 14.6, 75.9, 81.2, (90.4, 82.7, 72.4, 82.5)),
        ("sa-simdr", "256x192", 66.3, 14.6, 76.1, 81.2, (90.6, 82.9, 72.6, 82.9)),
        ("heatmap", "384x288", 63.6, 32.9, 76.3, 81.2, (90.8, 82.9, 72.3, 83.4)),
        ("simdr", "384x288", 70.6, 32.9, 69.9, 78.1, (84.7, 75.8, 67.3, 80.5)),
        ("sa-simdr", "384x288", 70.6, 32.9, 76.9, 82.0, (90.9, 83.2, 73.2, 83.8)),
    )
]

#: Table 4: SimpleBaseline-Res50 with deconvolutions (heatmap) vs without (SimDR, "upfree").
#: ``extra`` holds the CPU FPS (Intel Xeon Gold 6130, batch 1).
TABLE4: list[Row] = [
    Row(m, h, s, p, g, None, ap, None, (("fps", fps),))
    for m, h, s, p, g, ap, fps in (
        ("simbaseline_res50", "heatmap", "64x64", 34.0, 0.7, 34.4, 34),
        ("upfree_res50", "simdr", "64x64", 24.7, 0.3, 39.3, 45),
        ("simbaseline_res50", "heatmap", "128x128", 34.0, 3.0, 60.3, 21),
        ("upfree_res50", "simdr", "128x128", 25.0, 1.3, 62.6, 29),
        ("simbaseline_res50", "heatmap", "256x192", 34.0, 8.9, 70.4, 17),
        ("upfree_res50", "simdr", "256x192", 25.7, 3.8, 70.8, 21),
    )
]

#: Table 5: COCO test-dev, the paper's SimDR* rows and the heatmap rows of the same networks (the other
#: methods of the table are not reproduced here). GFLOPs as printed; #Params are not given.
TABLE5: list[Row] = [
    Row(m, h, s, None, g, None, ap, ar, tuple(zip(_COCO6, rest)))
    for m, h, s, g, ap, ar, rest in (
        ("simbaseline_res50", "heatmap", "384x288", 20.0, 71.5, 76.9, (91.1, 78.7, 67.8, 78.0)),
        ("simbaseline_res50", "sa-simdr", "384x288", 20.2, 72.7, 78.0, (91.2, 80.1, 69.2, 79.0)),
        ("hrnet_w48", "heatmap", "256x192", 14.6, 74.2, 79.5, (92.4, 82.4, 70.9, 79.7)),
        ("hrnet_w48", "sa-simdr", "256x192", 14.6, 75.4, 80.5, (92.4, 82.7, 71.9, 81.3)),
        ("hrnet_w48", "heatmap", "384x288", 32.9, 75.5, 80.5, (92.5, 83.3, 71.9, 81.5)),
        ("hrnet_w48", "sa-simdr", "384x288", 32.9, 76.0, 81.1, (92.4, 83.5, 72.5, 81.9)),
    )
]

#: Table 6: SimpleBaseline at 384x288 (COCO val2017).
TABLE6: list[Row] = [
    Row(m, h, "384x288", None, None, None, ap, ar, tuple(zip(_COCO6, rest)))
    for m, h, ap, ar, rest in (
        ("simbaseline_res50", "heatmap", 72.2, 77.6, (89.3, 78.9, 68.1, 79.7)),
        ("simbaseline_res50", "simdr", 73.0, 78.6, (89.3, 79.7, 69.5, 79.9)),
        ("simbaseline_res101", "heatmap", 73.6, 79.1, (89.6, 80.3, 69.9, 81.1)),
        ("simbaseline_res101", "simdr", 74.2, 79.8, (89.6, 80.9, 70.7, 80.9)),
        ("simbaseline_res152", "heatmap", 74.3, 79.7, (89.6, 81.1, 70.5, 81.6)),
        ("simbaseline_res152", "simdr", 74.9, 80.4, (89.9, 81.5, 71.4, 81.7)),
    )
]

#: Table 7: HRNet-W32 on the CrowdPose test set (AP, AP50, AP75, AP easy / medium / hard).
TABLE7: list[Row] = [
    Row("hrnet_w32", h, s, None, None, None, ap, None,
        tuple(zip(("AP50", "AP75", "APE", "APM", "APH"), rest)))
    for h, s, ap, rest in (
        ("heatmap", "64x64", 42.4, (69.6, 45.5, 51.2, 43.1, 31.8)),
        ("simdr", "64x64", 46.5, (70.9, 50.0, 56.0, 47.5, 34.7)),
        ("heatmap", "256x192", 66.4, (81.1, 71.5, 74.0, 67.4, 55.6)),
        ("simdr", "256x192", 66.7, (82.1, 72.0, 74.1, 67.8, 56.2)),
    )
]

MPII_COLUMNS = ("Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Mean")

#: Table 8: HRNet-W32 on the MPII validation set: ``(head, input, threshold) -> PCKh per column``.
TABLE8: dict[tuple[str, str, float], tuple[float, ...]] = {
    ("heatmap", "64x64", 0.5): (89.7, 86.6, 75.1, 65.7, 77.2, 69.2, 63.6, 76.4),
    ("simdr", "64x64", 0.5): (93.5, 89.5, 77.5, 67.6, 79.8, 71.5, 65.0, 78.7),
    ("heatmap", "256x256", 0.5): (97.1, 95.9, 90.3, 86.4, 89.1, 87.1, 83.3, 90.3),
    ("simdr", "256x256", 0.5): (96.8, 95.9, 90.0, 85.0, 89.1, 85.4, 81.3, 89.6),
    ("sa-simdr", "256x256", 0.5): (97.2, 96.0, 90.4, 85.6, 89.5, 85.8, 81.8, 90.0),
    ("heatmap", "64x64", 0.1): (12.9, 11.7, 9.7, 7.1, 7.2, 7.2, 6.6, 9.2),
    ("simdr", "64x64", 0.1): (30.9, 23.3, 18.1, 15.0, 10.5, 13.1, 12.8, 18.5),
    ("heatmap", "256x256", 0.1): (44.5, 37.3, 37.5, 36.9, 15.1, 25.9, 27.2, 33.1),
    ("simdr", "256x256", 0.1): (50.1, 41.0, 45.3, 42.4, 16.6, 29.7, 30.3, 37.8),
    ("sa-simdr", "256x256", 0.1): (49.6, 41.9, 43.0, 39.6, 17.0, 28.2, 28.9, 36.8),
}


def input_size_wh(size: str) -> tuple[int, int]:
    """The paper's ``"HxW"`` -> this package's ``(W, H)``."""
    h, w = (int(v) for v in size.split("x"))
    return w, h
