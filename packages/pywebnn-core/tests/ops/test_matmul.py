"""Shape inference and validation of matmul and gemm (digest §2.33, §2.22)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand


@pytest.mark.parametrize(("a", "b", "out"), [
    ([2, 3], [3, 4], (2, 4)),
    ([5, 2, 3], [3, 4], (5, 2, 4)),
    ([2, 3], [7, 3, 4], (7, 2, 4)),
    ([6, 1, 2, 3], [5, 3, 4], (6, 5, 2, 4)),
    ([1, 1], [1, 1], (1, 1)),
])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_matmul_shapes(builder, a, b, out, dtype):
    y = builder.matmul(operand(builder, a, dtype), operand(builder, b, dtype))
    assert (y.shape, y.data_type) == (out, dtype)


MATMUL_ERRORS = [
    (([3], [3, 4]), r"a must be of rank 2 or more, got shape \[3\]"),
    (([2, 3], [3]), r"b must be of rank 2 or more, got shape \[3\]"),
    (([2, 3], [4, 5]), r"a shape \[2, 3\] and b shape \[4, 5\] are incompatible: "
                       r"a.shape\[-1\] 3 != b.shape\[-2\] 4"),
    (([2, 2, 3], [3, 3, 4]), r"a batch shape \[2\] and b batch shape \[3\] are not "
                             r"broadcastable"),
    (([2, 3], [3, 4], "int32"), r"a data type int32 is not allowed"),
    (([2, 3], [3, 4], "float32", "float16"), r"b data type float16 must match a"),
]


@pytest.mark.parametrize(("args", "message"), MATMUL_ERRORS)
def test_matmul_errors(builder, args, message):
    a, b, *types = args
    ta = types[0] if types else "float32"
    tb = types[1] if len(types) > 1 else ta
    with pytest.raises(WebNNTypeError, match=f"^matmul: {message}"):
        builder.matmul(operand(builder, a, ta), operand(builder, b, tb))


@given(a=st.lists(st.integers(1, 3), min_size=2, max_size=5),
       b=st.lists(st.integers(1, 3), min_size=2, max_size=5))
def test_matmul_shape_property(a, b):
    """matmul agrees with numpy's matmul for rank >= 2, or raises."""
    builder = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    try:
        expected = np.matmul(np.zeros(a), np.zeros(b)).shape
    except ValueError:
        with pytest.raises(WebNNTypeError, match="^matmul: "):
            builder.matmul(operand(builder, a), operand(builder, b))
    else:
        assert builder.matmul(operand(builder, a), operand(builder, b)).shape == expected


@pytest.mark.parametrize(("a", "b", "options", "out"), [
    ([2, 3], [3, 4], {}, (2, 4)),
    ([3, 2], [3, 4], {"a_transpose": True}, (2, 4)),
    ([2, 3], [4, 3], {"b_transpose": True}, (2, 4)),
    ([3, 2], [4, 3], {"a_transpose": True, "b_transpose": True}, (2, 4)),
])
@pytest.mark.parametrize("c", [None, [], [4], [1, 4], [2, 1], [2, 4]])
def test_gemm_shapes(builder, a, b, options, out, c):
    if c is not None:
        options = {**options, "c": operand(builder, c)}
    y = builder.gemm(operand(builder, a), operand(builder, b), **options)
    assert (y.shape, y.data_type) == (out, "float32")


def test_gemm_ir(builder):
    a, b, c = (operand(builder, s, "float16") for s in ([2, 3], [3, 4], [4]))
    (node,) = builder.build({"y": builder.gemm(a, b, c=c, alpha=0.1)}).ir.nodes
    assert node.inputs == (0, 1, 2)
    assert dict(node.attrs) == {"alpha": float(np.float16(0.1)), "beta": 1.0,
                                "a_transpose": False, "b_transpose": False}


GEMM_ERRORS = [
    ({"a": [2, 3, 1]}, r"a must be 2-D, got shape \[2, 3, 1\]"),
    ({"b": [3]}, r"b must be 2-D, got shape \[3\]"),
    ({"b": [4, 3]}, r"a shape \[2, 3\] \(a_transpose=False\) and b shape \[4, 3\] "
                    r"\(b_transpose=False\) disagree on the inner dimension: 3 != 4"),
    ({"a_transpose": True}, r"a shape \[2, 3\] \(a_transpose=True\) and b shape \[3, 4\] "
                            r"\(b_transpose=False\) disagree on the inner dimension: 2 != 3"),
    ({"c": [3]}, r"c shape \[3\] is not broadcastable to \[2, 4\]"),
    ({"c": [2, 4, 1]}, r"c must be of rank 0 to 2, got shape \[2, 4, 1\]"),
    ({"c": [4, 2]}, r"c shape \[4, 2\] is not broadcastable to \[2, 4\]"),
    ({"ctype": "float16", "c": [4]}, r"c data type float16 must match a"),
    ({"dtype": "int32"}, r"a data type int32 is not allowed"),
    ({"alpha": float("nan")}, r"alpha must be a finite number, got nan"),
    ({"beta": float("inf")}, r"beta must be a finite number, got inf"),
    ({"a_transpose": "yes"}, r"a_transpose must be a boolean, got 'yes'"),
]


@pytest.mark.parametrize(("kwargs", "message"), GEMM_ERRORS)
def test_gemm_errors(builder, kwargs, message):
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", "float32")
    a = operand(builder, kwargs.pop("a", [2, 3]), dtype)
    b = operand(builder, kwargs.pop("b", [3, 4]), dtype)
    ctype = kwargs.pop("ctype", dtype)
    if "c" in kwargs:
        kwargs["c"] = operand(builder, kwargs["c"], ctype)
    with pytest.raises(WebNNTypeError, match=f"^gemm: {message}"):
        builder.gemm(a, b, **kwargs)
