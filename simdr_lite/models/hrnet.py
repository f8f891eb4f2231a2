"""HRNet for pose (Sun et al., arXiv 1902.09212), as ``pose_hrnet.py`` of the official repositories.

Module names follow the official file (``conv1``, ``bn1``, ``conv2``, ``bn2``, ``layer1``,
``transition1``-``3``, ``stage2``-``4`` with ``branches`` / ``fuse_layers``, ``final_layer``), so
official HRNet and SimCC checkpoints load without a key map. The SimDR heads are applied to
``final_layer``'s stride-4 joint maps, flattened (``HEAD_INPUT = (H/4)(W/4)``).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .blocks import BN_MOMENTUM, BasicBlock, Bottleneck, conv3x3, init_pose_weights, make_layer
from .pose_model import PoseModel
from .pretrained import load_backbone_file
from .registry import register_model

# (modules, blocks per branch, channels per branch) of stages 2-4; all branches use BasicBlock x 4
STAGES = {32: ((1, (32, 64)), (4, (32, 64, 128)), (3, (32, 64, 128, 256))),
          48: ((1, (48, 96)), (4, (48, 96, 192)), (3, (48, 96, 192, 384)))}
IMAGENET_FILES = {32: "hrnet_w32-36af842e.pth", 48: "hrnet_w48-8ef0771d.pth"}
#: What an ImageNet HRNet file holds that the pose network has no place for (the official pose code loads
#: it with strict=False and drops the same): the classification head, and the fusions into the three
#: lower-resolution branches of stage 4's last module (the classifier fuses into every branch; the pose
#: network, ``multi_scale_output=False``, only into the highest-resolution one).
IMAGENET_ONLY_KEYS = ("incre_modules.", "downsamp_modules.", "final_layer.", "classifier.",
                      "stage4.2.fuse_layers.1.", "stage4.2.fuse_layers.2.", "stage4.2.fuse_layers.3.")


def _bn(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, momentum=BN_MOMENTUM)


class HighResolutionModule(nn.Module):
    """Parallel branches of BasicBlocks, then every branch fused into every (kept) output branch."""

    def __init__(self, channels: tuple[int, ...], multi_scale_output: bool = True, blocks: int = 4):
        super().__init__()
        n = len(channels)
        self.branches = nn.ModuleList(make_layer(BasicBlock, c, c, blocks) for c in channels)
        self.fuse_layers = nn.ModuleList() if n > 1 else None
        for i in range(n if multi_scale_output else 1) if n > 1 else ():
            row = []
            for j in range(n):
                if j > i:  # lower resolution -> 1x1 conv + nearest upsampling
                    up = nn.Upsample(scale_factor=2 ** (j - i), mode="nearest")
                    conv = nn.Conv2d(channels[j], channels[i], 1, bias=False)
                    row.append(nn.Sequential(conv, _bn(channels[i]), up))
                elif j == i:
                    row.append(None)
                else:  # higher resolution -> strided 3x3 convs
                    steps = []
                    for s in range(i - j):
                        last = s == i - j - 1
                        cout = channels[i] if last else channels[j]
                        layer = [conv3x3(channels[j], cout, stride=2), _bn(cout)]
                        steps.append(nn.Sequential(*(layer if last else [*layer, nn.ReLU(inplace=True)])))
                    row.append(nn.Sequential(*steps))
            self.fuse_layers.append(nn.ModuleList(row))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, xs: list[torch.Tensor]) -> list[torch.Tensor]:
        xs = [branch(x) for branch, x in zip(self.branches, xs)]
        if self.fuse_layers is None:
            return xs
        out = []
        for i, row in enumerate(self.fuse_layers):
            y = xs[0] if i == 0 else row[0](xs[0])
            for j in range(1, len(xs)):
                y = y + (xs[j] if i == j else row[j](xs[j]))
            out.append(self.relu(y))
        return out


def _transition(prev: tuple[int, ...], cur: tuple[int, ...]) -> nn.ModuleList:
    layers = []
    for i, c in enumerate(cur):
        if i < len(prev):
            layers.append(None if c == prev[i] else nn.Sequential(conv3x3(prev[i], c), _bn(c), nn.ReLU(True)))
        else:
            steps = []
            for j in range(i + 1 - len(prev)):
                cout = c if j == i - len(prev) else prev[-1]
                steps.append(nn.Sequential(conv3x3(prev[-1], cout, stride=2), _bn(cout), nn.ReLU(True)))
            layers.append(nn.Sequential(*steps))
    return nn.ModuleList(layers)


class PoseHighResolutionNet(PoseModel):
    """HRNet-W32 / W48: stride-4 stem, 4 stages, ``final_layer`` on the highest-resolution branch."""

    def __init__(self, width: int, input_size, simdr_k: float | None, num_joints: int, pretrained):
        super().__init__()
        self.simdr_k, self.num_joints = simdr_k, num_joints
        self.conv1, self.bn1 = conv3x3(3, 64, stride=2), _bn(64)
        self.conv2, self.bn2 = conv3x3(64, 64, stride=2), _bn(64)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = make_layer(Bottleneck, 64, 64, 4)
        prev = (256,)
        for s, (modules, channels) in enumerate(STAGES[width], start=2):
            setattr(self, f"transition{s - 1}", _transition(prev, channels))
            last_stage = s == 4
            setattr(self, f"stage{s}", nn.Sequential(*(
                HighResolutionModule(channels, multi_scale_output=not (last_stage and m == modules - 1))
                for m in range(modules)
            )))
            prev = channels
        self.final_layer = nn.Conv2d(width, num_joints, kernel_size=1)
        init_pose_weights(self)
        if pretrained is True:
            raise RuntimeError(
                f"HRNet-W{width} ImageNet weights are a file: run `python "
                f"data_scripts/download_pretrained.py --only hrnet_w{width}` (it writes "
                f"models/{IMAGENET_FILES[width]}) and pass pretrained='models/{IMAGENET_FILES[width]}'."
            )
        if isinstance(pretrained, (str, Path)):
            load_backbone_file(self, pretrained, ignore=IMAGENET_ONLY_KEYS)
        if simdr_k is not None:
            w, h = input_size
            self._attach_simdr_head((h // 4) * (w // 4), input_size, simdr_k)

    def heatmaps(self, images: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(images)))
        x = self.layer1(self.relu(self.bn2(self.conv2(x))))
        xs = [x]
        for s in (2, 3, 4):
            trans = getattr(self, f"transition{s - 1}")
            xs = [xs[i] if t is None else t(xs[-1]) for i, t in enumerate(trans)]  # official: y_list[-1]
            xs = getattr(self, f"stage{s}")(xs)
        return self.final_layer(xs[0])  # (N, K, H/4, W/4)

    def joint_features(self, images: torch.Tensor) -> torch.Tensor:
        x = self.heatmaps(images)
        return x.flatten(2)  # (N, K, (H/4)(W/4))


@register_model
def hrnet_w32(**kw) -> PoseHighResolutionNet:
    """HRNet-W32 (Tables 2, 7, 8; Fig. 3)."""
    return PoseHighResolutionNet(32, **kw)


@register_model
def hrnet_w48(**kw) -> PoseHighResolutionNet:
    """HRNet-W48 (Tables 2, 3, 5)."""
    return PoseHighResolutionNet(48, **kw)
