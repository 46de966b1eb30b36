"""Element-wise binary, comparison, logical and unary ops (spec §7.9–7.13 of the digest).

Each op is one table row: the rules differ only in allowed data types and whether the
output becomes ``uint8``.
"""

from __future__ import annotations

from webnn._dtypes import ALL, FLOATS, SIGNED, DataType
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim, same_as_input


def _binary(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    a, b = ins["a"], ins["b"]
    assert isinstance(a, Desc)
    assert isinstance(b, Desc)
    return Desc(a.data_type, chk.broadcast("a", a.shape, "b", b.shape))


def _to_uint8(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    a = ins["a"]
    assert isinstance(a, Desc)
    b = ins.get("b")
    shape = a.shape if b is None else _binary(chk, ins, attrs).shape
    return Desc("uint8", shape)


def _where(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    c, t, f = ins["condition"], ins["true_value"], ins["false_value"]
    assert isinstance(c, Desc)
    assert isinstance(t, Desc)
    assert isinstance(f, Desc)
    values = chk.broadcast("true_value", t.shape, "false_value", f.shape)
    return Desc(t.data_type, chk.broadcast("condition", c.shape, "values", values))


def _binary_op(name: str, spec: str, dtypes: tuple[DataType, ...] = ALL) -> OpDef:
    return OpDef(name, spec, ("a", "b"), infer=_binary,
                 limits={"a": lim(dtypes), "b": lim(dtypes, same_as="a"), "output": lim(dtypes)})


def _compare_op(name: str, spec: str) -> OpDef:
    return OpDef(name, spec, ("a", "b"), infer=_to_uint8,
                 limits={"a": lim(), "b": lim(same_as="a"), "output": lim(("uint8",))})


def _logical_op(name: str, spec: str, arity: int = 2) -> OpDef:
    u8 = lim(("uint8",))
    params = ("a", "b")[:arity]
    limits = {p: u8 for p in params} | {"output": u8}
    return OpDef(name, spec, params, infer=_to_uint8, limits=limits)


def _predicate_op(name: str, spec: str) -> OpDef:
    return OpDef(name, spec, ("a",), infer=_to_uint8,
                 limits={"a": lim(FLOATS), "output": lim(("uint8",))})


def _unary_op(name: str, spec: str, dtypes: tuple[DataType, ...] = FLOATS) -> OpDef:
    return OpDef(name, spec, ("input",), infer=same_as_input,
                 limits={"input": lim(dtypes), "output": lim(dtypes)})


OPS: tuple[OpDef, ...] = (
    _binary_op("add", "add"),
    _binary_op("sub", "sub"),
    _binary_op("mul", "mul"),
    _binary_op("div", "div"),
    _binary_op("max", "max"),
    _binary_op("min", "min"),
    _binary_op("pow", "pow"),
    _compare_op("equal", "equal"),
    _compare_op("not_equal", "notEqual"),
    _compare_op("greater", "greater"),
    _compare_op("greater_or_equal", "greaterOrEqual"),
    _compare_op("lesser", "lesser"),
    _compare_op("lesser_or_equal", "lesserOrEqual"),
    _logical_op("logical_not", "logicalNot", arity=1),
    _logical_op("logical_and", "logicalAnd"),
    _logical_op("logical_or", "logicalOr"),
    _logical_op("logical_xor", "logicalXor"),
    _predicate_op("is_nan", "isNaN"),
    _predicate_op("is_infinite", "isInfinite"),
    _unary_op("abs", "abs", SIGNED),
    _unary_op("neg", "neg", SIGNED),
    _unary_op("sign", "sign", SIGNED),
    _unary_op("ceil", "ceil"),
    _unary_op("floor", "floor"),
    _unary_op("round_even", "roundEven"),
    _unary_op("cos", "cos"),
    _unary_op("sin", "sin"),
    _unary_op("tan", "tan"),
    _unary_op("erf", "erf"),
    _unary_op("exp", "exp"),
    _unary_op("log", "log"),
    _unary_op("reciprocal", "reciprocal"),
    _unary_op("sqrt", "sqrt"),
    _unary_op("identity", "identity", ALL),
    OpDef("where", "where", ("condition", "true_value", "false_value"), infer=_where,
          limits={"condition": lim(("uint8",)), "true_value": lim(),
                  "false_value": lim(same_as="true_value"), "output": lim()}),
)
