"""Shape inference and validation of the pooling ops (digest §2.35, §4 item 7)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand

POOLS = ["average_pool2d", "l2_pool2d", "max_pool2d"]

# (input shape, options, expected output shape)
VALID = [
    ([1, 3, 5, 7], {}, (1, 3, 1, 1)),  # default window = the whole plane
    ([1, 5, 7, 3], {"layout": "nhwc"}, (1, 1, 1, 3)),
    ([1, 2, 5, 5], {"window_dimensions": [3, 3]}, (1, 2, 3, 3)),
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 1, 1, 1]}, (1, 2, 5, 5)),
    ([1, 2, 7, 7], {"window_dimensions": [3, 3], "dilations": [2, 2]}, (1, 2, 3, 3)),
    # (5 - 3 + 1) / 2 + 1 = 2.5 -> floor 2, ceil 3 (the WPT roundingType vectors)
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2]},
     (1, 2, 2, 2)),
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2],
                    "output_shape_rounding": "ceil"}, (1, 2, 3, 3)),
    ([1, 5, 5, 2], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2],
                    "layout": "nhwc", "rounding_type": "ceil"}, (1, 3, 3, 2)),
    # outputSizes picks floor or ceil and keeps the padding (digest §4 item 7)
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2],
                    "output_sizes": [3, 3]}, (1, 2, 3, 3)),
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2],
                    "output_shape_rounding": "ceil", "output_sizes": [2, 2]}, (1, 2, 2, 2)),
    # (4 - 3) / 2 + 1 = 1.5: ceil lets the last window run past the input
    ([2, 1, 4, 4], {"window_dimensions": [3, 3], "strides": [2, 2],
                    "output_shape_rounding": "ceil"}, (2, 1, 2, 2)),
    # H: (6 - 2) / 1 + 1 = 5, W: (6 - 3) / 3 + 1 = 2
    ([1, 1, 6, 6], {"window_dimensions": [2, 3], "strides": [1, 3]}, (1, 1, 5, 2)),
]


@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize(("x", "options", "out"), VALID)
def test_pool_shapes(builder, op, x, options, out):
    y = getattr(builder, op)(operand(builder, x), **options)
    assert (y.shape, y.data_type) == (out, "float32")


@pytest.mark.parametrize("dtype", ["float16", "int8", "uint8", "int32", "uint32", "int64",
                                   "uint64"])
def test_max_pool2d_takes_any_type(builder, dtype):
    y = builder.max_pool2d(operand(builder, [1, 1, 4, 4], dtype), window_dimensions=[2, 2])
    assert (y.shape, y.data_type) == ((1, 1, 3, 3), dtype)


def test_ir_attrs_carry_the_final_output_sizes(builder):
    y = builder.average_pool2d(operand(builder, [1, 2, 5, 5]), window_dimensions=[3, 3],
                               padding=[1, 0, 0, 1], strides=[2, 2], rounding_type="ceil")
    (node,) = builder.build({"y": y}).ir.nodes
    assert dict(node.attrs) == {"window_dimensions": (3, 3), "padding": (1, 0, 0, 1),
                                "strides": (2, 2), "dilations": (1, 1), "layout": "nchw",
                                "output_sizes": (3, 3)}


def test_default_window_is_resolved(builder):
    y = builder.l2_pool2d(operand(builder, [1, 4, 6, 3]), layout="nhwc")
    assert builder.build({"y": y}).ir.nodes[0].attrs["window_dimensions"] == (4, 6)


ERRORS = [
    ({"x": (1, 2, 5)}, r"input must be 4-D, got shape \[1, 2, 5\]"),
    ({"window_dimensions": [3]}, r"window_dimensions must have 2 items, got 1"),
    ({"window_dimensions": [3, 0]}, r"window_dimensions must be in \[1, \d+\], got 0"),
    ({"padding": [0, 0, 0]}, r"padding must have 4 items, got 3"),
    ({"strides": [1, 1, 1]}, r"strides must have 2 items, got 3"),
    ({"strides": [0, 1]}, r"strides must be in \[1, \d+\], got 0"),
    ({"dilations": [1]}, r"dilations must have 2 items, got 1"),
    ({"dilations": [1, 0]}, r"dilations must be in \[1, \d+\], got 0"),
    ({"output_sizes": [3]}, r"output_sizes must have 2 items, got 1"),
    ({"window_dimensions": [3, 3], "strides": [2, 2], "output_sizes": [3, 3]},
     r"output_sizes \[3, 3\] must be the floor \[2, 2\] or the ceil \[2, 2\]"),
    # floor and ceil may not be mixed between the axes
    ({"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2],
      "output_sizes": [2, 3]},
     r"output_sizes \[2, 3\] must be the floor \[2, 2\] or the ceil \[3, 3\]"),
    ({"window_dimensions": [6, 1]}, r"output height 0 is not a valid dimension: the dilated "
                                    r"window \[6, 1\] does not fit the padded input \[5, 5\]"),
    ({"window_dimensions": [3, 3], "dilations": [1, 4]}, r"output width -3 is not a valid"),
    ({"layout": "NHWC"}, r"layout must be one of 'nchw', 'nhwc', got 'NHWC'"),
    ({"output_shape_rounding": "round"}, r"output_shape_rounding must be one of 'floor', "
                                         r"'ceil', got 'round'"),
    ({"rounding_type": "up"}, r"rounding_type must be one of 'floor', 'ceil', got 'up'"),
    ({"output_shape_rounding": "ceil", "rounding_type": "floor"},
     r"output_shape_rounding 'ceil' and its alias rounding_type 'floor' disagree"),
    ({"padding": [1, 1, 1, -1]}, r"padding must be in \[0, \d+\], got -1"),
    ({"window_dimensions": 3}, r"window_dimensions must be a sequence of integers, got 3"),
]


@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize(("kwargs", "message"), ERRORS)
def test_pool_errors(builder, op, kwargs, message):
    kwargs = dict(kwargs)  # the parameter dict is shared by the three ops
    x = operand(builder, kwargs.pop("x", (1, 2, 5, 5)))
    with pytest.raises(WebNNTypeError, match=f"^{op}: {message}"):
        getattr(builder, op)(x, **kwargs)


@pytest.mark.parametrize("op", ["average_pool2d", "l2_pool2d"])
@pytest.mark.parametrize("dtype", ["int32", "uint8", "int64"])
def test_average_and_l2_reject_integers(builder, op, dtype):
    with pytest.raises(WebNNTypeError, match=f"^{op}: input data type {dtype} is not allowed"):
        getattr(builder, op)(operand(builder, [1, 1, 2, 2], dtype))


def test_label_in_message(builder):
    with pytest.raises(WebNNTypeError, match=r"^max_pool2d \[pool1\]: strides"):
        builder.max_pool2d(operand(builder, [1, 1, 4, 4]), strides=[0, 0], label="pool1")


@given(h=st.integers(1, 12), k=st.integers(1, 5), pb=st.integers(0, 3), pe=st.integers(0, 3),
       s=st.integers(1, 4), d=st.integers(1, 3), ceil=st.booleans())
def test_pool_output_size_property(h, k, pb, pe, s, d, ceil):
    """The builder agrees with the spec's real-valued size formula, or raises."""
    builder = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    calc = Fraction(h - ((k - 1) * d + 1) + pb + pe, s) + 1
    expected = math.ceil(calc) if ceil else math.floor(calc)
    x = operand(builder, [1, 1, h, 3])
    options = {"window_dimensions": [k, 1], "padding": [pb, pe, 0, 0], "strides": [s, 1],
               "dilations": [d, 1], "output_shape_rounding": "ceil" if ceil else "floor"}
    if expected < 1:
        with pytest.raises(WebNNTypeError, match="^max_pool2d: output height"):
            builder.max_pool2d(x, **options)
        return
    assert builder.max_pool2d(x, **options).shape == (1, 1, expected, 3)
    # output_sizes accepts exactly the floor and the ceil of the formula.
    for size in range(1, expected + 3):
        ok = size in (math.floor(calc), math.ceil(calc))
        try:
            y = builder.max_pool2d(x, **options, output_sizes=[size, 3])
        except WebNNTypeError:
            assert not ok
        else:
            assert ok
            assert y.shape == (1, 1, size, 3)
