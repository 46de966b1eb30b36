"""matmul, gemm and the normalizations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel

__all__ = ["KERNELS"]


def _gemm(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, b, c = x
    a = a.T if at["a_transpose"] else a
    b = b.T if at["b_transpose"] else b
    y = at["alpha"] * (a @ b)
    return y if c is None else y + at["beta"] * c


def _along(
    p: np.ndarray | None, rank: int, axes: tuple[int, ...], default: float
) -> np.ndarray | float:
    """Align a parameter whose dimension i belongs to input axis ``axes[i]``."""
    if p is None:
        return default
    order = np.argsort(axes)
    shape = [1] * rank
    for axis in axes:
        shape[axis] = p.shape[list(axes).index(axis)]
    return p.transpose(order).reshape(shape)


def _normalize(
    a: np.ndarray, axes: tuple[int, ...], eps: float, scale: Any, bias: Any
) -> np.ndarray:
    mean = np.mean(a, axis=axes, keepdims=True)
    var = np.mean((a - mean) ** 2, axis=axes, keepdims=True)
    return scale * (a - mean) / np.sqrt(var + eps) + bias


def _batch_norm(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, mean, var, scale, bias = x
    axis = (at["axis"],)
    aligned = [_along(p, a.ndim, axis, d) for p, d in ((scale, 1.0), (bias, 0.0))]
    mean, var = _along(mean, a.ndim, axis, 0.0), _along(var, a.ndim, axis, 1.0)
    return aligned[0] * (a - mean) / np.sqrt(var + at["epsilon"]) + aligned[1]


def _instance_norm(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, scale, bias = x
    channel, spatial = ((3,), (1, 2)) if at["layout"] == "nhwc" else ((1,), (2, 3))
    return _normalize(a, spatial, at["epsilon"], _along(scale, 4, channel, 1.0),
                      _along(bias, 4, channel, 0.0))  # fmt: skip


def _layer_norm(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, scale, bias = x
    axes = tuple(at["axes"])
    return _normalize(a, axes, at["epsilon"], _along(scale, a.ndim, axes, 1.0),
                      _along(bias, a.ndim, axes, 0.0))  # fmt: skip


KERNELS: dict[str, Kernel] = {
    "matmul": lambda x, at, outs: np.matmul(x[0], x[1]),
    "gemm": _gemm,
    "batch_normalization": _batch_norm,
    "instance_normalization": _instance_norm,
    "layer_normalization": _layer_norm,
}
