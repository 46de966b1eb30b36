"""Shape inference and validation of conv2d and conv_transpose2d (digest §2.6, §2.7)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand

# (input shape, filter shape, options, expected output shape)
CONV2D_VALID = [
    ([1, 1, 5, 5], [1, 1, 3, 3], {}, (1, 1, 3, 3)),
    ([1, 1, 5, 5], [1, 1, 3, 3], {"padding": [1, 1, 1, 1]}, (1, 1, 5, 5)),
    ([1, 1, 7, 7], [1, 1, 3, 3], {"padding": [1, 1, 1, 1], "strides": [2, 2]}, (1, 1, 4, 4)),
    ([1, 1, 7, 7], [1, 1, 3, 3], {"dilations": [2, 2]}, (1, 1, 3, 3)),
    # asymmetric padding: H 5 - 2 + 0 + 1 + 1 = 5, W 6 - 2 + 2 + 3 + 1 = 10
    ([1, 1, 5, 6], [1, 1, 2, 2], {"padding": [0, 1, 2, 3]}, (1, 1, 5, 10)),
    # H (5 - 3) // 2 + 1 = 2, W (8 - 3) // 3 + 1 = 2
    ([2, 3, 5, 8], [4, 3, 3, 3], {"strides": [2, 3]}, (2, 4, 2, 2)),
    ([1, 5, 5, 3], [3, 3, 3, 8], {"input_layout": "nhwc", "filter_layout": "hwio"},
     (1, 3, 3, 8)),
    ([1, 5, 5, 3], [8, 3, 3, 3], {"input_layout": "nhwc", "filter_layout": "ohwi"},
     (1, 3, 3, 8)),
    ([1, 3, 5, 5], [3, 3, 3, 8], {"filter_layout": "ihwo"}, (1, 8, 3, 3)),
    ([1, 3, 5, 5], [3, 1, 3, 3], {"groups": 3}, (1, 3, 3, 3)),
    ([1, 4, 5, 5], [6, 2, 3, 3], {"groups": 2}, (1, 6, 3, 3)),
    ([1, 4, 5, 5], [1, 2, 2, 8], {"groups": 4, "filter_layout": "ihwo"}, (1, 8, 4, 4)),
]


@pytest.mark.parametrize(("x", "w", "options", "out"), CONV2D_VALID)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_conv2d_shapes(builder, x, w, options, out, dtype):
    y = builder.conv2d(operand(builder, x, dtype), operand(builder, w, dtype), **options)
    assert (y.shape, y.data_type) == (out, dtype)


def test_conv2d_ir_attrs_are_resolved(builder):
    x, w, b = operand(builder, [1, 2, 4, 4]), operand(builder, [3, 2, 3, 3]), operand(builder, [3])
    graph = builder.build({"y": builder.conv2d(x, w, bias=b)})
    (node,) = graph.ir.nodes
    assert node.inputs == (0, 1, 2)
    assert dict(node.attrs) == {"padding": (0, 0, 0, 0), "strides": (1, 1), "dilations": (1, 1),
                                "groups": 1, "input_layout": "nchw", "filter_layout": "oihw"}


def _conv2d_call(builder, x=(1, 2, 5, 5), w=(4, 2, 3, 3), dtype="float32", wdtype=None,
                 **options):
    return builder.conv2d(operand(builder, x, dtype), operand(builder, w, wdtype or dtype),
                          **options)


CONV2D_ERRORS = [
    ({"dtype": "int32", "wdtype": "int32"}, r"^conv2d: input data type int32 is not allowed"),
    ({"x": (2, 5, 5)}, r"^conv2d: input must be 4-D, got shape \[2, 5, 5\]"),
    ({"w": (4, 2, 3)}, r"^conv2d: filter must be 4-D, got shape \[4, 2, 3\]"),
    ({"wdtype": "float16"}, r"^conv2d: filter data type float16 must match input \(float32\)"),
    ({"padding": [1, 1, 1]}, r"^conv2d: padding must have 4 items, got 3: \[1, 1, 1\]"),
    ({"padding": [1, 1, -1, 1]}, r"^conv2d: padding must be in \[0, \d+\], got -1"),
    ({"strides": [1]}, r"^conv2d: strides must have 2 items, got 1"),
    ({"strides": [1, 0]}, r"^conv2d: strides must be in \[1, \d+\], got 0"),
    ({"dilations": [1, 1, 1]}, r"^conv2d: dilations must have 2 items, got 3"),
    ({"dilations": [0, 1]}, r"^conv2d: dilations must be in \[1, \d+\], got 0"),
    ({"groups": 0}, r"^conv2d: groups must be in \[1, \d+\], got 0"),
    ({"x": (1, 3, 5, 5), "w": (4, 1, 3, 3), "groups": 2},
     r"^conv2d: input channels 3 are not divisible by groups 2"),
    ({"w": (4, 1, 3, 3)}, r"^conv2d: filter input channels 1 \(filter shape \[4, 1, 3, 3\], "
                          r"layout oihw\) must equal input channels / groups = 2 / 1 = 2"),
    ({"w": (3, 1, 3, 3), "groups": 2},
     r"^conv2d: filter output channels 3 are not divisible by groups 2"),
    ({"w": (4, 2, 6, 3)}, r"^conv2d: output height 0 is not a valid dimension: input height 5 "
                          r"padded by 0\+0 is smaller than the dilated filter 6"),
    ({"w": (4, 2, 3, 3), "dilations": [1, 3]},
     r"^conv2d: output width -1 is not a valid dimension"),
    ({"input_layout": "NCHW"}, r"^conv2d: input_layout must be one of 'nchw', 'nhwc', "
                               r"got 'NCHW'"),
    ({"filter_layout": "iohw"}, r"^conv2d: filter_layout must be one of 'oihw', 'hwio', "
                                r"'ohwi', 'ihwo', got 'iohw'"),
    ({"strides": "11"}, r"^conv2d: strides must be a sequence of integers"),
    ({"groups": 1.5}, r"^conv2d: groups must be an integer, got 1.5"),
    ({"label": "stem", "groups": 0}, r"^conv2d \[stem\]: groups must be in"),
]


@pytest.mark.parametrize(("kwargs", "message"), CONV2D_ERRORS)
def test_conv2d_errors(builder, kwargs, message):
    with pytest.raises(WebNNTypeError, match=message):
        _conv2d_call(builder, **kwargs)


@pytest.mark.parametrize(("bias", "message"), [
    (([3], "float32"), r"^conv2d: bias must have shape \[4\], got \[3\]"),
    (([4], "float16"), r"^conv2d: bias data type float16 must match input \(float32\)"),
    (([1, 4], "float32"), r"^conv2d: bias must be 1-D, got shape \[1, 4\]"),
])
def test_conv2d_bias_errors(builder, bias, message):
    with pytest.raises(WebNNTypeError, match=message):
        _conv2d_call(builder, bias=operand(builder, *bias))


# (input shape, filter shape, options, expected output shape, expected output_padding)
TRANSPOSE_VALID = [
    ([1, 1, 3, 3], [1, 1, 3, 3], {}, (1, 1, 5, 5), (0, 0)),
    ([1, 1, 3, 3], [1, 2, 3, 3], {"strides": [3, 2], "output_sizes": [10, 8]},
     (1, 2, 10, 8), (1, 1)),
    ([1, 1, 3, 3], [1, 2, 3, 3], {"strides": [3, 2], "output_sizes": [9, 7]},
     (1, 2, 9, 7), (0, 0)),
    ([1, 1, 3, 3], [1, 1, 3, 3], {"strides": [2, 2], "output_padding": [1, 1]},
     (1, 1, 8, 8), (1, 1)),
    # output_padding is ignored (not checked against strides) when output_sizes is given
    ([1, 1, 3, 3], [1, 1, 3, 3], {"strides": [2, 2], "output_padding": [5, 5],
                                  "output_sizes": [7, 8]}, (1, 1, 7, 8), (0, 1)),
    ([1, 1, 3, 3], [3, 3, 2, 1], {"filter_layout": "hwoi"}, (1, 2, 5, 5), (0, 0)),
    ([1, 3, 3, 1], [2, 3, 3, 1], {"filter_layout": "ohwi", "input_layout": "nhwc"},
     (1, 5, 5, 2), (0, 0)),
    ([1, 4, 3, 3], [4, 3, 3, 3], {"groups": 2}, (1, 6, 5, 5), (0, 0)),
    # H: 2 + 5 - 1 - 1 = 5, W: 2 + 5 - 0 - 3 = 4
    ([1, 1, 3, 3], [1, 1, 3, 3], {"padding": [1, 1, 0, 3], "dilations": [2, 2]},
     (1, 1, 5, 4), (0, 0)),
    # nhwc + padding + stride: (4 - 1) * 2 + 2 - 1 - 0 = 7
    ([2, 4, 4, 3], [3, 5, 2, 2], {"input_layout": "nhwc", "padding": [1, 0, 1, 0],
                                  "strides": [2, 2]}, (2, 7, 7, 5), (0, 0)),
]


@pytest.mark.parametrize(("x", "w", "options", "out", "output_padding"), TRANSPOSE_VALID)
def test_conv_transpose2d_shapes(builder, x, w, options, out, output_padding):
    y = builder.conv_transpose2d(operand(builder, x), operand(builder, w), **options)
    assert (y.shape, y.data_type) == (out, "float32")
    node = builder.build({"y": y}).ir.nodes[0]
    assert node.attrs["output_padding"] == output_padding
    assert "output_sizes" not in node.attrs


def _transpose_call(builder, x=(1, 2, 3, 3), w=(2, 1, 3, 3), dtype="float32", **options):
    return builder.conv_transpose2d(operand(builder, x, dtype), operand(builder, w, dtype),
                                    **options)


TRANSPOSE_ERRORS = [
    ({"dtype": "uint8"}, r"^conv_transpose2d: input data type uint8 is not allowed"),
    ({"x": (1, 2, 3, 3, 1)}, r"^conv_transpose2d: input must be 4-D"),
    ({"w": (1, 3, 3, 3)}, r"^conv_transpose2d: filter input channels 1 \(filter shape "
                          r"\[1, 3, 3, 3\], layout iohw\) must equal input channels 2"),
    ({"x": (1, 3, 3, 3), "w": (3, 1, 3, 3), "groups": 2},
     r"^conv_transpose2d: input channels 3 are not divisible by groups 2"),
    ({"groups": 0}, r"^conv_transpose2d: groups must be in \[1, \d+\], got 0"),
    ({"padding": [0, 0]}, r"^conv_transpose2d: padding must have 4 items"),
    ({"strides": [0, 1]}, r"^conv_transpose2d: strides must be in \[1, \d+\], got 0"),
    ({"dilations": [2]}, r"^conv_transpose2d: dilations must have 2 items"),
    ({"output_padding": [1]}, r"^conv_transpose2d: output_padding must have 2 items"),
    ({"output_padding": [1, 0]}, r"^conv_transpose2d: output_padding height 1 must be "
                                 r"smaller than the stride 1"),
    ({"strides": [2, 2], "output_padding": [1, 2]},
     r"^conv_transpose2d: output_padding width 2 must be smaller than the stride 2"),
    ({"output_sizes": [5, 5, 5]}, r"^conv_transpose2d: output_sizes must have 2 items"),
    ({"output_sizes": [6, 5]}, r"^conv_transpose2d: output_sizes height 6 must be in \[5, 5\]"),
    ({"strides": [2, 2], "output_sizes": [7, 9]},
     r"^conv_transpose2d: output_sizes width 9 must be in \[7, 8\]"),
    ({"padding": [3, 3, 0, 0]}, r"^conv_transpose2d: output height -1 is not a valid "
                                r"dimension"),
    ({"filter_layout": "oihw"}, r"^conv_transpose2d: filter_layout must be one of 'iohw', "
                                r"'hwoi', 'ohwi', got 'oihw'"),
    ({"input_layout": "chwn"}, r"^conv_transpose2d: input_layout must be one of"),
]


@pytest.mark.parametrize(("kwargs", "message"), TRANSPOSE_ERRORS)
def test_conv_transpose2d_errors(builder, kwargs, message):
    with pytest.raises(WebNNTypeError, match=message):
        _transpose_call(builder, **kwargs)


def test_conv_transpose2d_bias_errors(builder):
    with pytest.raises(WebNNTypeError, match=r"^conv_transpose2d: bias must have shape \[1\]"):
        _transpose_call(builder, bias=operand(builder, [2]))
    with pytest.raises(WebNNTypeError, match="bias data type float16 must match input"):
        _transpose_call(builder, bias=operand(builder, [1], "float16"))


# -- properties: output sizes against the spec's real-valued formulas ---------------------

def _fresh_builder() -> webnn.MLGraphBuilder:
    # Hypothesis runs many examples per test call, so no function-scoped fixture.
    return webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))


dims = st.integers(1, 12)
small = st.integers(1, 4)
pads = st.lists(st.integers(0, 4), min_size=4, max_size=4)


@given(h=dims, w=dims, kh=small, kw=small, pad=pads, s=st.tuples(small, small),
       d=st.tuples(st.integers(1, 3), st.integers(1, 3)), layout=st.sampled_from(["nchw", "nhwc"]))
def test_conv2d_output_size_property(h, w, kh, kw, pad, s, d, layout):
    def spec_size(size, k, begin, end, stride, dilation):
        return math.floor(Fraction(size - ((k - 1) * dilation + 1) + begin + end, stride) + 1)

    builder = _fresh_builder()
    oh = spec_size(h, kh, pad[0], pad[1], s[0], d[0])
    ow = spec_size(w, kw, pad[2], pad[3], s[1], d[1])
    x = [1, 2, h, w] if layout == "nchw" else [1, h, w, 2]
    args = (operand(builder, x), operand(builder, [3, 2, kh, kw]))
    options = {"padding": pad, "strides": list(s), "dilations": list(d), "input_layout": layout}
    if oh < 1 or ow < 1:
        with pytest.raises(WebNNTypeError, match=r"^conv2d: output (height|width)"):
            builder.conv2d(*args, **options)
        return
    y = builder.conv2d(*args, **options)
    assert y.shape == ((1, 3, oh, ow) if layout == "nchw" else (1, oh, ow, 3))


@given(h=dims, kh=small, pad=st.tuples(st.integers(0, 4), st.integers(0, 4)), s=small,
       d=st.integers(1, 3), extra=st.integers(0, 4))
def test_conv_transpose2d_output_size_property(h, kh, pad, s, d, extra):
    # The full scatter reaches position (h - 1) * s + (kh - 1) * d; padding crops both ends.
    builder = _fresh_builder()
    full = max(i * s + p * d for i in range(h) for p in range(kh)) + 1
    expected = full - pad[0] - pad[1] + extra
    args = (operand(builder, [1, 1, h, 2]), operand(builder, [1, 1, kh, 1]))
    options = {"padding": [pad[0], pad[1], 0, 0], "strides": [s, 1], "dilations": [d, 1],
               "output_padding": [extra, 0]}
    if extra >= s:
        with pytest.raises(WebNNTypeError, match="output_padding height"):
            builder.conv_transpose2d(*args, **options)
    elif expected < 1:
        with pytest.raises(WebNNTypeError, match="output height"):
            builder.conv_transpose2d(*args, **options)
    else:
        assert builder.conv_transpose2d(*args, **options).shape == (1, 1, expected, 2)
        options["output_sizes"] = [expected, 2]
        del options["output_padding"]
        if expected - extra >= 1:
            assert builder.conv_transpose2d(*args, **options).shape == (1, 1, expected, 2)
