"""Numerics of the activation kernels against float64 numpy formulas written from the
digest (§2.4, 2.16, 2.21, 2.25, 2.26, 2.29, 2.30, 2.36, 2.38, 2.44, 2.46–2.48, 2.50)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import webnn
from webnn.testing import run

ERFC = np.vectorize(math.erfc, otypes=[np.float64])

# op -> (options, float64 reference taking the input and the options)
FORMULAS: dict[str, tuple[dict[str, float], Callable[..., np.ndarray]]] = {
    "elu": ({"alpha": 0.7},
            lambda x, alpha: np.maximum(0, x) + alpha * (np.exp(np.minimum(0, x)) - 1)),
    # 1 + erf(t) written as erfc(-t): float64 1 + erf(t) itself cancels in the far tail.
    "gelu": ({}, lambda x: 0.5 * x * ERFC(-x / math.sqrt(2))),
    "hard_sigmoid": ({"alpha": 0.3, "beta": 0.4},
                     lambda x, alpha, beta: np.maximum(0, np.minimum(1, alpha * x + beta))),
    "hard_swish": ({}, lambda x: x * np.maximum(0, np.minimum(6, x + 3)) / 6),
    "leaky_relu": ({"alpha": 0.05}, lambda x, alpha: np.maximum(0, x) + alpha * np.minimum(0, x)),
    "linear": ({"alpha": 1.5, "beta": -0.25}, lambda x, alpha, beta: alpha * x + beta),
    "relu": ({}, lambda x: np.maximum(0, x)),
    "sigmoid": ({}, lambda x: 1 / (1 + np.exp(-x))),
    "softplus": ({}, lambda x: np.log(1 + np.exp(x))),
    "softsign": ({}, lambda x: x / (1 + np.abs(x))),
    "tanh": ({}, lambda x: (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1)),
}
# float32 accuracy required: the WPT tolerance of each op (float16 must round once: 1 ULP).
FLOAT32_ULPS = {"elu": 18, "gelu": 18, "hard_sigmoid": 2, "hard_swish": 4, "leaky_relu": 1,
                "linear": 2, "relu": 0, "sigmoid": 34, "softplus": 18, "softsign": 3,
                "tanh": 16}


def ulp_distance(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Distance in units in the last place between two float arrays of the same dtype
    (sign-magnitude bit patterns mapped onto a line; equal values, NaNs included, are 0)."""
    bits = {np.float32: np.int32, np.float16: np.int16}[actual.dtype.type]

    def key(v: np.ndarray) -> np.ndarray:
        mag = np.abs(v).view(bits).astype(np.int64)
        return np.where(np.signbit(v), -mag, mag)

    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    return np.where(same, 0, np.abs(key(actual) - key(expected)))


def assert_ulp(actual: np.ndarray, reference: np.ndarray, dt: str, ulps: int) -> None:
    """``actual`` (dtype ``dt``) is within ``ulps`` of the float64 ``reference`` rounded
    once to ``dt``."""
    assert actual.dtype == np.dtype(dt)
    with np.errstate(over="ignore"):
        expected = reference.astype(dt)
    worst = int(ulp_distance(actual, expected).max(initial=0))
    assert worst <= ulps, f"{worst} ULP apart:\n{actual}\nexpected\n{expected}"


def rounded(options: dict[str, float], dt: str) -> dict[str, float]:
    """Options as the kernel sees them: cast to the input type by the core."""
    return {k: float(np.array(v, dtype=dt)) for k, v in options.items()}


@pytest.fixture
def sample() -> np.ndarray:
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.uniform(-8, 8, 40), [0.0, -0.0, 1e-3, -1e-3, 3.0, -3.0,
                                                      20.0, -20.0]])
    return values.reshape(4, 12)


@pytest.mark.parametrize("op", FORMULAS)
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_float_activation(ctx, sample, op, dt):
    options, formula = FORMULAS[op]
    ulps = FLOAT32_ULPS[op] if dt == "float32" else 1
    if op == "gelu":
        # Below -5 gelu is < 1e-6 and so ill-conditioned that rounding x / sqrt(2) to
        # float32 alone moves the result by more than 18 ULP.
        sample = np.maximum(sample, -5.0)
    x = sample.astype(dt)
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], **options), {"x": x})
    ref = formula(x.astype(np.float64), **rounded(options, dt))
    assert_ulp(y, ref, dt, ulps)


@pytest.mark.parametrize("op", FORMULAS)
def test_nan_propagates(ctx, op):
    options, _ = FORMULAS[op]
    x = np.array([np.nan, 1.0], dtype=np.float16)
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], **options), {"x": x})
    assert np.isnan(y[0])


@pytest.mark.parametrize(("op", "x", "expected"), [
    # no exp overflow for large x; the tiny result for -100 is a float32 subnormal
    ("softplus", [100.0, -100.0], [100.0, math.log1p(math.exp(-100.0))]),
    ("sigmoid", [np.inf, -np.inf], [1.0, 0.0]),
    ("tanh", [np.inf, -np.inf], [1.0, -1.0]),
    ("relu", [np.inf, -np.inf], [np.inf, 0.0]),
    ("elu", [-np.inf, np.inf], [-1.0, np.inf]),
])
def test_extremes(ctx, op, x, expected):
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"]), {"x": np.array(x, np.float32)})
    np.testing.assert_array_equal(y, np.array(expected, np.float32))


@pytest.mark.parametrize("dt", ["int8", "int32", "int64"])
def test_relu_integers(ctx, dt):
    info = np.iinfo(dt)
    x = np.array([info.min, -1, 0, 1, info.max], dtype=dt)
    y = run(ctx, lambda b, o: b.relu(o["x"]), {"x": x})
    np.testing.assert_array_equal(y, np.array([0, 0, 0, 1, info.max], dtype=dt))
    assert y.dtype == np.dtype(dt)


def test_scalar_constant(ctx):
    """0-D operands (as a constant: the graph has no inputs)."""
    b = webnn.MLGraphBuilder(ctx)
    y = b.elu(b.constant(np.array(-2.0, np.float32)), alpha=0.5)
    out = ctx.compute(b.build({"y": y}), {})["y"]
    assert out.shape == ()
    assert out == np.float32(0.5 * (math.exp(-2.0) - 1))


@pytest.mark.parametrize(("shape", "axis"), [([4, 6], 1), ([3, 4, 2], 0), ([2, 3, 4], 2),
                                             ([5], 0)])
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_softmax(ctx, shape, axis, dt):
    # |x - max| <= 10 keeps float32's own rounding of x - max within the tolerance.
    x = np.random.default_rng(3).uniform(-5, 5, shape).astype(dt)
    y = run(ctx, lambda b, o: b.softmax(o["x"], axis), {"x": x})
    w = x.astype(np.float64)
    e = np.exp(w - w.max(axis=axis, keepdims=True))
    # float32 within WPT's softmax tolerance (3 * N + 3 ULP); float16 rounds once.
    ulps = 3 * shape[axis] + 3 if dt == "float32" else 1
    assert_ulp(y, e / e.sum(axis=axis, keepdims=True), dt, ulps)


@pytest.mark.parametrize(("xshape", "sshape"), [([2, 3], [2, 3]), ([2, 2, 2, 3], [3]),
                                                ([2, 2, 2, 3], [1, 2, 1, 1]), ([3], [2, 1])])
@pytest.mark.parametrize("dt", ["float32", "float16", "int8", "int32", "int64"])
def test_prelu(ctx, xshape, sshape, dt):
    rng = np.random.default_rng(11)
    x = rng.integers(-9, 10, xshape).astype(dt)
    slope = rng.integers(-3, 4, sshape).astype(dt)
    y = run(ctx, lambda b, o: b.prelu(o["x"], o["s"]), {"x": x, "s": slope})
    w, s = x.astype(np.float64), slope.astype(np.float64)
    expected = (np.maximum(0, w) + s * np.minimum(0, w)).astype(dt)
    assert (y.dtype, y.shape) == (np.dtype(dt), expected.shape)
    np.testing.assert_array_equal(y, expected)


def _clamp(ctx: webnn.MLContext, x: np.ndarray, **options: Any) -> np.ndarray:
    return run(ctx, lambda b, o: b.clamp(o["x"], **options), {"x": x})


@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_clamp_floats(ctx, dt):
    x = np.array([-np.inf, -7.5, -1.0, 0.0, 2.5, 9.0, np.inf, np.nan], dtype=dt)
    y = _clamp(ctx, x, min_value=-2.0, max_value=3.0)
    np.testing.assert_array_equal(y, np.array([-2, -2, -1, 0, 2.5, 3, 3, np.nan], dtype=dt))
    np.testing.assert_array_equal(_clamp(ctx, x), x)  # no bounds: identity, NaN kept


def test_clamp_nan_bounds_leave_input_unchanged(ctx):
    x = np.array([-3.0, 0.5, 4.0], np.float32)
    np.testing.assert_array_equal(_clamp(ctx, x, min_value=math.nan, max_value=1.0),
                                  np.array([-3.0, 0.5, 1.0], np.float32))
    np.testing.assert_array_equal(_clamp(ctx, x, min_value=math.nan, max_value=math.nan), x)


def test_clamp_float16_bound_is_rounded_to_half(ctx):
    # 0.1 is not a half: the bound becomes float16(0.1), so 0.1 itself stays unchanged.
    x = np.array([0.0, 0.1, 1.0], np.float16)
    y = _clamp(ctx, x, min_value=0.1)
    np.testing.assert_array_equal(y, np.array([0.1, 0.1, 1.0], np.float16))


@pytest.mark.parametrize(("dt", "lo", "hi"), [
    ("int8", -2, 125), ("uint8", 5, 200), ("int32", -2, 2**31 - 3),
    ("uint32", 5, 2**32 - 6), ("int64", -(2**62), 2**53), ("uint64", 5, 2**64 - 6),
    ("uint64", 2**63 + 1, 2**64 - 2),  # bounds above int64's range
])
def test_clamp_integers(ctx, dt, lo, hi):
    info = np.iinfo(dt)
    values = [int(info.min), int(info.min) + 1, lo - 1 if lo > info.min else lo, lo, 0, 7,
              hi, hi + 1 if hi < info.max else hi, int(info.max)]
    x = np.array(values, dtype=dt)
    y = _clamp(ctx, x, min_value=lo, max_value=hi)
    expected = np.array([min(max(v, lo), hi) for v in values], dtype=dt)
    assert y.dtype == np.dtype(dt)
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("dt", ["uint32", "uint64", "int64"])
def test_clamp_integers_one_sided(ctx, dt):
    info = np.iinfo(dt)
    x = np.array([int(info.min), 3, int(info.max)], dtype=dt)
    np.testing.assert_array_equal(_clamp(ctx, x, min_value=3),
                                  np.array([3, 3, int(info.max)], dtype=dt))
    np.testing.assert_array_equal(_clamp(ctx, x, max_value=3),
                                  np.array([int(info.min), 3, 3], dtype=dt))
