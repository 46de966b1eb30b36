"""cast, quantizeLinear and dequantizeLinear kernels.

Conversions the spec leaves implementation-defined are pinned down here:

* float -> integer: truncate toward zero, then **saturate** to the target range;
  NaN -> 0.  (torch's own conversion is undefined behaviour out of range.)
* integer -> integer: keep the low bits (two's complement wrap), as the spec defines.
* quantizeLinear saturates ``roundEven(x / scale) + zero_point`` to the output type; a
  NaN input quantizes to 0 by the same float -> integer rule.

int4/uint4 (the PyWebNN extension) arrive and leave unpacked in int8/uint8 tensors:
quantizeLinear saturates to -8..7 / 0..15 for them, dequantizeLinear reads them as the
small integers they hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch._dtypes import TORCH
from pywebnn_torch.ops._util import narrow, widen
from webnn.ops import Desc

# Saturation ranges of the 4-bit extension types, held in int8/uint8 storage.
_RANGE_4BIT: dict[str, tuple[int, int]] = {"int4": (-8, 7), "uint4": (0, 15)}

_INT_RANGE: dict[torch.dtype, tuple[int, int]] = {
    torch.int8: (-(2**7), 2**7 - 1),
    torch.uint8: (0, 2**8 - 1),
    torch.int32: (-(2**31), 2**31 - 1),
    torch.uint32: (0, 2**32 - 1),
    torch.int64: (-(2**63), 2**63 - 1),
    torch.uint64: (0, 2**64 - 1),
}


def _float_to_int(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Saturating conversion of integral-valued (already rounded or truncated) float64
    values to an integer dtype; NaN -> 0."""
    lo, hi = _INT_RANGE[dtype]
    x = torch.nan_to_num(x, nan=0.0, posinf=float(hi), neginf=float(lo))
    if dtype == torch.int64:
        # 2**63 - 1 is not a float64: float(hi) rounds up to 2**63, which overflows.
        top = x >= 2.0**63
        y = torch.clamp(x, min=float(lo), max=2.0**63 - 1024).to(torch.int64)
        return torch.where(top, torch.full_like(y, hi), y)
    if dtype == torch.uint64:
        # Build the uint64 bit pattern in int64: values >= 2**63 wrap by -2**64 exactly.
        x = torch.clamp(x, min=0.0)
        top = x >= 2.0**64
        wrapped = torch.where(x >= 2.0**63, x - 2.0**64, x)
        y = torch.clamp(wrapped, max=2.0**63 - 1024).to(torch.int64)
        return torch.where(top, torch.full_like(y, -1), y).view(torch.uint64)
    return torch.clamp(x, min=float(lo), max=float(hi)).to(torch.int64).to(dtype)


def _cast(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
          ) -> torch.Tensor:
    (x,) = args
    dtype = TORCH[attrs["data_type"]]
    if x.dtype == dtype:
        return x.clone()
    if x.is_floating_point() and not dtype.is_floating_point:
        return _float_to_int(torch.trunc(x.to(torch.float64)), dtype)
    if dtype.is_floating_point:
        # float <-> float rounds to nearest (overflow to inf); integer -> float is one
        # correctly rounded conversion (uint64 too: torch converts it as unsigned).
        return x.to(dtype)
    # integer -> integer: go through the int64 bit pattern and keep the low bits.
    return narrow(widen(x).to(torch.int64), dtype)


def _blocks(x: torch.Tensor, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Reshape input ``x`` to ``(s0, b0, s1, b1, ...)`` and the per-block parameter
    ``p`` (shape ``s``) to ``(s0, 1, s1, 1, ...)`` so that plain broadcasting applies
    each parameter value to its block of ``b_i = n_i / s_i`` positions per axis."""
    xs: list[int] = []
    ps: list[int] = []
    for n, s in zip(x.shape, p.shape, strict=True):
        xs += [s, n // s]
        ps += [s, 1]
    return x.reshape(xs), p.reshape(ps)


def _quantize_linear(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                     ) -> torch.Tensor:
    x, scale, zero_point = args
    # float64 holds x / scale of float32/float16 operands and every zero point exactly
    # enough that the one rounding (roundEven) sees the true quotient.
    xb, sb = _blocks(x.to(torch.float64), scale.to(torch.float64))
    _, zb = _blocks(x, widen(zero_point).to(torch.float64))
    q = torch.round(xb / sb) + zb  # torch.round rounds half to even
    four_bit = _RANGE_4BIT.get(outs[0].data_type)
    if four_bit is not None:
        q = torch.clamp(torch.nan_to_num(q, nan=0.0), min=float(four_bit[0]),
                        max=float(four_bit[1]))
    return _float_to_int(q, TORCH[outs[0].data_type]).reshape(x.shape)


def _dequantize_linear(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                       ) -> torch.Tensor:
    x, scale, zero_point = args
    # x - zero_point is exact in int64 (also for uint32) and in float64 after that; the
    # product is then rounded once to the scale's type.
    xb, zb = _blocks(widen(x).to(torch.int64), widen(zero_point).to(torch.int64))
    _, sb = _blocks(x, scale.to(torch.float64))
    y = (xb - zb).to(torch.float64) * sb
    return y.to(scale.dtype).reshape(x.shape)


KERNELS: dict[str, Any] = {
    "cast": _cast,
    "quantize_linear": _quantize_linear,
    "dequantize_linear": _dequantize_linear,
}
