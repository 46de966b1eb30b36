"""Lowering of a WebNN IR graph to a straight-line torch program.

At compile time each node becomes one step with its kernel, its resolved attributes
and integer slots; constants are converted to device tensors once.  ``compute`` then
only walks the step list, so no name lookup or attribute parsing happens per call.
Each call uses its own slot list, which makes a compiled graph safe to run from
several threads at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from pywebnn_torch._dtypes import TORCH
from pywebnn_torch.ops import KERNELS, Kernel
from webnn.backend import Backend, CompiledGraph
from webnn.errors import OperationError
from webnn.ir import Graph, NodeInput
from webnn.ops import Desc

Step = tuple[Kernel, tuple[NodeInput, ...], Mapping[str, Any], tuple[int, ...],
             tuple[Desc, ...], str]


class TorchGraph(CompiledGraph):
    def __init__(self, backend: Backend, graph: Graph, device: torch.device) -> None:
        self._backend = backend
        self._device = device
        self._graph = graph
        self._inputs = dict(graph.inputs)
        self._outputs = dict(graph.outputs)
        ops = graph.operands
        self._slots: list[torch.Tensor | None] = [None] * len(ops)
        for oid, array in graph.constants.items():
            self._slots[oid] = _to_torch(array, device)
        self._steps: list[Step] = []
        for index, node in enumerate(graph.nodes):
            kernel = KERNELS.get(node.op)
            if kernel is None:
                raise OperationError(f"torch backend has no kernel for {node.op!r}")
            outs = tuple(Desc(ops[o].data_type, ops[o].shape) for o in node.outputs)
            where = f"node {index} ({node.op}{' [' + node.label + ']' if node.label else ''})"
            self._steps.append((kernel, node.inputs, node.attrs, node.outputs, outs, where))

    @property
    def backend(self) -> Backend:
        return self._backend

    def _run(self, slots: list[Any]) -> None:
        for kernel, ins, attrs, out_ids, outs, where in self._steps:
            args = [_fetch(slots, i) for i in ins]
            try:
                result = kernel(args, attrs, outs)
            except (RuntimeError, ValueError, TypeError, IndexError) as e:
                raise OperationError(f"torch backend: {where} failed: {e}") from e
            results = (result,) if isinstance(result, torch.Tensor) else tuple(result)
            for oid, t, d in zip(out_ids, results, outs, strict=True):
                if t.dtype != TORCH[d.data_type] or tuple(t.shape) != d.shape:
                    raise OperationError(
                        f"torch backend: {where} produced {tuple(t.shape)} {t.dtype}, the IR "
                        f"says {d.shape} {d.data_type}")
                slots[oid] = t

    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        slots: list[Any] = list(self._slots)
        with torch.inference_mode():
            for name, oid in self._inputs.items():
                slots[oid] = _to_torch(inputs[name], self._device)
            self._run(slots)
            return {name: _to_numpy(slots[oid]) for name, oid in self._outputs.items()}

    def dispatch(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
        slots = list(self._slots)
        with torch.inference_mode():
            for name, oid in self._inputs.items():
                slots[oid] = inputs[name]
            self._run(slots)
            for name, oid in self._outputs.items():
                outputs[name].copy_(slots[oid])


def _fetch(slots: Sequence[Any], i: NodeInput) -> Any:
    if i is None:
        return None
    if isinstance(i, tuple):
        return [slots[x] for x in i]
    return slots[i]


def _to_torch(array: np.ndarray, device: torch.device) -> torch.Tensor:
    if not array.flags.writeable:
        # torch.from_numpy warns on read-only memory; kernels never write into inputs,
        # but a copy keeps the caller's buffer safe beyond doubt.
        array = array.copy()
    t = torch.from_numpy(array)
    return t if device.type == "cpu" else t.to(device, non_blocking=False)


def _to_numpy(t: torch.Tensor) -> np.ndarray:
    out = t.detach()
    if out.device.type != "cpu":
        out = out.cpu()
    return np.array(out.numpy(), copy=True)
