"""torchrun-style DDP on CPU (gloo): 2 processes x batch 4 == 1 process x batch 8, step for step.

The model has no BatchNorm: per-process batch statistics differ from whole-batch ones by design
(that is what the SyncBN option is for), so only a BN-free model can be compared exactly.
"""

import os
import socket

import torch
import torch.multiprocessing as mp

from simdr_lite.data import make_loader
from simdr_lite.engine.distributed import DistContext


class PairDataset(torch.utils.data.Dataset):
    def __init__(self, n=32):
        g = torch.Generator().manual_seed(0)
        self.x, self.y = torch.randn(n, 6, generator=g), torch.randn(n, 2, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, key):
        i = key[1] if isinstance(key, tuple) else key  # the loaders yield (epoch, index)
        return {"x": self.x[i], "y": self.y[i]}


def make_net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))


def run(model, loader, epochs=2):
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(epochs):
        loader.set_epoch(epoch)
        for batch in loader:
            loss = ((model(batch["x"]) - batch["y"]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()


def worker(rank, world, port, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    ctx = DistContext.from_env()
    model = make_net()
    net = ctx.wrap(model)
    run(net, make_loader(PairDataset(), 4, train=True, workers=0, distributed=True, seed=0))
    if ctx.is_main:
        torch.save(model.state_dict(), out)
    ctx.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_gloo_processes_equal_one_process_with_the_global_batch(tmp_path):
    out = tmp_path / "ddp.pth"
    mp.spawn(worker, args=(2, free_port(), str(out)), nprocs=2, join=True)
    single = make_net()
    run(single, make_loader(PairDataset(), 8, train=True, workers=0, seed=0))
    ddp = torch.load(out)
    for key, value in single.state_dict().items():
        torch.testing.assert_close(ddp[key], value, atol=1e-5, rtol=0)
    assert not torch.equal(ddp["0.weight"], make_net().state_dict()["0.weight"])  # it did train
