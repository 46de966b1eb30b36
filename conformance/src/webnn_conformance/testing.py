"""Test helpers: tiny numpy backends and a compact way to write WPT-schema tests.

Used by the runner's own tests and usable by anyone testing tooling around it.

``fakenp`` computes a handful of ops correctly in the operand's own dtype.  The variants
misbehave on purpose: ``fakenp-off`` moves every float result by 3 ULP, ``fakenp-crash``
raises while computing.  Every other op is left out of ``op_support_limits()``, so the
core raises ``UnsupportedError`` for it, as for a real backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

import webnn
from webnn import ir
from webnn.backend import Backend, CompiledGraph, DeviceType
from webnn.ops import Desc
from webnn_conformance.loader import WptTest, parse_test

__all__ = [
    "ALL",
    "CrashingBackend",
    "FakeBackend",
    "OffByUlpsBackend",
    "op",
    "register_fakes",
    "tensor",
    "wpt",
]

Kernel = Callable[[list[Any], Mapping[str, Any]], Any]


def _gemm(args: list[Any], at: Mapping[str, Any]) -> Any:
    a, b, c = args
    a = a.T if at["a_transpose"] else a
    b = b.T if at["b_transpose"] else b
    out = a.dtype.type(at["alpha"]) * (a @ b)
    return out if c is None else out + a.dtype.type(at["beta"]) * c


KERNELS: dict[str, Kernel] = {
    "add": lambda x, at: x[0] + x[1],
    "sub": lambda x, at: x[0] - x[1],
    "mul": lambda x, at: x[0] * x[1],
    "abs": lambda x, at: np.abs(x[0]),
    "neg": lambda x, at: -x[0],
    "identity": lambda x, at: x[0].copy(),
    "clamp": lambda x, at: np.clip(x[0], at["min_value"], at["max_value"]),
    "concat": lambda x, at: np.concatenate(x[0], axis=at["axis"]),
    "split": lambda x, at: np.split(x[0], np.cumsum(at["splits"])[:-1], axis=at["axis"]),
    "gemm": _gemm,
}


class _Compiled(CompiledGraph):
    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        g = self.graph
        values: dict[int, Any] = dict(g.constants)
        values.update({g.inputs[name]: a for name, a in inputs.items()})
        for node in g.nodes:
            args = [
                tuple(values[i] for i in x) if isinstance(x, tuple)
                else None if x is None else values[x]
                for x in node.inputs
            ]
            out = KERNELS[node.op](args, node.attrs)
            outs = out if isinstance(out, list) else [out]
            for oid, o in zip(node.outputs, outs, strict=True):
                values[oid] = np.asarray(o, dtype=g.operands[oid].data_type)
        backend = self.backend
        assert isinstance(backend, FakeBackend)
        return {name: backend.finish(values[oid]) for name, oid in g.outputs.items()}


class FakeBackend(Backend):
    name: ClassVar[str] = "fakenp"

    def devices(self) -> tuple[DeviceType, ...]:
        return ("cpu",)

    def op_support_limits(self, device: DeviceType) -> dict[str, Any]:
        limits = super().op_support_limits(device)
        from webnn.ops import OPS

        return {k: v for k, v in limits.items() if k in KERNELS or k not in OPS}

    def compile(self, graph: ir.Graph, device: DeviceType) -> CompiledGraph:
        return _Compiled(self, graph)

    def finish(self, array: np.ndarray) -> np.ndarray:
        return array

    def create_tensor(self, desc: Desc, device: DeviceType) -> Any:
        return {"data": np.zeros(desc.shape, dtype=desc.data_type)}

    def write_tensor(self, handle: Any, data: np.ndarray) -> None:
        handle["data"] = data.copy()

    def read_tensor(self, handle: Any) -> np.ndarray:
        return np.array(handle["data"], copy=True)


class OffByUlpsBackend(FakeBackend):
    name: ClassVar[str] = "fakenp-off"

    def finish(self, array: np.ndarray) -> np.ndarray:
        if array.dtype.kind != "f":
            return array
        for _ in range(3):
            array = np.nextafter(array, np.inf, dtype=array.dtype)
        return array


class CrashingBackend(FakeBackend):
    name: ClassVar[str] = "fakenp-crash"

    def finish(self, array: np.ndarray) -> np.ndarray:
        raise RuntimeError("simulated kernel crash")


ALL = (FakeBackend(), OffByUlpsBackend(), CrashingBackend())


def register_fakes() -> None:
    """Register the fake backends with ``webnn`` once per process."""
    known = {i.name for i in webnn.list_backends()}
    for backend in ALL:
        if backend.name not in known:
            webnn.register_backend(backend)


def tensor(data: Any, shape: list[int], dtype: str = "float32", **extra: Any) -> dict[str, Any]:
    """A ``graph.inputs`` / ``expectedOutputs`` entry."""
    return {"data": data, "descriptor": {"shape": shape, "dataType": dtype}, **extra}


def op(name: str, *arguments: tuple[str, Any], outputs: Any = "out") -> dict[str, Any]:
    """A ``graph.operators`` entry; ``arguments`` are (label, value) pairs in call order."""
    return {"name": name, "arguments": [{k: v} for k, v in arguments], "outputs": outputs}


def wpt(
    inputs: dict[str, Any],
    operators: list[dict[str, Any]],
    expected: dict[str, Any],
    name: str = "t",
    file: str = "fixture",
    **extra: Any,
) -> WptTest:
    """A parsed test built from its parts."""
    graph = {"inputs": inputs, "operators": operators, "expectedOutputs": expected}
    return parse_test(file, {"name": name, "graph": graph, **extra})
