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


# -- int4 / uint4 (the PyWebNN extension, held unpacked in int8 / uint8) ---------------------

RANGE_4BIT = {"int4": (-8, 7), "uint4": (0, 15)}
STORAGE_4BIT = {"int4": np.int8, "uint4": np.uint8}


def _quantize_4bit_ref(x: np.ndarray, scale: np.ndarray, zp: np.ndarray, dt: str) -> list[int]:
    """Exact reference: Python's round() rounds half to even on the float64 quotient of the
    float32/float16 operands, then saturation to the 4-bit range."""
    lo, hi = RANGE_4BIT[dt]
    s = _expand(scale, x.shape).reshape(-1)
    z = _expand(zp, x.shape).reshape(-1)
    out = []
    for xv, sv, zv in zip(x.reshape(-1).tolist(), s.tolist(), z.tolist(), strict=True):
        q = 0 if math.isnan(xv / sv) else round(xv / sv) + zv if math.isfinite(xv / sv) \
            else (hi if xv / sv > 0 else lo)
        out.append(min(max(q, lo), hi))
    return out


def _q4(ctx: webnn.MLContext, x: np.ndarray, scale: np.ndarray, zp: np.ndarray,
        dt: str) -> np.ndarray:
    b = webnn.MLGraphBuilder(ctx)
    xo = b.input("x", webnn.MLOperandDescriptor(x.shape, str(x.dtype)))
    zo = b.constant(webnn.MLOperandDescriptor(zp.shape, dt), zp)
    y = b.quantize_linear(xo, b.constant(scale), zo)
    assert y.data_type == dt
    return ctx.compute(b.build({"y": y}), {"x": x})["y"]


@pytest.mark.parametrize(("shape", "pshape"), QUANT_CASES[:-1])
@pytest.mark.parametrize("sdt", ["float32", "float16"])
@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_quantize_linear_to_4_bits(ctx, shape, pshape, sdt, dt):
    rng = np.random.default_rng(17)
    x = rng.uniform(-40, 40, shape).astype(sdt)
    scale = rng.choice([0.5, 1.25, 2.0, -1.5, 3.0], pshape).astype(sdt)
    lo, hi = RANGE_4BIT[dt]
    zp = rng.integers(lo, hi, pshape, endpoint=True).astype(STORAGE_4BIT[dt])
    out = _q4(ctx, x, scale, zp, dt)
    assert (out.dtype, out.shape) == (np.dtype(STORAGE_4BIT[dt]), tuple(shape))
    assert out.reshape(-1).tolist() == _quantize_4bit_ref(x, scale, zp, dt)
    assert lo <= out.min()
    assert out.max() <= hi


@pytest.mark.parametrize(("dt", "x", "zp", "expected"), [
    # ties go to even before the zero point is added
    ("int4", [0.5, 1.5, 2.5, -0.5, -1.5, -2.5], 0, [0, 2, 2, 0, -2, -2]),
    ("uint4", [0.5, 1.5, 2.5, 3.5, 4.5], 1, [1, 3, 3, 5, 5]),
    # saturation at the 4-bit bounds, not int8's / uint8's
    ("int4", [7.0, 7.5, 8.0, 100.0, -8.0, -8.5, -9.0, -100.0], 0, [7, 7, 7, 7, -8, -8, -8, -8]),
    ("int4", [6.0, -6.0], 3, [7, -3]),
    ("uint4", [14.0, 14.5, 15.5, 16.0, 300.0, -0.5, -1.0, -300.0], 0,
     [14, 14, 15, 15, 15, 0, 0, 0]),
    ("uint4", [-3.0, 13.0], 5, [2, 15]),
    # NaN -> 0 (as for 8 bits), infinities saturate
    ("int4", [np.nan, np.inf, -np.inf], 2, [0, 7, -8]),
    ("uint4", [np.nan, np.inf, -np.inf], 2, [0, 15, 0]),
])
def test_quantize_linear_4_bit_ties_and_saturation(ctx, dt, x, zp, expected):
    xs = np.array(x, np.float32)
    out = _q4(ctx, xs, np.ones(xs.shape, np.float32),
              np.full(xs.shape, zp, STORAGE_4BIT[dt]), dt)
    assert out.tolist() == expected


@pytest.mark.parametrize(("shape", "pshape"), QUANT_CASES)
@pytest.mark.parametrize("sdt", ["float32", "float16"])
@pytest.mark.parametrize("dt", ["int4", "uint4"])
@pytest.mark.parametrize("as_input", [True, False], ids=["input", "constant"])
def test_dequantize_linear_from_4_bits(ctx, shape, pshape, sdt, dt, as_input):
    rng = np.random.default_rng(23)
    lo, hi = RANGE_4BIT[dt]
    storage = STORAGE_4BIT[dt]
    x = rng.integers(lo, hi, shape, endpoint=True).astype(storage)
    zp = rng.integers(lo, hi, pshape, endpoint=True).astype(storage)
    scale = rng.choice([0.5, 0.1, -2.0, 3.0], pshape).astype(sdt)
    b = webnn.MLGraphBuilder(ctx)
    desc = webnn.MLOperandDescriptor(shape, dt)
    xo = b.input("x", desc) if as_input else b.constant(desc, x)
    y = b.dequantize_linear(xo, b.constant(scale),
                            b.constant(webnn.MLOperandDescriptor(pshape, dt), zp))
    out = ctx.compute(b.build({"y": y}), {"x": x} if as_input else {})["y"]
    # (x - zp) is a small exact integer; one rounding of the float64 product to sdt.
    diff = [int(a) - int(z) for a, z in zip(x.reshape(-1).tolist(),
                                            _expand(zp, x.shape).reshape(-1).tolist(),
                                            strict=True)]
    s = _expand(scale, x.shape).reshape(-1).astype(np.float64)
    expected = np.array([d * float(v) for d, v in zip(diff, s, strict=True)],
                        np.float64).astype(sdt).reshape(shape)
    assert out.dtype == np.dtype(sdt)
    np.testing.assert_array_equal(out, expected)


def test_dequantize_reads_int4_storage_as_signed(ctx):
    # -8 is the byte 0xF8: read as a signed value, (-8 - 7) * 1 = -15 (not 248 - 7).
    b = webnn.MLGraphBuilder(ctx)
    x = b.constant(webnn.MLOperandDescriptor([2], "int4"), b"\xf8\x07")
    zp = b.constant(webnn.MLOperandDescriptor([1], "int4"), np.array([7], np.int8))
    y = b.dequantize_linear(x, b.constant(np.ones(1, np.float32)), zp)
    assert ctx.compute(b.build({"y": y}), {})["y"].tolist() == [-15.0, 0.0]


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_4_bit_round_trip_and_tensors(ctx, dt):
    """quantize to 4 bits, export the 4-bit value and dequantize it again, through the
    MLTensor API too."""
    lo, hi = RANGE_4BIT[dt]
    storage = STORAGE_4BIT[dt]
    x = np.array([-20.0, -3.0, 0.0, 2.5, 6.0, 40.0], np.float32)
    scale = np.array([2.0], np.float32)
    zp = np.array([1], storage)
    b = webnn.MLGraphBuilder(ctx)
    xo = b.input("x", webnn.MLOperandDescriptor([6], "float32"))
    so = b.constant(scale)
    zo = b.constant(webnn.MLOperandDescriptor([1], dt), zp)
    q = b.quantize_linear(xo, so, zo)
    g = b.build({"q": q, "y": b.dequantize_linear(q, so, zo)})
    q_expected = [min(max(round(v / 2.0) + 1, lo), hi) for v in x.tolist()]
    y_expected = [(v - 1) * 2.0 for v in q_expected]
    out = ctx.compute(g, {"x": x})
    assert out["q"].dtype == np.dtype(storage)
    assert out["q"].tolist() == q_expected
    assert out["y"].tolist() == y_expected
    tx = ctx.create_tensor(webnn.MLTensorDescriptor([6], "float32", writable=True))
    tq = ctx.create_tensor(webnn.MLTensorDescriptor([6], dt, readable=True))
    ty = ctx.create_tensor(webnn.MLTensorDescriptor([6], "float32", readable=True))
    ctx.write_tensor(tx, x)
    ctx.dispatch(g, {"x": tx}, {"q": tq, "y": ty})
    got = ctx.read_tensor(tq)
    assert (got.dtype, got.tolist()) == (np.dtype(storage), q_expected)
    assert ctx.read_tensor(ty).tolist() == y_expected


def test_4_bit_graph_survives_save_and_load(ctx, tmp_path):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor([4], "int4"))
    zp = b.constant(webnn.MLOperandDescriptor([2], "int4"), np.array([-8, 7], np.int8))
    y = b.dequantize_linear(x, b.constant(np.array([1.0, 0.5], np.float32)), zp)
    b.build({"y": y}).save(str(tmp_path / "g.webnn"))
    g = ctx.compile(webnn.load_graph(tmp_path / "g.webnn"))
    out = ctx.compute(g, {"x": np.array([-8, 7, 7, -8], np.int8)})["y"]
    assert out.tolist() == [0.0, 15.0, 0.0, -7.5]
