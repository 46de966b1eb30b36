"""Numerics of the reduction, argMin/argMax and cumulativeSum kernels against numpy
(float64 or exact Python-integer references written from the digest §2.1, 2.8, 2.37)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import webnn
from webnn.testing import run

# op -> float64 reference over the given axes (keepdims applied by numpy)
FLOAT_REF: dict[str, Callable[[np.ndarray, tuple[int, ...], bool], np.ndarray]] = {
    "reduce_l1": lambda x, a, k: np.sum(np.abs(x), axis=a, keepdims=k),
    "reduce_l2": lambda x, a, k: np.sqrt(np.sum(x * x, axis=a, keepdims=k)),
    "reduce_log_sum": lambda x, a, k: np.log(np.sum(x, axis=a, keepdims=k)),
    "reduce_log_sum_exp": lambda x, a, k: np.log(np.sum(np.exp(x), axis=a, keepdims=k)),
    "reduce_max": lambda x, a, k: np.max(x, axis=a, keepdims=k),
    "reduce_mean": lambda x, a, k: np.mean(x, axis=a, keepdims=k),
    "reduce_min": lambda x, a, k: np.min(x, axis=a, keepdims=k),
    "reduce_product": lambda x, a, k: np.prod(x, axis=a, keepdims=k),
    "reduce_sum": lambda x, a, k: np.sum(x, axis=a, keepdims=k),
    "reduce_sum_square": lambda x, a, k: np.sum(x * x, axis=a, keepdims=k),
}

CASES = [  # input shape, options, numpy axes
    ([2, 3, 4], {}, (0, 1, 2)),
    ([2, 3, 4], {"axes": [1]}, (1,)),
    ([2, 3, 4], {"axes": [2, 0], "keep_dimensions": True}, (2, 0)),
    ([2, 3, 4], {"axes": []}, ()),  # nothing reduced: the function of each element
    ([3, 1, 2, 2], {"axes": [0, 3], "keep_dimensions": False}, (0, 3)),
    ([5], {"keep_dimensions": True}, (0,)),
]


def _close_f32(actual: np.ndarray, reference: np.ndarray, dt: str) -> None:
    assert actual.dtype == np.dtype(dt)
    # float16 computes in float32 and rounds once: half an ULP of float16 plus slack.
    rtol = 1e-6 if dt == "float32" else 2**-11
    np.testing.assert_allclose(actual.astype(np.float64), reference.astype(dt).astype(np.float64),
                               rtol=rtol, atol=0)


@pytest.mark.parametrize("op", FLOAT_REF)
@pytest.mark.parametrize(("shape", "options", "axes"), CASES)
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_float_reductions(ctx, op, shape, options, axes, dt):
    rng = np.random.default_rng(5)
    # Positive inputs keep log_sum defined; products of values near 1 stay in range.
    x = rng.uniform(0.5, 1.5, shape).astype(dt)
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], **options), {"x": x})
    ref = FLOAT_REF[op](x.astype(np.float64), axes, options.get("keep_dimensions", False))
    assert y.shape == ref.shape
    _close_f32(y, np.asarray(ref), dt)


def test_scalar_input(ctx):
    b = webnn.MLGraphBuilder(ctx)
    c = b.constant(np.array(-3.0, np.float32))
    g = b.build({"l1": b.reduce_l1(c), "sq": b.reduce_sum_square(c, axes=[]),
                 "max": b.reduce_max(c, keep_dimensions=True)})
    out = ctx.compute(g, {})
    assert {k: (v.shape, float(v)) for k, v in out.items()} == {
        "l1": ((), 3.0), "sq": ((), 9.0), "max": ((), -3.0)}


def test_log_sum_exp_does_not_overflow(ctx):
    x = np.array([[100.0, 100.0], [-100.0, -100.0]], np.float32)
    y = run(ctx, lambda b, o: b.reduce_log_sum_exp(o["x"], axes=[1]), {"x": x})
    expected = np.array([100 + math.log(2), -100 + math.log(2)], np.float32)
    np.testing.assert_allclose(y, expected, rtol=1e-6)


def _int_reference(op: str, values: list[int], bits: int, signed: bool) -> int:
    """Exact result over Python ints, wrapped to the type like two's-complement hardware."""
    total = {"reduce_l1": lambda v: sum(abs(i) for i in v),
             "reduce_sum": sum,
             "reduce_sum_square": lambda v: sum(i * i for i in v),
             "reduce_product": math.prod,
             "reduce_max": max,
             "reduce_min": min}[op](values)
    total %= 2**bits
    return total - 2**bits if signed and total >= 2 ** (bits - 1) else total


INT_OPS = ["reduce_l1", "reduce_sum", "reduce_sum_square", "reduce_product", "reduce_max",
           "reduce_min"]


@pytest.mark.parametrize("op", INT_OPS)
@pytest.mark.parametrize("dt", ["int32", "uint32", "int64", "uint64"])
def test_integer_reductions_exact(ctx, op, dt):
    info = np.iinfo(dt)
    signed = info.min < 0
    # Large values (above 2**63 for uint64) check the unsigned emulation and wrapping.
    rows = [[int(info.max), 2, 3], [int(info.max) // 3, int(info.max) // 2 + 1, 7],
            [int(info.min), 5, 1] if signed else [0, 5, 1], [-4 if signed else 4, 6, 9]]
    x = np.array(rows, dtype=dt)
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], axes=[1]), {"x": x})
    expected = [_int_reference(op, r, info.bits, signed) for r in rows]
    assert y.dtype == np.dtype(dt)
    assert [int(v) for v in y] == expected


@pytest.mark.parametrize("op", ["reduce_max", "reduce_min"])
@pytest.mark.parametrize("dt", ["int8", "uint8"])
def test_small_integer_max_min(ctx, op, dt):
    info = np.iinfo(dt)
    rows = [[int(info.min), int(info.max), 0], [1, 2, 3]]
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], axes=[1], keep_dimensions=True),
            {"x": np.array(rows, dtype=dt)})
    pick = max if op == "reduce_max" else min
    np.testing.assert_array_equal(y, np.array([[pick(r)] for r in rows], dtype=dt))


def test_max_min_keep_nan(ctx):
    x = np.array([1.0, np.nan, 3.0], np.float16)
    out = run(ctx, lambda b, o: [b.reduce_max(o["x"]), b.reduce_min(o["x"])], {"x": x})
    assert all(np.isnan(v) for v in out)


# -- argMin / argMax ------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["arg_min", "arg_max"])
@pytest.mark.parametrize("dt", ["float32", "float16", "int8", "uint8", "int32", "uint32",
                                "int64", "uint64"])
@pytest.mark.parametrize(("axis", "keep", "out_dt"), [(0, False, "int32"), (1, True, "int64"),
                                                      (2, False, "int64")])
def test_arg_min_max(ctx, op, dt, axis, keep, out_dt):
    rng = np.random.default_rng(2)
    # A permutation has no ties; for uint64 shift into the top half of the range so the
    # unsigned order differs from the signed order of the same bits.
    x = rng.permutation(24).reshape(2, 3, 4).astype(dt)
    if dt == "uint64":
        x = x + np.uint64(2**63 - 12)
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], axis, keep_dimensions=keep,
                                             output_data_type=out_dt), {"x": x})
    fn = np.argmin if op == "arg_min" else np.argmax
    expected = fn(x, axis=axis, keepdims=keep)
    assert y.dtype == np.dtype(out_dt)
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize(("op", "expected"), [("arg_min", [1, 0]), ("arg_max", [0, 2])])
def test_arg_ties_pick_the_first(ctx, op, expected):
    x = np.array([[5, 1, 1, 5], [0, 0, 9, 9]], np.int32)
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], 1), {"x": x})
    np.testing.assert_array_equal(y, np.array(expected, np.int32))


# -- cumulativeSum --------------------------------------------------------------------------


def _cumsum_reference(x: np.ndarray, axis: int, exclusive: bool, reverse: bool) -> np.ndarray:
    """Straight from the definition: y[k] = sum of x[j] for j <= k (< k when exclusive;
    j >= k / j > k when reversed)."""
    out = np.zeros(x.shape, dtype=object)
    n = x.shape[axis]
    moved_x = np.moveaxis(x.astype(object), axis, 0)
    moved_out = np.moveaxis(out, axis, 0)
    for k in range(n):
        if reverse:
            js = range(k + 1, n) if exclusive else range(k, n)
        else:
            js = range(k) if exclusive else range(k + 1)
        moved_out[k] = sum((moved_x[j] for j in js), start=np.zeros(moved_x.shape[1:], object))
    return out


@pytest.mark.parametrize("dt", ["float32", "float16", "int32", "uint32", "int64", "uint64"])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 2])
def test_cumulative_sum(ctx, dt, exclusive, reverse, axis):
    x = np.arange(1, 25).reshape(2, 3, 4).astype(dt)
    y = run(ctx, lambda b, o: b.cumulative_sum(o["x"], axis, exclusive=exclusive,
                                               reversed=reverse), {"x": x})
    expected = _cumsum_reference(x, axis, exclusive, reverse).astype(dt)
    assert y.dtype == np.dtype(dt)
    np.testing.assert_array_equal(y, expected)


def test_cumulative_sum_uint64_wraps(ctx):
    x = np.array([2**64 - 1, 2, 2**63], np.uint64)
    y = run(ctx, lambda b, o: b.cumulative_sum(o["x"], 0), {"x": x})
    assert [int(v) for v in y] == [2**64 - 1, 1, 2**63 + 1]


def test_cumulative_sum_float16_rounds_once(ctx):
    # 2048 + 1 + 1 is 2050 exactly, but summing in float16 would round 2049 down to 2048
    # twice and stay at 2048.
    x = np.array([2048.0, 1.0, 1.0], np.float16)
    y = run(ctx, lambda b, o: b.cumulative_sum(o["x"], 0), {"x": x})
    np.testing.assert_array_equal(y, np.array([2048, 2048, 2050], np.float16))

