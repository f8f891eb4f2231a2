"""End to end: dataset -> (flip-equivariant oracle) model -> flip test -> decode -> back-projection -> AP."""

import numpy as np
import pytest
import torch

from simdr_lite.data import CocoKeypoints, make_synthetic_coco
from simdr_lite.data.augment import normalize_batch
from simdr_lite.evaluation import evaluate
from simdr_lite.representations import Heatmap, SimDR, SimDRStar


class OracleNet(torch.nn.Module):
    """Outputs the codec's perfect output for the ground truth of the crop it is shown.

    It recognises a crop by its pixel sum (unchanged by a flip) and answers the mirrored pose for a
    mirrored crop, so it is exactly flip-equivariant, like an ideal network.
    """

    def __init__(self, dataset, codec):
        super().__init__()
        self.codec, self.width = codec, codec.input_size[0]
        self.perm = dataset.skeleton.flip_index()
        self.table = []
        for i in range(len(dataset)):
            s = dataset[i]
            image = normalize_batch(s["image"][None])[0]  # as the model sees it
            self.table.append((image, np.asarray(s["joints"]), np.asarray(s["joints_vis"])))

    def forward(self, images):
        kps, vis = [], []
        for img in images:
            ref, kp, v = min(self.table, key=lambda t: abs(float(t[0].sum() - img.sum())))
            if not torch.equal(img, ref):  # the mirrored crop
                assert torch.equal(img, ref.flip(-1))
                kp = kp.copy()
                kp[:, 0] = self.width - 1 - kp[:, 0]
                kp, v = kp[self.perm], v[self.perm]
            kps.append(kp)
            vis.append(v)
        out = self.codec.perfect_output(torch.as_tensor(np.stack(kps)), torch.as_tensor(np.stack(vis)))
        return out if isinstance(out, torch.Tensor) else tuple(out)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return make_synthetic_coco(tmp_path_factory.mktemp("syn"), 6, split="val", seed=3, workers=1)


@pytest.mark.parametrize(
    ("rep", "flip"),
    [
        (SimDR((192, 256), k=3, flip_shift="exact"), True),
        (SimDR((192, 256), k=2), True),
        (SimDRStar((192, 256), k=2, sigma=4), True),
        (Heatmap((192, 256), sigma=2), False),
    ],
    ids=["simdr-k3-exact-flip", "simdr-k2-official-flip", "sa-simdr-flip", "heatmap"],
)
def test_oracle_network_scores_ap_one(synthetic, rep, flip):
    ds = CocoKeypoints(synthetic.ann_file, synthetic.image_dir, (192, 256))
    model = OracleNet(ds, rep.codec)
    out = evaluate(model, ds, rep, flip_test=flip, in_vis_thre=0.0, batch_size=4, progress=False)
    assert out["metrics"]["AP"] == pytest.approx(1.0)
    assert len(out["results"]) == len(ds)
    assert out["predictions"]["coords"].shape == (len(ds), 17, 2)


def test_exact_shift_flip_test_equals_plain_prediction_at_k3(synthetic):
    rep = SimDR((48, 64), k=3, flip_shift="exact")
    ds = CocoKeypoints(synthetic.ann_file, synthetic.image_dir, (48, 64))
    model = OracleNet(ds, rep.codec)
    kw = dict(in_vis_thre=0.0, batch_size=8, progress=False)
    exact = evaluate(model, ds, rep, flip_test=True, **kw)["predictions"]["coords"]
    plain = evaluate(model, ds, rep, flip_test=False, **kw)["predictions"]["coords"]
    np.testing.assert_allclose(exact, plain, atol=1e-3)  # (the official shift's bias: test_flip.py)
