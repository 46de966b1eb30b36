"""quantizeLinear and dequantizeLinear with block-wise scale and zero point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from webnn_conformance.data import int_range, storage_dtype
from webnn_conformance.reference._common import Kernel

__all__ = ["KERNELS"]


def _blocks(p: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Repeat each element over its block: block size = input dim / parameter dim."""
    for axis, (n, m) in enumerate(zip(shape, p.shape, strict=True)):
        p = np.repeat(p, n // m, axis=axis)
    return p


def _quantize(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, scale, zero = x
    # int4/uint4 saturate to their 4-bit range and are held unpacked in int8/uint8.
    lo, hi = int_range(outs[0].data_type)
    q = np.rint(a / _blocks(scale, a.shape)) + _blocks(zero, a.shape).astype(np.float64)
    return np.clip(q, lo, hi).astype(storage_dtype(outs[0].data_type))


def _dequantize(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, scale, zero = x
    centred = a.astype(np.float64) - _blocks(zero, a.shape).astype(np.float64)
    return centred * _blocks(scale, a.shape)


KERNELS: dict[str, Kernel] = {"quantize_linear": _quantize, "dequantize_linear": _dequantize}
