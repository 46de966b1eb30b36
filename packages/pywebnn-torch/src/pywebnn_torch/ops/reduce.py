"""Reduction, argMin/argMax and cumulativeSum kernels.

Every reduction first moves the reduced axes to the end and flattens them into one
(``_gather_axes``), reduces that last dimension, and reshapes to the IR's output shape.
This one path covers several axes at once (``torch.prod`` takes a single dim), empty
``axes`` (a last dimension of size 1 applies the function to each element alone, where
``torch.sum(dim=())`` would reduce everything) and ``keep_dimensions`` (the IR shape).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch._dtypes import TORCH
from pywebnn_torch.ops._util import is_unsigned, narrow, unsigned_key, widen
from webnn.ops import Desc

Reducer = Callable[[torch.Tensor, bool], torch.Tensor]


def _gather_axes(x: torch.Tensor, axes: Sequence[int]) -> torch.Tensor:
    kept = [d for d in range(x.dim()) if d not in axes]
    moved = x.permute(*kept, *axes) if x.dim() else x
    return moved.reshape(*(x.shape[d] for d in kept), -1)


def _abs(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    # An unsigned value held in a signed work type (uint64 as int64) is its own |x|.
    return x if unsigned else torch.abs(x)


def _l1(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.sum(_abs(x, unsigned), dim=-1)


def _l2(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.sqrt(torch.sum(x * x, dim=-1))


def _log_sum(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.log(torch.sum(x, dim=-1))


def _log_sum_exp(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    # The max-shifted form: equal to ln(sum(exp(x))) but without overflow.
    return torch.logsumexp(x, dim=-1)


def _max(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.amax(x, dim=-1)


def _min(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.amin(x, dim=-1)


def _mean(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.mean(x, dim=-1)


def _product(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.prod(x, dim=-1)


def _sum(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.sum(x, dim=-1)


def _sum_square(x: torch.Tensor, unsigned: bool) -> torch.Tensor:
    return torch.sum(x * x, dim=-1)


def _reduce(fn: Reducer, ordered: bool = False) -> Any:
    """``ordered`` reductions (max/min) compare uint64 bit patterns in unsigned order."""

    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        (x,) = args
        w = _gather_axes(widen(x), attrs["axes"])
        flip = ordered and x.dtype == torch.uint64
        y = fn(unsigned_key(w) if flip else w, is_unsigned(x.dtype))
        if flip:
            y = unsigned_key(y)
        # Integer sums come back as int64 from torch; narrowing wraps like the
        # two's-complement overflow the spec leaves implementation-defined.
        return narrow(y, x.dtype).reshape(outs[0].shape)

    return kernel


def _arg(fn: Callable[..., torch.Tensor]) -> Any:
    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        (x,) = args
        w = widen(x)
        if x.dtype == torch.uint64:
            w = unsigned_key(w)
        # Ties: torch returns the first occurrence, which is what the spec's examples
        # show (it leaves the choice to the implementation).
        index = fn(w, dim=attrs["axis"], keepdim=attrs["keep_dimensions"])
        return index.to(TORCH[outs[0].data_type]).reshape(outs[0].shape)

    return kernel


def _cumulative_sum(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                    ) -> torch.Tensor:
    (x,) = args
    axis = attrs["axis"]
    w = widen(x)
    if attrs["reversed"]:
        w = torch.flip(w, (axis,))
    y = torch.cumsum(w, dim=axis)
    if attrs["exclusive"]:
        # Shift by one instead of subtracting x, which would round differently.
        n = y.shape[axis]
        y = torch.cat((torch.zeros_like(y.narrow(axis, 0, 1)), y.narrow(axis, 0, n - 1)),
                      dim=axis)
    if attrs["reversed"]:
        y = torch.flip(y, (axis,))
    return narrow(y, x.dtype)


KERNELS: dict[str, Any] = {
    "reduce_l1": _reduce(_l1),
    "reduce_l2": _reduce(_l2),
    "reduce_log_sum": _reduce(_log_sum),
    "reduce_log_sum_exp": _reduce(_log_sum_exp),
    "reduce_max": _reduce(_max, ordered=True),
    "reduce_min": _reduce(_min, ordered=True),
    "reduce_mean": _reduce(_mean),
    "reduce_product": _reduce(_product),
    "reduce_sum": _reduce(_sum),
    "reduce_sum_square": _reduce(_sum_square),
    "arg_min": _arg(torch.argmin),
    "arg_max": _arg(torch.argmax),
    "cumulative_sum": _cumulative_sum,
}
