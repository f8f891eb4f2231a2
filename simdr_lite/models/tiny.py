"""A small SimpleBaseline-style network for the CPU demo (not in the paper).

A 4-stage ResNet of BasicBlocks (16-32-64-128 channels, stride 16) and the SimpleBaseline head
scaled down: two 32-channel deconvolutions back to stride 4 and a 1x1 conv to the joints. The SimDR variant
flattens each joint map and applies the shared ``mlp_head_x`` / ``mlp_head_y``, exactly as the SimDR
SimpleBaseline of Table 2 does, so the demo compares the two representations on the same network.

Its backbone gets the Kaiming init of a from-scratch ResNet (the official N(0, 0.001) for every conv
assumes an ImageNet-pretrained backbone); the deconvolutions and the 1x1 joint layer keep the official
N(0, 0.001), as in both official heads. ``pretrained=True`` loads, over that init, the committed backbone
pretrained on a disjoint synthetic split (:data:`BACKBONE_FILE`, made by ``simdr-lite pretrain``): this
network's stand-in for the paper's ImageNet backbone, through the same loader, SHA-256 checked.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .blocks import BN_MOMENTUM, BasicBlock, conv3x3, init_pose_weights, make_layer
from .pose_model import PoseModel
from .pretrained import load_backbone_file
from .registry import register_model

#: The committed backbone (conv1 .. layer4, float16) and its SHA-256 (``simdr-lite pretrain`` writes both).
BACKBONE_FILE = Path(__file__).parent / "weights" / "simbaseline_tiny_synthetic.pth"
BACKBONE_SHA256 = (BACKBONE_FILE.with_name(BACKBONE_FILE.name + ".sha256").read_text().split()[0]
                   if BACKBONE_FILE.with_name(BACKBONE_FILE.name + ".sha256").is_file() else None)
#: The keys that are not the backbone (skipped when a backbone file is loaded).
HEAD_KEYS = ("deconv_layers.", "final_layer.", "mlp_head_x.", "mlp_head_y.")


class TinySimpleBaseline(PoseModel):
    def __init__(self, input_size, simdr_k: float | None, num_joints: int, pretrained, width: int = 16,
                 deconv_channels: int = 32):
        super().__init__()
        self.simdr_k, self.num_joints = simdr_k, num_joints
        c = (width, 2 * width, 4 * width, 8 * width)
        self.conv1, self.bn1 = conv3x3(3, c[0], stride=2), nn.BatchNorm2d(c[0], momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = make_layer(BasicBlock, c[0], c[0], 1)
        self.layer2 = make_layer(BasicBlock, c[0], c[1], 1, stride=2)
        self.layer3 = make_layer(BasicBlock, c[1], c[2], 1, stride=2)
        self.layer4 = make_layer(BasicBlock, c[2], c[3], 1, stride=2)
        layers, cin = [], c[3]
        for _ in range(2):
            layers += [nn.ConvTranspose2d(cin, deconv_channels, 4, stride=2, padding=1, bias=False),
                       nn.BatchNorm2d(deconv_channels, momentum=BN_MOMENTUM), nn.ReLU(inplace=True)]
            cin = deconv_channels
        self.deconv_layers = nn.Sequential(*layers)
        self.final_layer = nn.Conv2d(cin, num_joints, kernel_size=1)
        init_pose_weights(self)
        for m in self.modules():  # the backbone: from scratch (see the module docstring)
            if isinstance(m, nn.Conv2d) and m is not self.final_layer:
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if simdr_k is not None:
            w, h = input_size
            self._attach_simdr_head((h // 4) * (w // 4), input_size, simdr_k)
        if pretrained is True and not BACKBONE_FILE.is_file():
            raise FileNotFoundError(f"{BACKBONE_FILE} is missing; re-create it with `simdr-lite pretrain`.")
        if pretrained:
            path = BACKBONE_FILE if pretrained is True else Path(pretrained)
            known = path.resolve() == BACKBONE_FILE.resolve()
            load_backbone_file(self, path, ignore=HEAD_KEYS, sha256=BACKBONE_SHA256 if known else None)

    def heatmaps(self, images: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(images)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.final_layer(self.deconv_layers(x))  # (N, K, H/4, W/4)

    def joint_features(self, images: torch.Tensor) -> torch.Tensor:
        return self.heatmaps(images).flatten(2)  # (N, K, (H/4)(W/4))


@register_model
def simbaseline_tiny(**kw) -> TinySimpleBaseline:
    """Small SimpleBaseline for the CPU demo (about 0.5M parameters)."""
    return TinySimpleBaseline(**kw)
