"""One entry point for every model of the paper, in the spirit of ``timm.create_model``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import nn

HEADS = ("heatmap", "simdr", "sa-simdr")
_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register_model(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """Decorator: register a builder under its function name."""
    _REGISTRY[fn.__name__] = fn
    return fn


def list_models() -> list[str]:
    """Names accepted by :func:`build_model`."""
    return sorted(_REGISTRY)


def build_model(
    name: str,
    *,
    input_size: Sequence[int] = (192, 256),
    head: str = "heatmap",
    k: float = 2.0,
    num_joints: int = 17,
    pretrained: bool | str = False,
    **overrides,
) -> nn.Module:
    """Build a pose model by name.

    Args:
        name: one of :func:`list_models` (``simbaseline_res50``, ``upfree_res50``, ``hrnet_w32``, ...).
        input_size: ``(W, H)`` of the input crop.
        head: ``"heatmap"`` (output ``(N, K, H/4, W/4)``) or ``"simdr"`` / ``"sa-simdr"`` (output
            ``(x_logits (N, K, int(W*k)), y_logits (N, K, int(H*k)))``; the two differ only in targets).
        k: SimDR splitting factor.
        pretrained: ``True`` for the ImageNet backbone (ResNets through timm), or a path to a backbone
            file (e.g. HRNet's ``hrnet_w32-36af842e.pth``).
        overrides: model-specific options (e.g. ``channels_per_joint`` for ``upfree_res50``).

    Example:
        >>> model = build_model("hrnet_w32", input_size=(192, 256), head="simdr", k=2)
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose one of {list_models()}")
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    if len(input_size) != 2 or min(input_size) < 1:
        raise ValueError(f"input_size must be (W, H), got {input_size!r}")
    if float(k) < 1:
        raise ValueError(f"k (the splitting factor) must be >= 1, got {k}")
    w, h = int(input_size[0]), int(input_size[1])
    return _REGISTRY[name](
        input_size=(w, h), head=head, k=float(k), num_joints=num_joints, pretrained=pretrained, **overrides
    )
