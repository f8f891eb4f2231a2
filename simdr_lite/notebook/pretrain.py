"""The demo's stand-in for ImageNet pretraining (``simdr-lite pretrain``).

The paper fine-tunes both heads from one ImageNet-pretrained backbone (Section 4.1). ``simbaseline_tiny``
has no such weights, so this module pretrains its backbone (conv1 .. layer4) once, on a synthetic split
that shares no image with the demo's (split ``"pretrain"``, seed :data:`PRETRAIN_SEED`; the demo uses
splits ``"train"`` / ``"val"`` with seeds 0, 1, 2, ...).

The pretext is direct coordinate regression (the third family of the paper's Section 1, as in
DeepPose): the stride-16 feature map is flattened into a linear layer that outputs the 2K normalised
joint coordinates, trained with a visibility-weighted L1 loss. It favours neither compared
representation: no heatmap, no 1-D bins and no deconvolution is trained, and the linear layer is thrown
away, as ImageNet's classifier is. What is kept is what ImageNet gives the paper's backbones: generic,
already-trained features. The file is written in float16 (half the size; the fine-tuning casts it back).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from simdr_lite.models.pretrained import sha256_file
from simdr_lite.models.tiny import BACKBONE_FILE, HEAD_KEYS

#: The pretraining split: its name and seed differ from every demo split (``train``/``val``, seed = run seed).
PRETRAIN_SPLIT = "pretrain"
PRETRAIN_SEED = 1000
PRETRAIN_DEFAULTS: dict[str, Any] = {"images": 1200, "size": 64, "epochs": 20, "lr": 1e-3, "batch_size": 32}


class RegressionPretext(nn.Module):
    """``simbaseline_tiny``'s backbone + flatten + a linear layer to 2K coordinates in [0, 1]."""

    def __init__(self, size: int, num_joints: int = 17):
        super().__init__()
        from simdr_lite.models import build_model

        self.net = build_model("simbaseline_tiny", input_size=(size, size))
        self.fc = nn.Linear(self.net.layer4[-1].conv2.out_channels * (size // 16) ** 2, 2 * num_joints)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        n = self.net
        x = n.relu(n.bn1(n.conv1(images)))
        x = n.layer4(n.layer3(n.layer2(n.layer1(x))))
        return self.fc(x.flatten(1)).view(len(images), -1, 2)

    def backbone_state(self) -> dict[str, torch.Tensor]:
        """The backbone's tensors (the keys ``simbaseline_tiny`` loads), float16 where floating point."""
        return {k: (v.half() if v.is_floating_point() else v).clone()
                for k, v in self.net.state_dict().items() if not k.startswith(HEAD_KEYS)}


def pretrain_datasets(root: str | Path, images: int, size: int, seed: int = PRETRAIN_SEED):
    """The pretraining set: synthetic split ``pretrain`` (disjoint from the demo's), augmented as the demo."""
    from simdr_lite.data import AugmentConfig, CocoKeypoints, make_synthetic_coco

    split = make_synthetic_coco(root, images, split=PRETRAIN_SPLIT, seed=seed, workers=None)
    augment = AugmentConfig(scale_factor=0.3, rotation_factor=40.0, flip=True, prob_half_body=0.0)
    return CocoKeypoints(split.ann_file, split.image_dir, (size, size), train=True, augment=augment,
                         color_rgb=True, seed=seed,
                         cache_images=True)


def pretrain(out: str | Path = BACKBONE_FILE, *, root: str | Path = "runs/data/synthetic-pretrain",
             images: int = PRETRAIN_DEFAULTS["images"], size: int = PRETRAIN_DEFAULTS["size"],
             epochs: int = PRETRAIN_DEFAULTS["epochs"], lr: float = PRETRAIN_DEFAULTS["lr"],
             batch_size: int = PRETRAIN_DEFAULTS["batch_size"], seed: int = PRETRAIN_SEED,
             max_iters: int | None = None, progress: bool = True) -> dict[str, Any]:
    """Pretrain the backbone and write it (``out``) with its SHA-256 (``out.sha256``).

    Adam, constant ``lr``, ``epochs`` passes (``max_iters``: stop early, for tests). Deterministic for a
    given seed and thread count. Returns ``{"losses": per-iteration losses, "sha256": digest}``.
    """
    from tqdm.auto import tqdm

    from simdr_lite.data import make_loader
    from simdr_lite.data.batch import prepare_batch

    if size < 32 or size % 16:
        raise ValueError(f"pretraining size must be a multiple of 16 and >= 32, got {size}")
    torch.manual_seed(seed)
    ds = pretrain_datasets(root, images, size, seed)
    model = RegressionPretext(size).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loader = make_loader(ds, batch_size, train=True, workers=0, seed=seed)
    if len(loader) == 0:
        raise ValueError(f"{len(ds)} persons make no full batch of {batch_size}: use more images "
                         "or a smaller batch_size")
    losses: list[float] = []
    total = epochs * len(loader) if max_iters is None else min(max_iters, epochs * len(loader))
    bar = tqdm(total=total, desc="pretrain (coordinate regression)", disable=not progress)
    model.train()
    for epoch in range(epochs):
        loader.set_epoch(epoch)
        for batch in loader:
            if len(losses) == total:
                break
            images_ = prepare_batch(batch, "cpu", channels_last=True)[0]
            target = batch["joints"][..., :2] / size
            vis = (batch["joints_vis"] > 0).float().unsqueeze(-1)
            loss = ((model(images_) - target).abs() * vis).sum() / vis.sum().clamp(min=1) / 2
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            bar.update()
            bar.set_postfix(loss=f"{loss.item():.4f}")
    bar.close()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.backbone_state(), out)
    digest = sha256_file(out)
    out.with_name(out.name + ".sha256").write_text(f"{digest}  {out.name}\n")
    return {"losses": losses, "sha256": digest}
