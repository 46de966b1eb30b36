"""input(), constant() and build() of MLGraphBuilder."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import webnn
from webnn.errors import InvalidStateError, WebNNTypeError
from webnn.ops import OPS
from webnn.testing import operand


def test_every_op_has_a_generated_method_matching_its_table_entry():
    for name, op in OPS.items():
        sig = inspect.signature(getattr(webnn.MLGraphBuilder, name))
        params = list(sig.parameters)
        assert params[1:1 + len(op.params)] == list(op.params), name
        kw = [p for p in params if sig.parameters[p].kind is inspect.Parameter.KEYWORD_ONLY]
        assert kw == [*op.options, "label"], name
        assert set(op.limits) >= set(op.input_names), name


def test_input_rules(builder):
    builder.input("x", webnn.MLOperandDescriptor([], "float32"))  # scalars are fine
    with pytest.raises(WebNNTypeError, match="already exists"):
        builder.input("x", webnn.MLOperandDescriptor([1], "float32"))
    with pytest.raises(WebNNTypeError, match="non-empty string"):
        builder.input("", webnn.MLOperandDescriptor([1], "float32"))
    with pytest.raises(WebNNTypeError, match="invalid dimension 0"):
        builder.input("z", webnn.MLOperandDescriptor([2, 0], "float32"))
    with pytest.raises(WebNNTypeError, match="element count"):
        builder.input("big", webnn.MLOperandDescriptor([2**16, 2**16], "int8"))
    with pytest.raises(WebNNTypeError, match="unknown data type 'float64'"):
        webnn.MLOperandDescriptor([1], "float64")  # type: ignore[arg-type]
    assert builder.input("d", {"shape": [3], "data_type": "int8"}).data_type == "int8"


def test_constant_forms(builder):
    a = builder.constant(webnn.MLOperandDescriptor([2], "float32"),
                         np.array([1, 2], np.float32))
    assert a.shape == (2,)
    raw = builder.constant(webnn.MLOperandDescriptor([2], "uint8"),
                           b"\x01\x02")
    assert raw.data_type == "uint8"
    s = builder.constant("int8", 300)
    assert (s.shape, s.data_type) == ((), "int8")
    assert builder._constants[s._id].item() == 127  # saturating cast of an MLNumber
    assert builder.constant("uint32", -5.5).data_type == "uint32"
    with pytest.raises(WebNNTypeError, match="buffer has 4 bytes"):
        builder.constant(webnn.MLOperandDescriptor([2], "float32"), b"\x00" * 4)
    with pytest.raises(WebNNTypeError, match="numpy dtype float64 has no WebNN data type"):
        builder.constant(np.zeros(2))
    with pytest.raises(WebNNTypeError, match="expected"):
        builder.constant()


def test_constant_copies_data(builder):
    data = np.array([1, 2], np.int32)
    c = builder.constant(data)
    data[0] = 99
    assert builder._constants[c._id].tolist() == [1, 2]


def test_build_rules(builder):
    x = operand(builder, [2], name="x")
    with pytest.raises(WebNNTypeError, match="non-empty mapping"):
        builder.build({})
    with pytest.raises(WebNNTypeError, match="graph input; wrap it in identity"):
        builder.build({"y": x})
    with pytest.raises(WebNNTypeError, match="non-empty string"):
        builder.build({"": builder.abs(x)})
    g = builder.build({"y": builder.abs(x), "y2": builder.neg(x)})
    assert sorted(g.output_descriptors) == ["y", "y2"]
    with pytest.raises(InvalidStateError, match="already built"):
        builder.build({"y": builder.abs(x)})
    with pytest.raises(InvalidStateError):
        builder.input("w", webnn.MLOperandDescriptor([1], "float32"))


def test_label_is_sanitized_in_messages(builder):
    a = operand(builder, [2])
    with pytest.raises(WebNNTypeError, match=r"^add \[evil\]: "):
        builder.add(a, operand(builder, [3]), label="e\u202evil")
    with pytest.raises(WebNNTypeError, match="label must be a string"):
        builder.add(a, a, label=3)
