"""Helpers for testing WebNN code and backends (public, for third-party backend authors).

* ``SpecBackend``: a backend that accepts every op and data type the spec allows (and the
  int4/uint4 extension) and computes zeros — for testing validation and shape inference
  without real math.
* ``operand(builder, shape, data_type)``: a graph input with a fresh unique name.
* ``run(ctx, build, inputs)``: declare inputs, build a graph with a function, compute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from webnn._builder import MLGraphBuilder, MLOperand
from webnn._context import MLContext
from webnn._descriptors import MLOperandDescriptor
from webnn._dtypes import EXTENSION_4BIT, NUMPY
from webnn.backend import Backend, CompiledGraph, DeviceType
from webnn.ir import Graph
from webnn.ops import Desc

__all__ = ["SpecBackend", "operand", "run"]


class _ZerosGraph(CompiledGraph):
    def compute(self, inputs: Any) -> dict[str, np.ndarray]:
        ops = self.graph.operands
        return {n: np.zeros(ops[i].shape, NUMPY[ops[i].data_type])
                for n, i in self.graph.outputs.items()}


class SpecBackend(Backend):
    """Supports every op and data type the spec allows, and the int4/uint4 extension;
    every output is zeros."""

    name = "spec"
    version = "test"
    priority = -100
    extension_types = EXTENSION_4BIT

    def devices(self) -> tuple[DeviceType, ...]:
        return ("cpu",)

    def compile(self, graph: Graph, device: DeviceType) -> CompiledGraph:
        return _ZerosGraph(self, graph)

    def create_tensor(self, desc: Desc, device: DeviceType) -> np.ndarray:
        return np.zeros(desc.shape, NUMPY[desc.data_type])

    def write_tensor(self, handle: np.ndarray, data: np.ndarray) -> None:
        handle[...] = data

    def read_tensor(self, handle: np.ndarray) -> np.ndarray:
        return np.array(handle, copy=True)


def operand(b: MLGraphBuilder, shape: Sequence[int], data_type: str = "float32",
            name: str | None = None) -> MLOperand:
    """A graph input with a unique name (for shape-inference tests)."""
    name = name or f"in{len(b._operands)}"
    return b.input(name, MLOperandDescriptor(list(shape), data_type))  # type: ignore[arg-type]


def run(ctx: MLContext, build: Callable[[MLGraphBuilder, dict[str, MLOperand]], Any],
        inputs: dict[str, np.ndarray]) -> Any:
    """Declare ``inputs`` as graph inputs, call ``build(builder, operands)`` (returning an
    operand or a list of operands), run the graph and return the array(s)."""
    b = MLGraphBuilder(ctx)
    ops = {n: b.input(n, MLOperandDescriptor(list(a.shape), str(a.dtype)))  # type: ignore[arg-type]
           for n, a in inputs.items()}
    out = build(b, ops)
    many = isinstance(out, (list, tuple))
    outs = list(out) if many else [out]
    graph = b.build({f"out{i}": o for i, o in enumerate(outs)})
    result = ctx.compute(graph, inputs)
    arrays = [result[f"out{i}"] for i in range(len(outs))]
    return arrays if many else arrays[0]
