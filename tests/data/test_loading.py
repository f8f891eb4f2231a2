import logging

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate

from simdr_lite.data.coco import CocoKeypoints
from simdr_lite.data.loading import EpochSampler, _as_tensors, collate, make_loader

INPUT = (192, 256)


@pytest.fixture(scope="module")
def train_ds(coco_files):
    return CocoKeypoints(*coco_files, INPUT, train=True)


def test_sampler_pairs_epochs_and_shuffle():
    s = EpochSampler(range(10), shuffle=True, seed=3)
    first = list(s)
    assert sorted(i for _, i in first) == list(range(10)) and {e for e, _ in first} == {0}
    assert list(s) == first
    s.set_epoch(1)
    second = list(s)
    assert {e for e, _ in second} == {1} and [i for _, i in second] != [i for _, i in first]
    assert [i for _, i in EpochSampler(range(5), shuffle=False)] == [0, 1, 2, 3, 4]


def test_collate_and_bad_images_reported_once_per_epoch(train_ds, caplog):
    loader = make_loader(train_ds, batch_size=4, train=True, workers=0, seed=1)
    assert loader.drop_last and len(loader) == len(train_ds) // 4
    with caplog.at_level(logging.WARNING, logger="simdr_lite.data.loading"):
        batches = list(loader)
    b = batches[0]
    assert b["image"].shape == (4, 3, 256, 192) and b["image"].dtype == torch.uint8
    assert b["joints"].shape == (4, 17, 2) and b["meta"]["center"].shape == (4, 2)
    assert isinstance(b["meta"]["image_file"], list) and b["meta"]["image_id"].dtype == torch.int64
    replaced = sum(int(x["meta"]["replaced"].sum()) for x in batches)
    if replaced:  # the 3 unreadable images are replaced and reported in one line
        assert len([r for r in caplog.records if r.name == "simdr_lite.data.loading"]) == 1
    assert loader.last_epoch_bad_images == replaced
    assert loader.epoch == 1  # advanced after the pass


def _same(x, y, path="batch"):
    if isinstance(x, dict):
        assert x.keys() == y.keys(), path
        for key in x:
            _same(x[key], y[key], f"{path}[{key!r}]")
    elif isinstance(x, torch.Tensor):
        assert x.dtype == y.dtype and torch.equal(x, y), path
    else:
        assert x == y, path


def test_collate_gives_the_default_collate_batch(train_ds):
    """Small arrays travel as numpy (by value), images as one shared tensor; the loader's batch is then
    exactly PyTorch's default collate, dtypes included."""
    samples = [train_ds[i] for i in range(5)]
    raw = collate(samples)
    assert isinstance(raw["image"], torch.Tensor) and isinstance(raw["meta"]["center"], np.ndarray)
    _same(_as_tensors(raw), default_collate(samples))


def test_workers_give_same_batches_as_main_process(train_ds):
    a = make_loader(train_ds, batch_size=3, train=True, workers=0, seed=7)
    b = make_loader(train_ds, batch_size=3, train=True, workers=2, seed=7, persistent_workers=False)
    for x, y in zip(a, b):
        _same(x, y)
    a.set_epoch(5)
    b.set_epoch(6)
    x, y = next(iter(a)), next(iter(b))
    assert not torch.equal(x["image"], y["image"])


def test_eval_loader_keeps_order(coco_files):
    ds = CocoKeypoints(*coco_files, INPUT)
    loader = make_loader(ds, batch_size=5, train=False, workers=0)
    ids = torch.cat([b["meta"]["index"] for b in loader]).tolist()
    assert ids == list(range(len(ds)))
    valid = torch.cat([b["meta"]["valid"] for b in loader])
    assert int((valid == 0).sum()) == 3
    assert np.all(np.isin(ds.image_ids[(valid == 0).numpy()], [101, 102, 103]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        make_loader(range(3), 0, True)
    with pytest.raises(ValueError, match="workers"):
        make_loader(range(3), 1, True, workers=-1)
