"""Core tests run without any real backend: ``SpecBackend`` accepts everything the spec
allows and cannot compute, so only validation and shape inference are exercised."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import webnn
from webnn import plugins
from webnn.backend import Backend, CompiledGraph
from webnn.ir import Graph
from webnn.ops import Desc


class _NoCompute(CompiledGraph):
    def __init__(self, backend: Backend, graph: Graph) -> None:
        self._backend = backend
        self.graph = graph

    @property
    def backend(self) -> Backend:
        return self._backend

    def compute(self, inputs: Any) -> dict[str, np.ndarray]:
        # Echo zeros of the right shape so context-level checks can be tested.
        ops = self.graph.operands
        return {n: np.zeros(ops[i].shape, ops[i].data_type) for n, i in self.graph.outputs.items()}


class SpecBackend(Backend):
    """Supports every op and data type the spec allows; computes zeros."""

    name = "spec"
    version = "test"
    priority = -100

    def devices(self) -> tuple[Any, ...]:
        return ("cpu",)

    def compile(self, graph: Graph, device: Any) -> CompiledGraph:
        return _NoCompute(self, graph)

    def create_tensor(self, desc: Desc, device: Any) -> np.ndarray:
        return np.zeros(desc.shape, desc.data_type)

    def write_tensor(self, handle: np.ndarray, data: np.ndarray) -> None:
        handle[...] = data

    def read_tensor(self, handle: np.ndarray) -> np.ndarray:
        return handle.copy()


@pytest.fixture(scope="session", autouse=True)
def _spec_backend() -> Iterator[None]:
    plugins.register_backend(SpecBackend())
    yield


@pytest.fixture
def ctx() -> webnn.MLContext:
    return webnn.MLContext(backend="spec")


@pytest.fixture
def builder(ctx: webnn.MLContext) -> webnn.MLGraphBuilder:
    return webnn.MLGraphBuilder(ctx)


def operand(b: webnn.MLGraphBuilder, shape: list[int] | tuple[int, ...],
            data_type: str = "float32", name: str | None = None) -> webnn.MLOperand:
    """A graph input with a unique name (helper for shape-inference tests)."""
    name = name or f"in{len(b._operands)}"
    return b.input(name, webnn.MLOperandDescriptor(list(shape), data_type))  # type: ignore[arg-type]
