"""A minimal third-party backend: a few float32 ops in numpy.

It exists to prove that a backend needs nothing from the core but the public plugin
contract: an entry point in ``pywebnn.backends`` and a ``pywebnn_backends`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from webnn.backend import Backend, CompiledGraph, DeviceType
from webnn.ir import Graph
from webnn.ops import Desc, Limits
from webnn.plugins import hookimpl

_KERNELS: dict[str, Callable[..., np.ndarray]] = {
    "add": np.add,
    "mul": np.multiply,
    "relu": lambda x: np.maximum(x, np.float32(0)),
    "matmul": np.matmul,
}


class _Graph(CompiledGraph):
    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        values: dict[int, np.ndarray] = dict(self.graph.constants)
        values.update({i: inputs[n] for n, i in self.graph.inputs.items()})
        for node in self.graph.nodes:
            args = [values[i] for i in node.inputs]  # type: ignore[index]
            values[node.outputs[0]] = _KERNELS[node.op](*args).astype(np.float32)
        return {n: values[i] for n, i in self.graph.outputs.items()}


class NumpyDemoBackend(Backend):
    name: ClassVar[str] = "numpy-demo"
    version: ClassVar[str] = "0.0.1"
    priority: ClassVar[int] = -10

    def devices(self) -> tuple[DeviceType, ...]:
        return ("cpu",)

    def limit(self, op: str, operand: str, allowed: Limits, device: DeviceType) -> Limits:
        if op not in _KERNELS:
            return Limits(data_types=())
        return Limits(("float32",), allowed.min_rank, allowed.max_rank, allowed.same_as)

    def compile(self, graph: Graph, device: DeviceType) -> CompiledGraph:
        return _Graph(self, graph)

    def create_tensor(self, desc: Desc, device: DeviceType) -> Any:
        return np.zeros(desc.shape, desc.data_type)

    def write_tensor(self, handle: Any, data: np.ndarray) -> None:
        handle[...] = data

    def read_tensor(self, handle: Any) -> np.ndarray:
        return np.array(handle, copy=True)


@hookimpl
def pywebnn_backends() -> list[Backend]:
    return [NumpyDemoBackend()]
