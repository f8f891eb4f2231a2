"""SimpleBaseline (Xiao et al., arXiv 1804.06208) and the upsample-free ResNet of paper Table 4.

The ResNet comes from timm (same structure as the official torchvision-style one); its modules are
attached at the top level so the state dict keys are the official ``pose_resnet`` ones:
``conv1``, ``bn1``, ``layer1``-``layer4``, ``deconv_layers.{0,1,3,4,6,7}``, ``final_layer``,
``mlp_head_x``, ``mlp_head_y``.
"""

from __future__ import annotations

import torch
from torch import nn

from .blocks import BN_MOMENTUM, init_pose_weights
from .pose_model import PoseModel
from .pretrained import hub_reachable, load_backbone_file
from .registry import register_model

TORCHVISION_FILES = {
    "resnet50": "resnet50-19c8e357.pth",
    "resnet101": "resnet101-5d3b4d8f.pth",
    "resnet152": "resnet152-b121ed2d.pth",
}


def _timm_resnet(arch: str, pretrained: bool | str) -> nn.Module:
    import timm

    if pretrained is True:
        hint = (f"Offline: download https://download.pytorch.org/models/{TORCHVISION_FILES[arch]} and pass "
                f"pretrained='path/to/{TORCHVISION_FILES[arch]}'.")
        if not hub_reachable():
            raise RuntimeError(f"cannot reach the weight hub for {arch}'s ImageNet weights. {hint}")
        try:  # torchvision's original ImageNet weights, as the official code starts from
            return timm.create_model(f"{arch}.tv_in1k", pretrained=True, num_classes=0, global_pool="")
        except Exception as exc:
            raise RuntimeError(f"could not fetch ImageNet weights for {arch} ({exc}). {hint}") from exc
    net = timm.create_model(arch, pretrained=False, num_classes=0, global_pool="")
    if isinstance(pretrained, str):
        load_backbone_file(net, pretrained, ignore=("fc.",))
    return net


class PoseResNet(PoseModel):
    """ResNet + (3 deconvolutions + 1x1 conv) or, ``deconv=False``, a 1x1 conv to ``K * cpj`` channels.

    * heatmap head: deconvs to stride 4, ``final_layer`` 256 -> K: heatmaps ``(N, K, H/4, W/4)``;
    * SimDR head with deconvs (Table 2): each joint's heatmap-shaped map flattened,
      ``HEAD_INPUT = (H/4)(W/4)``;
    * SimDR head without deconvs (``upfree``, Table 4): ``final_layer`` 2048 -> ``K * cpj`` at
      stride 32, rearranged joint-major ``(N, K, cpj * H/32 * W/32)``.
    """

    def __init__(self, arch: str, input_size, simdr_k: float | None, num_joints: int, pretrained,
                 deconv: bool = True, channels_per_joint: int = 32):
        super().__init__()
        if not deconv and simdr_k is None:
            raise ValueError("the upsample-free ResNet has no heatmap head: pass simdr_k (a SimDR head)")
        self.simdr_k, self.num_joints, self.cpj = simdr_k, num_joints, channels_per_joint
        w, h = input_size
        net = _timm_resnet(arch, pretrained)
        self.conv1, self.bn1, self.relu, self.maxpool = net.conv1, net.bn1, net.act1, net.maxpool
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        if deconv:
            layers, cin = [], 2048
            for _ in range(3):
                layers += [
                    nn.ConvTranspose2d(cin, 256, kernel_size=4, stride=2, padding=1, output_padding=0,
                                       bias=False),
                    nn.BatchNorm2d(256, momentum=BN_MOMENTUM),
                    nn.ReLU(inplace=True),
                ]
                cin = 256
            self.deconv_layers = nn.Sequential(*layers)
            self.final_layer = nn.Conv2d(256, num_joints, kernel_size=1)
            head_input = (h // 4) * (w // 4)
        else:
            self.deconv_layers = None
            self.final_layer = nn.Conv2d(2048, num_joints * channels_per_joint, kernel_size=1)
            head_input = channels_per_joint * (h // 32) * (w // 32)
        for m in (self.deconv_layers, self.final_layer):
            if m is not None:
                init_pose_weights(m)
        if simdr_k is not None:
            self._attach_simdr_head(head_input, input_size, simdr_k)

    def _features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        if self.deconv_layers is not None:
            x = self.deconv_layers(x)
        return self.final_layer(x)

    def heatmaps(self, images: torch.Tensor) -> torch.Tensor:
        return self._features(images)  # (N, K, H/4, W/4)

    def joint_features(self, images: torch.Tensor) -> torch.Tensor:
        x = self._features(images)
        n = x.shape[0]
        return x.reshape(n, self.num_joints, -1)  # (N, K, cpj * h * w), joint-major channels


@register_model
def simbaseline_res50(**kw) -> PoseResNet:
    """SimpleBaseline-Res50 (Table 2, 4, 6)."""
    return PoseResNet("resnet50", **kw)


@register_model
def simbaseline_res101(**kw) -> PoseResNet:
    """SimpleBaseline-Res101 (Table 2, 6)."""
    return PoseResNet("resnet101", **kw)


@register_model
def simbaseline_res152(**kw) -> PoseResNet:
    """SimpleBaseline-Res152 (Table 6)."""
    return PoseResNet("resnet152", **kw)


@register_model
def upfree_res50(*, channels_per_joint: int = 32, **kw) -> PoseResNet:
    """ResNet-50 without deconvolutions, SimDR head only (Table 4; cpj 32 at 64/128, 28 at 256x192)."""
    return PoseResNet("resnet50", deconv=False, channels_per_joint=channels_per_joint, **kw)
