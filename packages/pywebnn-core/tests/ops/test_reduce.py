"""Shape inference, normalization and validation of reductions, argMin/argMax and
cumulativeSum."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.ops import OPS, Desc
from webnn.ops._registry import Check
from webnn.testing import operand

ALL = ["float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"]
SUMMABLE = ["float32", "float16", "int32", "uint32", "int64", "uint64"]
FLOATS = ["float32", "float16"]
# The spec's allowed input data types per reduction (digest §2.37).
REDUCE_TYPES = {
    "reduce_l1": SUMMABLE, "reduce_l2": FLOATS, "reduce_log_sum": FLOATS,
    "reduce_log_sum_exp": FLOATS, "reduce_max": ALL, "reduce_mean": FLOATS,
    "reduce_min": ALL, "reduce_product": SUMMABLE, "reduce_sum": SUMMABLE,
    "reduce_sum_square": SUMMABLE,
}
REDUCE = list(REDUCE_TYPES)


def _attrs(b: webnn.MLGraphBuilder, y: webnn.MLOperand) -> dict[str, Any]:
    return dict(b.build({"y": y}).ir.nodes[-1].attrs)


# -- reductions -----------------------------------------------------------------------------


SHAPES = [  # input shape, options, output shape, IR axes
    ([2, 3, 4], {}, (), (0, 1, 2)),
    ([2, 3, 4], {"keep_dimensions": True}, (1, 1, 1), (0, 1, 2)),
    ([2, 3, 4], {"axes": [2]}, (2, 3), (2,)),
    ([2, 3, 4], {"axes": [2, 0], "keep_dimensions": True}, (1, 3, 1), (2, 0)),
    ([2, 3, 4], {"axes": []}, (2, 3, 4), ()),
    ([2, 3, 4], {"axes": [], "keep_dimensions": True}, (2, 3, 4), ()),
    ([], {}, (), ()),
    ([], {"keep_dimensions": True}, (), ()),
    ([5], {"axes": [0]}, (), (0,)),
]


@pytest.mark.parametrize("op", REDUCE)
@pytest.mark.parametrize(("shape", "options", "out", "axes"), SHAPES)
def test_reduce_shapes(builder, op, shape, options, out, axes):
    y = getattr(builder, op)(operand(builder, shape, "float16"), **options)
    assert (y.shape, y.data_type) == (out, "float16")
    assert _attrs(builder, y) == {"axes": axes,
                                  "keep_dimensions": options.get("keep_dimensions", False)}


@pytest.mark.parametrize(("op", "dt"), [(op, dt) for op in REDUCE for dt in ALL])
def test_reduce_data_types(builder, op, dt):
    x = operand(builder, [2], dt)
    if dt in REDUCE_TYPES[op]:
        assert getattr(builder, op)(x).data_type == dt
    else:
        with pytest.raises(WebNNTypeError, match=f"^{op}: input data type {dt} is not allowed"):
            getattr(builder, op)(x)


REDUCE_ERRORS = [
    ({"axes": [3]}, "axes [3] has axis 3 out of range for rank 3"),
    ({"axes": [0, 0]}, "axes [0, 0] has duplicate axes"),
    ({"axes": [-1]}, "axes must be in [0, 4294967295], got -1"),
    ({"axes": 1}, "axes must be a sequence of integers, got 1"),
    ({"axes": [1.5]}, "axes must be an integer, got 1.5"),
    ({"keep_dimensions": "yes"}, "keep_dimensions must be a boolean, got 'yes'"),
    ({"axis": 0}, "unknown option(s) axis; valid options: axes, keep_dimensions"),
]


@pytest.mark.parametrize("op", REDUCE)
@pytest.mark.parametrize(("options", "message"), REDUCE_ERRORS)
def test_reduce_errors(builder, op, options, message):
    with pytest.raises(WebNNTypeError, match=f"^{op}: " + re.escape(message)):
        getattr(builder, op)(operand(builder, [2, 3, 4]), **options)


# -- argMin / argMax ------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["arg_min", "arg_max"])
@pytest.mark.parametrize(("shape", "axis", "options", "out"), [
    ([24], 0, {}, ((), "int32")),
    ([2, 1, 4, 3], 2, {}, ((2, 1, 3), "int32")),
    ([2, 1, 4, 3], 0, {"keep_dimensions": True}, ((1, 1, 4, 3), "int32")),
    ([2, 1, 4, 3], 3, {"output_data_type": "int64"}, ((2, 1, 4), "int64")),
    ([2, 3], 1, {"keep_dimensions": True, "output_data_type": "int64"}, ((2, 1), "int64")),
])
@pytest.mark.parametrize("dt", ALL)
def test_arg_shapes(builder, op, shape, axis, options, out, dt):
    y = getattr(builder, op)(operand(builder, shape, dt), axis, **options)
    assert (y.shape, y.data_type) == out
    assert _attrs(builder, y) == {"axis": axis,
                                  "keep_dimensions": options.get("keep_dimensions", False),
                                  "output_data_type": out[1]}


ARG_ERRORS = [
    (lambda b, op: getattr(b, op)(operand(b, [2, 3]), 2), "axis 2 is out of range for rank 2"),
    (lambda b, op: getattr(b, op)(operand(b, []), 0), "input must be of rank 1"),
    (lambda b, op: getattr(b, op)(operand(b, [2]), 0, output_data_type="uint32"),
     "output_data_type must be one of int32, int64, got 'uint32'"),
    (lambda b, op: getattr(b, op)(operand(b, [2]), 0, output_data_type="float32"),
     "output_data_type must be one of int32, int64, got 'float32'"),
    (lambda b, op: getattr(b, op)(operand(b, [2]), 0, keep_dimensions=None),
     "keep_dimensions must be a boolean, got None"),
    (lambda b, op: getattr(b, op)(operand(b, [2]), 0, axes=[0]),
     "unknown option(s) axes"),
]


@pytest.mark.parametrize("op", ["arg_min", "arg_max"])
@pytest.mark.parametrize(("call", "message"), ARG_ERRORS)
def test_arg_errors(builder, op, call, message):
    with pytest.raises(WebNNTypeError, match=f"^{op}: " + re.escape(message)):
        call(builder, op)


@pytest.mark.parametrize("op", ["arg_min", "arg_max"])
def test_arg_dimension_must_fit_output_type(op):
    # No real operand can have 2**31 elements on an axis (check dimensions stops it), so
    # the rule is exercised on the op's pure infer step with a descriptor.
    opdef = OPS[op]
    chk = Check(op)
    ins = {"input": Desc("float32", (2**31,))}
    attrs = {"axis": 0, "keep_dimensions": False, "output_data_type": "int32"}
    with pytest.raises(WebNNTypeError, match=f"^{op}: input dimension 2147483648 on axis 0 "
                                             "does not fit output_data_type int32"):
        opdef.infer(chk, ins, attrs)
    assert opdef.infer(chk, {"input": Desc("float32", (2**31 - 1,))}, attrs) == \
        Desc("int32", ())
    assert opdef.infer(chk, ins, attrs | {"output_data_type": "int64"}) == Desc("int64", ())


# -- cumulativeSum --------------------------------------------------------------------------


@pytest.mark.parametrize("dt", SUMMABLE)
def test_cumulative_sum(builder, dt):
    y = builder.cumulative_sum(operand(builder, [1, 1, 3, 4], dt), 3, exclusive=True)
    assert (y.shape, y.data_type) == ((1, 1, 3, 4), dt)
    assert _attrs(builder, y) == {"axis": 3, "exclusive": True, "reversed": False}


CUMSUM_ERRORS = [
    (lambda b: b.cumulative_sum(operand(b, [2, 3]), 2), "axis 2 is out of range for rank 2"),
    (lambda b: b.cumulative_sum(operand(b, []), 0), "input must be of rank 1"),
    (lambda b: b.cumulative_sum(operand(b, [2], "int8"), 0),
     "input data type int8 is not allowed"),
    (lambda b: b.cumulative_sum(operand(b, [2], "uint8"), 0),
     "input data type uint8 is not allowed"),
    (lambda b: b.cumulative_sum(operand(b, [2]), 0, reversed="no"),
     "reversed must be a boolean, got 'no'"),
    (lambda b: b.cumulative_sum(operand(b, [2]), 0, exclusive=[]),
     "exclusive must be a boolean, got []"),
    (lambda b: b.cumulative_sum(operand(b, [2]), "0"), "axis must be an integer, got '0'"),
]


@pytest.mark.parametrize(("call", "message"), CUMSUM_ERRORS)
def test_cumulative_sum_errors(builder, call, message):
    with pytest.raises(WebNNTypeError, match="^cumulative_sum: " + re.escape(message)):
        call(builder)


# -- property -------------------------------------------------------------------------------


@given(st.lists(st.integers(1, 4), max_size=5),
       st.one_of(st.none(), st.lists(st.integers(0, 5), max_size=6)), st.booleans())
def test_reduce_shape_property(shape, axes, keep):
    """reduce_sum agrees with numpy's sum over the same axes, or raises a TypeError naming
    the op when the axes are out of range or repeated."""
    b = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    x = operand(b, shape)
    options: dict[str, Any] = {"keep_dimensions": keep}
    if axes is not None:
        options["axes"] = axes
    np_axes = tuple(range(len(shape))) if axes is None else tuple(axes)
    try:
        expected = np.sum(np.zeros(shape), axis=np_axes, keepdims=keep).shape
    except (ValueError, np.exceptions.AxisError):
        with pytest.raises(WebNNTypeError, match="^reduce_sum: axes "):
            b.reduce_sum(x, **options)
    else:
        assert b.reduce_sum(x, **options).shape == expected
