"""Shape inference and validation of the element-wise family."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import InvalidStateError, WebNNTypeError
from webnn.testing import operand

BINARY = ["add", "sub", "mul", "div", "max", "min", "pow"]
COMPARE = ["equal", "not_equal", "greater", "greater_or_equal", "lesser", "lesser_or_equal"]
FLOAT_UNARY = ["ceil", "floor", "round_even", "cos", "sin", "tan", "erf", "exp", "log",
               "reciprocal", "sqrt"]


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize(("a", "b", "out"), [
    ([2, 3], [3], (2, 3)),
    ([], [4, 1], (4, 1)),
    ([5, 1, 2], [3, 1], (5, 3, 2)),
])
def test_binary_broadcasts(builder, op, a, b, out):
    y = getattr(builder, op)(operand(builder, a), operand(builder, b))
    assert (y.shape, y.data_type) == (out, "float32")


@pytest.mark.parametrize("op", COMPARE)
def test_comparison_outputs_uint8(builder, op):
    y = getattr(builder, op)(operand(builder, [2, 1], "int32"), operand(builder, [3], "int32"))
    assert (y.shape, y.data_type) == ((2, 3), "uint8")


@pytest.mark.parametrize("op", ["logical_and", "logical_or", "logical_xor"])
def test_logical_requires_uint8(builder, op):
    assert getattr(builder, op)(operand(builder, [2], "uint8"),
                                operand(builder, [2], "uint8")).data_type == "uint8"
    with pytest.raises(WebNNTypeError, match=f"^{op}: a data type int8 is not allowed"):
        getattr(builder, op)(operand(builder, [2], "int8"), operand(builder, [2], "int8"))


def test_logical_not_and_predicates(builder):
    assert builder.logical_not(operand(builder, [3], "uint8")).shape == (3,)
    assert builder.is_nan(operand(builder, [2, 2], "float16")).data_type == "uint8"
    with pytest.raises(WebNNTypeError, match="^is_infinite: a data type int32"):
        builder.is_infinite(operand(builder, [2], "int32"))


@pytest.mark.parametrize("op", FLOAT_UNARY)
def test_float_unary_rejects_integers(builder, op):
    assert getattr(builder, op)(operand(builder, [2, 3], "float16")).shape == (2, 3)
    with pytest.raises(WebNNTypeError, match=f"^{op}: input data type int32 is not allowed"):
        getattr(builder, op)(operand(builder, [2], "int32"))


@pytest.mark.parametrize("op", ["abs", "neg", "sign"])
def test_signed_unary(builder, op):
    assert getattr(builder, op)(operand(builder, [2], "int8")).data_type == "int8"
    with pytest.raises(WebNNTypeError, match="data type uint32 is not allowed"):
        getattr(builder, op)(operand(builder, [2], "uint32"))


def test_identity_any_type(builder):
    assert builder.identity(operand(builder, [], "uint64")).shape == ()


def test_where(builder):
    y = builder.where(operand(builder, [2, 1, 1], "uint8"), operand(builder, [3, 1]),
                      operand(builder, [4]))
    assert (y.shape, y.data_type) == ((2, 3, 4), "float32")
    with pytest.raises(WebNNTypeError, match="^where: condition data type float32"):
        builder.where(operand(builder, [2]), operand(builder, [2]), operand(builder, [2]))
    with pytest.raises(WebNNTypeError, match="false_value data type int32 must match"):
        builder.where(operand(builder, [2], "uint8"), operand(builder, [2]),
                      operand(builder, [2], "int32"))
    with pytest.raises(WebNNTypeError, match="not broadcastable"):
        builder.where(operand(builder, [3], "uint8"), operand(builder, [2]),
                      operand(builder, [2]))


def test_errors(builder):
    a = operand(builder, [2, 3])
    with pytest.raises(WebNNTypeError, match=re.escape("add: a shape [2, 3] and b shape [2]")):
        builder.add(a, operand(builder, [2]))
    with pytest.raises(WebNNTypeError, match=r"^add \[x\]: b data type int32 must match"):
        builder.add(a, operand(builder, [3], "int32"), label="x")
    with pytest.raises(WebNNTypeError, match="b must be an MLOperand, got int"):
        builder.add(a, 3)
    with pytest.raises(WebNNTypeError, match="unknown option"):
        builder.add(a, a, alpha=1)
    with pytest.raises(WebNNTypeError, match="missing required"):
        builder.add(a)


def test_operand_from_other_builder(ctx, builder):
    other = webnn.MLGraphBuilder(ctx)
    with pytest.raises(WebNNTypeError, match="different MLGraphBuilder"):
        builder.add(operand(builder, [2]), operand(other, [2]))


def test_failed_call_leaves_builder_usable(builder):
    a = operand(builder, [2])
    with pytest.raises(WebNNTypeError):
        builder.add(a, operand(builder, [3]))
    graph = builder.build({"y": builder.add(a, a)})
    assert len(graph.ir.nodes) == 1


def test_after_build_is_invalid_state(builder):
    a = operand(builder, [2])
    builder.build({"y": builder.neg(a)})
    with pytest.raises(InvalidStateError):
        builder.neg(a)


dims = st.lists(st.integers(1, 4), max_size=4)


@given(dims, dims)
def test_broadcast_property(a, b):
    """The builder agrees with numpy's broadcasting, or raises TypeError naming the op."""
    builder = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    x, y = operand(builder, a), operand(builder, b)
    try:
        expected = np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        with pytest.raises(WebNNTypeError, match="^mul: "):
            builder.mul(x, y)
    else:
        assert builder.mul(x, y).shape == expected
