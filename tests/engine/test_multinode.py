"""Two torchrun "nodes" on 127.0.0.1 (c10d rendezvous, gloo, one process each) train, validate and checkpoint.

Each node's process is its node's local rank 0, so both write the synthetic set into the shared folder at
once, as two nodes on a shared filesystem would. Exact equality with one process at the same global batch is
checked by test_ddp.py on a BatchNorm-free network: with BatchNorm (every pose model here) each process
normalises with its own half of the batch, and SyncBatchNorm needs CUDA.
"""

import csv
import dataclasses
import os
import socket
import subprocess
import sys

import pytest

from simdr_lite.engine.checkpoint import load_checkpoint
from simdr_lite.engine.config import save_config
from simdr_lite.notebook.demo import demo_config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_nodes_train_validate_and_checkpoint(tmp_path):
    cfg = demo_config("simdr", fast=True, root=str(tmp_path / "data"), pretrained=False)
    short = dataclasses.replace(cfg.train, epochs=2, milestones=(2,), val_every=1, tensorboard=False,
                                channels_last=False)
    cfg = dataclasses.replace(cfg, train=short)
    save_config(cfg, tmp_path / "c.yaml")
    port, run = _free_port(), tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "SIMDR_DIST_TIMEOUT_MIN": "3"}

    def launch(node: int) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "torch.distributed.run", "--nnodes=2", "--nproc_per_node=1",
             f"--node_rank={node}", "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{port}",
             "--rdzv_id=simdr-lite-test", "-m", "simdr_lite.cli", "train",
             "--config", str(tmp_path / "c.yaml"), "--run-dir", str(run), "--device", "cpu"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    nodes = [launch(0), launch(1)]
    outputs = [node.communicate(timeout=400) for node in nodes]
    for node, (_, err) in zip(nodes, outputs):
        assert node.returncode == 0, err[-3000:]
    state = load_checkpoint(run / "last.pth")
    assert state["epoch"] == 2 and len(state["history"]) == 2
    with (run / "log.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"] and all(r["val_AP"] != "" for r in rows)
