"""Element-wise family against numpy, on every data type the spec allows."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from webnn.testing import run

FLOATS = ["float32", "float16"]
INTS = ["int32", "uint32", "int64", "uint64", "int8", "uint8"]
ALL = FLOATS + INTS
SIGNED = ["float32", "float16", "int32", "int64", "int8"]


def data(dt: str, shape: tuple[int, ...], seed: int = 0, lo: int = -100, hi: int = 100):
    rng = np.random.default_rng(seed)
    if dt in FLOATS:
        return rng.uniform(lo / 10, hi / 10, shape).astype(dt)
    info = np.iinfo(dt)
    v = rng.integers(max(lo, info.min), min(hi, info.max), shape, endpoint=True).astype(dt)
    v.flat[0] = info.max  # extremes exercise wrapping and unsigned order
    v.flat[-1] = info.min
    return v


def ref_binary(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dt = a.dtype
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if op == "div" and dt.kind in "iu":
            # Truncation toward zero, x / 0 = 0, wrapping MIN / -1.
            x, y = a.astype(object), b.astype(object)
            q = [0 if d == 0 else (abs(n) // abs(d)) * (1 if (n < 0) == (d < 0) else -1)
                 for n, d in zip(x.ravel(), y.ravel(), strict=True)]
            bits = np.iinfo(dt).bits
            q = [v & (2**bits - 1) for v in q]
            return np.array(q, dtype=np.uint64).astype(dt).reshape(a.shape)
        if op == "pow" and dt.kind in "iu":
            return np.power(a, np.maximum(b, 0).astype(dt))
        fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
              "max": np.maximum, "min": np.minimum, "pow": np.power}[op]
        if dt == np.float16:
            return fn(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
        return fn(a, b)


@pytest.mark.parametrize("dt", ALL)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "max", "min", "pow"])
def test_binary(ctx, op, dt):
    a = data(dt, (3, 4), 1)
    b = data(dt, (4,), 2)
    if op == "pow":
        # Small exponents: uint64 exponents >= 2**63 are not emulated (see README).
        b = np.array([0, 1, 2, 3], dt)
    if op == "div":
        b[1] = 0
    out = run(ctx, lambda B, o: getattr(B, op)(o["a"], o["b"]), {"a": a, "b": b})
    expected = ref_binary(op, a, np.broadcast_to(b, a.shape))
    assert out.dtype == a.dtype
    if dt in FLOATS:
        np.testing.assert_allclose(out, expected, rtol=1e-3 if dt == "float16" else 1e-6,
                                   equal_nan=True)
    else:
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dt", ALL)
@pytest.mark.parametrize(("op", "fn"), [
    ("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
    ("greater_or_equal", np.greater_equal), ("lesser", np.less),
    ("lesser_or_equal", np.less_equal)])
def test_compare(ctx, op, fn, dt):
    a, b = data(dt, (2, 5), 3), data(dt, (2, 5), 4)
    b[0, 1:3] = a[0, 1:3]
    out = run(ctx, lambda B, o: getattr(B, op)(o["a"], o["b"]), {"a": a, "b": b})
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, fn(a, b).astype(np.uint8))


@pytest.mark.parametrize(("op", "fn"), [
    ("logical_and", np.logical_and), ("logical_or", np.logical_or),
    ("logical_xor", np.logical_xor)])
def test_logical(ctx, op, fn):
    a = np.array([0, 1, 2, 0, 255], np.uint8)
    b = np.array([0, 0, 3, 7, 1], np.uint8)
    out = run(ctx, lambda B, o: getattr(B, op)(o["a"], o["b"]), {"a": a, "b": b})
    np.testing.assert_array_equal(out, fn(a, b).astype(np.uint8))
    out = run(ctx, lambda B, o: B.logical_not(o["a"]), {"a": a})
    np.testing.assert_array_equal(out, np.logical_not(a).astype(np.uint8))


@pytest.mark.parametrize("dt", FLOATS)
def test_predicates(ctx, dt):
    a = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], dt)
    nan, inf = run(ctx, lambda B, o: [B.is_nan(o["a"]), B.is_infinite(o["a"])], {"a": a})
    np.testing.assert_array_equal(nan, [0, 1, 0, 0, 0])
    np.testing.assert_array_equal(inf, [0, 0, 1, 1, 0])


UNARY = {
    "ceil": np.ceil, "floor": np.floor, "round_even": np.round, "cos": np.cos,
    "sin": np.sin, "tan": np.tan, "exp": np.exp, "log": np.log,
    "reciprocal": np.reciprocal, "sqrt": np.sqrt,
    "erf": np.vectorize(__import__("math").erf),
}


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("op", sorted(UNARY))
def test_float_unary(ctx, op, dt):
    a = np.array([0.5, 1.5, 2.5, -0.5, 0.3, 1.2, 3.7, -2.5], dt)
    if op in ("log", "sqrt"):
        a = np.abs(a)
    out = run(ctx, lambda B, o: getattr(B, op)(o["a"]), {"a": a})
    expected = UNARY[op](a.astype(np.float64)).astype(dt)
    assert out.dtype == a.dtype
    np.testing.assert_allclose(out.astype(np.float64), expected.astype(np.float64),
                               rtol=1e-3 if dt == "float16" else 1e-6)


@pytest.mark.parametrize("dt", SIGNED)
@pytest.mark.parametrize(("op", "fn"), [("abs", np.abs), ("neg", np.negative),
                                        ("sign", np.sign)])
def test_signed_unary(ctx, op, fn, dt):
    a = data(dt, (6,), 5)
    out = run(ctx, lambda B, o: getattr(B, op)(o["a"]), {"a": a})
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(out, fn(a))


@pytest.mark.parametrize("dt", ALL)
def test_identity_and_where(ctx, dt):
    t, f = data(dt, (2, 3), 6), data(dt, (3,), 7)
    c = np.array([[1, 0, 2], [0, 0, 1]], np.uint8)
    same, chosen = run(ctx, lambda B, o: [B.identity(o["t"]), B.where(o["c"], o["t"], o["f"])],
                       {"c": c, "t": t, "f": f})
    np.testing.assert_array_equal(same, t)
    np.testing.assert_array_equal(chosen, np.where(c != 0, t, f))


def test_uint64_extremes(ctx):
    a = np.array([2**64 - 1, 2**63, 10, 2**64 - 1], np.uint64)
    b = np.array([2, 3, 2**63 + 1, 2**64 - 1], np.uint64)
    q, mx, gt = run(ctx, lambda B, o: [B.div(o["a"], o["b"]), B.max(o["a"], o["b"]),
                                       B.greater(o["a"], o["b"])], {"a": a, "b": b})
    np.testing.assert_array_equal(q, a // b)
    np.testing.assert_array_equal(mx, np.maximum(a, b))
    np.testing.assert_array_equal(gt, (a > b).astype(np.uint8))


def test_scalar_operands(ctx):
    a = np.array(3.0, np.float32)
    out = run(ctx, lambda B, o: B.mul(o["a"], o["a"]), {"a": a})
    assert out.shape == ()
    assert out == 9.0
