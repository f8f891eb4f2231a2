"""Sharded validation on CPU (gloo): 2 processes, each on ``dataset[rank::2]``, give the same
predictions and COCO metrics as one process on the whole set.

The model is the demo's ``simbaseline_tiny`` (SimDR head) added, with a large weight, to the oracle
of ``tests/evaluation``: an untrained network alone scores AP 0, the oracle alone AP 1; together they
give metrics in between that depend on which prediction goes with which instance.
"""

import os

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from simdr_lite import build
from simdr_lite.data import CocoKeypoints, make_synthetic_coco
from simdr_lite.engine.distributed import DistContext
from simdr_lite.evaluation import evaluate
from simdr_lite.notebook.demo import demo_config
from tests.engine.test_ddp import free_port
from tests.evaluation.test_inference import OracleNet


class NoisyOracle(OracleNet):
    """The oracle's logits plus ``weight`` x the tiny network's."""

    def __init__(self, dataset, codec, net, weight=100.0):
        super().__init__(dataset, codec)
        self.net, self.weight = net, weight

    def forward(self, images):
        return tuple(o + self.weight * n for o, n in zip(super().forward(images), self.net(images)))


def setup(root):
    """Config, representation, validation set (17 instances: shards of 9 and 8) and model, alike in every
    process."""
    cfg = demo_config("simdr", fast=True, root=str(root))
    rep = build.representation(cfg)
    syn = make_synthetic_coco(root, 7, split="val", seed=3, workers=1)  # already there in the workers
    dataset = CocoKeypoints(syn.ann_file, syn.image_dir, cfg.model.input_size)
    torch.manual_seed(0)
    model = NoisyOracle(dataset, rep.codec, build.model(cfg, rep))
    return cfg, rep, dataset, model


def run_eval(root, distributed):
    cfg, rep, dataset, model = setup(root)
    return evaluate(model, dataset, rep, flip_test=True, in_vis_thre=cfg.test.in_vis_thre, batch_size=4,
                    progress=False, distributed=distributed)


def worker(rank, world, port, root, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    ctx = DistContext.from_env()
    result = run_eval(root, distributed=True)
    torch.save({"metrics": result["metrics"], "predictions": result["predictions"]}, f"{out}.{rank}")
    ctx.close()


def test_two_gloo_processes_evaluate_like_one_process(tmp_path):
    root, out = tmp_path / "data", tmp_path / "eval"
    single = run_eval(root, distributed=False)
    assert 0.05 < single["metrics"]["AP"] < 0.95  # neither trivial value
    assert len(single["predictions"]["coords"]) == 17
    mp.spawn(worker, args=(2, free_port(), str(root), str(out)), nprocs=2, join=True)
    for rank in range(2):  # every rank holds all the predictions, in dataset order, and the metrics
        ddp = torch.load(f"{out}.{rank}", weights_only=False)
        for key, value in single["predictions"].items():
            np.testing.assert_allclose(ddp["predictions"][key], value, rtol=0, atol=1e-9, err_msg=key)
        for key, value in single["metrics"].items():
            assert ddp["metrics"][key] == pytest.approx(value, abs=1e-9), key


def train_worker(rank, world, port, root, run_dir):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    from simdr_lite.engine.trainer import train

    cfg = demo_config("simdr", fast=True, root=root)
    cfg.train.val_every, cfg.train.batch_size = 1, 8
    out = train(cfg, run_dir, progress=False)
    torch.save({"history": out["history"], "best": out["best"]}, f"{run_dir}.{rank}")


def test_two_gloo_processes_train_validate_and_share_the_synthetic_set(tmp_path):
    """``train`` under 2 processes on a synthetic root that does not exist yet: rank 0 writes the set
    while the other waits, every rank validates (sharded) and gets the same metrics; only rank 0
    writes the run files."""
    root, run_dir = tmp_path / "data", tmp_path / "run"
    mp.spawn(train_worker, args=(2, free_port(), str(root), str(run_dir)), nprocs=2, join=True)
    results = [torch.load(f"{run_dir}.{rank}", weights_only=False) for rank in range(2)]
    val = [{k: v for k, v in r["history"][-1].items() if k.startswith("val_")} for r in results]
    assert "val_AP" in val[0] and val[0] == val[1]  # (loss and img/s are each rank's own)
    assert results[0]["best"] == results[1]["best"] == results[0]["history"][-1]["val_AP"]
    assert (run_dir / "best.pth").is_file() and (run_dir / "log.csv").is_file()
