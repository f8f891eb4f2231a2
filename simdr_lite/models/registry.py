"""One entry point for every model of the paper, in the spirit of ``timm.create_model``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import nn

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
    simdr_k: float | None = None,
    num_joints: int = 17,
    pretrained: bool | str = False,
    **overrides,
) -> nn.Module:
    """Build a pose model by name.

    Args:
        name: one of :func:`list_models` (``simbaseline_res50``, ``upfree_res50``, ``hrnet_w32``, ...).
        input_size: ``(W, H)`` of the input crop.
        simdr_k: ``None`` for the heatmap head (output ``(N, K, H/4, W/4)``); the splitting factor ``k``
            for SimDR's 1-D head (output ``(x_logits (N, K, int(W*k)), y_logits (N, K, int(H*k)))``), which
            SimDR and SimDR* share (a representation's ``simdr_k`` says which it needs).
        pretrained: ``True`` for the ImageNet backbone (ResNets through timm), or a path to a backbone
            file (e.g. HRNet's ``hrnet_w32-36af842e.pth``).
        overrides: model-specific options (e.g. ``channels_per_joint`` for ``upfree_res50``).

    Example:
        >>> model = build_model("hrnet_w32", input_size=(192, 256), simdr_k=2)
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose one of {list_models()}")
    if len(input_size) != 2 or min(input_size) < 1:
        raise ValueError(f"input_size must be (W, H), got {input_size!r}")
    if simdr_k is not None and float(simdr_k) < 1:
        raise ValueError(f"simdr_k (the splitting factor) must be >= 1, got {simdr_k}")
    size = (int(input_size[0]), int(input_size[1]))
    k = None if simdr_k is None else float(simdr_k)
    return _REGISTRY[name](input_size=size, simdr_k=k, num_joints=num_joints, pretrained=pretrained,
                           **overrides)
