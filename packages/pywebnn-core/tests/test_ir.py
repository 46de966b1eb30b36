"""IR save/load: round trips, and DataError for every kind of damage."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import webnn
from webnn import ir
from webnn.errors import DataError
from webnn.testing import operand


@pytest.fixture
def graph(builder) -> ir.Graph:
    x = operand(builder, [2, 3], name="x")
    c = builder.constant(np.arange(3, dtype=np.float16))
    big = builder.constant("uint64", 2**64 - 1)
    y = builder.add(x, builder.cast(c, "float32")) if hasattr(builder, "cast") else \
        builder.add(x, builder.constant(np.ones(3, np.float32)))
    z = builder.identity(big)
    return builder.build({"y": y, "z": z}).ir


def test_round_trip(graph, tmp_path):
    path = tmp_path / "g.webnn"
    graph.save(path)
    loaded = webnn.load_graph(path)
    assert loaded.operands == graph.operands
    assert [(n.op, n.inputs, dict(n.attrs), n.outputs) for n in loaded.nodes] == \
        [(n.op, n.inputs, dict(n.attrs), n.outputs) for n in graph.nodes]
    assert dict(loaded.inputs) == dict(graph.inputs)
    assert dict(loaded.outputs) == dict(graph.outputs)
    for k, v in graph.constants.items():
        np.testing.assert_array_equal(loaded.constants[k], v)
        assert loaded.constants[k].dtype == v.dtype


def test_non_finite_attributes_survive_the_document():
    node = ir.Node("clamp", (0,), {"min_value": -math.inf, "max_value": math.nan}, (1,))
    ops = (ir.Operand(0, "float32", (2,), "input", "x"), ir.Operand(1, "float32", (2,), "value"))
    g = ir.Graph(ops, (node,), {"x": 0}, {"y": 1}, {})
    text, buffers = g.to_document()
    assert '"-Infinity"' in text
    assert '"NaN"' in text
    back = ir.Graph.from_document(text, buffers)
    assert back.nodes[0].attrs["min_value"] == -math.inf
    assert math.isnan(back.nodes[0].attrs["max_value"])


def test_unused_inputs_and_nodes_are_pruned(builder):
    x = operand(builder, [2], name="x")
    unused = operand(builder, [2], name="unused")
    builder.neg(unused)
    g = builder.build({"y": builder.abs(x)}).ir
    assert list(g.inputs) == ["x"]
    assert [n.op for n in g.nodes] == ["abs"]
    assert [o.id for o in g.operands] == [0, 1]


def _corrupt(path, fn):
    data = bytearray(path.read_bytes())
    fn(data)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("damage", "message"), [
    (lambda d: d.__setitem__(slice(0, 8), b"NOTWEBNN"), "not a PyWebNN graph file"),
    (lambda d: d.__delitem__(slice(10, None)), "truncated"),
    (lambda d: d.__delitem__(slice(-3, None)), "truncated"),
    (lambda d: d.__setitem__(-1, d[-1] ^ 0xFF), "checksum mismatch"),
    (lambda d: d.__setitem__(8, 99), "unsupported format version 99"),
    (lambda d: d.__setitem__(30, ord("}")), "not valid JSON"),
])
def test_damaged_files_raise_data_error(graph, tmp_path, damage, message):
    path = tmp_path / "g.webnn"
    graph.save(path)
    _corrupt(path, damage)
    with pytest.raises(DataError, match=message):
        webnn.load_graph(path)


def test_inconsistent_document_raises_data_error(graph):
    text, buffers = graph.to_document()
    doc = json.loads(text)
    doc["nodes"][0]["inputs"][0] = 999
    with pytest.raises(DataError, match="operand reference 999 is out of range"):
        ir.Graph.from_document(json.dumps(doc), buffers)
    doc = json.loads(text)
    doc["operands"][0]["shape"] = [0]
    with pytest.raises(DataError, match="invalid shape"):
        ir.Graph.from_document(json.dumps(doc), buffers)
    with pytest.raises(DataError, match="has 1 bytes"):
        ir.Graph.from_document(text, [b"\x00", *list(buffers[1:])])
    with pytest.raises(DataError, match="missing buffer"):
        ir.Graph.from_document(text, [])


def test_loaded_graph_compiles_on_a_context(graph, tmp_path, ctx):
    path = tmp_path / "g.webnn"
    graph.save(path)
    g = ctx.compile(webnn.load_graph(path))
    out = ctx.compute(g, {"x": np.zeros((2, 3), np.float32)})
    assert set(out) == {"y", "z"}
