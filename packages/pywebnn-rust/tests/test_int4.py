"""The int4/uint4 extension on the rust backend: held unpacked (int8/uint8 storage) for
quantize_linear's zero point and output and dequantize_linear's input and zero point,
checked against exact numpy references and against the torch backend."""

from __future__ import annotations

import math

import numpy as np
import pytest

import webnn
from pywebnn_rust.backend import RustBackend
from webnn.errors import UnsupportedError, WebNNTypeError

D = webnn.MLOperandDescriptor
RANGE_4BIT = {"int4": (-8, 7), "uint4": (0, 15)}
STORAGE_4BIT = {"int4": np.int8, "uint4": np.uint8}


def _quantize(ctx: webnn.MLContext, dt: str, x: np.ndarray, scale: np.ndarray,
              zp: np.ndarray) -> np.ndarray:
    b = webnn.MLGraphBuilder(ctx)
    xin = b.input("x", D(list(x.shape), str(x.dtype)))
    y = b.quantize_linear(xin, b.constant(scale), b.constant(D(list(zp.shape), dt), zp))
    g = b.build({"y": y})
    assert g.output_descriptors["y"] == D(list(x.shape), dt)
    out: np.ndarray = ctx.compute(g, {"x": x})["y"]
    return out


def _dequantize(ctx: webnn.MLContext, dt: str, x: np.ndarray, scale: np.ndarray,
                zp: np.ndarray, *, x_constant: bool = False) -> np.ndarray:
    b = webnn.MLGraphBuilder(ctx)
    xop = (b.constant(D(list(x.shape), dt), x) if x_constant
           else b.input("x", D(list(x.shape), dt)))
    y = b.dequantize_linear(xop, b.constant(scale), b.constant(D(list(zp.shape), dt), zp))
    out: np.ndarray = ctx.compute(b.build({"y": y}), {} if x_constant else {"x": x})["y"]
    return out


def _torch_ctx() -> webnn.MLContext:
    if not any(i.name == "torch" and i.error is None for i in webnn.list_backends()):
        pytest.skip("the torch backend is not installed")
    return webnn.MLContext(backend="torch", device_type="cpu")


def _blocks(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Per-block parameters repeated to the full shape (blockwise broadcasting)."""
    for axis, n in enumerate(shape):
        a = np.repeat(a, n // a.shape[axis], axis=axis)
    return a


def _reference_quantize(dt: str, x: np.ndarray, scale: np.ndarray, zp: np.ndarray
                        ) -> np.ndarray:
    lo, hi = RANGE_4BIT[dt]
    q = np.round(x.astype(np.float64) / _blocks(scale, x.shape).astype(np.float64))
    q = q + _blocks(zp, x.shape).astype(np.float64)   # np.round: half to even
    q = np.clip(np.nan_to_num(q, nan=0.0), lo, hi)
    return q.astype(STORAGE_4BIT[dt])


def test_backend_opts_in():
    assert RustBackend.extension_types == ("int4", "uint4")
    limits = webnn.MLContext(backend="rust").op_support_limits()
    assert limits["quantize_linear"]["zero_point"]["data_types"][-2:] == ["int4", "uint4"]
    assert limits["quantize_linear"]["output"]["data_types"][-2:] == ["int4", "uint4"]
    assert limits["dequantize_linear"]["input"]["data_types"][-2:] == ["int4", "uint4"]
    assert limits["dequantize_linear"]["zero_point"]["data_types"][-2:] == ["int4", "uint4"]
    assert "int4" not in limits["quantize_linear"]["input"]["data_types"]
    assert "int4" not in limits["cast"]["input"]["data_types"]


# -- quantize_linear ------------------------------------------------------------------------


@pytest.mark.parametrize(("dt", "x", "zp", "want"), [
    # ties round half to even
    ("int4", [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 6.5], 0, [0, 2, 2, 0, -2, -2, 6]),
    ("uint4", [0.5, 1.5, 2.5, 3.5, 4.5, 13.5], 1, [1, 3, 3, 5, 5, 15]),
    # saturation to the 4-bit range, not int8/uint8's
    ("int4", [7.0, 7.5, 8.0, 100.0, -8.0, -8.5, -9.0, -100.0], 0,
     [7, 7, 7, 7, -8, -8, -8, -8]),
    ("int4", [6.0, -6.0, -11.0], 3, [7, -3, -8]),
    ("uint4", [14.0, 14.5, 15.5, 16.0, 300.0, -0.5, -1.0, -300.0], 0,
     [14, 14, 15, 15, 15, 0, 0, 0]),
    ("uint4", [-5.0, 10.0], 5, [0, 15]),
    # NaN -> 0 (whatever the zero point), infinities saturate
    ("int4", [math.nan, math.inf, -math.inf], 2, [0, 7, -8]),
    ("uint4", [math.nan, math.inf, -math.inf], 4, [0, 15, 0]),
])
@pytest.mark.parametrize("float_type", ["float32", "float16"])
def test_quantize_to_4_bits(ctx, dt, x, zp, want, float_type):
    xs = np.array(x, float_type)
    out = _quantize(ctx, dt, xs, np.ones(1, float_type), np.array([zp], STORAGE_4BIT[dt]))
    assert out.dtype == STORAGE_4BIT[dt]
    assert out.tolist() == want


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_quantize_to_4_bits_with_scale(ctx, dt):
    rng = np.random.default_rng(4)
    x = rng.uniform(-20, 20, 64).astype(np.float32)
    x[:8] = [0.25, 0.75, -0.25, -0.75, 1.25, 2.75, -1.25, 0.0]   # exact ties at scale 0.5
    scale = np.array([0.5], np.float32)
    zp = np.array([RANGE_4BIT[dt][0] + 8], STORAGE_4BIT[dt])   # 0 for int4, 8 for uint4
    got = _quantize(ctx, dt, x, scale, zp)
    np.testing.assert_array_equal(got, _reference_quantize(dt, x, scale, zp))


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_quantize_to_4_bits_block_wise(ctx, dt):
    rng = np.random.default_rng(5)
    x = rng.uniform(-6, 6, (4, 6)).astype(np.float32)
    scale = rng.uniform(0.2, 1.0, (2, 3)).astype(np.float32)
    lo, hi = RANGE_4BIT[dt]
    zp = rng.integers(lo, hi, (2, 3), endpoint=True).astype(STORAGE_4BIT[dt])
    got = _quantize(ctx, dt, x, scale, zp)
    np.testing.assert_array_equal(got, _reference_quantize(dt, x, scale, zp))
    assert got.min() >= lo
    assert got.max() <= hi


# -- dequantize_linear ----------------------------------------------------------------------


@pytest.mark.parametrize(("dt", "x", "zp", "want"), [
    ("int4", [-8, -1, 0, 7], -1, [-14.0, 0.0, 2.0, 16.0]),
    ("int4", [-8, 7], 7, [-30.0, 0.0]),
    ("uint4", [0, 1, 8, 15], 8, [-16.0, -14.0, 0.0, 14.0]),
    ("uint4", [0, 15], 0, [0.0, 30.0]),
])
@pytest.mark.parametrize("x_constant", [False, True])
def test_dequantize_from_4_bits(ctx, dt, x, zp, want, x_constant):
    out = _dequantize(ctx, dt, np.array(x, STORAGE_4BIT[dt]), np.array([2.0], np.float32),
                      np.array([zp], STORAGE_4BIT[dt]), x_constant=x_constant)
    assert out.dtype == np.float32
    assert out.tolist() == want


@pytest.mark.parametrize("dt", ["int4", "uint4"])
@pytest.mark.parametrize("float_type", ["float32", "float16"])
def test_dequantize_from_4_bits_block_wise(ctx, dt, float_type):
    rng = np.random.default_rng(6)
    lo, hi = RANGE_4BIT[dt]
    x = rng.integers(lo, hi, (4, 6), endpoint=True).astype(STORAGE_4BIT[dt])
    zp = rng.integers(lo, hi, (2, 3), endpoint=True).astype(STORAGE_4BIT[dt])
    scale = rng.uniform(0.1, 1.0, (2, 3)).astype(float_type)
    got = _dequantize(ctx, dt, x, scale, zp)
    want = ((x.astype(np.float64) - _blocks(zp, x.shape).astype(np.float64))
            * _blocks(scale, x.shape).astype(np.float64)).astype(float_type)
    assert got.dtype == np.dtype(float_type)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_round_trip_through_4_bits(ctx, dt):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D([2, 4], "float32"))
    scale = b.constant(np.array([[0.5], [0.25]], np.float32))
    zp = b.constant(D([2, 1], dt), np.array([[1], [2]], STORAGE_4BIT[dt]))
    q = b.quantize_linear(x, scale, zp)
    g = b.build({"q": q, "y": b.dequantize_linear(q, scale, zp)})
    xs = np.array([[0.0, 0.5, 1.0, 10.0], [-0.25, 0.25, 0.5, -10.0]], np.float32)
    out = ctx.compute(g, {"x": xs})
    lo = RANGE_4BIT[dt][0]
    want_q = np.clip(np.array([[1, 2, 3, 21], [1, 3, 4, -38]]), lo, RANGE_4BIT[dt][1])
    np.testing.assert_array_equal(out["q"], want_q.astype(STORAGE_4BIT[dt]))
    np.testing.assert_array_equal(
        out["y"], ((want_q - [[1], [2]]) * [[0.5], [0.25]]).astype(np.float32))


# -- MLTensors and dispatch -----------------------------------------------------------------


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_tensors_and_dispatch(ctx, dt):
    lo, hi = RANGE_4BIT[dt]
    t = ctx.create_tensor(webnn.MLTensorDescriptor([3], dt, readable=True, writable=True))
    assert ctx.read_tensor(t).tolist() == [0, 0, 0]
    ctx.write_tensor(t, np.array([lo, 1, hi], STORAGE_4BIT[dt]))
    got = ctx.read_tensor(t)
    assert got.dtype == STORAGE_4BIT[dt]
    assert got.tolist() == [lo, 1, hi]

    # dequantize from the tensor, quantize into another 4-bit tensor
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D([3], dt))
    zp = b.constant(D([1], dt), np.array([1], STORAGE_4BIT[dt]))
    y = b.dequantize_linear(x, b.constant(np.array([3.0], np.float32)), zp)
    q = b.quantize_linear(y, b.constant(np.array([2.0], np.float32)), zp)
    g = b.build({"y": y, "q": q})
    ty = ctx.create_tensor(webnn.MLTensorDescriptor([3], "float32", readable=True))
    tq = ctx.create_tensor(webnn.MLTensorDescriptor([3], dt, readable=True))
    ctx.dispatch(g, {"x": t}, {"y": ty, "q": tq})
    want_y = (np.array([lo, 1, hi]) - 1) * 3.0
    assert ctx.read_tensor(ty).tolist() == want_y.tolist()
    want_q = np.clip(np.round(want_y / 2.0) + 1, lo, hi).astype(STORAGE_4BIT[dt])
    got_q = ctx.read_tensor(tq)
    assert got_q.dtype == STORAGE_4BIT[dt]
    assert got_q.tolist() == want_q.tolist()


def test_out_of_range_values_are_rejected_before_the_backend(ctx):
    t = ctx.create_tensor(webnn.MLTensorDescriptor([2], "uint4", writable=True))
    with pytest.raises(WebNNTypeError, match="outside the uint4 range"):
        ctx.write_tensor(t, np.array([3, 16], np.uint8))


def test_other_ops_reject_4_bit_operands(ctx):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D([2], "int4"))
    with pytest.raises((UnsupportedError, WebNNTypeError)):
        b.relu(x)
    with pytest.raises((UnsupportedError, WebNNTypeError)):
        b.cast(x, "int8")


# -- against the torch backend --------------------------------------------------------------


@pytest.mark.parametrize("dt", ["int4", "uint4"])
@pytest.mark.parametrize("float_type", ["float32", "float16"])
def test_matches_torch(ctx, dt, float_type):
    reference = _torch_ctx()
    rng = np.random.default_rng(8)
    lo, hi = RANGE_4BIT[dt]
    x = rng.uniform(-12, 12, (4, 6)).astype(float_type)
    x[0] = [0.5, -0.5, 1.5, np.nan, np.inf, -np.inf]
    scale = rng.uniform(0.3, 1.5, (2, 3)).astype(float_type)
    scale[0, 0] = 1.0
    zp = rng.integers(lo, hi, (2, 3), endpoint=True).astype(STORAGE_4BIT[dt])
    xq = rng.integers(lo, hi, (4, 6), endpoint=True).astype(STORAGE_4BIT[dt])
    for fn, args in ((_quantize, (x, scale, zp)), (_dequantize, (xq, scale, zp))):
        got = fn(ctx, dt, *args)
        want = fn(reference, dt, *args)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"{fn.__name__} {dt} {float_type}")
