"""Integer images used by WPT's ULP distance; expected patterns computed by hand."""

from __future__ import annotations

import math

import pytest

from webnn_conformance.bits import f32_ordinal, wpt_half_bits

F32_ONE = 0x3F800000
F32_INF = 0x7F800000


@pytest.mark.parametrize(
    ("value", "image"),
    [
        (1.0, F32_ONE),
        (-1.0, -F32_ONE),
        (0.0, 0),
        (-0.0, 0),  # +0 and -0 coincide
        (2.0**-149, 1),  # smallest subnormal
        (-(2.0**-149), -1),
        (math.inf, F32_INF),
        (-math.inf, -F32_INF),
        (math.nan, 0x7FC00000),
        (1e39, F32_INF),  # rounds to float32 first: overflow
        (0.1, 0x3DCCCCCD),  # the double rounds to the nearest float32
    ],
)
def test_f32_ordinal(value, image):
    assert int(f32_ordinal([value])[0]) == image


@pytest.mark.parametrize(
    ("value", "bits"),
    [
        (1.0, 0x3C00),
        (-2.0, 0xC000),
        (0.0, 0x0000),
        (-0.0, 0x8000),
        (65504.0, 0x7BFF),  # largest half
        (65519.0, 0x7BFF),  # below the rounding boundary
        (65520.0, 0x7C00),  # WPT: >= 65520 is Infinity
        (math.inf, 0x7C00),
        (-math.inf, 0xFC00),
        (math.nan, 0x7C01),  # WPT's NaN pattern, not the usual 0x7E00
        (2.0**-24, 0x0001),  # smallest half subnormal
        (1.5 * 2.0**-25, 0x0000),  # flushed (IEEE would round up to 0x0001)
        (1.0 + 2.0**-11, 0x3C01),  # a tie rounds away from zero (IEEE: even, 0x3C00)
        (1.0 + 3 * 2.0**-11, 0x3C02),  # a tie that is also the even choice
        (-(1.0 + 2.0**-11), 0xBC01),
        (3 * 2.0**-25, 0x0002),  # subnormal tie (1.5 units) rounds away from zero
        (0.1, 0x2E66),
    ],
)
def test_wpt_half_bits(value, bits):
    assert int(wpt_half_bits([value])[0]) == bits
