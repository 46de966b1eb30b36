"""Reductions, argMin/argMax and cumulativeSum."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel, is_float

__all__ = ["KERNELS"]

Reducer = Callable[[np.ndarray, tuple[int, ...]], np.ndarray]


def _log_sum_exp(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    m = np.max(a, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(np.exp(a - m), axis=axes, keepdims=True)) + m


def _native_sum(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    # Integer sums stay in the operand's type (numpy would widen int32 to int64).
    return np.sum(a, axis=axes, keepdims=True, dtype=a.dtype)


def _reduction(fn: Reducer) -> Kernel:
    """Reduce over the resolved ``axes`` (``()`` applies the function to each element);
    the IR's output shape already reflects ``keep_dimensions``."""

    def kernel(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
        return fn(x[0], tuple(at["axes"])).reshape(outs[0].shape)

    return kernel


def _arg(pick: Callable[..., np.ndarray]) -> Kernel:
    def kernel(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
        index = pick(x[0], axis=at["axis"], keepdims=True)  # ties: the first index
        return index.reshape(outs[0].shape).astype(at["output_data_type"])

    return kernel


def _cumulative_sum(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, axis = x[0], at["axis"]
    if at["reversed"]:
        a = np.flip(a, axis)
    total = np.cumsum(a, axis=axis, dtype=a.dtype)
    if at["exclusive"]:
        # Shift by one instead of subtracting, which would lose float precision.
        head = np.zeros_like(np.take(total, [0], axis=axis))
        total = np.concatenate([head, np.delete(total, -1, axis=axis)], axis=axis)
    return np.flip(total, axis) if at["reversed"] else total


def _float_or_native(a: np.ndarray, axes: tuple[int, ...], square: bool) -> np.ndarray:
    v = a * a if square else a
    return np.sum(v, axis=axes, keepdims=True) if is_float(a) else _native_sum(v, axes)


KERNELS: dict[str, Kernel] = {
    "reduce_sum": _reduction(lambda a, ax: _float_or_native(a, ax, square=False)),
    "reduce_sum_square": _reduction(lambda a, ax: _float_or_native(a, ax, square=True)),
    "reduce_l1": _reduction(lambda a, ax: _float_or_native(np.abs(a), ax, square=False)),
    "reduce_l2": _reduction(lambda a, ax: np.sqrt(np.sum(a * a, axis=ax, keepdims=True))),
    "reduce_log_sum": _reduction(lambda a, ax: np.log(np.sum(a, axis=ax, keepdims=True))),
    "reduce_log_sum_exp": _reduction(_log_sum_exp),
    "reduce_max": _reduction(lambda a, ax: np.max(a, axis=ax, keepdims=True)),
    "reduce_min": _reduction(lambda a, ax: np.min(a, axis=ax, keepdims=True)),
    "reduce_mean": _reduction(lambda a, ax: np.mean(a, axis=ax, keepdims=True)),
    "reduce_product": _reduction(lambda a, ax: np.prod(a, axis=ax, keepdims=True, dtype=a.dtype)),
    "arg_max": _arg(np.argmax),
    "arg_min": _arg(np.argmin),
    "cumulative_sum": _cumulative_sum,
}
