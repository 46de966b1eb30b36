"""Recurrent ops: gru, gru_cell, lstm, lstm_cell (digest §2.23, §2.24, §2.31, §2.32).

The four ops share one validation scheme: a cell validates ``[batch, ...]`` operands, a
sequence op validates the same shapes with a leading ``numDirections`` axis.  Only the
number of gates (3 for GRU, 4 for LSTM) and the state operands differ, so the shape
rules are written once and parameterized by those.

Activations are always resolved in the IR (the spec's defaults filled in), so backends
never know that the option can be absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from webnn._dtypes import FLOATS, MAX_DIMENSION
from webnn.ops._registry import Attrs, Check, Desc, Ins, Limits, OpDef, lim

_ACTIVATIONS: Final = ("relu", "sigmoid", "tanh")
_DIRECTIONS: Final = ("forward", "backward", "both")
_GRU_LAYOUTS: Final = ("zrn", "rzn")
_LSTM_LAYOUTS: Final = ("iofg", "ifgo")
_GRU_ACTIVATIONS: Final = ("sigmoid", "tanh")
_LSTM_ACTIVATIONS: Final = ("sigmoid", "tanh", "tanh")
_GRU_GATES: Final = 3
_LSTM_GATES: Final = 4
# The peephole weight packs the i, o and f gates, whatever the weight layout.
_PEEPHOLE_GATES: Final = 3


# -- normalize --------------------------------------------------------------------------


def _activations(chk: Check, value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    """``sequence<MLRecurrentNetworkActivation>``: absent means the op's default."""
    if value is None:
        return default
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        chk.fail(f"activations must be a sequence of activation names, got {value!r}")
    items = tuple(value)
    for item in items:
        chk.one_of("activations", item, _ACTIVATIONS)
    if len(items) != len(default):
        chk.fail(f"activations must have {len(default)} items, got {len(items)}: "
                 f"{list(items)}")
    return items


def _hidden_size(chk: Check, value: object, gates: int) -> int:
    """The spec checks ``2 * gates * hiddenSize`` (6H for GRU, 8H for LSTM) is a valid
    dimension, which also keeps every ``gates * H`` weight dimension valid."""
    size = chk.integer("hidden_size", value)
    total = 2 * gates * size
    if not 0 < total <= MAX_DIMENSION:
        chk.fail(f"hidden_size {size} is invalid: {2 * gates} * hidden_size = {total} "
                 f"is not a valid dimension (1 to {MAX_DIMENSION})")
    return size


def _cell_attrs(chk: Check, args: Attrs, gates: int, layouts: tuple[str, ...],
                activations: tuple[str, ...]) -> Attrs:
    return {
        "hidden_size": _hidden_size(chk, args["hidden_size"], gates),
        "layout": chk.one_of("layout", args["layout"], layouts),
        "activations": _activations(chk, args["activations"], activations),
    }


def _steps(chk: Check, args: Attrs) -> int:
    # An [EnforceRange] unsigned long; 0 can never match input.shape[0] and the lstm
    # algorithm rejects it explicitly, so both sequence ops reject it up front.
    return chk.integer("steps", args["steps"], lo=1)


# Attribute key order follows docs/ir-ops.md so that saved graphs read like the table.


def _gru_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    steps = _steps(chk, args)
    cell = _cell_attrs(chk, args, _GRU_GATES, _GRU_LAYOUTS, _GRU_ACTIVATIONS)
    return {"steps": steps, "hidden_size": cell["hidden_size"],
            "reset_after": chk.flag("reset_after", args["reset_after"]),
            "return_sequence": chk.flag("return_sequence", args["return_sequence"]),
            "direction": chk.one_of("direction", args["direction"], _DIRECTIONS),
            "layout": cell["layout"], "activations": cell["activations"]}


def _gru_cell_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    cell = _cell_attrs(chk, args, _GRU_GATES, _GRU_LAYOUTS, _GRU_ACTIVATIONS)
    return {"hidden_size": cell["hidden_size"],
            "reset_after": chk.flag("reset_after", args["reset_after"]),
            "layout": cell["layout"], "activations": cell["activations"]}


def _lstm_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    steps = _steps(chk, args)
    cell = _cell_attrs(chk, args, _LSTM_GATES, _LSTM_LAYOUTS, _LSTM_ACTIVATIONS)
    return {"steps": steps, "hidden_size": cell["hidden_size"],
            "return_sequence": chk.flag("return_sequence", args["return_sequence"]),
            "direction": chk.one_of("direction", args["direction"], _DIRECTIONS),
            "layout": cell["layout"], "activations": cell["activations"]}


def _lstm_cell_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return _cell_attrs(chk, args, _LSTM_GATES, _LSTM_LAYOUTS, _LSTM_ACTIVATIONS)


# -- infer ------------------------------------------------------------------------------


def _desc(ins: Ins, name: str) -> Desc:
    d = ins[name]
    assert isinstance(d, Desc)
    return d


def _optional(chk: Check, ins: Ins, name: str, shape: Sequence[int]) -> None:
    """An optional operand must have exactly ``shape`` when present (its data type is
    already checked against the input's by the shared ``same_as`` limit)."""
    d = ins.get(name)
    if d is not None:
        assert isinstance(d, Desc)
        chk.shape(name, d, shape)


def _check_weights(chk: Check, ins: Ins, lead: tuple[int, ...], gates: int, hidden: int,
                   input_size: int) -> None:
    """weight, recurrent_weight, both biases and (LSTM) the peephole weight.

    ``lead`` is ``(numDirections,)`` for the sequence ops and ``()`` for the cells.
    """
    chk.shape("weight", _desc(ins, "weight"), (*lead, gates * hidden, input_size))
    chk.shape("recurrent_weight", _desc(ins, "recurrent_weight"), (*lead, gates * hidden, hidden))
    _optional(chk, ins, "bias", (*lead, gates * hidden))
    _optional(chk, ins, "recurrent_bias", (*lead, gates * hidden))
    if "peephole_weight" in ins:
        _optional(chk, ins, "peephole_weight", (*lead, _PEEPHOLE_GATES * hidden))


def _sequence_infer(chk: Check, ins: Ins, attrs: Attrs, gates: int,
                    states: tuple[str, ...]) -> tuple[Desc, ...]:
    """gru/lstm: one ``[D, batch, H]`` output per state, plus the ``[steps, D, batch, H]``
    sequence of hidden states when ``return_sequence`` is set."""
    x = _desc(ins, "input")
    steps, hidden = attrs["steps"], attrs["hidden_size"]
    if x.shape[0] != steps:
        chk.fail(f"input.shape[0] {x.shape[0]} must equal steps {steps} "
                 f"(input shape {list(x.shape)})")
    batch, input_size = x.shape[1], x.shape[2]
    directions = 2 if attrs["direction"] == "both" else 1
    _check_weights(chk, ins, (directions,), gates, hidden, input_size)
    for name in states:
        _optional(chk, ins, name, (directions, batch, hidden))
    state = Desc(x.data_type, (directions, batch, hidden))
    outs = (state,) * len(states)
    if attrs["return_sequence"]:
        outs += (Desc(x.data_type, (steps, directions, batch, hidden)),)
    return outs


def _cell_infer(chk: Check, ins: Ins, attrs: Attrs, gates: int,
                states: tuple[str, ...]) -> tuple[Desc, ...]:
    """gru_cell/lstm_cell: every state operand is ``[batch, H]`` and so is each output."""
    x = _desc(ins, "input")
    batch, input_size = x.shape
    hidden = attrs["hidden_size"]
    _check_weights(chk, ins, (), gates, hidden, input_size)
    for name in states:
        chk.shape(name, _desc(ins, name), (batch, hidden))
    return (Desc(x.data_type, (batch, hidden)),) * len(states)


def _gru_infer(chk: Check, ins: Ins, attrs: Attrs) -> tuple[Desc, ...]:
    return _sequence_infer(chk, ins, attrs, _GRU_GATES, ("initial_hidden_state",))


def _lstm_infer(chk: Check, ins: Ins, attrs: Attrs) -> tuple[Desc, ...]:
    return _sequence_infer(chk, ins, attrs, _LSTM_GATES,
                           ("initial_hidden_state", "initial_cell_state"))


def _gru_cell_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    return _cell_infer(chk, ins, attrs, _GRU_GATES, ("hidden_state",))[0]


def _lstm_cell_infer(chk: Check, ins: Ins, attrs: Attrs) -> tuple[Desc, ...]:
    return _cell_infer(chk, ins, attrs, _LSTM_GATES, ("hidden_state", "cell_state"))


# -- table ------------------------------------------------------------------------------


def _limits(ranks: dict[str, int]) -> dict[str, Limits]:
    """Every operand and output is float32/float16 with a fixed rank; every operand but
    ``input`` must have the input's data type."""
    return {name: lim(FLOATS, (rank, rank),
                      same_as=None if name == "input" or name.startswith("output") else "input")
            for name, rank in ranks.items()}


OPS: tuple[OpDef, ...] = (
    OpDef("gru", "gru", ("input", "weight", "recurrent_weight", "steps", "hidden_size"),
          options={"bias": None, "recurrent_bias": None, "initial_hidden_state": None,
                   "reset_after": True, "return_sequence": False, "direction": "forward",
                   "layout": "zrn", "activations": None},
          limits=_limits({"input": 3, "weight": 3, "recurrent_weight": 3, "bias": 2,
                          "recurrent_bias": 2, "initial_hidden_state": 3, "output0": 3,
                          "output1": 4}),
          normalize=_gru_normalize, infer=_gru_infer, outputs=("output0", "output1"),
          multi_output=True),
    OpDef("gru_cell", "gruCell",
          ("input", "weight", "recurrent_weight", "hidden_state", "hidden_size"),
          options={"bias": None, "recurrent_bias": None, "reset_after": True,
                   "layout": "zrn", "activations": None},
          limits=_limits({"input": 2, "weight": 2, "recurrent_weight": 2, "hidden_state": 2,
                          "bias": 1, "recurrent_bias": 1, "output": 2}),
          normalize=_gru_cell_normalize, infer=_gru_cell_infer),
    OpDef("lstm", "lstm", ("input", "weight", "recurrent_weight", "steps", "hidden_size"),
          options={"bias": None, "recurrent_bias": None, "peephole_weight": None,
                   "initial_hidden_state": None, "initial_cell_state": None,
                   "return_sequence": False, "direction": "forward", "layout": "iofg",
                   "activations": None},
          limits=_limits({"input": 3, "weight": 3, "recurrent_weight": 3, "bias": 2,
                          "recurrent_bias": 2, "peephole_weight": 2,
                          "initial_hidden_state": 3, "initial_cell_state": 3, "output0": 3,
                          "output1": 3, "output2": 4}),
          normalize=_lstm_normalize, infer=_lstm_infer,
          outputs=("output0", "output1", "output2"), multi_output=True),
    OpDef("lstm_cell", "lstmCell",
          ("input", "weight", "recurrent_weight", "hidden_state", "cell_state", "hidden_size"),
          options={"bias": None, "recurrent_bias": None, "peephole_weight": None,
                   "layout": "iofg", "activations": None},
          limits=_limits({"input": 2, "weight": 2, "recurrent_weight": 2, "hidden_state": 2,
                          "cell_state": 2, "bias": 1, "recurrent_bias": 1,
                          "peephole_weight": 1, "output0": 2, "output1": 2}),
          normalize=_lstm_cell_normalize, infer=_lstm_cell_infer,
          outputs=("output0", "output1"), multi_output=True),
)
