"""Shape inference and validation of cast, quantizeLinear and dequantizeLinear."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand

ALL = ["float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"]
QUANTIZED = ["uint8", "int8", "uint32", "int32"]
FLOATS = ["float32", "float16"]


# -- cast -----------------------------------------------------------------------------------


@pytest.mark.parametrize("src", ALL)
@pytest.mark.parametrize("dst", ALL)
def test_cast_every_pair(builder, src, dst):
    y = builder.cast(operand(builder, [2, 3], src), dst)
    assert (y.shape, y.data_type) == ((2, 3), dst)
    assert dict(builder.build({"y": y}).ir.nodes[0].attrs) == {"data_type": dst}


def test_cast_scalar_and_keyword(builder):
    assert builder.cast(operand(builder, [], "int8"), data_type="float16").shape == ()


@pytest.mark.parametrize("bad", ["int4", "bool", "float64", None, 5])
def test_cast_rejects_unknown_data_type(builder, bad):
    with pytest.raises(WebNNTypeError, match=re.escape(f"cast: data_type must be one of "
                                                       f"{', '.join(ALL)}, got {bad!r}")):
        builder.cast(operand(builder, [2]), bad)


# -- quantizeLinear / dequantizeLinear ------------------------------------------------------


BLOCKS = [  # input shape, scale/zero_point shape
    ([], []),
    ([4], [4]),
    ([4], [2]),
    ([6, 4], [2, 2]),
    ([6, 4], [1, 1]),
    ([1, 1, 2, 2], [1, 1, 2, 1]),
    ([3, 5], [3, 1]),
]


@pytest.mark.parametrize(("shape", "pshape"), BLOCKS)
@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("zdt", QUANTIZED)
def test_quantize_linear(builder, shape, pshape, dt, zdt):
    y = builder.quantize_linear(operand(builder, shape, dt), operand(builder, pshape, dt),
                                operand(builder, pshape, zdt))
    assert (y.shape, y.data_type) == (tuple(shape), zdt)


@pytest.mark.parametrize(("shape", "pshape"), BLOCKS)
@pytest.mark.parametrize("dt", QUANTIZED)
@pytest.mark.parametrize("sdt", FLOATS)
def test_dequantize_linear(builder, shape, pshape, dt, sdt):
    y = builder.dequantize_linear(operand(builder, shape, dt), operand(builder, pshape, sdt),
                                  operand(builder, pshape, dt))
    assert (y.shape, y.data_type) == (tuple(shape), sdt)


def _q(x: tuple[list[int], str], s: tuple[list[int], str], z: tuple[list[int], str]
       ) -> Callable[[webnn.MLGraphBuilder], object]:
    return lambda b: b.quantize_linear(operand(b, *x), operand(b, *s), operand(b, *z))


def _dq(x: tuple[list[int], str], s: tuple[list[int], str], z: tuple[list[int], str]
        ) -> Callable[[webnn.MLGraphBuilder], object]:
    return lambda b: b.dequantize_linear(operand(b, *x), operand(b, *s), operand(b, *z))


F32, U8 = "float32", "uint8"
ERRORS = [
    (_q(([2], "int32"), ([2], "int32"), ([2], U8)),
     "quantize_linear: input data type int32 is not allowed"),
    (_q(([2], F32), ([2], "float16"), ([2], U8)),
     "quantize_linear: scale data type float16 must match input (float32)"),
    (_q(([2], F32), ([2], F32), ([2], "int64")),
     "quantize_linear: zero_point data type int64 is not allowed"),
    (_q(([2], F32), ([2], F32), ([2], F32)),
     "quantize_linear: zero_point data type float32 is not allowed"),
    (_q(([2, 2], F32), ([2], F32), ([2], U8)),
     "quantize_linear: scale must have the input's rank 2, got shape [2]"),
    (_q(([2], F32), ([], F32), ([], U8)),
     "quantize_linear: scale must have the input's rank 1, got shape []"),
    (_q(([2, 2], F32), ([1, 1], F32), ([1], U8)),
     "quantize_linear: zero_point must have the input's rank 2, got shape [1]"),
    (_q(([4], F32), ([2], F32), ([4], U8)),
     "quantize_linear: scale shape [2] and zero_point shape [4] must be equal"),
    (_q(([5, 4], F32), ([2, 2], F32), ([2, 2], U8)),
     "quantize_linear: scale shape [2, 2] is not blockwise broadcastable to input shape "
     "[5, 4]"),
    (_q(([2], F32), ([4], F32), ([4], U8)),
     "quantize_linear: scale shape [4] is not blockwise broadcastable"),
    (_dq(([2], F32), ([2], F32), ([2], F32)),
     "dequantize_linear: input data type float32 is not allowed"),
    (_dq(([2], "int64"), ([2], F32), ([2], "int64")),
     "dequantize_linear: input data type int64 is not allowed"),
    (_dq(([2], U8), ([2], "int32"), ([2], U8)),
     "dequantize_linear: scale data type int32 is not allowed"),
    (_dq(([2], U8), ([2], F32), ([2], "int8")),
     "dequantize_linear: zero_point data type int8 must match input (uint8)"),
    (_dq(([2, 3], "int8"), ([2], F32), ([2], "int8")),
     "dequantize_linear: scale must have the input's rank 2, got shape [2]"),
    (_dq(([2, 3], "int8"), ([2, 3], F32), ([2, 1], "int8")),
     "dequantize_linear: scale shape [2, 3] and zero_point shape [2, 1] must be equal"),
    (_dq(([6, 4], "int8"), ([4, 2], F32), ([4, 2], "int8")),
     "dequantize_linear: scale shape [4, 2] is not blockwise broadcastable to input shape "
     "[6, 4]"),
]


@pytest.mark.parametrize(("call", "message"), ERRORS, ids=[m for _, m in ERRORS])
def test_errors(builder, call, message):
    with pytest.raises(WebNNTypeError, match="^" + re.escape(message)):
        call(builder)


def test_label_in_message(builder):
    x = operand(builder, [2], F32)
    with pytest.raises(WebNNTypeError, match=r"^quantize_linear \[q1\]: scale shape"):
        builder.quantize_linear(x, operand(builder, [3], F32), operand(builder, [3], U8),
                                label="q1")


# -- property -------------------------------------------------------------------------------


@st.composite
def _block_shapes(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    rank = draw(st.integers(0, 4))
    shape = draw(st.lists(st.integers(1, 12), min_size=rank, max_size=rank))
    pshape = draw(st.lists(st.integers(1, 12), min_size=rank, max_size=rank))
    return shape, pshape


@given(_block_shapes(), st.sampled_from(["quantize_linear", "dequantize_linear"]))
def test_blockwise_property(shapes, op):
    """Both ops accept a scale shape exactly when every scale dimension divides the
    input's (checked here by counting blocks: s * (n // s) == n), and keep the input
    shape."""
    shape, pshape = shapes
    b = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    xdt, sdt, zdt = ((F32, F32, U8) if op == "quantize_linear" else (U8, F32, U8))
    args = (operand(b, shape, xdt), operand(b, pshape, sdt), operand(b, pshape, zdt))
    if all(s * (n // s) == n for n, s in zip(shape, pshape, strict=True)):
        assert getattr(b, op)(*args).shape == tuple(shape)
    else:
        with pytest.raises(WebNNTypeError, match=f"^{op}: scale shape .* is not blockwise"):
            getattr(b, op)(*args)
