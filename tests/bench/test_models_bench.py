"""The latency benchmark's interleaved timer and pair definitions (the bench runs by hand)."""

import time

import pytest
import torch

from simdr_lite.bench import models as bench


class Sleep(torch.nn.Module):
    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def forward(self, x):
        time.sleep(self.seconds)
        return x


def test_interleaved_fps_measures_each_side():
    fa, fb = bench.interleaved_fps(Sleep(0.004), Sleep(0.001), torch.zeros(1), runs=5)
    assert fa < fb and 100 < fa < 260 and fb > 400


def test_pairs_follow_table4():
    ratios = [round(p[-1], 2) for p in bench.PAIRS]
    assert ratios == [pytest.approx(1.32, abs=0.01), pytest.approx(1.38, abs=0.01),
                      pytest.approx(1.24, abs=0.01), pytest.approx(1.07, abs=0.01)]
