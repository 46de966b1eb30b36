"""The integer images of floating-point values that WPT's ULP distance is measured on.

float32: the value is rounded to float32, the bit pattern of its *magnitude* is read as an
integer and negated for negative values (so +0 and -0 coincide, and values of opposite
sign are ``bits(|a|) + bits(|b|)`` apart); every NaN becomes the canonical 0x7FC00000.

float16: WPT reads output buffers as raw unsigned 16-bit patterns and converts expected
numbers with its own converter, which differs from IEEE conversion in ways that change
distances: it goes through float32 first, rounds half away from zero,
flushes magnitudes below 2**-24 to zero, sends anything from 65520 up to Infinity and
writes NaN as 0x7C01.  Both are reproduced here bit for bit.
"""

from __future__ import annotations

from typing import Final

import numpy as np

__all__ = ["F16_NAN", "F32_NAN", "f32_ordinal", "wpt_half_bits"]

F32_NAN: Final = 0x7FC00000
F16_NAN: Final = 0x7C01


def _to_f32(values: object) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(values, dtype=np.float64).astype(np.float32)


def f32_ordinal(values: object) -> np.ndarray:
    """Signed-magnitude integers (int64) of ``values`` rounded to float32."""
    f = np.atleast_1d(_to_f32(values))
    mag = np.abs(f).view(np.uint32).astype(np.int64)
    mag[np.isnan(f)] = F32_NAN
    return np.where(f < 0, -mag, mag)


def wpt_half_bits(values: object) -> np.ndarray:
    """WPT's number -> float16 bit pattern conversion (see the module docstring)."""
    x = np.atleast_1d(_to_f32(values)).view(np.uint32).astype(np.int64)
    sign = (x >> 16) & 0x8000
    mant = (x >> 12) & 0x07FF  # ten mantissa bits plus the first discarded one
    exp = (x >> 23) & 0xFF
    out = sign.copy()  # exponent < 103 (|v| < 2**-24): signed zero

    over = exp > 142
    out[over] |= 0x7C00
    is_nan = (exp == 255) & ((x & 0x007FFFFF) != 0)
    out[is_nan] = sign[is_nan] | F16_NAN

    sub = (exp >= 103) & (exp < 113)
    m_sub = mant[sub] | 0x0800
    shift = 114 - exp[sub]
    # Adding the first discarded bit rounds half away from zero; a carry into the
    # exponent field yields the right pattern.
    out[sub] = sign[sub] | ((m_sub >> shift) + ((m_sub >> (shift - 1)) & 1))

    norm = (exp >= 113) & (exp <= 142)
    m = mant[norm]
    out[norm] = (sign[norm] | ((exp[norm] - 112) << 10) | (m >> 1)) + (m & 1)
    return out
