"""Shape inference and validation of the gather/scatter family."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand

# (op, input shape, indices shape, updates shape or None, options, output shape)
VALID = [
    ("gather", [4, 3], [2], None, {}, (2, 3)),
    ("gather", [4, 3], [2, 2], None, {"axis": 1}, (4, 2, 2)),
    ("gather", [4], [], None, {}, ()),  # WPT: a 0-D index into a 1-D input
    ("gather", [2, 3, 4], [], None, {"axis": 1}, (2, 4)),
    ("gather_elements", [4, 3], [2, 3], None, {}, (2, 3)),
    ("gather_elements", [4, 3], [4, 7], None, {"axis": 1}, (4, 7)),
    ("gather_nd", [2, 2], [3, 2], None, {}, (3,)),
    ("gather_nd", [2, 2], [2, 1], None, {}, (2, 2)),
    ("gather_nd", [2, 3, 4], [1], None, {}, (3, 4)),
    ("gather_nd", [5], [1], None, {}, ()),
    ("scatter_elements", [4, 3], [2, 3], [2, 3], {}, (4, 3)),
    ("scatter_elements", [4, 3], [4, 1], [4, 1], {"axis": 1}, (4, 3)),
    ("scatter_nd", [8], [4, 1], [4], {}, (8,)),
    ("scatter_nd", [4, 4, 4], [2, 1], [2, 4, 4], {}, (4, 4, 4)),
    ("scatter_nd", [4, 4], [2, 2], [2], {}, (4, 4)),
]


@pytest.mark.parametrize(("op", "shape", "ishape", "ushape", "options", "out"), VALID)
@pytest.mark.parametrize(("dt", "idt"), [("float32", "int32"), ("uint64", "uint32"),
                                         ("int8", "int64")])
def test_valid_shapes(builder, op, shape, ishape, ushape, options, out, dt, idt):
    args = [operand(builder, shape, dt), operand(builder, ishape, idt)]
    if ushape is not None:
        args.append(operand(builder, ushape, dt))
    y = getattr(builder, op)(*args, **options)
    assert (y.shape, y.data_type) == (out, dt)


def test_axis_attr(builder):
    y = builder.gather(operand(builder, [2, 3]), operand(builder, [1], "int32"))
    graph = builder.build({"y": y})
    assert dict(graph.ir.nodes[0].attrs) == {"axis": 0}


def test_nd_ops_have_no_attrs(builder):
    y = builder.gather_nd(operand(builder, [2, 3]), operand(builder, [1, 2], "int32"))
    graph = builder.build({"y": y})
    assert dict(graph.ir.nodes[0].attrs) == {}


# (op, input shape, indices (shape, dtype), updates (shape, dtype) or None, options, regex)
ERRORS = [
    ("gather", [4, 3], ([2], "float32"), None, {},
     r"indices data type float32 is not allowed; expected int32 or uint32 or int64"),
    ("gather", [4, 3], ([2], "int8"), None, {}, r"indices data type int8 is not allowed"),
    ("gather", [4, 3], ([2], "int32"), None, {"axis": 2}, r"axis 2 is out of range for rank 2"),
    ("gather", [], ([2], "int32"), None, {}, r"input must be of rank 1"),
    ("gather_elements", [4, 3], ([2], "int32"), None, {},
     r"indices rank 1 \(shape \[2\]\) must equal the input rank 2"),
    ("gather_elements", [4, 3], ([2, 3, 1], "int32"), None, {},
     r"indices rank 3 \(shape \[2, 3, 1\]\) must equal the input rank 2"),
    ("gather_elements", [4, 3], ([2, 3], "int32"), None, {"axis": 2},
     r"axis 2 is out of range for rank 2"),
    ("gather_elements", [4, 3], ([2, 2], "int32"), None, {},
     r"indices shape \[2, 2\] must match input shape \[4, 3\] except along axis 0; they "
     r"differ at axis 1"),
    ("gather_elements", [4, 3], ([2, 3], "uint8"), None, {}, r"indices data type uint8"),
    ("gather_elements", [], ([], "int32"), None, {}, r"input must be of rank 1"),
    ("gather_nd", [2, 2], ([3, 2], "float16"), None, {}, r"indices data type float16"),
    ("gather_nd", [], ([1], "int32"), None, {}, r"input must be of rank 1"),
    ("gather_nd", [2, 2], ([], "int32"), None, {}, r"indices must be of rank 1"),
    ("gather_nd", [2, 2], ([1, 3], "int32"), None, {},
     r"indices last dimension 3 \(shape \[1, 3\]\) must not exceed the input rank 2"),
    ("scatter_elements", [4, 3], ([2, 3], "float32"), ([2, 3], "float32"), {},
     r"indices data type float32"),
    ("scatter_elements", [4, 3], ([2, 3], "int32"), ([2, 3], "int32"), {},
     r"updates data type int32 must match input \(float32\)"),
    ("scatter_elements", [4, 3], ([2, 3], "int32"), ([2, 3], "float32"), {"axis": 2},
     r"axis 2 is out of range for rank 2"),
    ("scatter_elements", [4, 3], ([2, 3, 1], "int32"), ([2, 3, 1], "float32"), {},
     r"indices rank 3 .* must equal the input rank 2"),
    ("scatter_elements", [4, 3], ([4, 2], "int32"), ([4, 2], "float32"), {},
     r"indices shape \[4, 2\] must match input shape \[4, 3\] except along axis 0"),
    ("scatter_elements", [4, 3], ([2, 3], "int32"), ([3, 3], "float32"), {},
     r"updates must have shape \[2, 3\], got \[3, 3\]"),
    ("scatter_elements", [4, 3], ([2, 3], "int32"), ([], "float32"), {},
     r"updates must be of rank 1"),
    ("scatter_nd", [8], ([4, 1], "uint8"), ([4], "float32"), {}, r"indices data type uint8"),
    ("scatter_nd", [8], ([4, 1], "int32"), ([4], "float16"), {},
     r"updates data type float16 must match input \(float32\)"),
    ("scatter_nd", [8], ([4, 2], "int32"), ([4], "float32"), {},
     r"indices last dimension 2 \(shape \[4, 2\]\) must not exceed the input rank 1"),
    ("scatter_nd", [4, 4], ([2, 1], "int32"), ([2], "float32"), {},
     r"updates must have shape \[2, 4\], got \[2\]"),
    ("scatter_nd", [], ([1], "int32"), ([], "float32"), {}, r"input must be of rank 1"),
    ("scatter_nd", [4], ([], "int32"), ([], "float32"), {}, r"indices must be of rank 1"),
]


@pytest.mark.parametrize(("op", "shape", "ind", "upd", "options", "message"), ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors(builder, op, shape, ind, upd, options, message):
    args = [operand(builder, shape), operand(builder, *ind)]
    if upd is not None:
        args.append(operand(builder, *upd))
    with pytest.raises(WebNNTypeError, match=f"^{op} \\[g\\]: .*({message})"):
        getattr(builder, op)(*args, **options, label="g")


def test_indices_must_be_operand(builder):
    with pytest.raises(WebNNTypeError, match=r"^gather: indices must be an MLOperand, got list"):
        builder.gather(operand(builder, [3]), [0, 1])


shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3)


@given(shapes, st.lists(st.integers(1, 3), max_size=3), st.integers(0, 3))
def test_gather_property(shape, ishape, axis):
    """The output shape is numpy's ``take`` shape, or a TypeError naming the op."""
    b = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    x, i = operand(b, shape), operand(b, ishape, "int64")
    if axis >= len(shape):
        with pytest.raises(WebNNTypeError, match="^gather: axis"):
            b.gather(x, i, axis=axis)
    else:
        expected = np.take(np.empty(shape), np.zeros(ishape, np.int64), axis=axis).shape
        assert b.gather(x, i, axis=axis).shape == expected
