"""MLGraphBuilder and MLOperand.

The builder's op methods are generated from the op table (``webnn.ops.OPS``): each is a
typed signature around ``_emit``, which runs the shared steps for every op — operand
checks, spec limits, normalize, infer, backend limits, record.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from webnn import ir
from webnn._descriptors import MLOperandDescriptor, as_descriptor, check_dimensions
from webnn._dtypes import (
    ALL,
    NUMPY,
    DataType,
    cast_number,
    check_data_type,
    check_range,
    from_numpy,
)
from webnn._ops_typing import BuilderOps
from webnn.errors import InvalidStateError, UnsupportedError, WebNNTypeError
from webnn.ops import OPS
from webnn.ops._registry import Check, Desc, OpDef

if TYPE_CHECKING:
    from webnn._context import MLContext, MLGraph

__all__ = ["MLGraphBuilder", "MLOperand"]


class MLOperand:
    """A node output, input or constant of one builder (no data)."""

    __slots__ = ("_builder", "_desc", "_id")

    def __init__(self, builder: MLGraphBuilder, oid: int, desc: Desc) -> None:
        self._builder = builder
        self._id = oid
        self._desc = desc

    @property
    def data_type(self) -> DataType:
        return self._desc.data_type

    @property
    def shape(self) -> tuple[int, ...]:
        return self._desc.shape

    @property
    def rank(self) -> int:
        return len(self._desc.shape)

    def __repr__(self) -> str:
        return f"MLOperand(shape={list(self.shape)}, data_type={self.data_type!r})"


class MLGraphBuilder(BuilderOps):
    """Builds one graph for one context (``MLGraphBuilder`` in the spec)."""

    def __init__(self, context: MLContext) -> None:
        from webnn._context import MLContext

        if not isinstance(context, MLContext):
            raise WebNNTypeError(f"MLGraphBuilder: expected an MLContext, got "
                                 f"{type(context).__name__}")
        context._check_alive("MLGraphBuilder")
        self._context = context
        self._limits = context._limits
        self._operands: list[ir.Operand] = []
        self._nodes: list[ir.Node] = []
        self._constants: dict[int, np.ndarray] = {}
        self._input_names: set[str] = set()
        self._built = False

    # -- state ----------------------------------------------------------------------------
    def _check_can_build(self, what: str) -> None:
        if self._built:
            raise InvalidStateError(f"{what}: this MLGraphBuilder has already built a graph")
        self._context._check_alive(what)

    def _new_operand(self, desc: Desc, kind: ir.OperandKind, name: str = "") -> MLOperand:
        oid = len(self._operands)
        self._operands.append(ir.Operand(oid, desc.data_type, desc.shape, kind, name))
        return MLOperand(self, oid, desc)

    def _operand(self, chk: Check, arg: str, value: object) -> MLOperand:
        if not isinstance(value, MLOperand):
            chk.fail(f"{arg} must be an MLOperand, got {type(value).__name__}")
        if value._builder is not self:
            chk.fail(f"{arg} was created by a different MLGraphBuilder")
        return value

    def _check_io_limits(self, chk: Check, where: str, d: Desc) -> None:
        self._context._check_io_type(chk.prefix, where, d.data_type)

    # -- inputs and constants -------------------------------------------------------------
    def input(self, name: str, descriptor: MLOperandDescriptor | Mapping[str, Any]) -> MLOperand:
        self._check_can_build("input")
        if not isinstance(name, str) or not name:
            raise WebNNTypeError(f"input: name must be a non-empty string, got {name!r}")
        if name in self._input_names:
            raise WebNNTypeError(f"input: an input named {name!r} already exists")
        desc = as_descriptor(descriptor, f"input {name!r}")
        check_dimensions(desc, f"input {name!r}", self._context._max_rank,
                         self._limits["max_tensor_byte_length"])
        self._check_io_limits(Check(f"input {name!r}"), "input", desc.desc())
        self._input_names.add(name)
        return self._new_operand(desc.desc(), "input", name)

    def constant(self, *args: Any, **kwargs: Any) -> MLOperand:
        """``constant(descriptor, buffer)``, ``constant(data_type, value)`` (a scalar),
        ``constant(tensor)`` or, as a convenience, ``constant(ndarray)``.

        An int4/uint4 constant needs the descriptor form (or a scalar's data type): its
        buffer holds one value per byte (an int8/uint8 array or bytes, unpacked), each in
        the 4-bit range; an int8 ndarray on its own is always int8."""
        from webnn._context import MLTensor

        bound = list(args) + list(kwargs.values())
        first = bound[0] if bound else None
        dt: DataType
        if isinstance(first, MLTensor) and len(bound) == 1:
            array = self._context._constant_tensor_data(first)
            dt = first.data_type
            self._check_can_build("constant")
        elif isinstance(first, str) and len(bound) == 2:
            self._check_can_build("constant")
            dt = check_data_type(first, "constant")
            value = cast_number(bound[1], dt)
            array = np.array(value, dtype=NUMPY[dt])
        elif isinstance(first, np.ndarray) and len(bound) == 1:
            self._check_can_build("constant")
            dt2 = from_numpy(first.dtype)
            if dt2 is None:
                raise WebNNTypeError(f"constant: numpy dtype {first.dtype} has no WebNN "
                                     f"data type; expected one of {', '.join(ALL)}")
            dt = dt2
            array = np.array(first, copy=True, order="C")
            desc = MLOperandDescriptor(array.shape, dt)
            check_dimensions(desc, "constant", self._context._max_rank,
                             self._limits["max_tensor_byte_length"])
        elif len(bound) == 2:
            self._check_can_build("constant")
            desc = as_descriptor(first, "constant")
            check_dimensions(desc, "constant", self._context._max_rank,
                             self._limits["max_tensor_byte_length"])
            dt = desc.data_type
            array = buffer_to_array(bound[1], desc, "constant")
        else:
            raise WebNNTypeError("constant: expected (descriptor, buffer), (data_type, value), "
                                 "(tensor) or (ndarray)")
        d = Desc(dt, tuple(array.shape))
        self._check_io_limits(Check("constant"), "constant", d)
        operand = self._new_operand(d, "constant")
        array.flags.writeable = False
        self._constants[operand._id] = array
        return operand

    # -- operations -----------------------------------------------------------------------
    def _emit(self, op: OpDef, args: tuple[Any, ...], kwargs: dict[str, Any]
              ) -> MLOperand | list[MLOperand]:
        label = kwargs.pop("label", "")
        if not isinstance(label, str):
            raise WebNNTypeError(f"{op.name}: label must be a string, got {label!r}")
        chk = Check(op.name, label)
        self._check_can_build(chk.prefix)
        bound = self._bind(chk, op, args, kwargs)
        ins, ids = self._gather_operands(chk, op, bound)
        _check_spec_limits(chk, op, ins)
        values = {k: bound[k] for k in op.value_params + op.value_options}
        attrs = op.normalize(chk, ins, values)
        inferred = op.infer(chk, ins, attrs)
        outs = inferred if isinstance(inferred, tuple) else (inferred,)
        for i, d in enumerate(outs):
            chk.output("output" if len(outs) == 1 else f"output {i}", d.shape)
            if d.size > 2**31 - 1:
                chk.fail(f"output shape {list(d.shape)} has too many elements")
        self._check_backend_limits(chk, op, ins, outs)
        results = [self._new_operand(d, "value") for d in outs]
        self._nodes.append(ir.Node(op.name, tuple(ids[n] for n in op.input_names),
                                   MappingProxyType(dict(attrs)),
                                   tuple(r._id for r in results), label))
        return results if op.multi_output else results[0]

    def _bind(self, chk: Check, op: OpDef, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(args) > len(op.params):
            chk.fail(f"takes {len(op.params)} positional argument(s) "
                     f"({', '.join(op.params)}), got {len(args)}")
        bound = dict(zip(op.params, args, strict=False))
        for k in [k for k in kwargs if k in op.params]:
            if k in bound:
                chk.fail(f"got multiple values for argument {k!r}")
            bound[k] = kwargs.pop(k)
        missing = [p for p in op.params if p not in bound]
        if missing:
            chk.fail(f"missing required argument(s): {', '.join(missing)}")
        unknown = [k for k in kwargs if k not in op.options]
        if unknown:
            valid = ", ".join(op.options) or "none besides label"
            chk.fail(f"unknown option(s) {', '.join(unknown)}; valid options: {valid}")
        return bound | {k: kwargs.get(k, default) for k, default in op.options.items()}

    def _gather_operands(self, chk: Check, op: OpDef, bound: dict[str, Any]
                         ) -> tuple[dict[str, Any], dict[str, ir.NodeInput]]:
        ins: dict[str, Any] = {}
        ids: dict[str, ir.NodeInput] = {}
        for name in op.input_names:
            value = bound[name]
            if name == op.sequence_param:
                if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                    chk.fail(f"{name} must be a sequence of MLOperands, got {value!r}")
                items = [self._operand(chk, f"{name}[{i}]", v) for i, v in enumerate(value)]
                ins[name] = tuple(o._desc for o in items)
                ids[name] = tuple(o._id for o in items)
            elif value is None and name in op.options:
                ins[name] = ids[name] = None
            else:
                operand = self._operand(chk, name, value)
                ins[name], ids[name] = operand._desc, operand._id
        return ins, ids

    def _check_backend_limits(self, chk: Check, op: OpDef, ins: Mapping[str, Any],
                              outs: tuple[Desc, ...]) -> None:
        limits = self._limits.get(op.name)
        if limits is None:
            raise UnsupportedError(f"{chk.prefix}: backend {self._context.backend_name!r} "
                                   "does not support this operation")
        named: list[tuple[str, Desc]] = []
        for name, d in ins.items():
            if isinstance(d, tuple):
                named += [(name, x) for x in d]
            elif d is not None:
                named.append((name, d))
        # split names all its outputs "outputs"; gru/lstm name each one (output0, ...).
        out_names = op.outputs[:len(outs)] if len(op.outputs) > 1 else op.outputs * len(outs)
        named += list(zip(out_names, outs, strict=True))
        for name, d in named:
            lim = limits.get(name)
            if lim is None:
                continue
            if d.data_type not in lim["data_types"]:
                raise UnsupportedError(
                    f"{chk.prefix}: {name} data type {d.data_type} is not supported by backend "
                    f"{self._context.backend_name!r} (supported: {', '.join(lim['data_types'])})")
            rr = lim["rank_range"]
            if not rr["min"] <= len(d.shape) <= rr["max"]:
                raise UnsupportedError(
                    f"{chk.prefix}: {name} rank {len(d.shape)} is not supported by backend "
                    f"{self._context.backend_name!r} (supported: {rr['min']} to {rr['max']})")

    # -- build ----------------------------------------------------------------------------
    def build(self, outputs: Mapping[str, MLOperand]) -> MLGraph:
        self._check_can_build("build")
        if not isinstance(outputs, Mapping) or not outputs:
            raise WebNNTypeError("build: outputs must be a non-empty mapping of name to "
                                 "MLOperand")
        chk = Check("build")
        for name, operand in outputs.items():
            if not isinstance(name, str) or not name:
                raise WebNNTypeError(f"build: output name must be a non-empty string, "
                                     f"got {name!r}")
            self._operand(chk, f"output {name!r}", operand)
            kind = self._operands[operand._id].kind
            if kind != "value":
                raise WebNNTypeError(f"build: output {name!r} is a graph {kind}; wrap it in "
                                     "identity() to export it")
        graph = self._prune({n: o._id for n, o in outputs.items()})
        self._built = True
        return self._context._compile_graph(graph)

    def _prune(self, outputs: dict[str, int]) -> ir.Graph:
        """Keep only what the outputs depend on, renumbering operands densely."""
        producer = {o: n for n in self._nodes for o in n.outputs}
        needed: set[int] = set()
        stack = list(outputs.values())
        while stack:
            oid = stack.pop()
            if oid in needed:
                continue
            needed.add(oid)
            node = producer.get(oid)
            if node is not None:
                stack += [o for o in node.outputs if o not in needed]
                for i in node.inputs:
                    if isinstance(i, tuple):
                        stack += i
                    elif i is not None:
                        stack.append(i)
        keep = [o for o in self._operands if o.id in needed]
        new = {o.id: i for i, o in enumerate(keep)}

        def remap(i: ir.NodeInput) -> ir.NodeInput:
            if isinstance(i, tuple):
                return tuple(new[x] for x in i)
            return None if i is None else new[i]

        operands = tuple(ir.Operand(new[o.id], o.data_type, o.shape, o.kind, o.name)
                         for o in keep)
        nodes = tuple(ir.Node(n.op, tuple(remap(i) for i in n.inputs), n.attrs,
                              tuple(new[o] for o in n.outputs), n.label)
                      for n in self._nodes if n.outputs[0] in needed)
        inputs = {o.name: new[o.id] for o in keep if o.kind == "input"}
        constants = {new[k]: v for k, v in self._constants.items() if k in needed}
        return ir.Graph(operands, nodes, MappingProxyType(inputs),
                        MappingProxyType({k: new[v] for k, v in outputs.items()}),
                        MappingProxyType(constants))


def _check_spec_limits(chk: Check, op: OpDef, ins: Mapping[str, Any]) -> None:
    """The spec's allowed data types, ranks and same-type rules for every operand."""
    for name, d in ins.items():
        if d is None:
            continue
        lim = op.limits[name]
        for i, x in enumerate(d if isinstance(d, tuple) else (d,)):
            arg = f"{name}[{i}]" if isinstance(d, tuple) else name
            if x.data_type not in lim.allowed_types:
                chk.fail(f"{arg} data type {x.data_type} is not allowed; expected "
                         f"{' or '.join(lim.allowed_types)}")
            hi = lim.max_rank
            if hi is None and x.rank < lim.min_rank:
                chk.fail(f"{arg} must be of rank {lim.min_rank} or more, got shape "
                         f"{list(x.shape)}")
            if hi is not None and not lim.min_rank <= x.rank <= hi:
                chk.rank(arg, x, lim.min_rank, hi)
            if lim.same_as is not None:
                other = ins.get(lim.same_as)
                if isinstance(other, tuple):
                    other = other[0]
                if other is not None:
                    chk.same_type(arg, x, lim.same_as, other)


def buffer_to_array(buffer: object, desc: MLOperandDescriptor, what: str) -> np.ndarray:
    """The spec's *validate buffer with descriptor*, returning a C-contiguous copy.

    int4/uint4 buffers are unpacked (one value per byte, see ``webnn._dtypes``) and every
    value must lie in the 4-bit range."""
    dtype = NUMPY[desc.data_type]
    if isinstance(buffer, np.ndarray):
        if buffer.dtype != dtype and buffer.dtype != np.uint8:
            raise WebNNTypeError(f"{what}: buffer dtype {buffer.dtype} does not match data "
                                 f"type {desc.data_type}")
        raw = np.ascontiguousarray(buffer).tobytes()
    elif isinstance(buffer, (bytes, bytearray, memoryview)):
        raw = bytes(buffer)
    else:
        raise WebNNTypeError(f"{what}: expected a numpy array or bytes-like buffer, got "
                             f"{type(buffer).__name__}")
    if len(raw) != desc.byte_length:
        raise WebNNTypeError(f"{what}: buffer has {len(raw)} bytes, descriptor "
                             f"{list(desc.shape)} {desc.data_type} needs {desc.byte_length}")
    array: np.ndarray = np.frombuffer(raw, dtype=dtype).reshape(desc.shape).copy()
    check_range(array, desc.data_type, what)
    return array


def _make_method(op: OpDef) -> Any:
    def method(self: MLGraphBuilder, *args: Any, **kwargs: Any) -> Any:
        return self._emit(op, args, kwargs)

    p = inspect.Parameter
    params = [p("self", p.POSITIONAL_OR_KEYWORD)]
    params += [p(n, p.POSITIONAL_OR_KEYWORD) for n in op.params]
    params += [p(n, p.KEYWORD_ONLY, default=d) for n, d in op.options.items()]
    params.append(p("label", p.KEYWORD_ONLY, default=""))
    method.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    method.__name__ = op.name
    method.__qualname__ = f"MLGraphBuilder.{op.name}"
    method.__doc__ = (f"WebNN ``{op.spec}``: "
                      f"https://www.w3.org/TR/webnn/#api-mlgraphbuilder-{op.spec.lower()}")
    return method


for _op in OPS.values():
    setattr(MLGraphBuilder, _op.name, _make_method(_op))
