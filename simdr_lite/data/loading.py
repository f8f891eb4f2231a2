"""DataLoader factory for the top-down datasets: workers, pinned memory, deterministic epochs.

:func:`make_loader` builds a :class:`KeypointLoader` (a ``torch.utils.data.DataLoader``) whose sampler
(:class:`EpochSampler`) yields ``(epoch, index)`` pairs: the dataset seeds each sample's generator
from ``(seed, epoch, index)``, so the augmentation does not depend on the number of workers, their
order or persistent worker state. Shuffling is a ``torch.randperm`` seeded by ``seed + epoch``, or a
``DistributedSampler`` (same epoch) when ``distributed=True``.

The epoch advances by itself after each full pass; call ``loader.set_epoch(e)`` to set it (e.g. when
resuming). Batches have PyTorch's default collate layout: ``image`` ``(B, 3, H, W)``, numeric entries
(``joints``, ``joints_vis``, the ``meta`` values) stacked into tensors, and ``meta["image_file"]`` a list
of strings. :func:`collate` builds them so that a worker sends one shared-memory tensor per batch (the
images) and the small arrays by value: the default collate sends each of the ~17 small tensors through
its own shared-memory file, which cost the loader about a fifth of its samples/s on 2 cores
(docs/RESULTS.md, data pipeline throughput).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sized
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Sampler, default_collate

logger = logging.getLogger(__name__)


class EpochSampler(Sampler):
    """Yields ``(epoch, index)``; shuffled per epoch (``seed + epoch``) when ``shuffle``."""

    def __init__(self, dataset: Sized, shuffle: bool, seed: int = 0, distributed: bool = False,
                 drop_last: bool = False) -> None:
        self.n = len(dataset)
        self.shuffle, self.seed, self.epoch = bool(shuffle), int(seed), 0
        self.dist = (DistributedSampler(dataset, shuffle=shuffle, seed=seed, drop_last=drop_last)
                     if distributed else None)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)
        if self.dist is not None:
            self.dist.set_epoch(self.epoch)

    def __len__(self) -> int:
        return len(self.dist) if self.dist is not None else self.n

    def __iter__(self) -> Iterator[tuple[int, int]]:
        if self.dist is not None:
            order = list(self.dist)
        elif self.shuffle:
            order = torch.randperm(self.n, generator=torch.Generator().manual_seed(self.seed + self.epoch))
            order = order.tolist()
        else:
            order = range(self.n)
        epoch = self.epoch
        for i in order:
            yield (epoch, int(i))


def collate(samples: list[Any]) -> Any:
    """Stack samples as ``default_collate`` does, but numeric values other than tensors into numpy arrays
    (sent between processes by value; :class:`KeypointLoader` turns them into tensors without a copy).
    Tensors go through ``default_collate``, which writes a worker's batch straight into shared memory."""
    first = samples[0]
    if isinstance(first, torch.Tensor):
        return default_collate(samples)
    if isinstance(first, Mapping):
        return {key: collate([s[key] for s in samples]) for key in first}
    if isinstance(first, str):
        return list(samples)
    return np.stack(samples)


def _as_tensors(batch: Any) -> Any:
    if isinstance(batch, np.ndarray):
        return torch.from_numpy(batch)
    if isinstance(batch, dict):
        return {key: _as_tensors(value) for key, value in batch.items()}
    return batch


class KeypointLoader(DataLoader):
    """DataLoader that advances the sampler's epoch after each pass and reports replaced bad images
    (``meta["replaced"]``, ``meta["valid"] == 0``) in one warning line per epoch."""

    def set_epoch(self, epoch: int) -> None:
        self.sampler.set_epoch(epoch)

    @property
    def epoch(self) -> int:
        return self.sampler.epoch

    def __iter__(self):
        replaced = invalid = 0
        epoch = self.sampler.epoch
        for batch in super().__iter__():
            batch = _as_tensors(batch)
            meta = batch.get("meta", {}) if isinstance(batch, dict) else {}
            if "replaced" in meta:
                replaced += int(torch.as_tensor(meta["replaced"]).sum())
                invalid += int((torch.as_tensor(meta["valid"]) == 0).sum())
            yield batch
        if replaced or invalid:
            logger.warning("epoch %d: %d unreadable image(s) replaced by other samples, %d returned as "
                           "blank invalid samples (meta['valid'] == 0)", epoch, replaced, invalid)
        self.last_epoch_bad_images = replaced + invalid
        self.sampler.set_epoch(epoch + 1)


def worker_init(worker_id: int) -> None:
    """One torch thread per worker (the workers are the parallelism).

    OpenCV's thread count is left alone: calling ``cv2.setNumThreads`` in a forked worker whose parent
    already used OpenCV's thread pool deadlocks (observed with opencv 5.0 on Linux).
    """
    torch.set_num_threads(1)


def make_loader(
    dataset: Dataset,
    batch_size: int,
    train: bool,
    workers: int = 2,
    distributed: bool = False,
    seed: int = 0,
    *,
    pin_memory: bool | None = None,
    drop_last: bool | None = None,
    persistent_workers: bool | None = None,
    prefetch_factor: int | None = None,
    multiprocessing_context: str | None = None,
) -> KeypointLoader:
    """Loader over a top-down dataset: shuffled and ``drop_last`` for training, in order otherwise.

    ``pin_memory`` defaults to ``torch.cuda.is_available()``, ``persistent_workers`` to
    ``workers > 0``; ``multiprocessing_context`` (``"fork"``, ``"forkserver"``, ``"spawn"``): how workers
    start.
    With ``distributed=True`` the instances are split by a ``DistributedSampler``
    (needs an initialised process group), as the official ``train.py`` does.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if workers < 0:
        raise ValueError(f"workers must be >= 0, got {workers}")
    drop_last = train if drop_last is None else drop_last
    sampler = EpochSampler(dataset, shuffle=train, seed=seed, distributed=distributed, drop_last=drop_last)
    extra = {}
    if workers > 0:
        extra["persistent_workers"] = True if persistent_workers is None else persistent_workers
        extra["worker_init_fn"] = worker_init
        if prefetch_factor is not None:
            extra["prefetch_factor"] = prefetch_factor
        if multiprocessing_context is not None:
            extra["multiprocessing_context"] = multiprocessing_context
    return KeypointLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=workers,
        pin_memory=torch.cuda.is_available() if pin_memory is None else pin_memory,
        drop_last=drop_last,
        collate_fn=collate,
        **extra,
    )
