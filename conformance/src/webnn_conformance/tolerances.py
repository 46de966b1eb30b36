"""The tolerance of one test, following the rules of WPT's tolerance functions.

One ``{metric, value}`` is chosen per test, by the data type of the *first* expected
output, and applied to every output:

* a test object's own ``"tolerance"`` wins;
* files whose WPT tolerance function returns one value for the whole graph (``sin``,
  ``gru``, ``dequantizeLinear`` ... and the zero-ULP files) use that function's operator;
* a single-operator graph uses its operator's rule, metric included (ATOL for
  sin/cos/tan/erf/log);
* otherwise the generic rule adds up the ULP values of every operator (ATOL operators,
  and operator/type pairs without a value, add 0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from webnn_conformance.loader import Operator, ToleranceSpec, WptTest
from webnn_conformance.tolerance_rules import FORMULAS, ZERO_ULP, fixed_rule

__all__ = ["WHOLE_GRAPH_FILES", "ZERO_ULP_FILES", "operator_tolerance", "tolerance_for"]

Shapes = Mapping[str, tuple[int, ...]]

# WPT files whose own tolerance function returns one value for the whole graph, and the
# operator whose rule that function implements.
WHOLE_GRAPH_FILES: Final[dict[str, str]] = {
    "cos": "cos",
    "sin": "sin",
    "tan": "tan",
    "erf": "erf",
    "cumulative_sum": "cumulativeSum",
    "reciprocal": "reciprocal",
    "round_even": "roundEven",
    "sign": "sign",
    "where": "where",
    "gru": "gru",
    "gru_cell": "gruCell",
    "lstm": "lstm",
    "lstm_cell": "lstmCell",
    "quantizeLinear": "quantizeLinear",
    "dequantizeLinear": "dequantizeLinear",
}
# Files that pass WPT's getZeroULPTolerance.
ZERO_ULP_FILES: Final = frozenset(
    {
        "gatherElements",
        "gatherND",
        "identity",
        "is_infinite",
        "is_nan",
        "logical_and",
        "logical_or",
        "logical_xor",
        "not_equal",
        "pad",
        "reverse",
        "scatterElements",
        "scatterND",
        "tile",
    }
)


def operator_tolerance(op: Operator, shapes: Shapes, data_type: str) -> ToleranceSpec:
    """One operator's rule for outputs of ``data_type``; 0 ULP when WPT has none."""
    formula: Callable[[Operator, Shapes, str], int | float] | None = FORMULAS.get(op.name)
    if formula is not None:
        return ToleranceSpec("ULP", formula(op, shapes, data_type))
    if op.name in ZERO_ULP:
        return ToleranceSpec("ULP", 0)
    return fixed_rule(op.name, data_type)


def tolerance_for(test: WptTest, shapes: Shapes) -> ToleranceSpec:
    """The tolerance for every output of ``test``.

    ``shapes`` maps operand names (graph inputs and operator outputs) to shapes; rules
    that depend on an intermediate operand's shape read it from there, as WPT does."""
    if test.tolerance is not None:
        return test.tolerance
    data_type = next(iter(test.expected.values())).data_type
    if test.file in ZERO_ULP_FILES:
        return ToleranceSpec("ULP", 0)
    whole = WHOLE_GRAPH_FILES.get(test.file)
    if whole is not None:
        chosen = [op for op in test.operators if op.name == whole] or [test.operators[-1]]
        return operator_tolerance(chosen[0], shapes, data_type)
    if len(test.operators) == 1:
        return operator_tolerance(test.operators[0], shapes, data_type)
    total: int | float = 0
    for op in test.operators:
        rule = operator_tolerance(op, shapes, data_type)
        if rule.metric == "ULP":
            total += rule.value
    return ToleranceSpec("ULP", total)
