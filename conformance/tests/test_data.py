"""WPT ``data`` to typed arrays."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from webnn_conformance.data import (
    VectorDataError,
    expected_values,
    int_range,
    storage_dtype,
    to_array,
)
from webnn_conformance.loader import TensorSpec


def spec(data, shape, dtype="float32"):
    return TensorSpec("x", tuple(shape), dtype, data)


def test_float32_overflow_becomes_infinity_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = to_array(spec([1e39, -1e39], [2]))
    assert a.tolist() == [np.inf, -np.inf]


def test_float16_decimal_rounds_to_nearest_half():
    a = to_array(spec([0.1, 65504, 1.0009765625], [3], "float16"))
    assert a.view(np.uint16).tolist() == [0x2E66, 0x7BFF, 0x3C01]


def test_negative_zero_is_kept():
    a = to_array(spec([-0.0], [1]))
    assert np.signbit(a[0])


def test_int64_and_uint64_are_exact():
    a = to_array(spec([2**63 - 1, -(2**63), 2**53 + 1], [3], "int64"))
    assert a.tolist() == [2**63 - 1, -(2**63), 2**53 + 1]
    b = to_array(spec([2**64 - 1], [1], "uint64"))
    assert b.tolist() == [2**64 - 1]


def test_scalar_fill_and_shape():
    a = to_array(spec(2.5, [2, 3]))
    assert a.shape == (2, 3)
    assert a.dtype == np.float32
    assert (a == 2.5).all()
    assert to_array(spec(7, [], "int32")).shape == ()


def test_zero_d_from_list():
    a = to_array(spec([4], [], "uint8"))
    assert a.shape == ()
    assert int(a) == 4


@pytest.mark.parametrize(
    ("data", "dtype", "message"),
    [
        ([1, 2], "float32", "2 values for shape"),
        ([8], "int4", "outside int4"),
        ([16], "uint4", "outside uint4"),
        ([256], "uint8", "outside uint8"),
        ([1.5], "int32", "not an integer"),
        ([1], "bfloat16", "unknown data type"),
    ],
)
def test_bad_data(data, dtype, message):
    shape = [3] if message.endswith("for shape") else [len(data)]
    with pytest.raises(VectorDataError, match=message):
        to_array(spec(data, shape, dtype))


def test_int4_values_are_held_unpacked():
    a = to_array(spec([-8, 7], [2], "int4"))
    assert (a.dtype, a.tolist()) == (np.dtype(np.int8), [-8, 7])
    u = to_array(spec([0, 15], [2], "uint4"))
    assert (u.dtype, u.tolist()) == (np.dtype(np.uint8), [0, 15])


def test_storage_dtype_and_range():
    assert [storage_dtype(t) for t in ("int4", "uint4", "int8", "float16")] == [
        "int8", "uint8", "int8", "float16"]
    assert (int_range("int4"), int_range("uint4")) == ((-8, 7), (0, 15))
    assert int_range("uint64") == (0, 2**64 - 1)


def test_expected_values_for_scalar_fill_are_capped():
    assert expected_values(spec(1.0, [5000]), 5000) == [1.0] * 1000
    assert expected_values(spec(1.0, [3]), 3) == [1.0] * 3
    assert expected_values(spec([1, 2], [2]), 2) == [1, 2]
