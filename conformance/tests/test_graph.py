"""Operand resolution and argument mapping, replayed on a recording stub builder."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from webnn_conformance.graph import (
    GraphAssembler,
    MissingOperationError,
    OutputMismatchError,
    TestStructureError,
)
from webnn_conformance.testing import op, tensor, wpt


class Operand:
    def __init__(self, tag: str, shape: tuple[int, ...] = (2,), data_type: str = "float32"):
        self.tag, self.shape, self.data_type = tag, shape, data_type

    def __repr__(self) -> str:
        return self.tag


class StubBuilder:
    """Records calls; every op returns an operand of `shape`, or `multi[name]` of them."""

    def __init__(self, shape=(2,), multi=None, missing=()):
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.shape, self.multi, self.missing = shape, multi or {}, missing

    def input(self, name, desc):
        self.calls.append(("input", (name, desc), {}))
        return Operand(f"in:{name}", desc.shape, desc.data_type)

    def constant(self, desc, array):
        self.calls.append(("constant", (desc, array), {}))
        return Operand(f"const{len(self.calls)}", desc.shape, desc.data_type)

    def __getattr__(self, name):
        if name.startswith("_") or name in self.missing:
            raise AttributeError(name)

        def method(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            n = self.multi.get(name)
            tag = f"{name}{len(self.calls)}"
            if n is None:
                return Operand(tag, self.shape)
            return [Operand(f"{tag}.{i}", self.shape) for i in range(n)]

        return method


def ops_called(builder):
    return [c for c in builder.calls if c[0] not in ("input", "constant")]


def test_operands_inside_options_are_resolved():
    t = wpt(
        {"a": tensor([1, 2], [2]), "b": tensor([1, 2], [2]), "c": tensor([1], [1], constant=True)},
        [op("gemm", ("a", "a"), ("b", "b"),
            ("options", {"c": "c", "alpha": 2, "aTranspose": True, "layout": "nhwc"}))],
        {"out": tensor([0, 0], [2])},
    )  # fmt: skip
    b = StubBuilder()
    GraphAssembler(b, t).run()
    ((name, args, kwargs),) = ops_called(b)
    assert name == "gemm"
    assert [repr(a) for a in args] == ["in:a", "in:b"]
    assert repr(kwargs["c"]).startswith("const")
    assert kwargs["alpha"] == 2
    assert kwargs["a_transpose"] is True
    assert kwargs["layout"] == "nhwc"  # a string that names nothing stays a string


def test_array_arguments_resolve_each_name_once():
    t = wpt(
        {"a": tensor([1, 2], [2]), "b": tensor([3, 4], [2], constant=True)},
        [op("concat", ("inputs", ["a", "b", "a"]), ("axis", 0))],
        {"out": tensor([0, 0], [2])},
    )
    b = StubBuilder()
    assembler = GraphAssembler(b, t)
    assembler.run()
    ((_, args, kwargs),) = ops_called(b)
    assert [repr(x) for x in args[0]] == ["in:a", "const2", "in:a"]
    assert args[1] == 0
    assert kwargs == {}
    assert [c[0] for c in b.calls].count("input") == 1
    assert list(assembler.feeds) == ["a"]  # constants are not fed


def test_multi_output_names_and_chaining():
    t = wpt(
        {"x": tensor([1, 2, 3, 4], [4])},
        [op("split", ("input", "x"), ("splits", 2), outputs=["s1", "s2"]),
         op("add", ("a", "s2"), ("b", "s1"), outputs="sum")],
        {"sum": tensor([0, 0], [2]), "s1": tensor([0, 0], [2])},
    )  # fmt: skip
    b = StubBuilder(multi={"split": 2})
    outputs = GraphAssembler(b, t).run()
    split, add = ops_called(b)
    assert split[1][1] == 2
    assert [repr(x) for x in add[1]] == ["split2.1", "split2.0"]
    assert repr(outputs["sum"]) == "add3"
    assert repr(outputs["s1"]) == "split2.0"


def test_positional_order_and_literals():
    t = wpt(
        {"x": tensor([1, 2], [2], constant=False), "relu": tensor([0], [1])},
        [op("pad", ("input", "x"), ("beginningPadding", [1]), ("endingPadding", [2]),
            ("options", {"mode": "reflection", "activations": ["relu"]}))],
        {"out": tensor([0, 0], [2])},
    )  # fmt: skip
    b = StubBuilder()
    assembler = GraphAssembler(b, t)
    assembler.run()
    ((_, args, kwargs),) = ops_called(b)
    assert args[1:] == ([1], [2])
    # Only plain string option values name operands; lists pass through unchanged.
    assert kwargs == {"mode": "reflection", "activations": ["relu"]}
    assert list(assembler.feeds) == ["x"]
    assert assembler.feeds["x"].dtype == np.float32


def test_cast_type_argument_stays_a_string():
    t = wpt(
        {"x": tensor([1, 2], [2])},
        [op("cast", ("input", "x"), ("type", "int32"))],
        {"out": tensor([0, 0], [2], "float32")},
    )
    b = StubBuilder()
    GraphAssembler(b, t).run()
    assert ops_called(b)[0][1][1] == "int32"


def test_output_descriptor_mismatch_is_a_failure():
    t = wpt({"x": tensor([1, 2], [2])}, [op("abs", ("input", "x"))], {"out": tensor([0], [1])})
    with pytest.raises(OutputMismatchError, match=r"float32 \[2\], expected float32 \[1\]"):
        GraphAssembler(StubBuilder(shape=(2,)), t).run()


def test_missing_builder_method():
    t = wpt({"x": tensor([1, 2], [2])}, [op("isNaN", ("input", "x"))], {"out": tensor(0, [2])})
    with pytest.raises(MissingOperationError, match="'is_nan'"):
        GraphAssembler(StubBuilder(missing=("is_nan",)), t).run()


def test_output_count_mismatch():
    t = wpt(
        {"x": tensor([1, 2], [2])},
        [op("split", ("input", "x"), ("splits", 2), outputs=["a", "b", "c"])],
        {"a": tensor([0, 0], [2])},
    )
    with pytest.raises(TestStructureError, match="2 operand"):
        GraphAssembler(StubBuilder(multi={"split": 2}), t).run()


def test_expected_output_must_be_produced():
    t = wpt({"x": tensor([1, 2], [2])}, [op("abs", ("input", "x"))], {"y": tensor(0, [2])})
    with pytest.raises(TestStructureError, match="'y'"):
        GraphAssembler(StubBuilder(), t).run()
