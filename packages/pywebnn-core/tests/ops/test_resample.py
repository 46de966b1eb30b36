"""Shape inference and validation of resample2d (digest §2.39, §4 item 9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand

# (input shape, options, expected output shape)
VALID = [
    ([1, 1, 4, 6], {}, (1, 1, 4, 6)),
    ([1, 1, 2, 3], {"scales": [2, 2]}, (1, 1, 4, 6)),
    ([1, 1, 2, 3], {"sizes": [4, 6]}, (1, 1, 4, 6)),
    ([1, 1, 2, 3], {"scales": [0.5, 0.5], "sizes": [4, 6]}, (1, 1, 4, 6)),  # sizes win
    ([1, 2, 3, 1], {"sizes": [4, 6], "axes": [1, 2]}, (1, 4, 6, 1)),
    ([1, 1, 2, 3], {"sizes": [6, 4], "axes": [3, 2]}, (1, 1, 4, 6)),
    ([3, 2, 1, 1], {"sizes": [6, 4], "axes": [0, 1]}, (6, 4, 1, 1)),
    ([3, 2, 1, 1], {"sizes": [4, 6], "axes": [1, 0]}, (6, 4, 1, 1)),
    # floor(5 * 0.5), floor(9 * 1.5)
    ([2, 5, 7, 9], {"scales": [0.5, 1.5], "axes": [1, 3]}, (2, 2, 7, 13)),
    ([1, 1, 3, 3], {"scales": [1.7, 0.34], "mode": "linear"}, (1, 1, 5, 1)),
]


@pytest.mark.parametrize(("x", "options", "out"), VALID)
@pytest.mark.parametrize("dtype", ["float32", "float16", "int8", "uint8"])
def test_resample2d_shapes(builder, x, options, out, dtype):
    y = builder.resample2d(operand(builder, x, dtype), **options)
    assert (y.shape, y.data_type) == (out, dtype)


def test_ir_attrs_with_sizes(builder):
    y = builder.resample2d(operand(builder, [1, 1, 2, 4]), sizes=[3, 2], scales=[9, 9])
    (node,) = builder.build({"y": y}).ir.nodes
    assert dict(node.attrs) == {"mode": "nearest-neighbor", "scales": (1.5, 0.5),
                                "sizes": (3, 2), "axes": (2, 3)}


def test_ir_scales_are_single_precision(builder):
    y = builder.resample2d(operand(builder, [1, 1, 10, 10]), scales=[0.1, 1.3], mode="linear")
    attrs = builder.build({"y": y}).ir.nodes[0].attrs
    assert attrs["scales"] == (float(np.float32(0.1)), float(np.float32(1.3)))
    # 10 * float32(1.3) = 12.9999995 in double precision (as Chromium multiplies): 12
    assert attrs["sizes"] == (1, 12)
    assert attrs["mode"] == "linear"


ERRORS = [
    ({"x": (1, 2, 3)}, r"input must be 4-D, got shape \[1, 2, 3\]"),
    ({"dtype": "int32"}, r"input data type int32 is not allowed"),
    ({"dtype": "uint32"}, r"input data type uint32 is not allowed"),
    ({"mode": "cubic"}, r"mode must be one of 'nearest-neighbor', 'linear', got 'cubic'"),
    ({"scales": [2]}, r"scales must have 2 items, got 1"),
    ({"scales": [2, 2, 2]}, r"scales must have 2 items, got 3"),
    ({"scales": [2, 0]}, r"scales must be positive, got \[2.0, 0.0\]"),
    ({"scales": [-1, 2]}, r"scales must be positive"),
    ({"scales": [float("nan"), 2]}, r"scales must be a finite number, got nan"),
    ({"scales": [float("inf"), 2]}, r"scales must be a finite number, got inf"),
    ({"scales": [1e39, 2]}, r"scales item 1e\+39 is out of the single-precision range"),
    ({"scales": 2}, r"scales must be a sequence of numbers, got 2"),
    ({"scales": ["2", 2]}, r"scales must be a number, got '2'"),
    ({"scales": [0.1, 1]}, r"output size 0 of axis 2 \(input 4 \* scale 0.1\d*\) is not a "
                           r"valid dimension"),
    ({"sizes": [4]}, r"sizes must have 2 items, got 1"),
    ({"sizes": [4, 0]}, r"sizes must be in \[1, \d+\], got 0"),
    ({"axes": [2, 2]}, r"axes \[2, 2\] has duplicate axes"),
    ({"axes": [2, 4]}, r"axes \[2, 4\] has axis 4 out of range for rank 4"),
    ({"axes": [1]}, r"axes must have 2 items, got 1: \[1\]"),
    ({"axes": [0, 1, 2]}, r"axes must have 2 items, got 3"),
]


@pytest.mark.parametrize(("kwargs", "message"), ERRORS)
def test_resample2d_errors(builder, kwargs, message):
    kwargs = dict(kwargs)
    x = operand(builder, kwargs.pop("x", (1, 1, 4, 4)), kwargs.pop("dtype", "float32"))
    with pytest.raises(WebNNTypeError, match=f"^resample2d: {message}"):
        builder.resample2d(x, **kwargs)


@given(h=st.integers(1, 50), w=st.integers(1, 50),
       scales=st.tuples(st.floats(0.01, 8.0), st.floats(0.01, 8.0)))
def test_scales_output_size_property(h, w, scales):
    """Output size = floor(input * single-precision scale), or a TypeError when it is 0."""
    builder = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    single = [np.float64(np.float32(s)) for s in scales]
    expected = (math.floor(h * single[0]), math.floor(w * single[1]))
    x = operand(builder, [1, 1, h, w])
    if min(expected) < 1:
        with pytest.raises(WebNNTypeError, match="^resample2d: output size 0"):
            builder.resample2d(x, scales=list(scales))
    else:
        assert builder.resample2d(x, scales=list(scales)).shape == (1, 1, *expected)
