"""Activations, softmax, prelu and clamp (digest §2.4, 2.16, 2.21, 2.25, 2.26, 2.29, 2.30,
2.36, 2.38, 2.44, 2.46–2.48, 2.50).

Most activations are a float-only copy of their input; what differs is their ``double``
options, which all follow one rule (finite, then cast to the input type), so each op is
a table row naming its options and defaults.
"""

from __future__ import annotations

from collections.abc import Mapping

from webnn._dtypes import ALL, FLOATS, DataType, cast_number, int_range, is_float
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim, same_as_input

# relu and prelu also take the signed integers (not uint*, where they are the identity).
RELU_TYPES: tuple[DataType, ...] = ("float32", "float16", "int64", "int32", "int8")


def _input(ins: Ins, name: str = "input") -> Desc:
    d = ins[name]
    assert isinstance(d, Desc)
    return d


def _doubles(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    """WebIDL ``double`` options (alpha, beta): finite, then cast to the input type.

    The cast keeps the value a Python float, now rounded to float16 for float16 inputs,
    which is what browsers multiply with.
    """
    dt = _input(ins).data_type
    return {k: float(cast_number(chk.finite(k, v), dt)) for k, v in args.items()}


def _activation(name: str, spec: str, options: Mapping[str, float] | None = None,
                dtypes: tuple[DataType, ...] = FLOATS) -> OpDef:
    return OpDef(name, spec, ("input",), infer=same_as_input, options=dict(options or {}),
                 normalize=_doubles,
                 limits={"input": lim(dtypes), "output": lim(dtypes)})


# -- softmax --------------------------------------------------------------------------------


def _softmax_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return {"axis": chk.axis("axis", args["axis"], _input(ins).rank)}


# -- prelu ----------------------------------------------------------------------------------


def _prelu_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x, slope = _input(ins), _input(ins, "slope")
    return Desc(x.data_type, chk.broadcast("slope", slope.shape, "input", x.shape))


# -- clamp ----------------------------------------------------------------------------------


def _mlnumber(chk: Check, arg: str, value: object, dt: DataType) -> float | int:
    """An ``MLNumber`` (bigint or unrestricted double): any number, NaN and ±Infinity
    included, cast to ``dt`` (saturating for integers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        chk.fail(f"{arg} must be a number, got {value!r}")
    return cast_number(value, dt)


def _clamp_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    dt = _input(ins).data_type
    lo_default, hi_default = ((-float("inf"), float("inf")) if is_float(dt)
                              else int_range(dt))
    lo, hi = args["min_value"], args["max_value"]
    lo = lo_default if lo is None else _mlnumber(chk, "min_value", lo, dt)
    hi = hi_default if hi is None else _mlnumber(chk, "max_value", hi, dt)
    # NaN compares false, so a NaN bound is accepted (browsers then ignore it).
    if lo > hi:
        chk.fail(f"min_value {lo} must not be greater than max_value {hi} "
                 f"(after casting to {dt})")
    return {"min_value": lo, "max_value": hi}


OPS: tuple[OpDef, ...] = (
    _activation("elu", "elu", {"alpha": 1.0}),
    _activation("gelu", "gelu"),
    _activation("hard_sigmoid", "hardSigmoid", {"alpha": 0.2, "beta": 0.5}),
    _activation("hard_swish", "hardSwish"),
    _activation("leaky_relu", "leakyRelu", {"alpha": 0.01}),
    _activation("linear", "linear", {"alpha": 1.0, "beta": 0.0}),
    _activation("relu", "relu", dtypes=RELU_TYPES),
    _activation("sigmoid", "sigmoid"),
    _activation("softplus", "softplus"),
    _activation("softsign", "softsign"),
    _activation("tanh", "tanh"),
    OpDef("softmax", "softmax", ("input", "axis"), infer=same_as_input,
          normalize=_softmax_normalize,
          limits={"input": lim(FLOATS, (1, None)), "output": lim(FLOATS, (1, None))}),
    OpDef("prelu", "prelu", ("input", "slope"), infer=_prelu_infer,
          limits={"input": lim(RELU_TYPES), "slope": lim(RELU_TYPES, same_as="input"),
                  "output": lim(RELU_TYPES)}),
    OpDef("clamp", "clamp", ("input",), infer=same_as_input, normalize=_clamp_normalize,
          options={"min_value": None, "max_value": None},
          limits={"input": lim(ALL), "output": lim(ALL)}),
)
