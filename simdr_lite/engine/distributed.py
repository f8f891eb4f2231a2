"""``torchrun`` support: process group, device, DDP wrapping and rank-0 printing.

Launch with ``torchrun --nproc_per_node=N -m simdr_lite.cli train --config ...``. Each process uses
the config's per-GPU batch (the official DataParallel loader used per-GPU x #GPUs in one process).
NCCL on GPUs, gloo on CPU. A collective that waits longer than ``SIMDR_DIST_TIMEOUT_MIN`` minutes
(default 30; e.g. a rank that died, or a node that cannot read the data) fails instead of hanging.
Validation runs on all ranks, each on a shard of the validation set, with
the predictions gathered before scoring (``evaluate(..., distributed=True)``); only rank 0 writes files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as torch_dist


@dataclass
class DistContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @classmethod
    def from_env(cls) -> DistContext:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        ctx = cls(int(os.environ.get("RANK", "0")), world, int(os.environ.get("LOCAL_RANK", "0")))
        if world > 1 and not torch_dist.is_initialized():
            timeout = timedelta(minutes=float(os.environ.get("SIMDR_DIST_TIMEOUT_MIN", "30")))
            torch_dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo", timeout=timeout)
            if torch.cuda.is_available():
                torch.cuda.set_device(ctx.local_rank)
        return ctx

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def device(self) -> str:
        return f"cuda:{self.local_rank}" if torch.cuda.is_available() else "cpu"

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        if self.world_size == 1:
            return model
        ids = [self.local_rank] if torch.cuda.is_available() else None
        return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)

    def broadcast_buffers(self, model: torch.nn.Module) -> None:
        """Copy rank 0's buffers (BatchNorm running statistics) to every rank.

        DDP broadcasts them at the start of each forward, so after the last training step every
        rank holds statistics updated with its own batch; sharded validation needs rank 0's.
        """
        if self.world_size > 1:
            for buffer in model.buffers():
                torch_dist.broadcast(buffer, 0)

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        """``value`` averaged over ranks (itself on one process); a NaN on any rank reaches every rank."""
        if self.world_size == 1:
            return value
        value = value.clone()
        torch_dist.all_reduce(value)
        return value / self.world_size

    def broadcast_object(self, obj):
        """Rank 0's ``obj`` (any picklable value) on every rank."""
        if self.world_size == 1:
            return obj
        box = [obj]
        torch_dist.broadcast_object_list(box, src=0)
        return box[0]

    def barrier(self) -> None:
        if self.world_size > 1:
            torch_dist.barrier()

    def local_first(self, fn):
        """``fn()`` on each node's local rank 0 first, then (after a barrier) on the other ranks: one process
        per node writes what the others read (the synthetic set); nodes sharing a folder write the same
        bytes."""
        out = fn() if self.local_rank == 0 else None
        self.barrier()
        return out if self.local_rank == 0 else fn()

    def print(self, *args) -> None:
        if self.is_main:
            print(*args, flush=True)

    def close(self) -> None:
        if self.world_size > 1 and torch_dist.is_initialized():
            torch_dist.barrier()  # no rank tears the group down while another still uses it
            torch_dist.destroy_process_group()
