"""quantizeLinear and dequantizeLinear with block-wise scale and zero point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel

__all__ = ["KERNELS"]


def _blocks(p: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Repeat each element over its block: block size = input dim / parameter dim."""
    for axis, (n, m) in enumerate(zip(shape, p.shape, strict=True)):
        p = np.repeat(p, n // m, axis=axis)
    return p


def _quantize(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, scale, zero = x
    target = np.dtype(outs[0].data_type)
    info = np.iinfo(target)
    q = np.rint(a / _blocks(scale, a.shape)) + _blocks(zero, a.shape).astype(np.float64)
    return np.clip(q, info.min, info.max).astype(target)


def _dequantize(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, scale, zero = x
    centred = a.astype(np.float64) - _blocks(zero, a.shape).astype(np.float64)
    return centred * _blocks(scale, a.shape)


KERNELS: dict[str, Kernel] = {"quantize_linear": _quantize, "dequantize_linear": _dequantize}
