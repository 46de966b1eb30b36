"""The ``reference`` backend: evaluates a WebNN IR graph with numpy in float64.

Float operands are widened to float64 before every op and each op's result is rounded
once to its IR data type, so the only error is the final rounding of each op (plus the
inputs' own precision). Integer ops run in the operand's own type. It supports every op
and data type the specification allows, and PyWebNN's int4/uint4 extension (held unpacked
in int8/uint8), and is meant as an oracle, not for speed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from webnn import ir
from webnn.backend import EXTENSION_4BIT, Backend, CompiledGraph, DeviceType
from webnn.ops import Desc
from webnn_conformance.data import storage_dtype
from webnn_conformance.reference import activation, elementwise, linalg, nn, quant, reduce, rnn
from webnn_conformance.reference import shape as shape_ops
from webnn_conformance.reference._common import Kernel

__all__ = ["KERNELS", "ReferenceBackend", "evaluate"]

KERNELS: dict[str, Kernel] = {
    **elementwise.KERNELS,
    **activation.KERNELS,
    **reduce.KERNELS,
    **shape_ops.KERNELS,
    **nn.KERNELS,
    **linalg.KERNELS,
    **quant.KERNELS,
    **rnn.KERNELS,
}


def _wide(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_wide(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    return value


def _narrow(value: Any, operand: ir.Operand, node: ir.Node) -> np.ndarray:
    array = np.asarray(value).astype(storage_dtype(operand.data_type))
    if array.shape != operand.shape:
        raise AssertionError(
            f"reference: {node.op} produced shape {list(array.shape)}, the IR "
            f"says {list(operand.shape)}"
        )
    return array


def evaluate(graph: ir.Graph, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    values: dict[int, np.ndarray] = dict(graph.constants)
    values.update({graph.inputs[name]: array for name, array in inputs.items()})
    # NaN and Infinity are legitimate results of the math here, not accidents to warn about.
    with np.errstate(all="ignore"):
        for node in graph.nodes:
            args = [
                None
                if i is None
                else _wide(tuple(values[k] for k in i))
                if isinstance(i, tuple)
                else _wide(values[i])
                for i in node.inputs
            ]
            outs = tuple(graph.operands[o] for o in node.outputs)
            result = KERNELS[node.op](args, node.attrs, outs)
            results = result if isinstance(result, list) else [result]
            for operand, r in zip(outs, results, strict=True):
                values[operand.id] = _narrow(r, operand, node)
    return {name: values[oid] for name, oid in graph.outputs.items()}


class _Compiled(CompiledGraph):
    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return evaluate(self.graph, inputs)


class ReferenceBackend(Backend):
    name: ClassVar[str] = "reference"
    version: ClassVar[str] = "float64"
    priority: ClassVar[int] = -50  # never the default choice
    extension_types = EXTENSION_4BIT

    def devices(self) -> tuple[DeviceType, ...]:
        return ("cpu",)

    def compile(self, graph: ir.Graph, device: DeviceType) -> CompiledGraph:
        return _Compiled(self, graph)

    def create_tensor(self, desc: Desc, device: DeviceType) -> dict[str, np.ndarray]:
        return {"data": np.zeros(desc.shape, dtype=storage_dtype(desc.data_type))}

    def write_tensor(self, handle: dict[str, np.ndarray], data: np.ndarray) -> None:
        handle["data"] = data.copy()

    def read_tensor(self, handle: dict[str, np.ndarray]) -> np.ndarray:
        return handle["data"].copy()
