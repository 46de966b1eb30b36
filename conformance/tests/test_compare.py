"""WPT's comparison rules on hand-made outputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from webnn_conformance.compare import compare_output, distances
from webnn_conformance.loader import TensorSpec, ToleranceSpec

ULP0 = ToleranceSpec("ULP", 0)


def f32(*values):
    return np.array(values, dtype=np.float32)


def half_from_bits(*bits):
    return np.array(bits, dtype=np.uint16).view(np.float16)


def spec(data, shape, dtype="float32"):
    return TensorSpec("out", tuple(shape), dtype, data)


def test_float32_ulp_neighbours():
    one_up = np.nextafter(np.float32(1), np.float32(2))
    assert distances(f32(one_up), [1.0], "float32", "ULP") == [1]


def test_float32_across_zero_adds_magnitudes():
    tiny = np.float32(2.0**-149)
    assert distances(f32(tiny), [-(2.0**-149)], "float32", "ULP") == [2]
    assert distances(f32(1.0), [-1.0], "float32", "ULP") == [2 * 0x3F800000]


def test_float32_negative_zero_equals_zero():
    assert distances(f32(-0.0), [0.0], "float32", "ULP") == [0]


def test_float32_nan_and_infinity():
    assert distances(f32(math.nan), [math.nan], "float32", "ULP") == [0]
    assert distances(f32(math.nan), [1.0], "float32", "ULP") == [0x7FC00000 - 0x3F800000]
    big = np.finfo(np.float32).max
    assert distances(f32(math.inf), [float(big)], "float32", "ULP") == [1]
    assert distances(f32(-math.inf), [-math.inf], "float32", "ULP") == [0]


def test_float32_expected_rounds_to_float32_first():
    assert distances(f32(0.1), [0.1], "float32", "ULP") == [0]


def test_float16_uses_raw_patterns():
    # 0x3C01 is the half right above 1.0; WPT converts the tie 1+2**-11 to 0x3C01 too.
    assert distances(half_from_bits(0x3C00), [1.0 + 2.0**-11], "float16", "ULP") == [1]
    assert distances(half_from_bits(0x3C00), [-1.0], "float16", "ULP") == [0x8000]


def test_float16_zeros_and_nan():
    assert distances(half_from_bits(0x8000), [0.0], "float16", "ULP") == [0]
    assert distances(half_from_bits(0x0000), [-0.0], "float16", "ULP") == [0]
    # A NaN output passes only when its pattern is close to WPT's 0x7C01.
    assert distances(half_from_bits(0x7E00), [math.nan], "float16", "ULP") == [0x7E00 - 0x7C01]
    assert distances(half_from_bits(0x7C00), [65520.0], "float16", "ULP") == [0]


def test_int64_is_exact_beyond_2_53():
    big = 2**62
    actual = np.array([big + 1], dtype=np.int64)
    assert distances(actual, [big], "int64", "ULP") == [1]  # a float path would give 0


def test_uint64_extremes():
    actual = np.array([2**64 - 1], dtype=np.uint64)
    assert distances(actual, [2**64 - 2], "uint64", "ULP") == [1]
    assert distances(actual, [0], "uint64", "ULP") == [2**64 - 1]


def test_int8_distance():
    assert distances(np.array([-128], np.int8), [127], "int8", "ULP") == [255]


def test_atol_decodes_float16():
    actual = np.array([1.0], dtype=np.float16)
    assert distances(actual, [1.25], "float16", "ATOL") == [0.25]


def test_atol_pass_and_fail_at_boundary():
    s = spec([1.0, 2.0], [2])
    assert compare_output(f32(1.5, 2.0), s, ToleranceSpec("ATOL", 0.5)).passed
    assert not compare_output(f32(1.5, 2.0), s, ToleranceSpec("ATOL", 0.25)).passed


def test_atol_nan_never_passes():
    result = compare_output(f32(math.nan), spec([1.0], [1]), ToleranceSpec("ATOL", 1e9))
    assert not result.passed


def test_ulp_tolerance_boundary():
    up2 = np.nextafter(np.nextafter(np.float32(1), np.float32(2)), np.float32(2))
    s = spec([1.0], [1])
    assert compare_output(f32(up2), s, ToleranceSpec("ULP", 2)).passed
    failed = compare_output(f32(up2), s, ToleranceSpec("ULP", 1))
    assert not failed.passed
    assert failed.max_error == 2
    assert "max error 2 at index 0" in failed.message


def test_scalar_filled_checks_only_the_first_thousand():
    actual = np.full(2000, 3.0, dtype=np.float32)
    actual[1500] = 7.0
    assert compare_output(actual, spec(3.0, [2000]), ULP0).passed
    actual[999] = 7.0
    result = compare_output(actual, spec(3.0, [2000]), ULP0)
    assert not result.passed
    assert "index 999" in result.message


def test_scalar_filled_single_element():
    assert compare_output(f32(3.0).reshape(()), spec(3.0, []), ULP0).passed
    assert not compare_output(f32(4.0).reshape(()), spec(3.0, []), ULP0).passed


def test_length_mismatch_fails():
    result = compare_output(f32(1.0, 2.0), spec([1.0, 2.0, 3.0], [3]), ULP0)
    assert not result.passed
    assert "expected 3" in result.message


@pytest.mark.parametrize("dtype", ["int32", "uint32", "int8", "uint8"])
def test_integer_tolerance_counts_units(dtype):
    actual = np.array([10, 12], dtype=dtype)
    s = spec([10, 10], [2], dtype)
    assert compare_output(actual, s, ToleranceSpec("ULP", 2)).passed
    assert not compare_output(actual, s, ToleranceSpec("ULP", 1)).passed
