"""Fetch the ImageNet backbone weights the paper's configs start from, and put them where they expect.

* HRNet-W32 / W48 (``configs/**/hrnet*``: ``model.pretrained: models/hrnet_w{32,48}-*.pth``): timm serves
  ports of HRNet's own ImageNet classifiers (``hrnet_w32.ms_in1k``, ``hrnet_w48.ms_in1k``). The script
  loads them through timm, keeps the backbone tensors (:func:`simdr_lite.models.pretrained.
  backbone_state_from_timm`: the keys are HRNet's own), saves them under the path the configs name and
  writes ``<file>.sha256`` beside it; a later load checks the file against it.
* ResNet-50 / 101 / 152 (``model.pretrained: imagenet``): torchvision's original weights, which timm
  fetches on first use into its cache; the script fetches them now so that training starts offline.

No published checksum exists for timm's files, so the SHA-256 recorded is the one of the file written
here (trust on first download); HRNet's own files (the configs' names) come from HRNet's model zoo,
github.com/HRNet/HRNet-Image-Classification, which publishes none either.

Offline, the script stops at once with the manual steps. Examples::

    python data_scripts/download_pretrained.py            # every backbone the configs use
    python data_scripts/download_pretrained.py --only hrnet_w32
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

#: backbone -> the file the configs load (None: fetched into timm's cache by ``model.pretrained: imagenet``)
TARGETS = {"hrnet_w32": "models/hrnet_w32-36af842e.pth", "hrnet_w48": "models/hrnet_w48-8ef0771d.pth",
           "resnet50": None, "resnet101": None, "resnet152": None}


def manual_steps(names: Sequence[str]) -> str:
    lines = ["the weight hub is not reachable (offline?). By hand:"]
    for name in names:
        target = TARGETS[name]
        if target:
            lines.append(f"  - {name}: download {Path(target).name} from HRNet's model zoo "
                         f"(github.com/HRNet/HRNet-Image-Classification) to {target}")
        else:
            lines.append(f"  - {name}: download https://download.pytorch.org/models/{name}-*.pth"
                         " (torchvision) and pass --set model.pretrained=path/to/that/file")
    lines.append("  - or train from scratch: --set model.pretrained=''")
    return "\n".join(lines)


def fetch(name: str, root: Path) -> str:
    """Fetch one backbone; returns a line saying where it is."""
    import timm
    import torch

    from simdr_lite.models.pretrained import TIMM_BACKBONES, backbone_state_from_timm

    model = timm.create_model(TIMM_BACKBONES[name], pretrained=True)
    if TARGETS[name] is None:
        return f"{name}: in timm's cache ({TIMM_BACKBONES[name]}), used by model.pretrained: imagenet"
    out = root / TARGETS[name]
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(backbone_state_from_timm(model.state_dict()), out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.with_name(out.name + ".sha256").write_text(f"{digest}  {out.name}\n")
    return f"{name}: {out} (SHA-256 {digest})"


def main(argv: Sequence[str] | None = None) -> int:
    from simdr_lite.models.pretrained import hub_reachable

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="+", choices=sorted(TARGETS), help="some backbones only (default: all)")
    p.add_argument("--root", type=Path, default=Path("."),
                   help="repository root (the configs' paths are relative to it)")
    args = p.parse_args(argv)
    names = args.only or list(TARGETS)
    if not hub_reachable():
        print(manual_steps(names), file=sys.stderr)
        return 2
    for name in names:
        print(fetch(name, args.root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
