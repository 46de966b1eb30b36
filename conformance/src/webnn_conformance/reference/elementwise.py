"""Element-wise, comparison, logical, cast, clamp and where kernels."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel, is_float

__all__ = ["KERNELS", "erf"]

erf = np.vectorize(math.erf, otypes=[np.float64])


def _unary(fn: Callable[[np.ndarray], Any]) -> Kernel:
    return lambda x, at, outs: fn(x[0])


def _binary(fn: Callable[[np.ndarray, np.ndarray], Any]) -> Kernel:
    return lambda x, at, outs: fn(x[0], x[1])


def _flag(fn: Callable[..., Any]) -> Kernel:
    return lambda x, at, outs: fn(*x).astype(np.uint8)


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if is_float(a):
        return a / b
    # Integer division truncates toward zero, as C-family backends do.
    q = np.abs(a.astype(object)) // np.abs(b.astype(object))
    return (np.sign(a) * np.sign(b) * q).astype(a.dtype)


def _pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if is_float(a):
        return np.power(a, b)
    return np.array(np.power(a.astype(object), b.astype(object)), dtype=object).astype(a.dtype)


def _cast(x: list[Any], at: Any, outs: Any) -> np.ndarray:
    a, target = x[0], np.dtype(at["data_type"])
    if target.kind == "f" or not is_float(a):
        return a.astype(target)  # integers wrap into the target's bits, as the spec says
    info = np.iinfo(target)
    truncated = np.trunc(np.nan_to_num(a, nan=0.0))
    return np.clip(truncated, info.min, info.max).astype(target)


def _clamp(x: list[Any], at: Any, outs: Any) -> np.ndarray:
    y, lo, hi = x[0], at["min_value"], at["max_value"]
    # A NaN bound leaves the input unchanged (WPT's clamp vectors).
    if lo == lo:
        y = np.where(y < lo, lo, y)
    if hi == hi:
        y = np.where(y > hi, hi, y)
    return y.astype(x[0].dtype)


KERNELS: dict[str, Kernel] = {
    "add": _binary(np.add),
    "sub": _binary(np.subtract),
    "mul": _binary(np.multiply),
    "div": _binary(_div),
    "max": _binary(np.maximum),
    "min": _binary(np.minimum),
    "pow": _binary(_pow),
    "equal": _flag(np.equal),
    "not_equal": _flag(np.not_equal),
    "greater": _flag(np.greater),
    "greater_or_equal": _flag(np.greater_equal),
    "lesser": _flag(np.less),
    "lesser_or_equal": _flag(np.less_equal),
    "logical_not": _flag(lambda a: a == 0),
    "logical_and": _flag(lambda a, b: (a != 0) & (b != 0)),
    "logical_or": _flag(lambda a, b: (a != 0) | (b != 0)),
    "logical_xor": _flag(lambda a, b: (a != 0) ^ (b != 0)),
    "is_nan": _flag(np.isnan),
    "is_infinite": _flag(np.isinf),
    "abs": _unary(np.abs),
    "ceil": _unary(np.ceil),
    "floor": _unary(np.floor),
    "round_even": _unary(np.rint),
    "neg": _unary(np.negative),
    "sign": _unary(np.sign),
    "identity": _unary(np.copy),
    "sqrt": _unary(np.sqrt),
    "exp": _unary(np.exp),
    "log": _unary(np.log),
    "sin": _unary(np.sin),
    "cos": _unary(np.cos),
    "tan": _unary(np.tan),
    "erf": _unary(erf),
    "reciprocal": _unary(lambda a: 1.0 / a),
    "cast": _cast,
    "clamp": _clamp,
    "where": lambda x, at, outs: np.where(x[0] != 0, x[1], x[2]),
}
