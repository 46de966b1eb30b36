"""The declarative op table machinery: ``OpDef``, ``Desc``, ``Check`` and ``Limits``.

Every builder operation is one ``OpDef``.  A builder call runs the same pure steps for
every op (see ``webnn._builder``): check the operand arguments against the spec's
allowed data types and ranks (``limits``), **normalize** the non-operand arguments into
fully explicit attributes, **infer** the output descriptors, then record an IR node.

Family modules (``webnn.ops.<family>``) each export ``OPS: tuple[OpDef, ...]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeAlias

from webnn._dtypes import ALL, MAX_DIMENSION, DataType
from webnn.errors import WebNNTypeError


@dataclass(frozen=True, slots=True)
class Desc:
    """An operand descriptor: what shape inference sees (never data)."""

    data_type: DataType
    shape: tuple[int, ...]

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True, slots=True)
class Limits:
    """Allowed data types and rank range of one operand of one op.

    ``same_as`` names another operand whose data type this one must equal (checked by
    the shared machinery, so infer functions never repeat it).  ``max_rank=None`` means
    unbounded.  ``data_types`` are the spec's; ``extension_types`` the PyWebNN extension
    types (int4/uint4) the operand also takes — only quantize_linear and
    dequantize_linear declare any.  A backend's limits (``Backend.op_support_limits``)
    fold the extension types it supports into ``data_types``.
    """

    data_types: tuple[DataType, ...] = ALL
    min_rank: int = 0
    max_rank: int | None = None
    same_as: str | None = None
    extension_types: tuple[DataType, ...] = ()

    @property
    def allowed_types(self) -> tuple[DataType, ...]:
        """Every type the builder accepts here: the spec's and the extension's."""
        return self.data_types + self.extension_types


# Operand arguments as infer/normalize functions see them: a Desc, None for an absent
# optional operand, or a tuple of Descs for a sequence argument (concat's ``inputs``).
Ins: TypeAlias = Mapping[str, "Desc | tuple[Desc, ...] | None"]
Attrs: TypeAlias = dict[str, Any]
Normalize: TypeAlias = Callable[["Check", Ins, Attrs], Attrs]
Infer: TypeAlias = Callable[["Check", Ins, Attrs], "Desc | tuple[Desc, ...]"]


def _identity_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return args


@dataclass(frozen=True, slots=True)
class OpDef:
    """One WebNN operation.

    name:      the Python (snake_case) name, also the IR node's ``op``.
    spec:      the spec's camelCase name (used for WPT mapping and the spec anchor).
    params:    positional parameters in call order; a name that has an entry in
               ``limits`` is an operand, ``sequence_param`` names a list of operands.
    options:   keyword options and their defaults; a name with an entry in ``limits`` is
               an optional operand (default None).  ``label`` is implicit.
    limits:    allowed data types / ranks per operand and per output.
    outputs:   the limit names of the outputs (for ``split`` one name covers all).
    normalize: raw non-operand arguments -> fully explicit IR attributes.
    infer:     operand descriptors + attributes -> output descriptor(s).
    """

    name: str
    spec: str
    params: tuple[str, ...]
    limits: Mapping[str, Limits]
    infer: Infer
    options: Mapping[str, Any] = field(default_factory=dict)
    normalize: Normalize = _identity_normalize
    outputs: tuple[str, ...] = ("output",)
    sequence_param: str | None = None
    multi_output: bool = False

    @property
    def operand_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p in self.limits)

    @property
    def operand_options(self) -> tuple[str, ...]:
        return tuple(o for o in self.options if o in self.limits)

    @property
    def input_names(self) -> tuple[str, ...]:
        """Order of the IR node's inputs: positional operands, then operand options."""
        return self.operand_params + self.operand_options

    @property
    def value_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p not in self.limits)

    @property
    def value_options(self) -> tuple[str, ...]:
        return tuple(o for o in self.options if o not in self.limits)


class Check:
    """Validation helpers that prefix every message with the op (and its label)."""

    __slots__ = ("op", "prefix")

    def __init__(self, op: str, label: str = "") -> None:
        self.op = op
        self.prefix = f"{op} [{_sanitize(label)}]" if label else op

    def fail(self, message: str) -> NoReturn:
        raise WebNNTypeError(f"{self.prefix}: {message}")

    # -- operands -------------------------------------------------------------------------
    def rank(self, arg: str, d: Desc, lo: int, hi: int | None = None) -> None:
        hi = lo if hi is None else hi
        if not lo <= d.rank <= hi:
            want = f"{lo}-D" if lo == hi else f"of rank {lo} to {hi}"
            self.fail(f"{arg} must be {want}, got shape {_fmt(d.shape)}")

    def shape(self, arg: str, d: Desc, expected: Sequence[int]) -> None:
        if d.shape != tuple(expected):
            self.fail(f"{arg} must have shape {_fmt(tuple(expected))}, got {_fmt(d.shape)}")

    def same_type(self, arg: str, d: Desc, other: str, o: Desc) -> None:
        if d.data_type != o.data_type:
            self.fail(f"{arg} data type {d.data_type} must match {other} ({o.data_type})")

    def broadcast(self, a: str, sa: Sequence[int], b: str, sb: Sequence[int]) -> tuple[int, ...]:
        out = broadcast_shapes(sa, sb)
        if out is None:
            self.fail(f"{a} shape {_fmt(tuple(sa))} and {b} shape {_fmt(tuple(sb))} "
                      "are not broadcastable")
        return out

    def unidirectional(self, a: str, sa: Sequence[int], target: Sequence[int]) -> None:
        if not unidirectionally_broadcastable(sa, target):
            self.fail(f"{a} shape {_fmt(tuple(sa))} is not broadcastable to "
                      f"{_fmt(tuple(target))}")

    # -- plain values ---------------------------------------------------------------------
    def integer(self, arg: str, value: object, lo: int = 0, hi: int = 2**32 - 1) -> int:
        """An ``[EnforceRange] unsigned long`` (or a narrower range)."""
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(f"{arg} must be an integer, got {value!r}")
        if not lo <= value <= hi:
            self.fail(f"{arg} must be in [{lo}, {hi}], got {value}")
        return value

    def ints(self, arg: str, value: object, length: int | None = None,
             lo: int = 0) -> tuple[int, ...]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            self.fail(f"{arg} must be a sequence of integers, got {value!r}")
        items = tuple(self.integer(arg, v, lo) for v in value)
        if length is not None and len(items) != length:
            self.fail(f"{arg} must have {length} items, got {len(items)}: {list(items)}")
        return items

    def dim(self, arg: str, value: int) -> int:
        if not 0 < value <= MAX_DIMENSION:
            self.fail(f"{arg} {value} is not a valid dimension (1 to {MAX_DIMENSION})")
        return value

    def axis(self, arg: str, value: object, rank: int) -> int:
        axis = self.integer(arg, value)
        if axis >= rank:
            self.fail(f"{arg} {axis} is out of range for rank {rank}")
        return axis

    def axes(self, arg: str, value: object, rank: int) -> tuple[int, ...]:
        axes = self.ints(arg, value)
        for a in axes:
            if a >= rank:
                self.fail(f"{arg} {list(axes)} has axis {a} out of range for rank {rank}")
        if len(set(axes)) != len(axes):
            self.fail(f"{arg} {list(axes)} has duplicate axes")
        return axes

    def flag(self, arg: str, value: object) -> bool:
        if not isinstance(value, (bool, int)):
            self.fail(f"{arg} must be a boolean, got {value!r}")
        return bool(value)

    def number(self, arg: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{arg} must be a number, got {value!r}")
        return float(value)

    def finite(self, arg: str, value: object) -> float:
        """A WebIDL ``double`` (not ``unrestricted double``): NaN/Infinity are TypeErrors."""
        number = self.number(arg, value)
        if not math.isfinite(number):
            self.fail(f"{arg} must be a finite number, got {number}")
        return number

    def one_of(self, arg: str, value: object, choices: Sequence[str]) -> str:
        if value not in choices:
            self.fail(f"{arg} must be one of {', '.join(map(repr, choices))}, got {value!r}")
        return value  # type: ignore[return-value]  # membership proves it is a str

    def data_type(self, arg: str, value: object, allowed: Sequence[DataType] = ALL) -> DataType:
        if value not in allowed:
            self.fail(f"{arg} must be one of {', '.join(allowed)}, got {value!r}")
        return value  # type: ignore[return-value]  # membership proves it is a DataType

    def output(self, arg: str, shape: Iterable[int]) -> tuple[int, ...]:
        """Check every dimension of a computed output shape is a valid dimension."""
        out = tuple(shape)
        for d in out:
            if not 0 < d <= MAX_DIMENSION:
                self.fail(f"{arg} shape {_fmt(out)} has invalid dimension {d}")
        return out


# -- pure shape helpers ---------------------------------------------------------------------


def broadcast_shapes(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...] | None:
    """Bidirectional (numpy) broadcasting; None when incompatible."""
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(pa, pb, strict=True):
        if x != y and x != 1 and y != 1:
            return None
        out.append(max(x, y))
    return tuple(out)


def unidirectionally_broadcastable(src: Sequence[int], target: Sequence[int]) -> bool:
    if len(src) > len(target):
        return False
    padded = (1,) * (len(target) - len(src)) + tuple(src)
    return all(s == t or s == 1 for s, t in zip(padded, target, strict=True))


def reduced_shape(shape: Sequence[int], axes: Sequence[int], keep: bool) -> tuple[int, ...]:
    if keep:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def same_as_input(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    """Infer rule of every op whose output is a copy of its ``input`` (or ``a``) descriptor."""
    d = ins.get("input", ins.get("a"))
    assert isinstance(d, Desc)
    return d


def _fmt(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def _sanitize(label: str) -> str:
    """Strip bidirectional-override characters from a label before display (spec note)."""
    return label.translate(_BIDI)


# Shorthands used by the family tables.
def lim(data_types: Sequence[DataType] = ALL, rank: tuple[int, int | None] = (0, None),
        same_as: str | None = None, extensions: Sequence[DataType] = ()) -> Limits:
    return Limits(tuple(data_types), rank[0], rank[1], same_as, tuple(extensions))
