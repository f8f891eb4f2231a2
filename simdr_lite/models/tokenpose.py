"""TokenPose-S-v1 (Li et al., arXiv 2104.03516) with its heatmap MLP head or SimDR linear heads.

As ``TokenPose_S_base`` (leeyegy/TokenPose): a stride-4 CNN stem (two 3x3 convs + 4 Bottlenecks),
patches of the 256-channel map projected to 192-d tokens, 17 keypoint tokens, a 12-layer pre-norm
transformer (8 heads, MLP 576, attention scale ``192 ** -0.5``), and a fixed 2-D sine position
embedding (a frozen parameter) added to the visual tokens at the input and again before every layer
after the first ("sine-full"). Patch sizes (h, w) are (4, 3) at 256x192, (2, 2) at 128x128 and (1, 1)
at 64x64: 256 tokens each, the only choice that reproduces the paper's parameter counts.
The SimDR variant (not released officially) replaces ``mlp_head`` with ``Linear(192, W*k)`` and
``Linear(192, H*k)`` on the keypoint tokens (paper Sec. 4.1.1).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .blocks import BN_MOMENTUM, Bottleneck, conv3x3, make_layer
from .pose_model import PoseModel
from .registry import register_model

PATCH = {(192, 256): (4, 3), (128, 128): (2, 2), (64, 64): (1, 1)}  # (W, H) -> (patch h, patch w)


def sine_position_embedding(h: int, w: int, dim: int, temperature: float = 10000.0) -> torch.Tensor:
    """Fixed 2-D sine embedding ``(1, h*w, dim)``: y features then x features (DETR style)."""
    scale, eps, half = 2 * math.pi, 1e-6, dim // 2
    y = torch.arange(1, h + 1, dtype=torch.float32)[:, None].expand(h, w)
    x = torch.arange(1, w + 1, dtype=torch.float32)[None, :].expand(h, w)
    y, x = y / (h + eps) * scale, x / (w + eps) * scale
    dim_t = temperature ** (2 * torch.div(torch.arange(half), 2, rounding_mode="floor") / half)
    px, py = x[..., None] / dim_t, y[..., None] / dim_t
    px = torch.stack((px[..., 0::2].sin(), px[..., 1::2].cos()), dim=3).flatten(2)
    py = torch.stack((py[..., 0::2].sin(), py[..., 1::2].cos()), dim=3).flatten(2)
    return torch.cat((py, px), dim=2).reshape(1, h * w, dim)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads, self.scale = heads, dim**-0.5  # official: the full dim, not the head dim
        self.to_qkv = nn.Linear(dim, dim * 3, bias=False)
        self.to_out = nn.Sequential(nn.Linear(dim, dim), nn.Dropout(0.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        qkv = self.to_qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # (B, heads, n, d / heads)
        attn = (q @ k.transpose(-1, -2) * self.scale).softmax(dim=-1)
        return self.to_out((attn @ v).transpose(1, 2).reshape(b, n, d))


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(0.0), nn.Linear(hidden, dim),
                                 nn.Dropout(0.0))

    def forward(self, x):
        return self.net(x)


class PreNorm(nn.Module):
    def __init__(self, dim: int, fn: nn.Module):
        super().__init__()
        self.norm, self.fn = nn.LayerNorm(dim), fn

    def forward(self, x):
        return self.fn(self.norm(x))


class Residual(nn.Module):
    def __init__(self, fn: nn.Module):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


class Transformer(nn.Module):
    def __init__(self, dim: int, depth: int, heads: int, mlp_dim: int, num_keypoints: int):
        super().__init__()
        self.num_keypoints = num_keypoints
        self.layers = nn.ModuleList(
            nn.ModuleList([Residual(PreNorm(dim, Attention(dim, heads))),
                           Residual(PreNorm(dim, FeedForward(dim, mlp_dim)))])
            for _ in range(depth)
        )

    def forward(self, x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        k = self.num_keypoints
        for idx, (attn, ff) in enumerate(self.layers):
            if idx > 0:  # "sine-full": the position embedding is re-added to the visual tokens
                x = torch.cat([x[:, :k], x[:, k:] + pos], dim=1)
            x = ff(attn(x))
        return x


class TokenPoseS(PoseModel):
    """TokenPose-S-v1: outputs heatmaps ``(N, K, H/4, W/4)`` or SimDR x/y logits."""

    def __init__(self, input_size, simdr_k: float | None, num_joints: int, pretrained, dim: int = 192,
                 depth: int = 12, heads: int = 8, mlp_dim: int = 576, patch_size=None):
        super().__init__()
        if pretrained:
            raise RuntimeError("TokenPose has no released ImageNet or COCO weights; train from scratch")
        w, h = input_size
        ph, pw = patch_size or PATCH.get((w, h), (4, 3))
        if (h // 4) % ph or (w // 4) % pw:
            raise ValueError(f"patch size {(ph, pw)} does not tile the {h // 4}x{w // 4} feature map")
        self.simdr_k, self.num_joints, self.patch = simdr_k, num_joints, (ph, pw)
        self.heatmap_size = (h // 4, w // 4)
        gh, gw = h // 4 // ph, w // 4 // pw
        self.keypoint_token = nn.Parameter(torch.zeros(1, num_joints, dim))
        nn.init.trunc_normal_(self.keypoint_token, std=0.02)
        self.pos_embedding = nn.Parameter(sine_position_embedding(gh, gw, dim), requires_grad=False)
        self.patch_to_embedding = nn.Linear(256 * ph * pw, dim)
        self.dropout = nn.Dropout(0.0)
        self.conv1, self.bn1 = conv3x3(3, 64, stride=2), nn.BatchNorm2d(64, momentum=BN_MOMENTUM)
        self.conv2, self.bn2 = conv3x3(64, 64, stride=2), nn.BatchNorm2d(64, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = make_layer(Bottleneck, 64, 64, 4)
        self.transformer = Transformer(dim, depth, heads, mlp_dim, num_joints)
        if simdr_k is None:
            hm_dim = (h // 4) * (w // 4)
            hidden = hm_dim // 8
            if dim <= hidden * 0.5:
                self.mlp_head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden), nn.LayerNorm(hidden),
                                              nn.Linear(hidden, hm_dim))
            else:
                self.mlp_head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hm_dim))
        else:
            self._attach_simdr_head(dim, input_size, simdr_k)

    def joint_features(self, images: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(images)))
        x = self.layer1(self.relu(self.bn2(self.conv2(x))))  # (N, 256, H/4, W/4)
        n, c, fh, fw = x.shape
        ph, pw = self.patch
        # 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'
        x = x.reshape(n, c, fh // ph, ph, fw // pw, pw).permute(0, 2, 4, 3, 5, 1).reshape(n, -1, ph * pw * c)
        x = self.patch_to_embedding(x) + self.pos_embedding  # (N, tokens, dim)
        x = torch.cat([self.keypoint_token.expand(n, -1, -1), x], dim=1)
        x = self.transformer(self.dropout(x), self.pos_embedding)
        return x[:, : self.num_joints]  # (N, K, dim)

    def heatmaps(self, images: torch.Tensor) -> torch.Tensor:
        x = self.mlp_head(self.joint_features(images))  # (N, K, h*w)
        return x.reshape(x.shape[0], self.num_joints, *self.heatmap_size)


@register_model
def tokenpose_s(**kw) -> TokenPoseS:
    """TokenPose-S-v1 (Table 2)."""
    return TokenPoseS(**kw)
