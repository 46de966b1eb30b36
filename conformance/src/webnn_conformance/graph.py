"""Building a WPT test's graph through the public ``webnn`` API, as the WPT harness does.

Arguments are positional in list order and ``options`` become keyword arguments.  A string
that names a graph input, or an output of an earlier operator, becomes that operand — as a
plain argument, as an item of an array argument (concat's ``inputs``) or as an option
value (``bias``, ``c``, ``initialHiddenState`` ...).  Inputs are created on first use:
``"constant": true`` ones with ``builder.constant(descriptor, array)``, the others with
``builder.input(name, descriptor)`` and fed when the graph runs.  int4/uint4 operands
(PyWebNN's extension types) get their own descriptor and an unpacked int8/uint8 array;
a backend that does not list them makes the core raise ``UnsupportedError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import webnn
from webnn_conformance.data import to_array
from webnn_conformance.loader import Operator, WptTest
from webnn_conformance.naming import operator_name, option_name

__all__ = [
    "BuiltGraph",
    "GraphAssembler",
    "MissingOperationError",
    "OutputMismatchError",
    "TestStructureError",
    "build_graph",
]


class MissingOperationError(AttributeError):
    """``MLGraphBuilder`` has no method for a WPT operator."""


class TestStructureError(ValueError):
    """The test itself is inconsistent (an output name no operator produces, ...)."""

    __test__ = False  # not a pytest test class despite the name


class OutputMismatchError(AssertionError):
    """An output operand's data type or shape differs from the expected descriptor; WPT
    asserts this before building, so it is a failed test."""


@dataclass
class BuiltGraph:
    graph: Any
    feeds: dict[str, np.ndarray]
    outputs: dict[str, Any]
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # The data type of each feed (int4/uint4 feeds are int8/uint8 arrays).
    feed_types: dict[str, str] = field(default_factory=dict)


class GraphAssembler:
    """Replays ``test.graph.operators`` on any object with MLGraphBuilder's interface."""

    def __init__(
        self,
        builder: Any,
        test: WptTest,
        descriptor: Callable[..., Any] = webnn.MLOperandDescriptor,
    ) -> None:
        self._builder = builder
        self._test = test
        self._descriptor = descriptor
        self.operands: dict[str, Any] = {}
        self.feeds: dict[str, np.ndarray] = {}

    def run(self) -> dict[str, Any]:
        """Emit every operator; return the expected outputs' operands, checked against
        their expected descriptors."""
        for op in self._test.operators:
            self._emit(op)
        return self._expected_outputs()

    # -- operands --------------------------------------------------------------------------
    def _names(self, value: object) -> bool:
        return isinstance(value, str) and (value in self._test.inputs or value in self.operands)

    def _operand(self, name: str) -> Any:
        if name not in self.operands:
            spec = self._test.inputs[name]
            desc = self._descriptor(spec.shape, spec.data_type)
            array = to_array(spec)
            if spec.constant:
                self.operands[name] = self._builder.constant(desc, array)
            else:
                self.operands[name] = self._builder.input(name, desc)
                self.feeds[name] = array
        return self.operands[name]

    def _resolve(self, value: Any) -> Any:
        return self._operand(value) if self._names(value) else value

    def _positional(self, value: Any) -> Any:
        if isinstance(value, list) and any(self._names(v) for v in value):
            return [self._resolve(v) for v in value]
        return self._resolve(value)

    # -- operators -------------------------------------------------------------------------
    def _emit(self, op: Operator) -> None:
        name = operator_name(op.name)
        method = getattr(self._builder, name, None)
        if method is None:
            raise MissingOperationError(
                f"MLGraphBuilder has no operation {name!r} (WPT {op.name!r})"
            )
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for label, value in op.arguments:
            if label == "options":
                kwargs = {option_name(k): self._resolve(v) for k, v in value.items()}
            else:
                args.append(self._positional(value))
        result = method(*args, **kwargs)
        self._bind_outputs(op, result)

    def _bind_outputs(self, op: Operator, result: Any) -> None:
        if isinstance(op.outputs, str):
            if isinstance(result, (list, tuple)):
                raise TestStructureError(
                    f"{op.name} returned {len(result)} operands but the "
                    f"test names one output {op.outputs!r}"
                )
            self.operands[op.outputs] = result
            return
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(results) != len(op.outputs):
            raise TestStructureError(
                f"{op.name} returned {len(results)} operand(s) for "
                f"{len(op.outputs)} output names {list(op.outputs)}"
            )
        self.operands.update(zip(op.outputs, results, strict=True))

    def _expected_outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        for name, spec in self._test.expected.items():
            if name not in self.operands or name in self._test.inputs:
                raise TestStructureError(
                    f"expected output {name!r} is not produced by any operator"
                )
            operand = self.operands[name]
            got = (str(operand.data_type), tuple(operand.shape))
            if got != (spec.data_type, spec.shape):
                raise OutputMismatchError(
                    f"output {name!r} is {got[0]} {list(got[1])}, expected {spec.data_type} "
                    f"{list(spec.shape)}"
                )
            outputs[name] = operand
        return outputs

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {n: tuple(o.shape) for n, o in self.operands.items()}


def build_graph(context: webnn.MLContext, test: WptTest) -> BuiltGraph:
    """A fresh builder on ``context``, the test's graph, and the inputs to feed."""
    builder = webnn.MLGraphBuilder(context)
    assembler = GraphAssembler(builder, test)
    outputs = assembler.run()
    graph = builder.build(outputs)
    # build() keeps only inputs the outputs depend on (the spec's graph inputs).
    declared = getattr(graph, "input_descriptors", None)
    feeds = {n: a for n, a in assembler.feeds.items() if declared is None or n in declared}
    types = {n: test.inputs[n].data_type for n in feeds}
    return BuiltGraph(graph, feeds, outputs, assembler.shapes(), types)
