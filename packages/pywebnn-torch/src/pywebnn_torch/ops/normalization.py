"""Normalization kernels: batch, instance and layer normalization.

All three compute ``scale * (x - mean) / sqrt(variance + epsilon) + bias`` in float32
for float16 inputs (one rounding at the end), with the population variance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch.ops._util import narrow, widen
from pywebnn_torch.ops.conv import from_nchw, to_nchw
from webnn.ops import Desc


def _normalize(x: torch.Tensor, mean: torch.Tensor, variance: torch.Tensor,
               scale: torch.Tensor | None, bias: torch.Tensor | None, epsilon: float
               ) -> torch.Tensor:
    y = x - mean
    if scale is not None:
        y = scale * y
    y = y / torch.sqrt(variance + epsilon)
    return y if bias is None else y + bias


def _moments(x: torch.Tensor, dims: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    if not dims:
        # Nothing reduced (layer_normalization with empty axes): every element is its
        # own mean. torch would read an empty dim list as "all dims".
        return x, torch.zeros_like(x)
    mean = x.mean(dim=tuple(dims), keepdim=True)
    centered = x - mean
    return mean, (centered * centered).mean(dim=tuple(dims), keepdim=True)


def _opt(t: torch.Tensor | None, shape: Sequence[int]) -> torch.Tensor | None:
    return None if t is None else widen(t).reshape(shape)


def _batch(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
           ) -> torch.Tensor:
    x, mean, variance, scale, bias = args
    shape = [1] * x.dim()
    shape[attrs["axis"]] = -1
    y = _normalize(widen(x), widen(mean).reshape(shape), widen(variance).reshape(shape),
                   _opt(scale, shape), _opt(bias, shape), attrs["epsilon"])
    return narrow(y, x.dtype)


def _instance(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
              ) -> torch.Tensor:
    x, scale, bias = args
    xs = to_nchw(widen(x), attrs["layout"])
    mean, variance = _moments(xs, (2, 3))
    shape = (1, -1, 1, 1)
    y = _normalize(xs, mean, variance, _opt(scale, shape), _opt(bias, shape),
                   attrs["epsilon"])
    return narrow(from_nchw(y, attrs["layout"]), x.dtype)


def _aligned(t: torch.Tensor | None, axes: Sequence[int], rank: int) -> torch.Tensor | None:
    """scale/bias dimension i belongs to input axis axes[i]: reorder the dimensions by
    axis and insert 1s for the axes that are not normalized."""
    if t is None:
        return None
    order = sorted(range(len(axes)), key=lambda i: axes[i])
    shape = [1] * rank
    for i in order:
        shape[axes[i]] = t.shape[i]
    return widen(t).permute(order).reshape(shape)


def _layer(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
           ) -> torch.Tensor:
    x, scale, bias = args
    axes = attrs["axes"]
    xs = widen(x)
    mean, variance = _moments(xs, axes)
    y = _normalize(xs, mean, variance, _aligned(scale, axes, x.dim()),
                   _aligned(bias, axes, x.dim()), attrs["epsilon"])
    return narrow(y, x.dtype)


KERNELS: dict[str, Any] = {
    "batch_normalization": _batch,
    "instance_normalization": _instance,
    "layer_normalization": _layer,
}
