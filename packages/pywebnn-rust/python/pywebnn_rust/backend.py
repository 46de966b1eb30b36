"""The ``rust`` backend: devices, support limits, MLTensor storage and compilation.

All math runs in the native module (``pywebnn_rust._native``); this file only moves
numpy buffers across and reports what the Rust kernels implement.

The PyWebNN extension types int4/uint4 (quantize_linear's zero point and output,
dequantize_linear's input and zero point) travel unpacked, one value per byte, in numpy
int8/uint8 arrays; the native module stores them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from pywebnn_rust import __version__, _native
from webnn import DataType
from webnn.backend import Backend, CompiledGraph, DeviceType
from webnn.ir import Graph
from webnn.ops import Desc, Limits

# The numpy storage of the extension types (one value per byte).
_STORAGE_4BIT: dict[str, str] = {"int4": "int8", "uint4": "uint8"}


def _numpy_dtype(data_type: str) -> np.dtype[Any]:
    """The numpy dtype holding an operand of ``data_type`` (int4/uint4: int8/uint8)."""
    return np.dtype(_STORAGE_4BIT.get(data_type, data_type))


def _bytes(array: np.ndarray) -> np.ndarray:
    """A flat uint8 view of a C-contiguous array (copying only if it is not contiguous)."""
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8)


class RustGraph(CompiledGraph):
    """A graph compiled by the native module; safe to run from several threads."""

    def __init__(self, backend: RustBackend, graph: Graph, device: DeviceType) -> None:
        self._backend = backend
        text, buffers = graph.to_document()
        self._native = _native.Graph.compile(text, [_bytes(b) for b in buffers], device)
        self._input_names: list[str] = self._native.input_names
        self._outputs = [(name, _numpy_dtype(graph.operands[graph.outputs[name]].data_type),
                          graph.operands[graph.outputs[name]].shape)
                         for name in self._native.output_names]

    @property
    def backend(self) -> Backend:
        return self._backend

    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = {name: np.empty(shape, dtype) for name, dtype, shape in self._outputs}
        self._native.compute([_bytes(inputs[name]) for name in self._input_names],
                             [_bytes(results[name]) for name, _, _ in self._outputs])
        return results

    def dispatch(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
        self._native.dispatch([inputs[name] for name in self._input_names],
                              [outputs[name] for name, _, _ in self._outputs])


class RustBackend(Backend):
    name: ClassVar[str] = "rust"
    version: ClassVar[str] = __version__
    priority: ClassVar[int] = 20
    # int4/uint4 run unpacked in int8/uint8 storage (quantize/dequantize_linear only; the
    # native tables list them for those two ops).
    extension_types: ClassVar[tuple[DataType, ...]] = ("int4", "uint4")

    def __init__(self) -> None:
        # What the Rust kernels implement, from Rust itself so the two never disagree.
        self.supported: dict[str, frozenset[str]] = {
            op: frozenset(types) for op, types in _native.supported_ops()}
        self._devices: tuple[DeviceType, ...] | None = None

    def devices(self) -> tuple[DeviceType, ...]:
        if self._devices is not None:
            return self._devices
        found: tuple[DeviceType, ...] = ("cpu", "gpu") if _native.cuda_available() else ("cpu",)
        self._devices = found
        return found

    def limit(self, op: str, operand: str, allowed: Limits, device: DeviceType) -> Limits:
        from webnn.ops import OPS

        types = self.supported.get(op)
        if types is None:
            return Limits(data_types=(), max_rank=0)
        # The Rust tables list the types a kernel accepts for its operand inputs; output
        # types follow from the inputs' (the core infers them), so outputs keep the spec's.
        if operand not in OPS[op].input_names:
            return allowed
        kept = tuple(d for d in allowed.data_types if d in types)
        return Limits(kept, allowed.min_rank, allowed.max_rank, allowed.same_as)

    def op_support_limits(self, device: DeviceType) -> dict[str, Any]:
        from webnn.ops import OPS

        limits = super().op_support_limits(device)
        # Operations without a Rust kernel are left out entirely, so the core rejects them.
        return {k: v for k, v in limits.items() if k in self.supported or k not in OPS}

    def compile(self, graph: Graph, device: DeviceType) -> CompiledGraph:
        return RustGraph(self, graph, device)

    def create_tensor(self, desc: Desc, device: DeviceType) -> _native.TensorHandle:
        return _native.TensorHandle(desc.data_type, list(desc.shape), device)

    def write_tensor(self, handle: _native.TensorHandle, data: np.ndarray) -> None:
        handle.write(_bytes(data))

    def read_tensor(self, handle: _native.TensorHandle) -> np.ndarray:
        out = np.empty(handle.shape, _numpy_dtype(handle.data_type))
        handle.read(_bytes(out))
        return out

    def destroy_tensor(self, handle: _native.TensorHandle) -> None:
        handle.destroy()
