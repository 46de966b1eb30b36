"""The spec's cast() of an MLNumber into each data type."""

from __future__ import annotations

import math

import pytest

from webnn._dtypes import cast_number


@pytest.mark.parametrize(("value", "dt", "expected"), [
    (300, "int8", 127),
    (-300, "uint8", 0),
    (2.5, "int32", 2),          # round half to even
    (3.5, "int32", 4),
    (-0.0, "int64", 0),
    (math.nan, "uint32", 0),
    (math.inf, "int64", 2**63 - 1),
    (-math.inf, "uint64", 0),
    (2**64 + 5, "uint64", 2**64 - 1),
    (2**53 + 1, "int64", 2**53 + 1),  # exact, never through a float
    (70000, "float16", math.inf),
    (65519, "float16", 65504.0),
    (0.1, "float32", 0.10000000149011612),
    (2**60 + 2**36 + 1, "float32", float(2**60 + 2**37)),  # one rounding, not two
    (2**60 + 2**36, "float32", float(2**60)),              # a tie goes to even
    (True, "uint8", 1),
])
def test_cast_number(value, dt, expected):
    assert cast_number(value, dt) == expected


def test_cast_nan_to_float_stays_nan():
    assert math.isnan(cast_number(math.nan, "float16"))
