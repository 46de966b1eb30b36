"""The contract between the core and an execution backend.

A backend receives a validated, fully normalized ``webnn.ir.Graph`` and only does math.
It never re-validates arguments and never fills a default.  What it cannot run it
declares in ``op_support_limits`` so the core rejects it at build time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np

from webnn import ir
from webnn._dtypes import ALL, EXTENSION_4BIT, DataType
from webnn.ops._registry import Desc, Limits

__all__ = ["EXTENSION_4BIT", "Backend", "CompiledGraph", "DeviceType", "limits_to_dict"]

DeviceType = Literal["cpu", "gpu", "npu"]


class CompiledGraph(ABC):
    """A graph prepared once for repeated execution on one device.

    Subclasses that keep the IR as it is can call ``super().__init__(backend, graph)``;
    those that lower it elsewhere may override ``backend`` instead.
    """

    def __init__(self, backend: Backend, graph: ir.Graph) -> None:
        self._backend = backend
        self.graph = graph

    @abstractmethod
    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the graph.  ``inputs`` are C-contiguous arrays whose dtype and shape the
        core has already checked against the graph's input operands."""

    def dispatch(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
        """Run with backend tensor handles.  The default goes through host memory; native
        backends override it to keep data on the device."""
        backend = self.backend
        host = {name: backend.read_tensor(t) for name, t in inputs.items()}
        for name, value in self.compute(host).items():
            if name in outputs:
                backend.write_tensor(outputs[name], value)

    @property
    def backend(self) -> Backend:
        """The backend that compiled this graph."""
        return self._backend

    def destroy(self) -> None:  # noqa: B027  # optional hook: most backends free by GC
        """Release device resources early."""


class Backend(ABC):
    """An execution backend plugin.

    Construction must be cheap: device probing happens in ``devices()``, which the core
    calls only when a context is created or ``webnn.list_backends()`` reports.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "0"
    priority: ClassVar[int] = 0
    max_rank: ClassVar[int] = 8
    # PyWebNN extension data types this backend runs (a subset of EXTENSION_4BIT: "int4",
    # "uint4"), held unpacked one value per byte (int8/uint8).  The default
    # op_support_limits() adds them to the input/constant/output limits and to the op
    # limits whose ``Limits.extension_types`` allow them (quantize_linear,
    # dequantize_linear); a backend that leaves them out never sees them: the core
    # raises UnsupportedError.
    extension_types: ClassVar[tuple[DataType, ...]] = ()

    @abstractmethod
    def devices(self) -> tuple[DeviceType, ...]:
        """The device types usable right now, e.g. ("cpu",) or ("cpu", "gpu")."""

    def limit(self, op: str, operand: str, allowed: Limits, device: DeviceType) -> Limits:
        """Narrow the spec's allowed limits of one operand; the default supports them all.

        ``allowed.data_types`` already includes the operand's extension types that this
        backend lists in ``extension_types`` (and no others)."""
        return allowed

    def op_support_limits(self, device: DeviceType) -> dict[str, Any]:
        """The spec's ``MLOpSupportLimits`` as a dict (snake_case keys)."""
        from webnn.ops import OPS

        result: dict[str, Any] = {
            "preferred_input_layout": "nchw",
            "max_tensor_byte_length": 2**31 - 1,
        }
        extensions = self._extension_types()
        everything = Limits((*ALL, *extensions), max_rank=self.max_rank)
        for where in ("input", "constant", "output"):
            result[where] = limits_to_dict(everything, self.max_rank)
        for op in OPS.values():
            result[op.name] = {
                operand: limits_to_dict(
                    self.limit(op.name, operand, _with_extensions(lim, extensions), device),
                    self.max_rank)
                for operand, lim in op.limits.items()
            }
        return result

    def _extension_types(self) -> tuple[DataType, ...]:
        unknown = [t for t in self.extension_types if t not in EXTENSION_4BIT]
        if unknown:
            raise ValueError(f"backend {self.name!r}: unknown extension data type(s) "
                             f"{', '.join(unknown)}; PyWebNN defines {', '.join(EXTENSION_4BIT)}")
        return tuple(t for t in EXTENSION_4BIT if t in self.extension_types)

    @abstractmethod
    def compile(self, graph: ir.Graph, device: DeviceType) -> CompiledGraph:
        """Prepare ``graph`` for execution on ``device``."""

    # -- MLTensor storage -----------------------------------------------------------------
    @abstractmethod
    def create_tensor(self, desc: Desc, device: DeviceType) -> Any:
        """Allocate a zero-filled tensor and return an opaque handle."""

    @abstractmethod
    def write_tensor(self, handle: Any, data: np.ndarray) -> None:
        """Copy ``data`` (already checked: dtype, shape, contiguous) into the tensor."""

    @abstractmethod
    def read_tensor(self, handle: Any) -> np.ndarray:
        """Return a host copy of the tensor's contents."""

    def destroy_tensor(self, handle: Any) -> None:  # noqa: B027  # optional hook
        """Release a tensor's storage early."""


def _with_extensions(lim: Limits, extensions: tuple[DataType, ...]) -> Limits:
    """``lim`` with the extension types it allows that the backend lists folded into
    ``data_types`` (what a backend's ``limit()`` narrows and what it reports)."""
    extra = tuple(d for d in lim.extension_types if d in extensions)
    return Limits(lim.data_types + extra, lim.min_rank, lim.max_rank, lim.same_as)


def limits_to_dict(lim: Limits, max_rank: int) -> dict[str, Any]:
    hi = max_rank if lim.max_rank is None else min(lim.max_rank, max_rank)
    return {"data_types": list(lim.data_types), "rank_range": {"min": lim.min_rank, "max": hi}}
