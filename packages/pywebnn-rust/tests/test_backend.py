"""The rust backend as a whole: plugin, devices, limits, tensors, threads, errors."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

import webnn
from pywebnn_rust import _native
from pywebnn_rust.backend import RustBackend
from webnn import plugins
from webnn.errors import InvalidStateError, OperationError, UnsupportedError
from webnn.ops import OPS, Limits
from webnn.samples import SAMPLES
from webnn.testing import run


def test_plugin_is_discovered_with_priority_over_torch():
    infos = {i.name: i for i in webnn.list_backends()}
    assert infos["rust"].error is None
    assert infos["rust"].priority == 20
    assert "cpu" in infos["rust"].devices
    if "torch" in infos:
        assert infos["rust"].priority > infos["torch"].priority


def test_devices_follow_libtorch():
    devices = RustBackend().devices()
    assert devices[0] == "cpu"
    assert ("gpu" in devices) == _native.cuda_available()


def test_supported_ops_are_real_ops():
    supported = dict(_native.supported_ops())
    assert set(supported) <= set(OPS)
    spec = {"float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"}
    for op, types in supported.items():
        assert types
        # The int4/uint4 extension only where some operand of the op allows it
        # (quantize_linear, dequantize_linear).
        extensions = {t for lim in OPS[op].limits.values() for t in lim.extension_types}
        assert set(types) <= spec | extensions, op
    assert {"int4", "uint4"} <= set(supported["quantize_linear"])
    assert {"int4", "uint4"} <= set(supported["dequantize_linear"])


def test_limits_narrow_inputs_only():
    b = RustBackend()
    spec = OPS["matmul"].limits["a"]
    assert b.limit("matmul", "a", spec, "cpu").data_types == ("float32", "float16")
    out = OPS["is_nan"].limits["output"]
    assert b.limit("is_nan", "output", out, "cpu").data_types == ("uint8",)
    if "gru" not in b.supported:
        assert b.limit("gru", "input", OPS["gru"].limits["input"], "cpu") == Limits((), 0, 0)
        assert "gru" not in b.op_support_limits("cpu")


def test_every_op_is_implemented():
    assert sorted(set(OPS) - set(RustBackend().supported)) == []


def test_an_op_the_kernels_lack_is_rejected_at_build(monkeypatch):
    """Limits come from the native op table: an op missing there never reaches Rust."""
    backend = RustBackend()
    del backend.supported["abs"]
    monkeypatch.setattr(plugins, "_extra", [*plugins._extra, _Renamed(backend)])
    monkeypatch.setattr(plugins, "_state", None)
    ctx = webnn.MLContext(backend="rust-without-abs")
    assert "abs" not in ctx.op_support_limits()
    build, inputs = SAMPLES["abs"]("float32", np.random.default_rng(0))
    with pytest.raises(UnsupportedError, match="does not support this operation"):
        run(ctx, build, inputs)


class _Renamed(RustBackend):
    name = "rust-without-abs"

    def __init__(self, inner: RustBackend) -> None:
        self.__dict__.update(inner.__dict__)


def test_compute_writes_fresh_arrays(ctx):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", {"data_type": "float32", "shape": [2, 2]})
    graph = b.build({"y": b.add(x, x), "z": b.neg(x)})
    a = np.arange(4, dtype=np.float32).reshape(2, 2)
    out = ctx.compute(graph, {"x": a})
    np.testing.assert_array_equal(out["y"], a * 2)
    np.testing.assert_array_equal(out["z"], -a)
    out2 = ctx.compute(graph, {"x": a + 1})
    np.testing.assert_array_equal(out["y"], a * 2)  # earlier results stay untouched
    np.testing.assert_array_equal(out2["y"], (a + 1) * 2)


def test_constants(ctx):
    c = np.array([1, 2, 3], np.uint32)
    out = run(ctx, lambda B, o: B.add(o["x"], B.constant({"data_type": "uint32",
                                                           "shape": [3]}, c)),
              {"x": np.array([4294967295, 0, 1], np.uint32)})
    np.testing.assert_array_equal(out, [0, 2, 4])


def test_tensors_and_dispatch(ctx):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", {"data_type": "int64", "shape": [3]})
    graph = b.build({"y": b.mul(x, x)})
    tx = ctx.create_tensor({"data_type": "int64", "shape": [3], "readable": True,
                            "writable": True})
    ty = ctx.create_tensor({"data_type": "int64", "shape": [3], "readable": True})
    np.testing.assert_array_equal(ctx.read_tensor(ty), [0, 0, 0])
    ctx.write_tensor(tx, np.array([2, -3, 2**31], np.int64))
    ctx.dispatch(graph, {"x": tx}, {"y": ty})
    np.testing.assert_array_equal(ctx.read_tensor(ty), [4, 9, 2**62])
    ctx.write_tensor(tx, np.array([1, 1, 1], np.int64))
    np.testing.assert_array_equal(ctx.read_tensor(ty), [4, 9, 2**62])  # no aliasing
    ctx.dispatch(graph, {"x": tx}, {"y": ty})
    np.testing.assert_array_equal(ctx.read_tensor(ty), [1, 1, 1])


def test_tensor_handle_errors():
    h = _native.TensorHandle("float16", [2], "cpu")
    assert (h.data_type, h.shape, h.destroyed) == ("float16", [2], False)
    with pytest.raises(OperationError, match="needs 4"):
        h.write(np.zeros(3, np.float16).view(np.uint8))
    h.destroy()
    assert h.destroyed
    with pytest.raises(InvalidStateError, match="destroyed"):
        h.read(np.zeros(2, np.float16).view(np.uint8))
    with pytest.raises(OperationError, match="not available"):
        _native.TensorHandle("float32", [1], "npu")


def _doc(ctx) -> tuple[str, list[np.ndarray]]:
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", {"data_type": "float32", "shape": [2]})
    c = b.constant({"data_type": "float32", "shape": [2]}, np.ones(2, np.float32))
    graph = b.build({"y": b.sub(x, c)})
    return graph.ir.to_document()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(version=99), "version"),
    (lambda d: d["nodes"][0].update(inputs=[0, 9]), "refers to operand 9"),
    (lambda d: d["nodes"][0].update(op="frobnicate"), "frobnicate.*op_support_limits"),
    (lambda d: d["nodes"][0].update(inputs=[0]), r"node 0 \(sub\).*expected 2 inputs"),
    (lambda d: d["operands"][0].update(shape=[-1]), "does not parse"),
    (lambda d: d["operands"][0].update(data_type="bfloat16"), "does not parse"),
    (lambda d: d["outputs"].update(y=0), "not computed by a node"),
])
def test_malformed_documents_are_operation_errors(ctx, edit, message):
    text, buffers = _doc(ctx)
    doc = json.loads(text)
    edit(doc)
    flat = [b.reshape(-1).view(np.uint8) for b in buffers]
    with pytest.raises(OperationError, match=message):
        _native.Graph.compile(json.dumps(doc), flat, "cpu")


def test_constant_buffer_size_is_checked(ctx):
    text, _ = _doc(ctx)
    with pytest.raises(OperationError, match="has 4 bytes"):
        _native.Graph.compile(text, [np.zeros(4, np.uint8)], "cpu")
    with pytest.raises(OperationError, match="missing buffer"):
        _native.Graph.compile(text, [], "cpu")


def test_run_time_buffers_are_checked(ctx):
    text, buffers = _doc(ctx)
    g = _native.Graph.compile(text, [b.reshape(-1).view(np.uint8) for b in buffers], "cpu")
    assert (g.input_names, g.output_names, g.device) == (["x"], ["y"], "cpu")
    out = np.empty(2, np.float32)
    with pytest.raises(OperationError, match="needs 8"):
        g.compute([np.zeros(3, np.uint8)], [out.view(np.uint8)])
    with pytest.raises(OperationError, match="expected 1 inputs"):
        g.compute([], [out.view(np.uint8)])
    ro = np.empty(2, np.float32)
    ro.flags.writeable = False
    with pytest.raises(OperationError, match="read-only"):
        g.compute([np.zeros(8, np.uint8)], [ro.view(np.uint8)])
    g.compute([np.array([3, 4], np.float32).view(np.uint8)], [out.view(np.uint8)])
    np.testing.assert_array_equal(out, [2, 3])


def test_unsupported_type_reaching_rust_says_so(ctx):
    text, buffers = _doc(ctx)
    doc = json.loads(text)
    doc["nodes"][0]["op"] = "sqrt"
    doc["nodes"][0]["inputs"] = [0]
    doc["operands"][0]["data_type"] = "int32"
    doc["operands"][2]["data_type"] = "int32"
    with pytest.raises(OperationError, match="int32 is not implemented.*op_support_limits"):
        _native.Graph.compile(json.dumps(doc), [b.reshape(-1).view(np.uint8)
                                                for b in buffers], "cpu")


def test_libtorch_failure_names_the_node(ctx):
    # A hand-made document whose kernel libtorch rejects at run time (the IR promises an
    # output shape the reshape cannot produce).
    text, _ = _doc(ctx)
    doc = json.loads(text)
    doc["operands"][2]["shape"] = [3]
    doc["nodes"][0] = {"op": "reshape", "inputs": [0], "attrs": {"new_shape": [3]},
                       "outputs": [2], "label": "bad"}
    doc["constants"] = []
    doc["operands"][1]["kind"] = "value"
    g = _native.Graph.compile(json.dumps(doc), [], "cpu")
    with pytest.raises(OperationError, match=r"node 0 \(reshape \[bad\]\) failed: libtorch"):
        g.compute([np.zeros(8, np.uint8)], [np.empty(12, np.uint8)])


def test_eight_threads_match_single_thread(ctx):
    rng = np.random.default_rng(0)
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", {"data_type": "float32", "shape": [64, 64]})
    w = b.constant({"data_type": "float32", "shape": [64, 64]},
                   rng.standard_normal((64, 64)).astype(np.float32))
    y = b.softmax(b.matmul(b.tanh(x), w), 1)
    graph = b.build({"y": b.reduce_sum(y, axes=[0]), "m": b.max(y, x)})
    inputs = [rng.standard_normal((64, 64)).astype(np.float32) for _ in range(8)]
    expected = [ctx.compute(graph, {"x": a}) for a in inputs]
    results: list[list[dict[str, np.ndarray]]] = [[] for _ in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(i: int) -> None:
        try:
            start.wait()
            for _ in range(20):
                results[i].append(ctx.compute(graph, {"x": inputs[i]}))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i in range(8):
        for got in results[i]:
            for name in ("y", "m"):
                np.testing.assert_array_equal(got[name], expected[i][name])
