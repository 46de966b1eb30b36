"""ML, MLContext, MLGraph and MLTensor: the runtime half of the API.

Everything the spec checks synchronously is checked here, before a backend is called, so
a backend sees only well-formed requests.  Backend failures at compile time become
``OperationError`` (spec: ``build()``), at run time ``OperationError`` too.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from webnn import ir
from webnn._descriptors import (
    MLOperandDescriptor,
    MLTensorDescriptor,
    as_descriptor,
    check_dimensions,
)
from webnn._dtypes import NUMPY, DataType, check_range, is_extension
from webnn.backend import Backend, CompiledGraph, DeviceType
from webnn.errors import (
    InvalidStateError,
    NotSupportedError,
    OperationError,
    UnsupportedError,
    WebNNError,
    WebNNTypeError,
)
from webnn.ops import OPS
from webnn.plugins import get_backend

__all__ = ["ML", "MLContext", "MLGraph", "MLTensor", "PowerPreference"]

PowerPreference = Literal["default", "high-performance", "low-power"]
_DEVICE_ORDER: dict[str, tuple[DeviceType, ...]] = {
    "default": ("gpu", "npu", "cpu"),
    "high-performance": ("gpu", "npu", "cpu"),
    "low-power": ("npu", "cpu", "gpu"),
}


class ML:
    """The spec's ``navigator.ml``."""

    def create_context(self, backend: str | None = None, device_type: DeviceType | None = None,
                       power_preference: PowerPreference = "default",
                       accelerated: bool = True) -> MLContext:
        return MLContext(backend=backend, device_type=device_type,
                         power_preference=power_preference, accelerated=accelerated)


def choose_device(available: tuple[DeviceType, ...], device_type: str | None,
                  power_preference: str, accelerated: bool, backend: str) -> DeviceType:
    """Pick a device: explicit ``device_type`` first, else the spec's preferences."""
    if device_type is not None:
        if device_type not in ("cpu", "gpu", "npu"):
            raise WebNNTypeError(f"create_context: device_type must be 'cpu', 'gpu' or 'npu', "
                                 f"got {device_type!r}")
        if device_type not in available:
            raise NotSupportedError(f"create_context: device {device_type!r} is not available "
                                    f"on backend {backend!r}; available: {', '.join(available)}")
        return device_type  # type: ignore[return-value]  # checked against the literal set
    if power_preference not in _DEVICE_ORDER:
        raise WebNNTypeError(f"create_context: power_preference must be one of "
                             f"{', '.join(_DEVICE_ORDER)}, got {power_preference!r}")
    order = ("cpu",) if not accelerated else _DEVICE_ORDER[power_preference]
    for dev in (*order, *available):
        if dev in available:
            return dev
    raise NotSupportedError(f"create_context: backend {backend!r} reports no usable device")


class MLContext:
    """A backend bound to one device.  ``MLContext(backend=...)`` is shorthand for
    ``ML().create_context(...)``."""

    def __init__(self, backend: str | None = None, device_type: DeviceType | None = None,
                 power_preference: PowerPreference = "default", accelerated: bool = True
                 ) -> None:
        self._backend: Backend = get_backend(backend)
        self._device = choose_device(tuple(self._backend.devices()), device_type,
                                     power_preference, accelerated, self._backend.name)
        self._limits: dict[str, Any] = self._backend.op_support_limits(self._device)
        self._max_rank = self._backend.max_rank
        self._lost: str | None = None
        self._graphs: list[MLGraph] = []
        self._tensors: list[MLTensor] = []
        self._lock = threading.Lock()

    # -- properties -----------------------------------------------------------------------
    @property
    def backend_name(self) -> str:
        return self._backend.name

    @property
    def backend(self) -> Backend:
        return self._backend

    @property
    def device_type(self) -> DeviceType:
        return self._device

    @property
    def accelerated(self) -> bool:
        return self._device != "cpu"

    @property
    def lost(self) -> str | None:
        """None while the context is usable, else the loss message (``destroy()``)."""
        return self._lost

    def __repr__(self) -> str:
        return f"MLContext(backend={self.backend_name!r}, device_type={self._device!r})"

    def _check_alive(self, what: str) -> None:
        if self._lost is not None:
            raise InvalidStateError(f"{what}: the MLContext is lost ({self._lost})")

    def op_support_limits(self) -> dict[str, Any]:
        return copy.deepcopy(self._limits)

    def _check_io_type(self, what: str, where: str, dt: DataType) -> None:
        """UnsupportedError when the backend takes no ``dt`` as an input, constant or
        output (``where``) — for int4/uint4, a backend that does not list them."""
        if dt in self._limits[where]["data_types"]:
            return
        note = (" (int4/uint4 are a PyWebNN extension that a backend opts into with "
                "Backend.extension_types)" if is_extension(dt) else "")
        raise UnsupportedError(f"{what}: data type {dt} is not supported for {where}s by "
                               f"backend {self.backend_name!r}{note}")

    def destroy(self) -> None:
        if self._lost is not None:
            return
        self._lost = "the context was destroyed"
        for g in self._graphs:
            g.destroy()
        for t in self._tensors:
            t.destroy()

    # -- graphs ---------------------------------------------------------------------------
    def _compile_graph(self, graph: ir.Graph) -> MLGraph:
        self._check_alive("build")
        try:
            compiled = self._backend.compile(graph, self._device)
        except WebNNError:
            raise
        except Exception as e:  # any backend failure is the spec's OperationError
            raise OperationError(f"build: backend {self.backend_name!r} failed to compile the "
                                 f"graph: {e}") from e
        g = MLGraph(self, graph, compiled)
        self._graphs.append(g)
        return g

    def compile(self, graph: ir.Graph) -> MLGraph:
        """Compile an IR graph (e.g. from ``webnn.load_graph``) on this context."""
        self._check_alive("compile")
        for node in graph.nodes:
            limits = self._limits.get(node.op)
            if node.op not in OPS or limits is None:
                raise UnsupportedError(f"compile: operation {node.op!r} is not supported by "
                                       f"backend {self.backend_name!r}")
        for o in graph.operands:
            if is_extension(o.data_type):
                where = {"input": "input", "constant": "constant"}.get(o.kind, "output")
                self._check_io_type(f"compile: operand {o.id}", where, o.data_type)
        return self._compile_graph(graph)

    def _check_graph(self, what: str, graph: object) -> MLGraph:
        if not isinstance(graph, MLGraph):
            raise WebNNTypeError(f"{what}: expected an MLGraph, got {type(graph).__name__}")
        if graph._context is not self:
            raise WebNNTypeError(f"{what}: the graph belongs to another MLContext")
        if graph._destroyed:
            raise InvalidStateError(f"{what}: the graph has been destroyed")
        return graph

    def compute(self, graph: MLGraph, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Run ``graph`` synchronously on host arrays and return its outputs."""
        self._check_alive("compute")
        g = self._check_graph("compute", graph)
        arrays = g._check_inputs("compute", inputs)
        try:
            result = g._compiled.compute(arrays)
        except WebNNError:
            raise
        except Exception as e:  # backend failure -> OperationError
            raise OperationError(f"compute: backend {self.backend_name!r} failed: {e}") from e
        return result

    def dispatch(self, graph: MLGraph, inputs: Mapping[str, MLTensor],
                 outputs: Mapping[str, MLTensor]) -> None:
        self._check_alive("dispatch")
        g = self._check_graph("dispatch", graph)
        seen: set[int] = set()
        for role, tensors, descs in (("input", inputs, g.input_descriptors),
                                     ("output", outputs, g.output_descriptors)):
            if not isinstance(tensors, Mapping):
                raise WebNNTypeError(f"dispatch: {role}s must be a mapping of name to MLTensor")
            if set(tensors) != set(descs):
                raise WebNNTypeError(f"dispatch: {role} names {sorted(tensors)} do not match "
                                     f"the graph's {sorted(descs)}")
            for name, t in tensors.items():
                self._check_tensor(f"dispatch: {role} {name!r}", t)
                if id(t) in seen:
                    raise WebNNTypeError(f"dispatch: tensor {role} {name!r} is used more than "
                                         "once")
                seen.add(id(t))
                if t.constant:
                    raise WebNNTypeError(f"dispatch: {role} {name!r} is a constant tensor")
                d = descs[name]
                if (t.data_type, t.shape) != (d.data_type, d.shape):
                    raise WebNNTypeError(
                        f"dispatch: {role} {name!r} tensor is {list(t.shape)} {t.data_type}, "
                        f"the graph expects {list(d.shape)} {d.data_type}")
        try:
            g._compiled.dispatch({k: t._handle for k, t in inputs.items()},
                                 {k: t._handle for k, t in outputs.items()})
        except WebNNError:
            raise
        except Exception as e:  # backend failure -> OperationError
            raise OperationError(f"dispatch: backend {self.backend_name!r} failed: {e}") from e

    # -- tensors --------------------------------------------------------------------------
    def create_tensor(self, descriptor: MLTensorDescriptor | Mapping[str, Any]) -> MLTensor:
        self._check_alive("create_tensor")
        desc = as_descriptor(descriptor, "create_tensor", tensor=True)
        assert isinstance(desc, MLTensorDescriptor)
        # The spec forgets *check dimensions* here (digest §4.14); we apply it anyway.
        check_dimensions(desc, "create_tensor", self._max_rank,
                         self._limits["max_tensor_byte_length"])
        if is_extension(desc.data_type) and desc.data_type not in self._limits["output"][
                "data_types"]:
            self._check_io_type("create_tensor", "input", desc.data_type)
        handle = self._backend.create_tensor(desc.desc(), self._device)
        t = MLTensor(self, desc, handle, constant=False)
        self._tensors.append(t)
        return t

    def create_constant_tensor(self, descriptor: MLOperandDescriptor | Mapping[str, Any],
                               data: Any) -> MLTensor:
        from webnn._builder import buffer_to_array

        self._check_alive("create_constant_tensor")
        desc = as_descriptor(descriptor, "create_constant_tensor")
        check_dimensions(desc, "create_constant_tensor", self._max_rank,
                         self._limits["max_tensor_byte_length"])
        if is_extension(desc.data_type):
            self._check_io_type("create_constant_tensor", "constant", desc.data_type)
        array = buffer_to_array(data, desc, "create_constant_tensor")
        array.flags.writeable = False
        t = MLTensor(self, MLTensorDescriptor(desc.shape, desc.data_type), array, constant=True)
        self._tensors.append(t)
        return t

    def _check_tensor(self, what: str, tensor: object) -> MLTensor:
        if not isinstance(tensor, MLTensor):
            raise WebNNTypeError(f"{what}: expected an MLTensor, got {type(tensor).__name__}")
        if tensor._context is not self:
            raise WebNNTypeError(f"{what}: the tensor belongs to another MLContext")
        if tensor._destroyed:
            raise WebNNTypeError(f"{what}: the tensor has been destroyed")
        return tensor

    def _constant_tensor_data(self, tensor: MLTensor) -> np.ndarray:
        t = self._check_tensor("constant", tensor)
        if not t.constant:
            raise WebNNTypeError("constant: the tensor was not created by "
                                 "create_constant_tensor")
        array: np.ndarray = t._handle
        return array

    def write_tensor(self, tensor: MLTensor, data: Any) -> None:
        from webnn._builder import buffer_to_array

        # A lost context has destroyed its tensors: the spec's TypeError comes first.
        t = self._check_tensor("write_tensor", tensor)
        self._check_alive("write_tensor")
        if not t.writable:
            raise WebNNTypeError("write_tensor: the tensor is not writable")
        array = buffer_to_array(_as_buffer(data), t._desc, "write_tensor")
        self._backend.write_tensor(t._handle, array)

    def read_tensor(self, tensor: MLTensor, out: np.ndarray | None = None) -> np.ndarray:
        """Return a copy of the tensor's data, or fill ``out`` (the BYOB form)."""
        t = self._check_tensor("read_tensor", tensor)
        self._check_alive("read_tensor")
        if not t.readable:
            raise WebNNTypeError("read_tensor: the tensor is not readable")
        data = self._backend.read_tensor(t._handle)
        if out is None:
            return data
        if not isinstance(out, np.ndarray) or out.nbytes != data.nbytes:
            raise WebNNTypeError(f"read_tensor: out must be a numpy array of {data.nbytes} "
                                 "bytes")
        if out.dtype not in (data.dtype, np.uint8) or not out.flags.writeable:
            raise WebNNTypeError(f"read_tensor: out must be a writable {data.dtype} or uint8 "
                                 f"array, got {out.dtype}")
        out.reshape(-1).view(np.uint8)[:] = data.reshape(-1).view(np.uint8)
        return out


def _as_buffer(data: Any) -> Any:
    if isinstance(data, (np.ndarray, bytes, bytearray, memoryview)):
        return data
    return np.asarray(data)


class MLGraph:
    """A compiled graph.  The spec gives it no attributes; ``input_descriptors``,
    ``output_descriptors``, ``ir`` and ``save`` are this project's extensions."""

    def __init__(self, context: MLContext, graph: ir.Graph, compiled: CompiledGraph) -> None:
        self._context = context
        self._graph = graph
        self._compiled = compiled
        self._destroyed = False
        ops = graph.operands
        self.input_descriptors: dict[str, MLOperandDescriptor] = {
            n: MLOperandDescriptor(ops[i].shape, ops[i].data_type) for n, i in graph.inputs.items()}
        self.output_descriptors: dict[str, MLOperandDescriptor] = {
            n: MLOperandDescriptor(ops[i].shape, ops[i].data_type)
            for n, i in graph.outputs.items()}

    @property
    def ir(self) -> ir.Graph:
        return self._graph

    def save(self, path: str) -> None:
        self._graph.save(path)

    def destroy(self) -> None:
        if not self._destroyed:
            self._destroyed = True
            self._compiled.destroy()

    def _check_inputs(self, what: str, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
        if not isinstance(inputs, Mapping):
            raise WebNNTypeError(f"{what}: inputs must be a mapping of name to array")
        missing = sorted(set(self.input_descriptors) - set(inputs))
        extra = sorted(set(inputs) - set(self.input_descriptors))
        if missing or extra:
            problems = [f"{label} {names}" for label, names in
                        (("missing inputs", missing), ("unexpected inputs", extra)) if names]
            raise WebNNTypeError(f"{what}: {', '.join(problems)}; the graph takes "
                                 f"{sorted(self.input_descriptors)}")
        return {name: _input_array(what, name, inputs[name], d)
                for name, d in self.input_descriptors.items()}


def _input_array(what: str, name: str, value: Any, d: MLOperandDescriptor) -> np.ndarray:
    """Accept ndarray, torch tensors (``__array__``/DLPack), lists and scalars unchanged in
    value; the caller's object is never modified.  An int4 (uint4) input takes an int8
    (uint8) array whose values lie in the 4-bit range."""
    dtype = NUMPY[d.data_type]
    expects = d.data_type + (f" (held unpacked as {dtype.name})" if is_extension(d.data_type)
                             else "")
    if isinstance(value, (list, tuple, int, float)):
        try:
            array = np.asarray(value, dtype=dtype)
        except (OverflowError, TypeError, ValueError) as e:
            raise WebNNTypeError(f"{what}: input {name!r} does not fit {expects}: {e}") from e
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError, RuntimeError) as e:
            raise WebNNTypeError(f"{what}: input {name!r} cannot be read as an array: {e}") from e
        if array.dtype != dtype:
            raise WebNNTypeError(f"{what}: input {name!r} has dtype {array.dtype}, the graph "
                                 f"expects {expects}")
    if array.shape != d.shape:
        raise WebNNTypeError(f"{what}: input {name!r} has shape {list(array.shape)}, the graph "
                             f"expects {list(d.shape)}")
    check_range(array, d.data_type, f"{what}: input {name!r}")
    # np.ascontiguousarray would turn a 0-D array into shape (1,).
    return array if array.flags.c_contiguous else np.array(array, order="C")


class MLTensor:
    """Device memory owned by a backend (``MLTensor``)."""

    def __init__(self, context: MLContext, desc: MLTensorDescriptor, handle: Any,
                 constant: bool) -> None:
        self._context = context
        self._desc = desc
        self._handle = handle
        self._constant = constant
        self._destroyed = False

    data_type = property(lambda self: self._desc.data_type)
    shape = property(lambda self: self._desc.shape)
    readable = property(lambda self: self._desc.readable)
    writable = property(lambda self: self._desc.writable)
    constant = property(lambda self: self._constant)

    def __repr__(self) -> str:
        return (f"MLTensor(shape={list(self.shape)}, data_type={self.data_type!r}, "
                f"readable={self.readable}, writable={self.writable}, "
                f"constant={self.constant})")

    def destroy(self) -> None:
        if not self._destroyed:
            self._destroyed = True
            if not self._constant:
                self._context._backend.destroy_tensor(self._handle)
            self._handle = None

