"""Shape inference and validation of batch, instance and layer normalization
(digest §2.2, §2.27, §2.28)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand


def _attrs(builder, y):
    return dict(builder.build({"y": y}).ir.nodes[0].attrs)


# -- batch_normalization --------------------------------------------------------------------

@pytest.mark.parametrize(("shape", "axis", "channels"), [
    ([2, 3, 4, 5], 1, 3), ([2, 3, 4, 5], 3, 5), ([7], 0, 7), ([2, 6], 1, 6),
    ([1, 2, 3, 4, 5, 6], 4, 5),
])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_batch_normalization_shapes(builder, shape, axis, channels, dtype):
    p = [operand(builder, [channels], dtype) for _ in range(4)]
    y = builder.batch_normalization(operand(builder, shape, dtype), p[0], p[1], scale=p[2],
                                    bias=p[3], axis=axis)
    assert (y.shape, y.data_type) == (tuple(shape), dtype)


def test_batch_normalization_ir(builder):
    x, m, v, b = (operand(builder, s) for s in ([1, 2, 3], [2], [2], [2]))
    graph = builder.build({"y": builder.batch_normalization(x, m, v, bias=b)})
    (node,) = graph.ir.nodes
    assert node.inputs == (0, 1, 2, None, 3)
    assert dict(node.attrs) == {"axis": 1, "epsilon": float(np.float32(1e-5))}


def test_batch_normalization_epsilon_cast_to_float16(builder):
    x, m, v = (operand(builder, s, "float16") for s in ([1, 2], [2], [2]))
    attrs = _attrs(builder, builder.batch_normalization(x, m, v, epsilon=1e-7))
    assert attrs["epsilon"] == float(np.float16(1e-7))


BATCH_ERRORS = [
    ({"dtype": "int32"}, r"input data type int32 is not allowed"),
    ({"x": []}, r"input must be of rank 1 or more, got shape \[\]"),
    ({"axis": 4}, r"axis 4 is out of range for rank 4"),
    ({"axis": -1}, r"axis must be in \[0, \d+\], got -1"),
    ({"mean": ([2],)}, r"mean must have shape \[3\], got \[2\]"),
    ({"variance": ([3, 1],)}, r"variance must be 1-D, got shape \[3, 1\]"),
    ({"variance": ([3], "float16")}, r"variance data type float16 must match input"),
    ({"scale": ([4],)}, r"scale must have shape \[3\], got \[4\]"),
    ({"bias": ([3], "float16")}, r"bias data type float16 must match input"),
    ({"epsilon": float("nan")}, r"epsilon must be a finite number, got nan"),
    ({"epsilon": float("-inf")}, r"epsilon must be a finite number, got -inf"),
    ({"epsilon": "0.1"}, r"epsilon must be a number, got '0.1'"),
]


@pytest.mark.parametrize(("kwargs", "message"), BATCH_ERRORS)
def test_batch_normalization_errors(builder, kwargs, message):
    kwargs = dict(kwargs)
    x = operand(builder, kwargs.pop("x", [2, 3, 4, 5]), kwargs.pop("dtype", "float32"))
    ops = {name: operand(builder, *kwargs.pop(name, ([3],)))
           for name in ("mean", "variance")}
    for name in ("scale", "bias"):
        if name in kwargs:
            kwargs[name] = operand(builder, *kwargs[name])
    with pytest.raises(WebNNTypeError, match=f"^batch_normalization: {message}"):
        builder.batch_normalization(x, ops["mean"], ops["variance"], **kwargs)


# -- instance_normalization -----------------------------------------------------------------

@pytest.mark.parametrize(("shape", "layout", "channels"), [
    ([2, 3, 4, 5], "nchw", 3), ([2, 3, 4, 5], "nhwc", 5),
])
def test_instance_normalization_shapes(builder, shape, layout, channels):
    y = builder.instance_normalization(operand(builder, shape),
                                       scale=operand(builder, [channels]),
                                       bias=operand(builder, [channels]), layout=layout)
    assert y.shape == tuple(shape)
    assert _attrs(builder, y) == {"epsilon": float(np.float32(1e-5)), "layout": layout}


INSTANCE_ERRORS = [
    ({"x": [2, 3, 4]}, r"input must be 4-D, got shape \[2, 3, 4\]"),
    ({"dtype": "uint8"}, r"input data type uint8 is not allowed"),
    ({"scale": ([5],)}, r"scale must have shape \[3\], got \[5\]"),
    ({"scale": ([3], "float16")}, r"scale data type float16 must match input"),
    ({"bias": ([3], "float32"), "layout": "nhwc"}, r"bias must have shape \[5\], got \[3\]"),
    ({"bias": ([1, 3],)}, r"bias must be 1-D, got shape \[1, 3\]"),
    ({"layout": "hwcn"}, r"layout must be one of 'nchw', 'nhwc', got 'hwcn'"),
    ({"epsilon": float("inf")}, r"epsilon must be a finite number, got inf"),
]


@pytest.mark.parametrize(("kwargs", "message"), INSTANCE_ERRORS)
def test_instance_normalization_errors(builder, kwargs, message):
    kwargs = dict(kwargs)
    x = operand(builder, kwargs.pop("x", [2, 3, 4, 5]), kwargs.pop("dtype", "float32"))
    for name in ("scale", "bias"):
        if name in kwargs:
            kwargs[name] = operand(builder, *kwargs[name])
    with pytest.raises(WebNNTypeError, match=f"^instance_normalization: {message}"):
        builder.instance_normalization(x, **kwargs)


# -- layer_normalization --------------------------------------------------------------------

@pytest.mark.parametrize(("shape", "axes", "resolved", "param"), [
    ([2, 3, 4], None, (1, 2), [3, 4]),
    ([5], None, (), []),
    ([], None, (), []),
    ([2, 3, 4], [], (), []),
    ([2, 3, 4], [0], (0,), [2]),
    ([2, 3, 4], [2, 0], (2, 0), [4, 2]),  # scale dim i follows input axis axes[i]
])
def test_layer_normalization_shapes(builder, shape, axes, resolved, param):
    options = {} if axes is None else {"axes": axes}
    y = builder.layer_normalization(operand(builder, shape), scale=operand(builder, param),
                                    bias=operand(builder, param), **options)
    assert y.shape == tuple(shape)
    assert _attrs(builder, y)["axes"] == resolved


LAYER_ERRORS = [
    ({"dtype": "int64"}, r"input data type int64 is not allowed"),
    ({"axes": [3]}, r"axes \[3\] has axis 3 out of range for rank 3"),
    ({"axes": [1, 1]}, r"axes \[1, 1\] has duplicate axes"),
    ({"axes": [-1]}, r"axes must be in \[0, \d+\], got -1"),
    ({"scale": ([4, 3],)}, r"scale must have shape \[3, 4\], got \[4, 3\]"),
    ({"scale": ([3, 4, 1],)}, r"scale must have shape \[3, 4\], got \[3, 4, 1\]"),
    ({"axes": [2, 1], "bias": ([3, 4],)}, r"bias must have shape \[4, 3\], got \[3, 4\]"),
    ({"bias": ([3, 4], "float16")}, r"bias data type float16 must match input"),
    ({"epsilon": float("nan")}, r"epsilon must be a finite number"),
]


@pytest.mark.parametrize(("kwargs", "message"), LAYER_ERRORS)
def test_layer_normalization_errors(builder, kwargs, message):
    kwargs = dict(kwargs)
    x = operand(builder, [2, 3, 4], kwargs.pop("dtype", "float32"))
    for name in ("scale", "bias"):
        if name in kwargs:
            kwargs[name] = operand(builder, *kwargs[name])
    with pytest.raises(WebNNTypeError, match=f"^layer_normalization: {message}"):
        builder.layer_normalization(x, **kwargs)


@given(shape=st.lists(st.integers(1, 4), max_size=5), data=st.data())
def test_layer_normalization_param_shape_property(shape, data):
    """scale must have exactly the shape picked from the input by ``axes``."""
    builder = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    axes = data.draw(st.permutations(range(len(shape))).map(
        lambda p: p[:data.draw(st.integers(0, len(shape)))]))
    param = data.draw(st.lists(st.integers(1, 4), max_size=5))
    x = operand(builder, shape)
    scale = operand(builder, param)
    if param == [shape[a] for a in axes]:
        assert builder.layer_normalization(x, axes=list(axes), scale=scale).shape == tuple(shape)
    else:
        with pytest.raises(WebNNTypeError, match="^layer_normalization: scale must have shape"):
            builder.layer_normalization(x, axes=list(axes), scale=scale)
