"""Shape inference and validation of the recurrent family: gru, gru_cell, lstm, lstm_cell."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.testing import operand

# Operands passed positionally, in call order; every other operand is an option.
POSITIONAL = {
    "gru": ("input", "weight", "recurrent_weight"),
    "gru_cell": ("input", "weight", "recurrent_weight", "hidden_state"),
    "lstm": ("input", "weight", "recurrent_weight"),
    "lstm_cell": ("input", "weight", "recurrent_weight", "hidden_state", "cell_state"),
}
GATES = {"gru": 3, "gru_cell": 3, "lstm": 4, "lstm_cell": 4}


def shapes(op: str, steps: int = 2, batch: int = 3, inp: int = 4, hidden: int = 5,
           dirs: int = 1) -> dict[str, list[int]]:
    """The spec's operand shapes for these dimensions (digest §2.23/2.24/2.31/2.32)."""
    g = GATES[op] * hidden
    if op.endswith("_cell"):
        out = {"input": [batch, inp], "weight": [g, inp], "recurrent_weight": [g, hidden],
               "hidden_state": [batch, hidden], "bias": [g], "recurrent_bias": [g]}
        if op == "lstm_cell":
            out |= {"cell_state": [batch, hidden], "peephole_weight": [3 * hidden]}
        return out
    out = {"input": [steps, batch, inp], "weight": [dirs, g, inp],
           "recurrent_weight": [dirs, g, hidden], "bias": [dirs, g],
           "recurrent_bias": [dirs, g], "initial_hidden_state": [dirs, batch, hidden]}
    if op == "lstm":
        out |= {"peephole_weight": [dirs, 3 * hidden], "initial_cell_state": [dirs, batch, hidden]}
    return out


def call(b: webnn.MLGraphBuilder, op: str, change: dict[str, list[int]] | None = None,
         dtypes: dict[str, str] | None = None, omit: tuple[str, ...] = (),
         dims: dict[str, int] | None = None, **options: Any) -> Any:
    """Call ``op`` with operands of the spec's shapes for ``dims`` (default steps=2,
    batch=3, input=4, hidden=5, one direction), then ``change`` applied; ``steps`` and
    ``hidden_size`` may be overridden through ``options``."""
    dims = dict(dims or {})
    if options.get("direction") == "both":
        dims.setdefault("dirs", 2)
    base = shapes(op, **dims) | (change or {})
    operands = {n: operand(b, s, (dtypes or {}).get(n, "float32"))
                for n, s in base.items() if n not in omit}
    values = {"steps": dims.get("steps", 2)} if op in ("gru", "lstm") else {}
    values["hidden_size"] = dims.get("hidden", 5)
    for k in list(values):
        if k in options:
            values[k] = options.pop(k)
    opts = {n: o for n, o in operands.items() if n not in POSITIONAL[op]}
    return getattr(b, op)(*(operands[n] for n in POSITIONAL[op]), *values.values(),
                          **opts, **options)


def out_shapes(result: Any) -> list[tuple[int, ...]]:
    return [o.shape for o in result] if isinstance(result, list) else [result.shape]


# -- valid cases ----------------------------------------------------------------------------

VALID = [
    # op, dims, omit, options, expected output shapes
    ("gru", {}, (), {}, [(1, 3, 5)]),
    ("gru", {}, (), {"return_sequence": True}, [(1, 3, 5), (2, 1, 3, 5)]),
    ("gru", {}, ("bias", "recurrent_bias", "initial_hidden_state"), {}, [(1, 3, 5)]),
    ("gru", {"steps": 1, "batch": 1, "inp": 1, "hidden": 1}, (),
     {"direction": "both", "return_sequence": True}, [(2, 1, 1), (1, 2, 1, 1)]),
    ("gru", {}, (), {"direction": "backward", "layout": "rzn", "reset_after": False,
                     "activations": ["relu", "relu"]}, [(1, 3, 5)]),
    ("gru_cell", {}, (), {}, [(3, 5)]),
    ("gru_cell", {"batch": 7, "inp": 2, "hidden": 1}, ("bias", "recurrent_bias"),
     {"layout": "rzn", "activations": ("tanh", "sigmoid")}, [(7, 1)]),
    ("lstm", {}, (), {}, [(1, 3, 5), (1, 3, 5)]),
    ("lstm", {}, (), {"return_sequence": True}, [(1, 3, 5), (1, 3, 5), (2, 1, 3, 5)]),
    ("lstm", {"steps": 4, "batch": 2, "inp": 3, "hidden": 6}, (),
     {"direction": "both", "return_sequence": True, "layout": "ifgo"},
     [(2, 2, 6), (2, 2, 6), (4, 2, 2, 6)]),
    ("lstm", {}, ("bias", "recurrent_bias", "peephole_weight", "initial_hidden_state",
                  "initial_cell_state"), {"activations": ["relu"] * 3}, [(1, 3, 5), (1, 3, 5)]),
    ("lstm_cell", {}, (), {}, [(3, 5), (3, 5)]),
    ("lstm_cell", {"batch": 1, "inp": 9, "hidden": 2}, ("bias", "recurrent_bias",
                                                        "peephole_weight"),
     {"layout": "ifgo"}, [(1, 2), (1, 2)]),
]


@pytest.mark.parametrize(("op", "dims", "omit", "options", "expected"), VALID)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_valid_shapes(builder, op, dims, omit, options, expected, dtype):
    names = shapes(op, **dims)
    result = call(builder, op, dtypes=dict.fromkeys(names, dtype), omit=omit, dims=dims,
                  **options)
    assert isinstance(result, list) == (op != "gru_cell")
    assert out_shapes(result) == expected
    outs = result if isinstance(result, list) else [result]
    assert {o.data_type for o in outs} == {dtype}


def node_of(b: webnn.MLGraphBuilder, result: Any) -> Any:
    outs = result if isinstance(result, list) else [result]
    graph = b.build({f"y{i}": o for i, o in enumerate(outs)})
    (node,) = graph.ir.nodes
    return graph, node


@pytest.mark.parametrize(("op", "expected"), [
    ("gru", {"steps": 2, "hidden_size": 5, "reset_after": True, "return_sequence": False,
             "direction": "forward", "layout": "zrn", "activations": ("sigmoid", "tanh")}),
    ("gru_cell", {"hidden_size": 5, "reset_after": True, "layout": "zrn",
                  "activations": ("sigmoid", "tanh")}),
    ("lstm", {"steps": 2, "hidden_size": 5, "return_sequence": False, "direction": "forward",
              "layout": "iofg", "activations": ("sigmoid", "tanh", "tanh")}),
    ("lstm_cell", {"hidden_size": 5, "layout": "iofg",
                   "activations": ("sigmoid", "tanh", "tanh")}),
])
def test_ir_defaults_resolved(builder, op, expected):
    _, node = node_of(builder, call(builder, op, omit=("bias",)))
    assert dict(node.attrs) == expected
    assert list(node.attrs) == list(expected)  # key order of docs/ir-ops.md


@pytest.mark.parametrize(("op", "order"), [
    ("gru", ["input", "weight", "recurrent_weight", "bias", "recurrent_bias",
             "initial_hidden_state"]),
    ("gru_cell", ["input", "weight", "recurrent_weight", "hidden_state", "bias",
                  "recurrent_bias"]),
    ("lstm", ["input", "weight", "recurrent_weight", "bias", "recurrent_bias",
              "peephole_weight", "initial_hidden_state", "initial_cell_state"]),
    ("lstm_cell", ["input", "weight", "recurrent_weight", "hidden_state", "cell_state", "bias",
                   "recurrent_bias", "peephole_weight"]),
])
def test_ir_input_order(builder, op, order):
    """Inputs follow docs/ir-ops.md; an absent optional operand is None."""
    absent = order[-1]
    result = call(builder, op, omit=(absent,))
    graph, node = node_of(builder, result)
    assert node.inputs[-1] is None
    named = {o.name: o.id for o in graph.ir.operands if o.kind == "input"}
    present = [named[f"in{i}"] for i in range(len(order) - 1)]
    # call() declares inputs in shapes() order; map them back through the names.
    declared = [n for n in shapes(op) if n != absent]
    by_name = dict(zip(declared, present, strict=True))
    assert list(node.inputs[:-1]) == [by_name[n] for n in order[:-1]]


def test_explicit_options_kept(builder):
    y = call(builder, "lstm", direction="backward", layout="ifgo", return_sequence=True,
             activations=("relu", "sigmoid", "tanh"))
    _, node = node_of(builder, y)
    assert node.attrs["direction"] == "backward"
    assert node.attrs["layout"] == "ifgo"
    assert node.attrs["activations"] == ("relu", "sigmoid", "tanh")
    assert len(node.outputs) == 3


@pytest.mark.parametrize(("op", "names"), [
    ("gru", {"output0", "output1", "initial_hidden_state"}),
    ("gru_cell", {"output", "hidden_state"}),
    ("lstm", {"output0", "output1", "output2", "peephole_weight", "initial_cell_state"}),
    ("lstm_cell", {"output0", "output1", "cell_state", "peephole_weight"}),
])
def test_support_limit_names(ctx, op, names):
    limits = ctx.op_support_limits()[op]
    assert names <= set(limits)
    assert set(limits["input"]["data_types"]) == {"float32", "float16"}


# -- errors ---------------------------------------------------------------------------------

F16 = "float16"
ERRORS = [
    # (op, call kwargs, message regex); every rule of digest §2.23/2.24/2.31/2.32.
    # -- gru
    ("gru", {"dtypes": dict.fromkeys(shapes("gru"), "int32")},
     r"^gru: input data type int32 is not allowed"),
    ("gru", {"dtypes": {"weight": F16}}, r"^gru: weight data type float16 must match input"),
    ("gru", {"dtypes": {"recurrent_weight": F16}}, r"recurrent_weight data type float16 must"),
    ("gru", {"change": {"input": [2, 3]}}, re.escape("gru: input must be 3-D, got shape [2, 3]")),
    ("gru", {"change": {"weight": [15, 4]}}, r"weight must be 3-D"),
    ("gru", {"change": {"recurrent_weight": [1, 1, 15, 5]}}, r"recurrent_weight must be 3-D"),
    ("gru", {"steps": 3}, r"^gru: input\.shape\[0\] 2 must equal steps 3"),
    ("gru", {"steps": 0}, r"^gru: steps must be in \[1, 4294967295\], got 0"),
    ("gru", {"change": {"weight": [1, 15, 3]}},
     re.escape("gru: weight must have shape [1, 15, 4], got [1, 15, 3]")),
    ("gru", {"direction": "both", "dims": {"dirs": 1}},
     re.escape("weight must have shape [2, 15, 4], got [1, 15, 4]")),
    ("gru", {"change": {"recurrent_weight": [1, 15, 4]}},
     re.escape("recurrent_weight must have shape [1, 15, 5], got [1, 15, 4]")),
    ("gru", {"hidden_size": 0}, r"^gru: hidden_size 0 is invalid: 6 \* hidden_size = 0"),
    ("gru", {"hidden_size": 2**29}, r"6 \* hidden_size = 3221225472 is not a valid dimension"),
    ("gru", {"hidden_size": -1}, r"hidden_size must be in \[0, 4294967295\], got -1"),
    ("gru", {"hidden_size": 2.5}, r"hidden_size must be an integer, got 2\.5"),
    ("gru", {"dtypes": {"bias": F16}}, r"^gru: bias data type float16 must match input"),
    ("gru", {"change": {"bias": [1, 14]}}, re.escape("bias must have shape [1, 15], got [1, 14]")),
    ("gru", {"change": {"bias": [15]}}, re.escape("bias must be 2-D, got shape [15]")),
    ("gru", {"dtypes": {"recurrent_bias": F16}}, r"recurrent_bias data type float16 must"),
    ("gru", {"change": {"recurrent_bias": [2, 15]}},
     re.escape("recurrent_bias must have shape [1, 15], got [2, 15]")),
    ("gru", {"dtypes": {"initial_hidden_state": F16}},
     r"initial_hidden_state data type float16 must match input"),
    ("gru", {"change": {"initial_hidden_state": [1, 2, 5]}},
     re.escape("initial_hidden_state must have shape [1, 3, 5], got [1, 2, 5]")),
    ("gru", {"activations": ["relu"]},
     re.escape("gru: activations must have 2 items, got 1: ['relu']")),
    ("gru", {"activations": ["relu", "gelu"]},
     r"activations must be one of 'relu', 'sigmoid', 'tanh', got 'gelu'"),
    ("gru", {"activations": "relu"}, r"activations must be a sequence of activation names"),
    ("gru", {"direction": "sideways"}, r"^gru: direction must be one of 'forward', 'backward', "),
    ("gru", {"layout": "iofg"}, r"^gru: layout must be one of 'zrn', 'rzn', got 'iofg'"),
    ("gru", {"reset_after": "yes"}, r"reset_after must be a boolean, got 'yes'"),
    ("gru", {"omit": ("bias",), "bias": 1.0}, r"^gru: bias must be an MLOperand, got float"),
    # -- gru_cell
    ("gru_cell", {"dtypes": dict.fromkeys(shapes("gru_cell"), "int8")},
     r"^gru_cell: input data type int8 is not allowed"),
    ("gru_cell", {"dtypes": {"weight": F16}}, r"weight data type float16 must match input"),
    ("gru_cell", {"dtypes": {"recurrent_weight": F16}}, r"recurrent_weight data type float16"),
    ("gru_cell", {"dtypes": {"hidden_state": F16}}, r"hidden_state data type float16 must"),
    ("gru_cell", {"change": {"input": [1, 3, 4]}}, re.escape("input must be 2-D, got shape")),
    ("gru_cell", {"change": {"weight": [15]}}, r"^gru_cell: weight must be 2-D"),
    ("gru_cell", {"change": {"recurrent_weight": [1, 15, 5]}}, r"recurrent_weight must be 2-D"),
    ("gru_cell", {"change": {"hidden_state": [15]}}, r"hidden_state must be 2-D"),
    ("gru_cell", {"change": {"weight": [12, 4]}},
     re.escape("weight must have shape [15, 4], got [12, 4]")),
    ("gru_cell", {"change": {"recurrent_weight": [15, 15]}},
     re.escape("recurrent_weight must have shape [15, 5], got [15, 15]")),
    ("gru_cell", {"change": {"hidden_state": [3, 4]}},
     re.escape("hidden_state must have shape [3, 5], got [3, 4]")),
    ("gru_cell", {"hidden_size": 0}, r"^gru_cell: hidden_size 0 is invalid"),
    ("gru_cell", {"dtypes": {"bias": F16}}, r"^gru_cell: bias data type float16 must"),
    ("gru_cell", {"change": {"bias": [5]}}, re.escape("bias must have shape [15], got [5]")),
    ("gru_cell", {"change": {"bias": [1, 15]}}, re.escape("bias must be 1-D")),
    ("gru_cell", {"dtypes": {"recurrent_bias": F16}}, r"recurrent_bias data type float16"),
    ("gru_cell", {"change": {"recurrent_bias": [16]}},
     re.escape("recurrent_bias must have shape [15], got [16]")),
    ("gru_cell", {"activations": ("sigmoid", "tanh", "tanh")}, r"activations must have 2 items"),
    ("gru_cell", {"layout": "ifgo"}, r"^gru_cell: layout must be one of 'zrn', 'rzn'"),
    # -- lstm
    ("lstm", {"dtypes": dict.fromkeys(shapes("lstm"), "uint8")},
     r"^lstm: input data type uint8 is not allowed"),
    ("lstm", {"dtypes": {"weight": F16}}, r"^lstm: weight data type float16 must match"),
    ("lstm", {"dtypes": {"recurrent_weight": F16}}, r"recurrent_weight data type float16"),
    ("lstm", {"change": {"input": [2, 3, 4, 1]}}, r"^lstm: input must be 3-D"),
    ("lstm", {"change": {"weight": [20, 4]}}, r"weight must be 3-D"),
    ("lstm", {"change": {"recurrent_weight": [20, 5]}}, r"recurrent_weight must be 3-D"),
    ("lstm", {"steps": 0}, r"^lstm: steps must be in \[1, 4294967295\], got 0"),
    ("lstm", {"steps": 1}, r"^lstm: input\.shape\[0\] 2 must equal steps 1"),
    ("lstm", {"change": {"weight": [1, 15, 4]}},
     re.escape("lstm: weight must have shape [1, 20, 4], got [1, 15, 4]")),
    ("lstm", {"change": {"recurrent_weight": [1, 20, 4]}},
     re.escape("recurrent_weight must have shape [1, 20, 5], got [1, 20, 4]")),
    ("lstm", {"hidden_size": 0}, r"^lstm: hidden_size 0 is invalid: 8 \* hidden_size = 0"),
    ("lstm", {"hidden_size": 2**28}, r"8 \* hidden_size = 2147483648 is not a valid dimension"),
    ("lstm", {"dtypes": {"bias": F16}}, r"^lstm: bias data type float16 must match input"),
    ("lstm", {"change": {"bias": [1, 15]}}, re.escape("bias must have shape [1, 20], got")),
    ("lstm", {"dtypes": {"recurrent_bias": F16}}, r"recurrent_bias data type float16"),
    ("lstm", {"change": {"recurrent_bias": [1, 21]}}, re.escape("recurrent_bias must have shape")),
    ("lstm", {"dtypes": {"peephole_weight": F16}}, r"peephole_weight data type float16 must"),
    ("lstm", {"change": {"peephole_weight": [1, 20]}},
     re.escape("peephole_weight must have shape [1, 15], got [1, 20]")),
    ("lstm", {"change": {"peephole_weight": [15]}}, re.escape("peephole_weight must be 2-D")),
    ("lstm", {"dtypes": {"initial_hidden_state": F16}}, r"initial_hidden_state data type"),
    ("lstm", {"change": {"initial_hidden_state": [1, 3, 4]}},
     re.escape("initial_hidden_state must have shape [1, 3, 5], got [1, 3, 4]")),
    ("lstm", {"dtypes": {"initial_cell_state": F16}}, r"initial_cell_state data type float16"),
    ("lstm", {"change": {"initial_cell_state": [2, 3, 5]}},
     re.escape("initial_cell_state must have shape [1, 3, 5], got [2, 3, 5]")),
    ("lstm", {"activations": ["sigmoid", "tanh"]},
     re.escape("lstm: activations must have 3 items, got 2")),
    ("lstm", {"direction": "Both"}, r"^lstm: direction must be one of"),
    ("lstm", {"layout": "zrn"}, r"^lstm: layout must be one of 'iofg', 'ifgo', got 'zrn'"),
    ("lstm", {"return_sequence": None}, r"return_sequence must be a boolean, got None"),
    # -- lstm_cell
    ("lstm_cell", {"dtypes": dict.fromkeys(shapes("lstm_cell"), "int64")},
     r"^lstm_cell: input data type int64 is not allowed"),
    ("lstm_cell", {"dtypes": {"weight": F16}}, r"weight data type float16 must match"),
    ("lstm_cell", {"dtypes": {"recurrent_weight": F16}}, r"recurrent_weight data type"),
    ("lstm_cell", {"dtypes": {"hidden_state": F16}}, r"hidden_state data type float16"),
    ("lstm_cell", {"dtypes": {"cell_state": F16}}, r"cell_state data type float16 must"),
    ("lstm_cell", {"change": {"input": [4]}}, r"^lstm_cell: input must be 2-D"),
    ("lstm_cell", {"change": {"weight": [1, 20, 4]}}, r"weight must be 2-D"),
    ("lstm_cell", {"change": {"recurrent_weight": [20]}}, r"recurrent_weight must be 2-D"),
    ("lstm_cell", {"change": {"hidden_state": [1, 3, 5]}}, r"hidden_state must be 2-D"),
    ("lstm_cell", {"change": {"cell_state": [3]}}, r"cell_state must be 2-D"),
    ("lstm_cell", {"change": {"weight": [20, 5]}},
     re.escape("weight must have shape [20, 4], got [20, 5]")),
    ("lstm_cell", {"change": {"recurrent_weight": [15, 5]}},
     re.escape("recurrent_weight must have shape [20, 5], got [15, 5]")),
    ("lstm_cell", {"change": {"hidden_state": [2, 5]}},
     re.escape("hidden_state must have shape [3, 5], got [2, 5]")),
    ("lstm_cell", {"change": {"cell_state": [3, 6]}},
     re.escape("cell_state must have shape [3, 5], got [3, 6]")),
    ("lstm_cell", {"hidden_size": 2**28}, r"^lstm_cell: hidden_size 268435456 is invalid"),
    ("lstm_cell", {"dtypes": {"bias": F16}}, r"^lstm_cell: bias data type float16"),
    ("lstm_cell", {"change": {"bias": [4]}}, re.escape("bias must have shape [20], got [4]")),
    ("lstm_cell", {"dtypes": {"recurrent_bias": F16}}, r"recurrent_bias data type float16"),
    ("lstm_cell", {"change": {"recurrent_bias": [15]}},
     re.escape("recurrent_bias must have shape [20], got [15]")),
    ("lstm_cell", {"dtypes": {"peephole_weight": F16}}, r"peephole_weight data type float16"),
    ("lstm_cell", {"change": {"peephole_weight": [20]}},
     re.escape("peephole_weight must have shape [15], got [20]")),
    ("lstm_cell", {"activations": ["relu"] * 4}, r"activations must have 3 items, got 4"),
]


@pytest.mark.parametrize(("op", "kwargs", "pattern"), ERRORS)
def test_errors(builder, op, kwargs, pattern):
    with pytest.raises(WebNNTypeError, match=pattern):
        call(builder, op, **kwargs)


def test_error_names_label(builder):
    with pytest.raises(WebNNTypeError, match=r"^lstm_cell \[enc\.0\]: weight must have shape"):
        call(builder, "lstm_cell", change={"weight": [4, 4]}, label="enc.0")


def test_operand_from_other_builder(ctx, builder):
    other = webnn.MLGraphBuilder(ctx)
    foreign = operand(other, [1, 15])
    with pytest.raises(WebNNTypeError, match="^gru: bias was created by a different"):
        call(builder, "gru", omit=("bias",), bias=foreign)


def test_failed_call_leaves_builder_usable(builder):
    with pytest.raises(WebNNTypeError):
        call(builder, "gru_cell", change={"hidden_state": [3, 4]})
    y = call(builder, "gru_cell")
    graph = builder.build({"h": y})
    assert [n.op for n in graph.ir.nodes] == ["gru_cell"]


# -- property -------------------------------------------------------------------------------


@st.composite
def rnn_calls(draw: st.DrawFn) -> tuple[str, dict[str, int], dict[str, Any], str | None, int]:
    op = draw(st.sampled_from(sorted(POSITIONAL)))
    dims = {"steps": draw(st.integers(1, 4)), "batch": draw(st.integers(1, 4)),
            "inp": draw(st.integers(1, 4)), "hidden": draw(st.integers(1, 4))}
    options: dict[str, Any] = {}
    if not op.endswith("_cell"):
        options["direction"] = draw(st.sampled_from(["forward", "backward", "both"]))
        options["return_sequence"] = draw(st.booleans())
    # Corrupt one dimension of one operand (or nothing); with every optional operand
    # present, each such change breaks a rule.
    names = sorted(shapes(op))
    target = draw(st.none() | st.sampled_from(names))
    axis = draw(st.integers(0, 3))
    return op, dims, options, target, axis


@given(rnn_calls())
def test_shape_property(case):
    """Valid calls give the formula's shapes; a call with one wrong dimension raises
    WebNNTypeError naming the op."""
    op, dims, options, target, axis = case
    b = webnn.MLGraphBuilder(webnn.MLContext(backend="spec"))
    dirs = 2 if options.get("direction") == "both" else 1
    base = shapes(op, **dims, dirs=dirs)
    if target is None:
        result = call(b, op, dims=dims, **options)
        batch, hidden, steps = dims["batch"], dims["hidden"], dims["steps"]
        if op.endswith("_cell"):
            expected = [(batch, hidden)] * (2 if op == "lstm_cell" else 1)
        else:
            expected = [(dirs, batch, hidden)] * (2 if op == "lstm" else 1)
            if options["return_sequence"]:
                expected.append((steps, dirs, batch, hidden))
        assert out_shapes(result) == expected
        return
    bad = list(base[target])
    bad[axis % len(bad)] += 1
    with pytest.raises(WebNNTypeError, match=f"^{op}: "):
        call(b, op, change={target: bad}, dims=dims, **options)
