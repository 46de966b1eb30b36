"""Numerics of cast, quantizeLinear and dequantizeLinear against numpy and exact
Python-integer references (digest §2.3, 2.14, 2.15)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import webnn
from webnn.testing import run

ALL = ["float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"]


def _cast(ctx: webnn.MLContext, x: np.ndarray, dt: str) -> np.ndarray:
    return run(ctx, lambda b, o: b.cast(o["x"], dt), {"x": x})


def _wrap(value: int, dt: str) -> int:
    """Keep the low bits of ``value`` and read them as ``dt`` (two's complement)."""
    info = np.iinfo(dt)
    low = value % 2**info.bits
    return low - 2**info.bits if info.min < 0 and low > info.max else low


# -- cast -----------------------------------------------------------------------------------


@pytest.mark.parametrize("src", ALL)
@pytest.mark.parametrize("dst", ALL)
def test_cast_every_pair(ctx, src, dst):
    """Small values of every type pair.  Expected: numpy's conversion to a float type
    (exact or correctly rounded here), truncate-then-saturate for float -> integer (our
    documented choice for the implementation-defined range), low bits for integers."""
    floats = src.startswith("float")
    values = [0, 1, 7, 100, 127] + ([-1, -128] if floats or np.iinfo(src).min < 0 else [])
    if floats:
        values += [2.5, 99.9, 0.4, -0.4, -7.7]
    x = np.array(values, dtype=src)
    y = _cast(ctx, x, dst)
    assert y.dtype == np.dtype(dst)
    if dst.startswith("float"):
        expected = x.astype(dst)
    elif floats:
        info = np.iinfo(dst)
        expected = np.array([min(max(math.trunc(float(v)), int(info.min)), int(info.max))
                             for v in x], dtype=dst)
    else:
        expected = np.array([_wrap(int(v), dst) for v in x], dtype=dst)
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize(("src", "dst", "values", "expected"), [
    # integer -> integer keeps the low bits
    ("int32", "uint8", [-1, 256, 257, -129], [255, 0, 1, 127]),
    ("int8", "uint64", [-1, -128], [2**64 - 1, 2**64 - 128]),
    ("uint64", "int64", [2**64 - 1, 2**63], [-1, -(2**63)]),
    ("uint64", "int8", [2**63 + 0x80, 2**64 - 1], [-128, -1]),
    ("int64", "int32", [2**40 + 5, -(2**40) - 5], [5, -5]),
    ("uint32", "int32", [2**32 - 1, 2**31], [-1, -(2**31)]),
    ("int64", "uint32", [-1, 2**32 + 3], [2**32 - 1, 3]),
    ("uint32", "uint64", [2**32 - 1], [2**32 - 1]),
])
def test_cast_integer_wraps(ctx, src, dst, values, expected):
    y = _cast(ctx, np.array(values, dtype=src), dst)
    assert [int(v) for v in y] == expected


@pytest.mark.parametrize(("src", "dst", "values", "expected"), [
    # float -> integer truncates toward zero, saturates out of range, NaN -> 0
    ("float32", "int8", [-3.9, 3.9, 300.0, -300.0, np.nan, np.inf, -np.inf],
     [-3, 3, 127, -128, 0, 127, -128]),
    ("float32", "uint8", [-0.5, -1.5, 255.9, 1e9], [0, 0, 255, 255]),
    ("float32", "int32", [3e9, -3e9, 2147483520.0], [2**31 - 1, -(2**31), 2147483520]),
    ("float32", "uint32", [4294967040.0, 5e9, -7.0], [4294967040, 2**32 - 1, 0]),
    ("float32", "int64", [1e19, -1e19, 9.2233715e18, -np.inf],
     [2**63 - 1, -(2**63), 9223371487098961920, -(2**63)]),
    ("float32", "uint64", [1e19, 2e19, -1.0, np.inf, np.nan],
     [9999999980506447872, 2**64 - 1, 0, 2**64 - 1, 0]),
    ("float16", "int8", [-3.7, 65504.0, -np.inf], [-3, 127, -128]),
    ("float16", "uint64", [65504.0, -2.5], [65504, 0]),
])
def test_cast_float_to_integer_saturates(ctx, src, dst, values, expected):
    y = _cast(ctx, np.array(values, dtype=src), dst)
    assert [int(v) for v in y] == expected


@pytest.mark.parametrize(("src", "dst", "values", "expected"), [
    ("uint64", "float32", [2**64 - 1, 2**63 + 1], [2.0**64, 2.0**63]),
    ("int64", "float16", [65504, 65519, 65520, -70000], [65504, 65504, np.inf, -np.inf]),
    ("int32", "float32", [16777217, -16777219], [16777216, -16777220]),  # ties to even
    ("float32", "float16", [1e5, 1.0 + 2**-11, 2.0**-25], [np.inf, 1.0, 0.0]),
    ("uint32", "float16", [2049, 2051], [2048, 2052]),
])
def test_cast_to_float_rounds_to_nearest(ctx, src, dst, values, expected):
    y = _cast(ctx, np.array(values, dtype=src), dst)
    np.testing.assert_array_equal(y, np.array(expected, dtype=dst))


def test_cast_scalar_constant(ctx):
    b = webnn.MLGraphBuilder(ctx)
    y = b.cast(b.constant(np.array(-7, np.int8)), "uint32")
    out = ctx.compute(b.build({"y": y}), {})["y"]
    assert (out.shape, out.dtype, int(out)) == ((), np.dtype("uint32"), 2**32 - 7)


# -- quantizeLinear / dequantizeLinear ------------------------------------------------------


def _expand(p: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Repeat each parameter value over its block (block size = input dim / param dim)."""
    for axis, (n, s) in enumerate(zip(shape, p.shape, strict=True)):
        p = np.repeat(p, n // s, axis=axis)
    return p


def _quantize_ref(x: np.ndarray, scale: np.ndarray, zp: np.ndarray) -> np.ndarray:
    info = np.iinfo(zp.dtype)
    s = _expand(scale, x.shape).astype(np.float64)
    z = _expand(zp, x.shape).astype(np.float64)
    q = np.rint(x.astype(np.float64) / s) + z  # rint rounds half to even
    return np.clip(q, info.min, info.max).astype(zp.dtype)


QUANT_CASES = [  # input shape, parameter shape
    ([4], [4]), ([4], [1]), ([4], [2]), ([6, 4], [2, 2]), ([6, 4], [6, 1]),
    ([1, 1, 2, 2], [1, 1, 2, 1]), ([2, 3, 4], [1, 3, 2]), ([], []),
]


@pytest.mark.parametrize(("shape", "pshape"), QUANT_CASES)
@pytest.mark.parametrize("dt", ["float32", "float16"])
@pytest.mark.parametrize("zdt", ["uint8", "int8", "uint32", "int32"])
def test_quantize_linear(ctx, shape, pshape, dt, zdt):
    rng = np.random.default_rng(9)
    x = rng.uniform(-300, 300, shape).astype(dt)
    scale = rng.choice([0.5, 1.25, 2.0, -1.5, 3.0], pshape).astype(dt)
    info = np.iinfo(zdt)
    zp = rng.integers(max(info.min, -20), min(info.max, 20), pshape, endpoint=True).astype(zdt)
    b = webnn.MLGraphBuilder(ctx)
    # 0-D: a constant input (the graph then has no inputs); else a graph input.
    xo = b.input("x", webnn.MLOperandDescriptor(shape, dt)) if shape else b.constant(x)
    y = b.quantize_linear(xo, b.constant(scale), b.constant(zp))
    out = ctx.compute(b.build({"y": y}), {"x": x} if shape else {})["y"]
    expected = _quantize_ref(x, scale, zp)
    assert out.dtype == np.dtype(zdt)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize(("x", "scale", "zp", "expected"), [
    ([0.5, 1.5, 2.5, -0.5, -2.5], [1.0], [0], [0, 2, 2, 0, -2]),  # half to even
    ([1000.0, -1000.0, 260.0], [1.0], [10], [127, -128, 127]),    # saturates (int8)
    ([np.nan, np.inf, -np.inf], [1.0], [3], [0, 127, -128]),
])
def test_quantize_linear_rounding_and_saturation(ctx, x, scale, zp, expected):
    y = run(ctx, lambda b, o: b.quantize_linear(o["x"], o["s"], o["z"]),
            {"x": np.array(x, np.float32), "s": np.array(scale, np.float32),
             "z": np.array(zp, np.int8)})
    assert [int(v) for v in y] == expected


@pytest.mark.parametrize(("shape", "pshape"), QUANT_CASES[:-1])
@pytest.mark.parametrize("dt", ["uint8", "int8", "uint32", "int32"])
@pytest.mark.parametrize("sdt", ["float32", "float16"])
def test_dequantize_linear(ctx, shape, pshape, dt, sdt):
    rng = np.random.default_rng(4)
    info = np.iinfo(dt)
    # uint32/int32 values far above 2**24 check that x - zero_point is exact.
    lo, hi = max(int(info.min), -(2**30)), min(int(info.max), 2**31 + 12345)
    x = rng.integers(lo, hi, shape, endpoint=True).astype(dt)
    zp = rng.integers(max(lo, -100), min(hi, 100), pshape, endpoint=True).astype(dt)
    scale = rng.choice([0.5, 0.1, -2.0, 3.0], pshape).astype(sdt)
    y = run(ctx, lambda b, o: b.dequantize_linear(o["x"], o["s"], o["z"]),
            {"x": x, "s": scale, "z": zp})
    diff = np.array([int(a) for a in x.reshape(-1)], dtype=object).reshape(shape) - \
        _expand(zp, x.shape).astype(object)
    with np.errstate(over="ignore"):  # large int32 values overflow float16 to inf
        expected = (diff.astype(np.float64) *
                    _expand(scale, x.shape).astype(np.float64)).astype(sdt)
    assert y.dtype == np.dtype(sdt)
    np.testing.assert_array_equal(y, expected)


def test_quantize_then_dequantize(ctx):
    x = np.array([-3.2, 0.0, 1.1, 7.9], np.float16)
    scale = np.array([0.5, 0.5, 0.25, 0.25], np.float16)
    zp = np.array([1, 1, -2, -2], np.int8)
    y = run(ctx, lambda b, o: b.dequantize_linear(b.quantize_linear(o["x"], o["s"], o["z"]),
                                                  o["s"], o["z"]), {"x": x, "s": scale, "z": zp})
    np.testing.assert_array_equal(y, np.array([-3.0, 0.0, 1.0, 8.0], np.float16))
