"""Shape inference, normalization and validation of the shape/data-movement family."""

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

BIG = 2**31 - 1  # the largest valid dimension


def _attrs(b: webnn.MLGraphBuilder, y: webnn.MLOperand | list[webnn.MLOperand]
           ) -> dict[str, Any]:
    """The IR attributes of the node that produced ``y``."""
    outs = y if isinstance(y, list) else [y]
    graph = b.build({f"y{i}": o for i, o in enumerate(outs)})
    (node,) = graph.ir.nodes
    return dict(node.attrs)


# -- valid calls: (op, input shape, positional args, options, output shape(s)) ---------------

VALID = [
    ("reshape", [2, 3, 4], ([6, 4],), {}, (6, 4)),
    ("reshape", [1], ([],), {}, ()),
    ("reshape", [], ([1, 1, 1],), {}, (1, 1, 1)),
    ("transpose", [2, 3, 4], (), {}, (4, 3, 2)),
    ("transpose", [2, 3, 4], (), {"permutation": [1, 2, 0]}, (3, 4, 2)),
    ("transpose", [], (), {}, ()),
    ("expand", [3, 1], ([2, 3, 4],), {}, (2, 3, 4)),
    ("expand", [], ([5],), {}, (5,)),
    ("expand", [2, 3], ([2, 3],), {}, (2, 3)),
    ("slice", [5, 6], ([1, 2], [4, 3]), {}, (4, 3)),
    ("slice", [5, 6], ([0, 1], [5, 5]), {"strides": [2, 3]}, (3, 2)),
    ("slice", [], ([], []), {}, ()),
    ("pad", [2, 3], ([1, 2], [0, 3]), {}, (3, 8)),
    ("pad", [2, 3], ([1, 2], [1, 2]), {"mode": "reflection"}, (4, 7)),
    ("pad", [1], ([5], [7]), {"mode": "edge"}, (13,)),
    ("tile", [2, 3], ([3, 1],), {}, (6, 3)),
    ("tile", [], ([],), {}, ()),
    ("concat", None, (), {}, (2, 7, 4)),  # see test_concat_valid for the inputs
    ("split", [6, 4], (3,), {}, [(2, 4)] * 3),
    ("split", [6, 4], ([1, 3],), {"axis": 1}, [(6, 1), (6, 3)]),
    ("reverse", [2, 3], (), {}, (2, 3)),
    ("reverse", [2, 3], (), {"axes": []}, (2, 3)),
    ("triangular", [2, 3, 4], (), {"upper": False, "diagonal": -1}, (2, 3, 4)),
]


@pytest.mark.parametrize(("op", "shape", "args", "options", "out"),
                         [v for v in VALID if v[1] is not None], ids=lambda v: str(v))
@pytest.mark.parametrize("dt", ["float32", "uint64", "int8"])
def test_valid_shapes(builder, op, shape, args, options, out, dt):
    y = getattr(builder, op)(operand(builder, shape, dt), *args, **options)
    if isinstance(out, list):
        assert [(o.shape, o.data_type) for o in y] == [(s, dt) for s in out]
    else:
        assert (y.shape, y.data_type) == (out, dt)


def test_concat_valid(builder):
    xs = [operand(builder, [2, n, 4], "int32") for n in (1, 4, 2)]
    y = builder.concat(xs, 1)
    assert (y.shape, y.data_type) == ((2, 7, 4), "int32")
    assert _attrs(builder, y) == {"axis": 1}


# -- normalized IR attributes -----------------------------------------------------------------


@pytest.mark.parametrize(("op", "shape", "args", "options", "attrs"), [
    ("transpose", [2, 3, 4], (), {}, {"permutation": (2, 1, 0)}),
    ("reverse", [2, 3, 4], (), {}, {"axes": (0, 1, 2)}),
    ("reverse", [2, 3, 4], (), {"axes": [2, 0]}, {"axes": (2, 0)}),
    ("slice", [4, 4], ([1, 0], [2, 4]), {},
     {"starts": (1, 0), "sizes": (2, 4), "strides": (1, 1)}),
    ("split", [6, 4], (3,), {}, {"axis": 0, "splits": (2, 2, 2)}),
    ("split", [6, 4], ([1, 3],), {"axis": 1}, {"axis": 1, "splits": (1, 3)}),
    ("triangular", [2, 2], (), {}, {"upper": True, "diagonal": 0}),
    ("triangular", [2, 2], (), {"upper": False, "diagonal": -(2**31)},
     {"upper": False, "diagonal": -(2**31)}),
    ("reshape", [6], ((2, 3),), {}, {"new_shape": (2, 3)}),
    ("expand", [1], ([3],), {}, {"new_shape": (3,)}),
    ("tile", [2], ([2**32 + 3],), {}, {"repetitions": (3,)}),  # WebIDL wraps mod 2**32
    ("pad", [2], ([1], [0]), {},
     {"beginning_padding": (1,), "ending_padding": (0,), "mode": "constant", "value": 0.0}),
])
def test_normalized_attrs(builder, op, shape, args, options, attrs):
    y = getattr(builder, op)(operand(builder, shape), *args, **options)
    assert _attrs(builder, y) == attrs


@pytest.mark.parametrize(("dt", "value", "expected"), [
    ("int64", 2**53 + 1, 2**53 + 1),  # exact beyond double precision
    ("uint64", 2**64 - 1, 2**64 - 1),
    ("uint64", -5, 0),
    ("int8", 300, 127),
    ("uint32", 2.5, 2),  # ties to even
    ("int32", float("nan"), 0),
    ("float16", 70000, float("inf")),
    ("float32", float("-inf"), float("-inf")),
    ("float32", True, 1.0),
    ("int32", np.int64(-7), -7),
])
def test_pad_value_is_cast(builder, dt, value, expected):
    y = builder.pad(operand(builder, [2], dt), [1], [1], value=value)
    got = _attrs(builder, y)["value"]
    assert got == expected
    assert type(got) is type(expected)


def test_pad_nan_value(builder):
    y = builder.pad(operand(builder, [2], "float16"), [1], [1], value=float("nan"))
    assert math.isnan(_attrs(builder, y)["value"])


# -- errors: (op, input shape, args, options, message regex) ------------------------------------

ERRORS = [
    ("reshape", [2, 3], ([3, 3],), {}, r"new_shape \[3, 3\] has 9 elements, input shape "
                                          r"\[2, 3\] has 6"),
    ("reshape", [2, 3], ([0, 6],), {}, r"new_shape \[0, 6\] has invalid dimension 0"),
    ("reshape", [2, 3], ([6, -1],), {}, r"new_shape must be in \[0, 4294967295\], got -1"),
    ("reshape", [2], ([2**31],), {}, r"has invalid dimension 2147483648"),
    ("reshape", [2], (["2"],), {}, r"new_shape must be an integer, got '2'"),
    ("reshape", [2], ("2",), {}, r"new_shape must be a sequence of integers, got '2'"),
    ("reshape", [2], (2,), {}, r"new_shape must be a sequence of integers, got 2"),
    ("transpose", [2, 3], (), {"permutation": [0]}, r"permutation \[0\] must have 2 items"),
    ("transpose", [2, 3], (), {"permutation": [0, 2]}, r"axis 2 out of range for rank 2"),
    ("transpose", [2, 3], (), {"permutation": [1, 1]}, r"permutation \[1, 1\] has duplicate"),
    ("expand", [2, 3], ([3],), {}, r"input shape \[2, 3\] is not broadcastable to \[3\]"),
    ("expand", [2, 3], ([2, 4],), {}, r"not broadcastable to \[2, 4\]"),
    ("expand", [1], ([0],), {}, r"new_shape \[0\] has invalid dimension 0"),
    ("slice", [4, 4], ([0, 0], [2, 0]), {}, r"sizes \[2, 0\] has size 0 at axis 1"),
    ("slice", [4, 4], ([0], [2, 2]), {}, r"starts \[0\] must have 2 items"),
    ("slice", [4, 4], ([0, 0], [2, 2, 2]), {}, r"sizes \[2, 2, 2\] must have 2 items"),
    ("slice", [4, 4], ([0, 0], [2, 2]), {"strides": [1]}, r"strides \[1\] must have 2 items"),
    ("slice", [4, 4], ([0, 0], [2, 2]), {"strides": [1, 0]},
     r"strides \[1, 0\] has stride 0 < 1 at axis 1"),
    ("slice", [4, 4], ([5, 0], [1, 2]), {}, r"start 5 is beyond input dimension 4 at axis 0"),
    ("slice", [4, 4], ([0, 3], [2, 2]), {}, r"window \[3, 5\) exceeds input dimension 4"),
    ("slice", [4], ([-1], [2]), {}, r"starts must be in \[0, 4294967295\], got -1"),
    ("pad", [2, 3], ([1], [1, 1]), {}, r"beginning_padding \[1\] must have 2 items"),
    ("pad", [2, 3], ([1, 1], [1]), {}, r"ending_padding \[1\] must have 2 items"),
    ("pad", [2, 3], ([2, 0], [0, 0]), {"mode": "reflection"},
     r"beginning_padding \[2, 0\]: reflection padding 2 at axis 0 must be smaller than the "
     r"input dimension 2"),
    ("pad", [2, 3], ([0, 0], [0, 3]), {"mode": "reflection"},
     r"ending_padding \[0, 3\]: reflection padding 3 at axis 1"),
    ("pad", [2], ([BIG], [0]), {}, r"output shape \[2147483649\] has invalid dimension"),
    ("pad", [2], ([1], [1]), {"mode": "symmetric"}, r"mode must be one of 'constant', 'edge', "
                                                   r"'reflection', got 'symmetric'"),
    ("pad", [2], ([1], [1]), {"value": "0"}, r"value must be a number, got '0'"),
    ("tile", [2, 3], ([2],), {}, r"repetitions \[2\] must have 2 items"),
    ("tile", [2, 3], ([2, 0],), {}, r"repetitions \[2, 0\] must not contain 0"),
    ("tile", [2], ([2**32],), {}, r"repetitions \[0\] must not contain 0"),  # wraps to 0
    ("tile", [4], ([2**30],), {}, r"output shape \[4294967296\] has invalid dimension"),
    ("tile", [4], (["x"],), {}, r"repetitions must be a sequence of integers, got item 'x'"),
    ("tile", [4], (3,), {}, r"repetitions must be a sequence of integers, got 3"),
    ("split", [6, 4], (2,), {"axis": 2}, r"axis 2 is out of range for rank 2"),
    ("split", [6, 4], (0,), {}, r"splits must be 1 to 8192, got 0"),
    ("split", [6, 4], (8193,), {}, r"splits must be 1 to 8192, got 8193"),
    ("split", [6, 4], (4,), {}, r"splits 4 does not divide the split axis size 6"),
    ("split", [6, 4], ([],), {}, r"splits must have 1 to 8192 items, got 0"),
    ("split", [6, 4], ([1] * 8193,), {}, r"splits must have 1 to 8192 items, got 8193"),
    ("split", [6, 4], ([6, 0],), {}, r"splits \[6, 0\] must not contain 0"),
    ("split", [6, 4], ([2, 3],), {}, r"splits \[2, 3\] sum to 5, the split axis has size 6"),
    ("split", [], (1,), {}, r"input must be of rank 1"),
    ("reverse", [2, 3], (), {"axes": [2]}, r"axes \[2\] has axis 2 out of range for rank 2"),
    ("reverse", [2, 3], (), {"axes": [0, 0]}, r"axes \[0, 0\] has duplicate axes"),
    ("triangular", [3], (), {}, r"input must be of rank 2"),
    ("triangular", [3, 3], (), {"diagonal": 2**31}, r"diagonal must be in \[-2147483648, "
                                                     r"2147483647\], got 2147483648"),
    ("triangular", [3, 3], (), {"upper": "yes"}, r"upper must be a boolean, got 'yes'"),
]


@pytest.mark.parametrize(("op", "shape", "args", "options", "message"), ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors(builder, op, shape, args, options, message):
    x = operand(builder, shape)
    with pytest.raises(WebNNTypeError, match=f"^{op} \\[lbl\\]: .*{message}"):
        getattr(builder, op)(x, *args, **options, label="lbl")


def test_concat_errors(builder):
    a, b = operand(builder, [2, 3]), operand(builder, [2, 5])
    with pytest.raises(WebNNTypeError, match=r"^concat: inputs must hold 1 to 8192 operands, "
                                             r"got 0"):
        builder.concat([], 0)
    with pytest.raises(WebNNTypeError, match=r"^concat: axis 2 is out of range for rank 2"):
        builder.concat([a, b], 2)
    with pytest.raises(WebNNTypeError, match=r"inputs\[1\] data type int32 must match "
                                             r"inputs\[0\] \(float32\)"):
        builder.concat([a, operand(builder, [2, 3], "int32")], 1)
    with pytest.raises(WebNNTypeError, match=r"inputs\[1\] rank 3 must equal inputs\[0\] rank 2"):
        builder.concat([a, operand(builder, [2, 3, 1])], 1)
    with pytest.raises(WebNNTypeError, match=r"inputs\[1\] shape \[2, 5\] differs from "
                                             r"inputs\[0\] shape \[2, 3\] at axis 1"):
        builder.concat([a, b], 0)
    with pytest.raises(WebNNTypeError, match=r"inputs\[0\] must be of rank 1"):
        builder.concat([operand(builder, [])], 0)
    with pytest.raises(WebNNTypeError, match=r"inputs must be a sequence of MLOperands"):
        builder.concat(a, 0)


def test_concat_total_too_large(builder):
    # Two (valid) uint8 inputs whose concatenation exceeds the largest dimension.
    xs = [operand(builder, [BIG], "uint8"), operand(builder, [1], "uint8")]
    with pytest.raises(WebNNTypeError, match=r"^concat: concatenated size along axis 0 "
                                             r"exceeds 2147483647"):
        builder.concat(xs, 0)


def test_split_returns_list(builder):
    outs = builder.split(operand(builder, [4]), 1)
    assert isinstance(outs, list)
    assert [o.shape for o in outs] == [(4,)]


# -- properties against numpy ---------------------------------------------------------------------

shapes = st.lists(st.integers(1, 4), max_size=4)


def _fresh() -> webnn.MLGraphBuilder:
    return webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))


def _agrees(op: str, expected: tuple[int, ...] | None, call: Any) -> None:
    """The builder matches numpy's shape, or raises a TypeError naming the op."""
    if expected is None:
        with pytest.raises(WebNNTypeError, match=f"^{op}: "):
            call()
    else:
        assert call().shape == expected


@given(shapes, st.lists(st.integers(0, 6), max_size=5))
def test_reshape_property(shape, new_shape):
    b = _fresh()
    x = operand(b, shape)
    try:
        expected = np.empty(shape).reshape(new_shape).shape
    except ValueError:
        expected = None
    if 0 in new_shape:  # numpy accepts 0-sized arrays, WebNN does not; sizes differ anyway
        assert expected is None
    _agrees("reshape", expected, lambda: b.reshape(x, new_shape))


@given(shapes, st.data())
def test_transpose_property(shape, data):
    rank = len(shape)
    perm = data.draw(st.one_of(st.permutations(range(rank)),
                               st.lists(st.integers(0, rank + 1), max_size=rank + 1)))
    b = _fresh()
    x = operand(b, shape)
    try:
        expected = np.empty(shape).transpose(perm).shape
    except (ValueError, np.exceptions.AxisError):
        expected = None
    _agrees("transpose", expected, lambda: b.transpose(x, permutation=perm))


@given(shapes, st.lists(st.integers(1, 4), max_size=5))
def test_expand_property(shape, new_shape):
    b = _fresh()
    x = operand(b, shape)
    try:
        expected = np.broadcast_to(np.empty(shape), new_shape).shape
    except ValueError:
        expected = None
    _agrees("expand", expected, lambda: b.expand(x, new_shape))


@given(shapes, st.data())
def test_slice_property(shape, data):
    rank = len(shape)
    starts = data.draw(st.lists(st.integers(0, 5), min_size=rank, max_size=rank))
    sizes = data.draw(st.lists(st.integers(0, 5), min_size=rank, max_size=rank))
    strides = data.draw(st.lists(st.integers(0, 3), min_size=rank, max_size=rank))
    valid = all(n > 0 and s >= 1 and b + n <= d
                for b, n, s, d in zip(starts, sizes, strides, shape, strict=True))
    expected = None
    if valid:
        index = tuple(slice(b, b + n, s) for b, n, s in zip(starts, sizes, strides, strict=True))
        expected = np.empty(shape)[index].shape
    bld = _fresh()
    x = operand(bld, shape)
    _agrees("slice", expected, lambda: bld.slice(x, starts, sizes, strides=strides))


@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.data())
def test_concat_property(base, data):
    rank = len(base)
    axis = data.draw(st.integers(0, rank))
    shapes_ = []
    for _ in range(data.draw(st.integers(1, 4))):
        s = list(base)
        if axis < rank:
            s[axis] = data.draw(st.integers(1, 3))
        if data.draw(st.integers(0, 9)) == 0:  # sometimes break a non-axis dimension
            d = data.draw(st.integers(0, rank - 1))
            s[d] += 1
        shapes_.append(s)
    try:
        expected = np.concatenate([np.empty(s) for s in shapes_], axis).shape
    except (ValueError, np.exceptions.AxisError):
        expected = None
    b = _fresh()
    xs = [operand(b, s) for s in shapes_]
    _agrees("concat", expected, lambda: b.concat(xs, axis))


def test_error_message_names_value(builder):
    # The message must carry the actual bad value, not just the argument name.
    with pytest.raises(WebNNTypeError, match=re.escape("[1, 2, 3]")):
        builder.tile(operand(builder, [2]), [1, 2, 3])
