"""MLContext / MLGraph / MLTensor checks, independent of any real backend."""

from __future__ import annotations

import numpy as np
import pytest

import webnn
from webnn._context import choose_device
from webnn.errors import InvalidStateError, NotSupportedError, WebNNTypeError
from webnn.testing import operand


@pytest.fixture
def graph(builder):
    x = operand(builder, [2, 3], name="x")
    return builder.build({"y": builder.abs(x)})


def test_compute_checks_names(ctx, graph):
    with pytest.raises(WebNNTypeError, match=r"missing inputs \['x'\], unexpected inputs \['q'\]"):
        ctx.compute(graph, {"q": np.zeros((2, 3), np.float32)})


@pytest.mark.parametrize(("value", "message"), [
    (np.zeros((3, 2), np.float32), r"has shape \[3, 2\], the graph expects \[2, 3\]"),
    (np.zeros((2, 3), np.float64), "has dtype float64, the graph expects float32"),
    (np.zeros(6, np.float32), r"has shape \[6\]"),
    (object(), "has dtype object"),
])
def test_compute_checks_arrays(ctx, graph, value, message):
    with pytest.raises(WebNNTypeError, match=message):
        ctx.compute(graph, {"x": value})


def test_compute_accepts_non_contiguous_and_read_only(ctx, graph):
    base = np.arange(12, dtype=np.float32).reshape(2, 6)
    view = base[:, ::2]
    assert not view.flags.c_contiguous
    ro = np.zeros((2, 3), np.float32)
    ro.flags.writeable = False
    before = base.copy()
    for arr in (view, ro, np.asfortranarray(base[:, :3]), [[1, 2, 3], [4, 5, 6]]):
        assert ctx.compute(graph, {"x": arr})["y"].shape == (2, 3)
    np.testing.assert_array_equal(base, before)
    assert not ro.flags.writeable


def test_destroyed_graph_and_context(ctx, graph):
    graph.destroy()
    with pytest.raises(InvalidStateError, match="graph has been destroyed"):
        ctx.compute(graph, {"x": np.zeros((2, 3), np.float32)})
    ctx.destroy()
    ctx.destroy()  # idempotent
    with pytest.raises(InvalidStateError, match="MLContext is lost"):
        webnn.MLGraphBuilder(ctx)
    with pytest.raises(InvalidStateError):
        ctx.create_tensor(webnn.MLTensorDescriptor([1], "float32"))


def test_graph_from_other_context(graph):
    other = webnn.MLContext(backend="spec")
    with pytest.raises(WebNNTypeError, match="belongs to another MLContext"):
        other.compute(graph, {"x": np.zeros((2, 3), np.float32)})


def test_tensors_round_trip(ctx):
    t = ctx.create_tensor(webnn.MLTensorDescriptor([2, 2], "int64", readable=True, writable=True))
    assert ctx.read_tensor(t).tolist() == [[0, 0], [0, 0]]  # zero-filled
    ctx.write_tensor(t, np.array([[1, 2], [3, 2**62]], np.int64))
    assert ctx.read_tensor(t).tolist() == [[1, 2], [3, 2**62]]
    out = np.empty(4, np.uint8).repeat(8)
    assert ctx.read_tensor(t, out) is out
    assert out.view(np.int64).tolist() == [1, 2, 3, 2**62]


def test_tensor_permissions_and_checks(ctx):
    t = ctx.create_tensor(webnn.MLTensorDescriptor([2], "float32"))
    with pytest.raises(WebNNTypeError, match="not writable"):
        ctx.write_tensor(t, np.zeros(2, np.float32))
    with pytest.raises(WebNNTypeError, match="not readable"):
        ctx.read_tensor(t)
    w = ctx.create_tensor(webnn.MLTensorDescriptor([2], "float32", writable=True))
    with pytest.raises(WebNNTypeError, match="buffer has 12 bytes"):
        ctx.write_tensor(w, np.zeros(3, np.float32))
    with pytest.raises(WebNNTypeError, match="buffer dtype int32 does not match"):
        ctx.write_tensor(w, np.zeros(2, np.int32))
    w.destroy()
    with pytest.raises(WebNNTypeError, match="destroyed"):
        ctx.write_tensor(w, np.zeros(2, np.float32))
    with pytest.raises(WebNNTypeError, match="invalid dimension 0"):
        ctx.create_tensor(webnn.MLTensorDescriptor([0], "float32"))


def test_dispatch_checks(ctx, graph):
    desc = webnn.MLTensorDescriptor([2, 3], "float32", readable=True, writable=True)
    a, b = ctx.create_tensor(desc), ctx.create_tensor(desc)
    ctx.write_tensor(a, np.ones((2, 3), np.float32))
    ctx.dispatch(graph, {"x": a}, {"y": b})
    assert ctx.read_tensor(b).shape == (2, 3)
    with pytest.raises(WebNNTypeError, match="used more than once"):
        ctx.dispatch(graph, {"x": a}, {"y": a})
    wrong = ctx.create_tensor(webnn.MLTensorDescriptor([3, 2], "float32"))
    with pytest.raises(WebNNTypeError, match=r"tensor is \[3, 2\] float32, the graph expects"):
        ctx.dispatch(graph, {"x": wrong}, {"y": b})
    with pytest.raises(WebNNTypeError, match="do not match"):
        ctx.dispatch(graph, {"q": a}, {"y": b})
    const = ctx.create_constant_tensor(webnn.MLOperandDescriptor([2, 3], "float32"),
                                       np.ones((2, 3), np.float32))
    with pytest.raises(WebNNTypeError, match="is a constant tensor"):
        ctx.dispatch(graph, {"x": const}, {"y": b})


def test_constant_tensor_in_builder(ctx, builder):
    t = ctx.create_constant_tensor(webnn.MLOperandDescriptor([2], "int32"),
                                   np.array([5, 6], np.int32))
    c = builder.constant(t)
    assert (c.shape, c.data_type) == ((2,), "int32")
    plain = ctx.create_tensor(webnn.MLTensorDescriptor([2], "int32"))
    with pytest.raises(WebNNTypeError, match="not created by create_constant_tensor"):
        builder.constant(plain)
    t.destroy()
    with pytest.raises(WebNNTypeError, match="destroyed"):
        builder.constant(t)


@pytest.mark.parametrize(("available", "kwargs", "expected"), [
    (("cpu", "gpu"), {}, "gpu"),
    (("cpu", "gpu"), {"accelerated": False}, "cpu"),
    (("cpu", "gpu", "npu"), {"power_preference": "low-power"}, "npu"),
    (("cpu",), {"power_preference": "high-performance"}, "cpu"),
    (("cpu", "npu"), {"device_type": "npu"}, "npu"),
])
def test_device_choice(available, kwargs, expected):
    args = {"device_type": None, "power_preference": "default", "accelerated": True} | kwargs
    assert choose_device(available, backend="b", **args) == expected


def test_unavailable_device_names_the_available_ones():
    with pytest.raises(NotSupportedError, match="device 'gpu' is not available on backend "
                                                "'spec'; available: cpu"):
        webnn.MLContext(backend="spec", device_type="gpu")
    with pytest.raises(WebNNTypeError, match="device_type must be"):
        webnn.MLContext(backend="spec", device_type="tpu")  # type: ignore[arg-type]


def test_ml_create_context_and_limits():
    ctx = webnn.ML().create_context(backend="spec", accelerated=False)
    assert (ctx.device_type, ctx.accelerated) == ("cpu", False)
    limits = ctx.op_support_limits()
    assert limits["add"]["a"]["data_types"][0] == "float32"
    limits["add"]["a"]["data_types"].clear()  # a copy: the context is unaffected
    assert ctx.op_support_limits()["add"]["a"]["data_types"]


def test_scalar_inputs_stay_scalar(ctx, builder):
    x = builder.input("x", webnn.MLOperandDescriptor([], "float32"))
    graph = builder.build({"y": builder.abs(x)})
    arrays = graph._check_inputs("compute", {"x": np.float32(3)})
    assert arrays["x"].shape == ()


def test_tensors_of_a_destroyed_context_give_type_error(ctx):
    t = ctx.create_tensor(webnn.MLTensorDescriptor([2], "float32", readable=True,
                                                   writable=True))
    ctx.destroy()
    with pytest.raises(WebNNTypeError, match="write_tensor: the tensor has been destroyed"):
        ctx.write_tensor(t, np.zeros(2, np.float32))
    with pytest.raises(WebNNTypeError, match="read_tensor: the tensor has been destroyed"):
        ctx.read_tensor(t)


def test_missing_input_message_names_only_what_is_wrong(ctx, graph):
    with pytest.raises(WebNNTypeError, match=r"^compute: missing inputs \['x'\]; the graph"):
        ctx.compute(graph, {})
