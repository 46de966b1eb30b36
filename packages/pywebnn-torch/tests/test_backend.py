"""The torch backend as a whole: devices, limits, tensors, threads, error mapping."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import webnn
from pywebnn_torch.backend import TorchBackend, probe_devices
from pywebnn_torch.ops import KERNELS
from webnn.errors import NotSupportedError, OperationError
from webnn.ops import OPS
from webnn.testing import run


def _fake_torch(cuda: bool = False, mps: bool = False, npu: bool | None = None,
                broken: bool = False) -> SimpleNamespace:
    def avail(flag: bool):
        def check() -> bool:
            if broken:
                raise RuntimeError("driver exploded")
            return flag
        return SimpleNamespace(is_available=check)

    ns = SimpleNamespace(cuda=avail(cuda), xpu=avail(False),
                         backends=SimpleNamespace(mps=avail(mps)))
    if npu is not None:
        ns.npu = avail(npu)
    return ns


@pytest.mark.parametrize(("fake", "expected"), [
    (_fake_torch(), {"cpu": "cpu"}),
    (_fake_torch(cuda=True), {"cpu": "cpu", "gpu": "cuda"}),
    (_fake_torch(mps=True), {"cpu": "cpu", "gpu": "mps"}),
    (_fake_torch(cuda=True, npu=True), {"cpu": "cpu", "gpu": "cuda", "npu": "npu"}),
    (_fake_torch(cuda=True, broken=True), {"cpu": "cpu"}),
])
def test_device_probing(fake, expected):
    assert probe_devices(fake) == expected


def test_gpu_request_on_this_machine():
    if torch.cuda.is_available():
        assert webnn.MLContext(backend="torch", device_type="gpu").device_type == "gpu"
    else:
        with pytest.raises(NotSupportedError, match="device 'gpu' is not available on "
                                                    "backend 'torch'; available: cpu"):
            webnn.MLContext(backend="torch", device_type="gpu")


def test_limits_cover_exactly_the_kernels(ctx):
    limits = ctx.op_support_limits()
    for name in OPS:
        assert (name in limits) == (name in KERNELS), name
    assert set(KERNELS) <= set(OPS)


def test_compute_from_eight_threads_matches_single_thread(ctx):
    rng = np.random.default_rng(0)
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor([4, 16], "float32"))
    w = b.constant(rng.standard_normal((16, 16), dtype=np.float32))
    y = b.tanh(b.matmul(b.add(x, x), w))
    graph = b.build({"y": y})
    inputs = [rng.standard_normal((4, 16), dtype=np.float32) for _ in range(8)]
    expected = [ctx.compute(graph, {"x": a})["y"] for a in inputs]
    results: list[list[np.ndarray]] = [[] for _ in inputs]
    barrier = threading.Barrier(len(inputs))

    def work(i: int) -> None:
        barrier.wait()
        for _ in range(20):
            results[i].append(ctx.compute(graph, {"x": inputs[i]})["y"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, outs in enumerate(results):
        assert len(outs) == 20
        for out in outs:
            np.testing.assert_array_equal(out, expected[i])


def test_tensors_stay_on_device_and_dispatch(ctx):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor([3], "uint32"))
    graph = b.build({"y": b.add(x, b.constant(np.array([1, 2, 3], np.uint32)))})
    t_in = ctx.create_tensor(webnn.MLTensorDescriptor([3], "uint32", writable=True))
    t_out = ctx.create_tensor(webnn.MLTensorDescriptor([3], "uint32", readable=True))
    assert isinstance(t_in._handle, torch.Tensor)
    ctx.write_tensor(t_in, np.array([10, 20, 2**32 - 1], np.uint32))
    ctx.dispatch(graph, {"x": t_in}, {"y": t_out})
    assert ctx.read_tensor(t_out).tolist() == [11, 22, 2]  # uint32 wraps


def test_inputs_are_not_modified(ctx):
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    data.flags.writeable = False
    out = run(ctx, lambda b, o: b.neg(o["x"]), {"x": data})
    np.testing.assert_array_equal(out, -np.arange(6, dtype=np.float32).reshape(2, 3))


def test_kernel_failure_becomes_operation_error(ctx, monkeypatch):
    import pywebnn_torch.executor as executor

    def broken(args, attrs, outs):
        raise RuntimeError("simulated libtorch failure")

    monkeypatch.setattr(executor, "KERNELS", {**executor.KERNELS, "abs": broken})
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor([2], "float32"))
    graph = b.build({"y": b.abs(x, label="the-abs")})
    with pytest.raises(OperationError, match=r"node 0 \(abs \[the-abs\]\) failed: simulated"):
        ctx.compute(graph, {"x": np.zeros(2, np.float32)})


def test_wrong_kernel_output_is_caught(ctx, monkeypatch):
    import pywebnn_torch.executor as executor

    monkeypatch.setattr(executor, "KERNELS", {
        **executor.KERNELS, "neg": lambda args, attrs, outs: args[0].to(torch.float64)})
    b = webnn.MLGraphBuilder(ctx)
    graph = b.build({"y": b.neg(b.input("x", webnn.MLOperandDescriptor([2], "float32")))})
    with pytest.raises(OperationError, match="produced .* torch.float64, the IR says"):
        ctx.compute(graph, {"x": np.zeros(2, np.float32)})


def test_backend_is_default_over_nothing():
    names = [i.name for i in webnn.list_backends()]
    assert "torch" in names
    assert TorchBackend.priority == 10
