"""Per-operator tolerance rules of the WPT WebNN harness (``tolerances.json``).

Fixed values are per output data type; a type an operator does not list compares
exactly (0 ULP).  The shape- and option-dependent rules are functions of the operator's
call (its WPT arguments) and the shapes of the operands it names; like WPT's, they apply
to every output data type unless the rule itself names types (cumulativeSum,
resample2d).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Final

from webnn_conformance.loader import Operator, ToleranceSpec

__all__ = ["FIXED", "FORMULAS", "ZERO_ULP", "fixed_rule"]

Shapes = Mapping[str, tuple[int, ...]]
Formula = Callable[[Operator, Shapes, str], int | float]

_FLOATS: Final = ("float32", "float16")
_ATOL_TRIG: Final = {"float32": 1 / 1024, "float16": 1 / 512}

# Data movement, comparison, logical and exactly-rounded operators: 0 ULP for every type.
ZERO_ULP: Final = frozenset(
    {
        "concat",
        "expand",
        "gather",
        "gatherElements",
        "gatherND",
        "identity",
        "pad",
        "reshape",
        "reverse",
        "scatterElements",
        "scatterND",
        "slice",
        "split",
        "tile",
        "transpose",
        "triangular",
        "equal",
        "notEqual",
        "greater",
        "greaterOrEqual",
        "lesser",
        "lesserOrEqual",
        "logicalNot",
        "logicalAnd",
        "logicalOr",
        "logicalXor",
        "isNaN",
        "isInfinite",
        "where",
        "abs",
        "sign",
        "roundEven",
        "neg",
        "ceil",
        "floor",
        "reduceMax",
        "reduceMin",
    }
)

# op -> (metric, {data type: value}); "*" applies to every data type.
FIXED: Final[dict[str, tuple[str, dict[str, int | float]]]] = {
    "argMax": ("ULP", {"float32": 0, "float16": 0}),
    "argMin": ("ULP", {"float32": 0, "float16": 0}),
    "batchNormalization": ("ULP", {"float32": 6, "float16": 6}),
    "clamp": ("ULP", {"float32": 0, "float16": 0}),
    "add": ("ULP", {"float32": 1, "float16": 1}),
    "sub": ("ULP", {"float32": 1, "float16": 1}),
    "mul": ("ULP", {"float32": 1, "float16": 1}),
    "div": ("ULP", {"float32": 2, "float16": 2}),
    "max": ("ULP", {"float32": 0, "float16": 0}),
    "min": ("ULP", {"float32": 0, "float16": 0}),
    "pow": ("ULP", {"float32": 32, "float16": 2}),
    "exp": ("ULP", {"float32": 32, "float16": 1}),
    "sqrt": ("ULP", {"float32": 1, "float16": 1}),
    "reciprocal": ("ULP", {"float32": 2, "float16": 2}),
    "cast": ("ULP", {"float32": 1, "float16": 1}),
    "elu": ("ULP", {"float32": 18, "float16": 18}),
    "gelu": ("ULP", {"float32": 18, "float16": 18}),
    "hardSigmoid": ("ULP", {"float32": 2, "float16": 2}),
    "hardSwish": ("ULP", {"float32": 4, "float16": 4}),
    "leakyRelu": ("ULP", {"float32": 1, "float16": 2}),
    "linear": ("ULP", {"float32": 2, "float16": 2}),
    "prelu": ("ULP", {"float32": 1, "float16": 1}),
    "relu": ("ULP", {"float32": 0, "float16": 0}),
    "sigmoid": ("ULP", {"float32": 34, "float16": 10}),
    "softplus": ("ULP", {"float32": 18, "float16": 18}),
    "softsign": ("ULP", {"float32": 3, "float16": 3}),
    "tanh": ("ULP", {"float32": 16, "float16": 16}),
    "maxPool2d": ("ULP", {"float32": 0, "float16": 0}),
    "layerNormalization": ("ULP", {"*": 14}),
    "instanceNormalization": ("ULP", {"float32": 840, "float16": 8400}),
    "gru": ("ULP", {"float32": 6, "float16": 6}),
    "gruCell": ("ULP", {"float32": 3, "float16": 3}),
    "lstm": ("ULP", {"float32": 3, "float16": 10}),
    "lstmCell": ("ULP", {"float32": 1, "float16": 1}),
    "quantizeLinear": ("ULP", {t: 1 for t in ("int32", "int8", "uint8", "int4", "uint4")}),
    "dequantizeLinear": ("ULP", {"float32": 1, "float16": 1}),
    "sin": ("ATOL", _ATOL_TRIG),
    "cos": ("ATOL", _ATOL_TRIG),
    "tan": ("ATOL", _ATOL_TRIG),
    "erf": ("ATOL", _ATOL_TRIG),
    "log": ("ATOL", {"float32": 1 / 1024, "float16": 1 / 1024}),
}


def fixed_rule(op: str, data_type: str) -> ToleranceSpec:
    metric, values = FIXED.get(op, ("ULP", {}))
    value = values.get(data_type, values.get("*"))
    if value is None:
        return ToleranceSpec("ULP", 0)
    return ToleranceSpec(metric, value)  # type: ignore[arg-type]  # metric is ULP|ATOL


# -- shape- and option-dependent rules --------------------------------------------------------
def _shape(op: Operator, shapes: Shapes, index: int) -> tuple[int, ...]:
    return shapes[op.argument(index)]


def _number(value: float) -> int | float:
    # JavaScript has one number type; keep integral results as ints for readable reports.
    return int(value) if float(value).is_integer() else value


def _conv(op: Operator, shapes: Shapes, data_type: str) -> int | float:
    x, w, opts = _shape(op, shapes, 0), _shape(op, shapes, 1), op.options
    channels = x[3] if opts.get("inputLayout") == "nhwc" else x[1]
    layout = opts.get("filterLayout", "oihw")
    h_axis = {"hwio": 0, "hwoi": 0, "ohwi": 1, "ihwo": 1}.get(layout, 2)
    return _number(w[h_axis] * w[h_axis + 1] * (channels / opts.get("groups", 1)) * 2)


def _gemm(op: Operator, shapes: Shapes, data_type: str) -> int:
    a, opts = _shape(op, shapes, 0), op.options
    tol = 2 * (a[0] if opts.get("aTranspose") else a[1])
    if "alpha" in opts and opts["alpha"] != 1:
        tol += 1
    if opts.get("c") and opts.get("beta") != 0:
        tol += 1
        if "beta" in opts and opts["beta"] != 1:
            tol += 1
    return tol


def _matmul(op: Operator, shapes: Shapes, data_type: str) -> int:
    return 2 * _shape(op, shapes, 0)[-1]


def _softmax(op: Operator, shapes: Shapes, data_type: str) -> int:
    axis = op.argument(1) if len(op.arguments) == 2 else 1
    return 3 * _shape(op, shapes, 0)[axis] + 3


def _pool(op: Operator, shapes: Shapes, data_type: str) -> int:
    x, opts = _shape(op, shapes, 0), op.options
    if "windowDimensions" in opts:
        h, w = opts["windowDimensions"]
    else:
        h, w = (x[1], x[2]) if opts.get("layout") == "nhwc" else (x[2], x[3])
    return h * w + 2


def _reduced_count(op: Operator, shapes: Shapes) -> int:
    x, axes = _shape(op, shapes, 0), op.options.get("axes")
    if axes is None:
        return math.prod(x)
    return math.prod(x[a] for a in axes)  # a negative axis counts from the end


def _reduction(scale: int, offset: int) -> Formula:
    def rule(op: Operator, shapes: Shapes, data_type: str) -> int:
        return scale * _reduced_count(op, shapes) + offset

    return rule


def _resample(op: Operator, shapes: Shapes, data_type: str) -> int:
    if op.options.get("mode") != "linear":
        return 0
    return {"float32": 84, "float16": 10}.get(data_type, 1)


def _cumulative_sum(op: Operator, shapes: Shapes, data_type: str) -> int:
    if data_type not in _FLOATS:
        return 0
    return _shape(op, shapes, 0)[op.argument(1)] - 1


FORMULAS: Final[dict[str, Formula]] = {
    "conv2d": _conv,
    "convTranspose2d": _conv,
    "gemm": _gemm,
    "matmul": _matmul,
    "softmax": _softmax,
    "averagePool2d": _pool,
    "l2Pool2d": _pool,
    "reduceL1": _reduction(1, 0),
    "reduceSum": _reduction(1, 0),
    "reduceProduct": _reduction(1, 0),
    "reduceMean": _reduction(1, 2),
    "reduceL2": _reduction(2, 2),
    "reduceSumSquare": _reduction(2, 0),
    "reduceLogSum": _reduction(1, 18),
    "reduceLogSumExp": _reduction(2, 18),
    "resample2d": _resample,
    "cumulativeSum": _cumulative_sum,
}
