"""models.pretrained: weight files from outside never run code when loaded."""

import pickle

import pytest
import torch

from simdr_lite.models import build_model, load_official_checkpoint
from simdr_lite.models.pretrained import UnsafeFileError, load_weights_file


class _Payload:
    """Unpickling this would create ``marker`` (a stand-in for any code an attacker wants run)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('pwned')",))


def write_crafted_checkpoint(path, marker):
    """A ``.pth`` whose state dict carries a code-running pickle next to a real tensor."""
    with open(path, "wb") as f:
        pickle.dump({"state_dict": {"w": torch.zeros(1), "evil": _Payload(marker)}}, f, protocol=2)
    return path


def test_crafted_pickle_does_not_run_and_the_error_says_why(tmp_path):
    path = write_crafted_checkpoint(tmp_path / "evil.pth", tmp_path / "marker")
    model = build_model("simbaseline_tiny", input_size=(64, 64), simdr_k=2)
    with pytest.raises(UnsafeFileError, match="could run arbitrary code"):
        load_official_checkpoint(model, path)
    with pytest.raises(UnsafeFileError):
        load_weights_file(path)
    assert not (tmp_path / "marker").exists()


def test_plain_state_dict_loads(tmp_path):
    model = build_model("simbaseline_tiny", input_size=(64, 64), simdr_k=2)
    torch.save({"state_dict": {f"module.{k}": v for k, v in model.state_dict().items()}}, tmp_path / "ok.pth")
    other = build_model("simbaseline_tiny", input_size=(64, 64), simdr_k=2)
    load_official_checkpoint(other, tmp_path / "ok.pth")
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), other.state_dict().values()))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        load_weights_file(tmp_path / "nope.pth")
