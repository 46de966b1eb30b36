"""Shape inference, normalization and validation of the activation family."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand

FLOAT_ONLY = ["elu", "gelu", "hard_sigmoid", "hard_swish", "leaky_relu", "linear", "sigmoid",
              "softplus", "softsign", "tanh"]
# op -> its double options and their spec defaults
DOUBLE_OPTIONS = {"elu": {"alpha": 1.0}, "hard_sigmoid": {"alpha": 0.2, "beta": 0.5},
                  "leaky_relu": {"alpha": 0.01}, "linear": {"alpha": 1.0, "beta": 0.0}}


def _attrs(b: webnn.MLGraphBuilder, y: webnn.MLOperand) -> dict[str, Any]:
    return dict(b.build({"y": y}).ir.nodes[-1].attrs)


# -- valid cases ----------------------------------------------------------------------------


@pytest.mark.parametrize("op", FLOAT_ONLY)
@pytest.mark.parametrize(("shape", "dt"), [([], "float32"), ([2, 3], "float16"),
                                           ([1, 2, 3, 4, 5, 6], "float32")])
def test_float_activation_copies_input(builder, op, shape, dt):
    y = getattr(builder, op)(operand(builder, shape, dt))
    assert (y.shape, y.data_type) == (tuple(shape), dt)


@pytest.mark.parametrize("op", FLOAT_ONLY)
@pytest.mark.parametrize("dt", ["int32", "uint8", "int64"])
def test_float_activation_rejects_integers(builder, op, dt):
    with pytest.raises(WebNNTypeError, match=f"^{op}: input data type {dt} is not allowed"):
        getattr(builder, op)(operand(builder, [2], dt))


@pytest.mark.parametrize("op", ["relu", "prelu"])
@pytest.mark.parametrize("dt", ["float32", "float16", "int64", "int32", "int8"])
def test_relu_family_takes_signed_types(builder, op, dt):
    x = operand(builder, [2, 2], dt)
    args = (x, operand(builder, [2], dt)) if op == "prelu" else (x,)
    assert getattr(builder, op)(*args).data_type == dt


@pytest.mark.parametrize("op", ["relu", "prelu"])
@pytest.mark.parametrize("dt", ["uint8", "uint32", "uint64"])
def test_relu_family_rejects_unsigned(builder, op, dt):
    x = operand(builder, [2], dt)
    args = (x, operand(builder, [2], dt)) if op == "prelu" else (x,)
    with pytest.raises(WebNNTypeError, match=f"^{op}: input data type {dt} is not allowed"):
        getattr(builder, op)(*args)


@pytest.mark.parametrize(("op", "defaults"), DOUBLE_OPTIONS.items())
def test_double_option_defaults(builder, op, defaults):
    y = getattr(builder, op)(operand(builder, [2]))
    expected = {k: float(np.float32(v)) for k, v in defaults.items()}
    assert _attrs(builder, y) == expected


@pytest.mark.parametrize(("op", "defaults"), DOUBLE_OPTIONS.items())
def test_double_options_cast_to_float16(builder, op, defaults):
    values = {k: 0.1 + i for i, k in enumerate(defaults)}
    attrs = _attrs(builder, getattr(builder, op)(operand(builder, [2], "float16"), **values))
    assert attrs == {k: float(np.float16(v)) for k, v in values.items()}
    assert all(type(v) is float for v in attrs.values())


def test_double_option_overflowing_the_type_becomes_infinity(builder):
    attrs = _attrs(builder, builder.linear(operand(builder, [2], "float16"), alpha=1e6))
    assert attrs["alpha"] == math.inf


@pytest.mark.parametrize(("shape", "axis"), [([5], 0), ([2, 3, 4], 2), ([2, 3, 4], 0)])
def test_softmax(builder, shape, axis):
    y = builder.softmax(operand(builder, shape, "float16"), axis)
    assert (y.shape, y.data_type) == (tuple(shape), "float16")
    assert _attrs(builder, y) == {"axis": axis}


@pytest.mark.parametrize(("x", "slope", "out"), [
    ([2, 2, 2, 3], [3], (2, 2, 2, 3)),
    ([2, 2, 2, 3], [1, 2, 1, 1], (2, 2, 2, 3)),
    ([], [], ()),
    ([3], [2, 1], (2, 3)),  # the spec broadcasts both ways: slope may widen the output
])
def test_prelu_broadcasts(builder, x, slope, out):
    assert builder.prelu(operand(builder, x), operand(builder, slope)).shape == out


@pytest.mark.parametrize(("dt", "options", "expected"), [
    ("float32", {}, (-math.inf, math.inf)),
    ("float16", {"min_value": 0.1}, (float(np.float16(0.1)), math.inf)),
    ("float32", {"max_value": 1e39}, (-math.inf, math.inf)),  # overflows float32
    ("int8", {}, (-128, 127)),
    ("uint8", {"min_value": 2.5, "max_value": 3.5}, (2, 4)),  # round half to even
    ("uint32", {"min_value": -5}, (0, 2**32 - 1)),            # saturates
    ("uint64", {"max_value": 2**64 + 7}, (0, 2**64 - 1)),     # a big integer (bigint)
    ("int64", {"min_value": -(2**53) - 1}, (-(2**53) - 1, 2**63 - 1)),
    ("int32", {"min_value": math.nan}, (0, 2**31 - 1)),       # NaN -> 0 for integers
    ("int32", {"min_value": 3, "max_value": 3}, (3, 3)),      # equal bounds are fine
])
def test_clamp_bounds(builder, dt, options, expected):
    y = builder.clamp(operand(builder, [2], dt), **options)
    attrs = _attrs(builder, y)
    assert (attrs["min_value"], attrs["max_value"]) == expected
    assert all(type(v) is (float if dt.startswith("float") else int) for v in attrs.values())


def test_clamp_nan_bound_is_kept(builder):
    attrs = _attrs(builder, builder.clamp(operand(builder, [2]), max_value=math.nan))
    assert attrs["min_value"] == -math.inf
    assert math.isnan(attrs["max_value"])


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "option"), [(op, k) for op, d in DOUBLE_OPTIONS.items()
                                            for k in d])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_double_options_reject_non_finite(builder, op, option, bad):
    with pytest.raises(WebNNTypeError, match=f"^{op}: {option} must be a finite number, "
                                             f"got {bad}"):
        getattr(builder, op)(operand(builder, [2]), **{option: bad})


@pytest.mark.parametrize("bad", ["1", None, True, [1.0]])
def test_double_option_rejects_non_numbers(builder, bad):
    with pytest.raises(WebNNTypeError, match=re.escape(f"elu: alpha must be a number, "
                                                       f"got {bad!r}")):
        builder.elu(operand(builder, [2]), alpha=bad)


ERRORS = [
    ("softmax", lambda b: b.softmax(operand(b, [2, 3]), 2),
     "softmax: axis 2 is out of range for rank 2"),
    ("softmax", lambda b: b.softmax(operand(b, []), 0),
     "softmax: input must be of rank 1"),
    ("softmax", lambda b: b.softmax(operand(b, [2]), -1),
     "softmax: axis must be in [0, 4294967295], got -1"),
    ("softmax", lambda b: b.softmax(operand(b, [2], "int32"), 0),
     "softmax: input data type int32 is not allowed"),
    ("softmax", lambda b: b.softmax(operand(b, [2])),
     "softmax: missing required argument(s): axis"),
    ("prelu", lambda b: b.prelu(operand(b, [2], "float16"), operand(b, [2])),
     "prelu: slope data type float32 must match input (float16)"),
    ("prelu", lambda b: b.prelu(operand(b, [2, 3]), operand(b, [2])),
     "prelu: slope shape [2] and input shape [2, 3] are not broadcastable"),
    ("clamp", lambda b: b.clamp(operand(b, [2]), min_value=2, max_value=1),
     "clamp: min_value 2.0 must not be greater than max_value 1.0 (after casting to float32)"),
    ("clamp", lambda b: b.clamp(operand(b, [2], "uint8"), min_value=1.6, max_value=1.4),
     "clamp: min_value 2 must not be greater than max_value 1 (after casting to uint8)"),
    ("clamp", lambda b: b.clamp(operand(b, [2], "int8"), min_value=math.inf, max_value=0),
     "clamp: min_value 127 must not be greater than max_value 0"),
    ("clamp", lambda b: b.clamp(operand(b, [2], "int8"), min_value=200, max_value=-200),
     "clamp: min_value 127 must not be greater than max_value -128"),
    ("clamp", lambda b: b.clamp(operand(b, [2]), min_value="0"),
     "clamp: min_value must be a number, got '0'"),
    ("clamp", lambda b: b.clamp(operand(b, [2]), max_value=False),
     "clamp: max_value must be a number, got False"),
    ("elu", lambda b: b.elu(operand(b, [2]), beta=1.0),
     "elu: unknown option(s) beta; valid options: alpha"),
    ("gelu", lambda b: b.gelu(operand(b, [2]), alpha=1.0),
     "gelu: unknown option(s) alpha; valid options: none besides label"),
    ("tanh", lambda b: b.tanh(operand(b, [2], "int8"), label="act"),
     "tanh [act]: input data type int8 is not allowed"),
]


@pytest.mark.parametrize(("op", "call", "message"), ERRORS, ids=[m for _, _, m in ERRORS])
def test_errors(builder, op, call, message):
    with pytest.raises(WebNNTypeError, match="^" + re.escape(message)):
        call(builder)


def test_clamp_infinite_bound_on_float_is_allowed(builder):
    attrs = _attrs(builder, builder.clamp(operand(builder, [2]), min_value=math.inf))
    assert attrs == {"min_value": math.inf, "max_value": math.inf}


# -- property -------------------------------------------------------------------------------


def _np_cast(value: float | int, dt: str) -> float | int:
    """The spec's cast of an MLNumber, computed independently with numpy (values are
    exact float64 numbers here, so numpy's one rounding is the spec's)."""
    if dt.startswith("float"):
        with np.errstate(over="ignore"):
            return float(np.float64(value).astype(dt))
    info = np.iinfo(dt)
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        value = int(np.rint(np.clip(value, -(2.0**65), 2.0**65)))  # rint: half to even
    return int(min(max(value, int(info.min)), int(info.max)))


def _same(a: float | int, b: float | int) -> bool:
    nan = isinstance(a, float) and math.isnan(a)
    return type(a) is type(b) and ((nan and math.isnan(b)) or a == b)


# Integers stay within float64's exact range: beyond 2**53 a float target would need a
# correctly rounded bigint conversion (see the report on webnn._dtypes.cast_number).
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-(2**53), 2**53), st.none())
dtypes = st.sampled_from(["float32", "float16", "int32", "uint32", "int64", "uint64",
                          "int8", "uint8"])


@given(dtypes, numbers, numbers)
def test_clamp_bounds_property(dt, lo, hi):
    """clamp either records both bounds cast to the input type, or raises a TypeError
    exactly when the cast lower bound exceeds the cast upper bound."""
    b = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    floats = dt.startswith("float")
    want_lo = (-math.inf if floats else int(np.iinfo(dt).min)) if lo is None else _np_cast(lo, dt)
    want_hi = (math.inf if floats else int(np.iinfo(dt).max)) if hi is None else _np_cast(hi, dt)
    options = {k: v for k, v in (("min_value", lo), ("max_value", hi)) if v is not None}
    if want_lo > want_hi:
        with pytest.raises(WebNNTypeError, match="^clamp: min_value .* must not be greater"):
            b.clamp(operand(b, [1], dt), **options)
        return
    attrs = _attrs(b, b.clamp(operand(b, [1], dt), **options))
    assert _same(attrs["min_value"], want_lo)
    assert _same(attrs["max_value"], want_hi)
