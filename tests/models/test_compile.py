"""torch.compile (what train.compile=true does on a GPU) gives the eager outputs: the CPU stand-in CI runs."""

import shutil

import pytest
import torch

from simdr_lite.models import build_model


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("c++") is None and shutil.which("g++") is None,
                    reason="torch.compile's CPU backend needs a C++ compiler")
def test_compiled_tiny_model_matches_eager():
    model = build_model("simbaseline_tiny", input_size=(32, 32), simdr_k=2).eval()
    images = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        eager = model(images)
        compiled = torch.compile(model)(images)
    for a, b in zip(eager, compiled):
        assert a.shape == b.shape and torch.allclose(a, b, atol=1e-4, rtol=1e-4)
