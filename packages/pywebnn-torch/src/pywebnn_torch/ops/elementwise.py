"""Element-wise binary, comparison, logical and unary kernels."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch._dtypes import TORCH
from pywebnn_torch.ops._util import narrow, unsigned_key, widen
from webnn.ops import Desc

Fn = Callable[..., torch.Tensor]


def _int_div(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # WebNN integer division truncates toward zero; division by zero is unspecified, so
    # map it to 0 instead of letting torch raise.
    safe = torch.where(b == 0, torch.ones_like(b), b)
    return torch.where(b == 0, torch.zeros_like(a), torch.div(a, safe, rounding_mode="trunc"))


def _uint64_div(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Unsigned 64-bit division on int64 bit patterns (torch has no uint64 div)."""
    safe = torch.where(b == 0, torch.ones_like(b), b)
    top_b = safe < 0  # divisor >= 2**63: quotient is 0 or 1
    half = (a >> 1) & torch.iinfo(torch.int64).max  # logical shift right
    q = torch.div(half, torch.where(top_b, torch.ones_like(safe), safe),
                  rounding_mode="trunc") << 1
    r = a - q * safe
    q = q + (unsigned_key(r) >= unsigned_key(safe)).to(torch.int64)
    q = torch.where(top_b, (unsigned_key(a) >= unsigned_key(safe)).to(torch.int64), q)
    return torch.where(b == 0, torch.zeros_like(a), q)


def _int_pow(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.pow(a, b.clamp(min=0))


def _binary(fn: Fn, int_fn: Fn | None = None, ordered: bool = False) -> Any:
    """``ordered`` ops (max/min/div) need the unsigned order for uint64."""

    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        a, b = args
        dtype = TORCH[outs[0].data_type]
        x, y = widen(a), widen(b)
        f = fn if x.is_floating_point() or int_fn is None else int_fn
        if a.dtype == torch.uint64 and f is _int_div:
            return narrow(_uint64_div(x, y), dtype)
        if ordered and a.dtype == torch.uint64:
            return narrow(unsigned_key(f(unsigned_key(x), unsigned_key(y))), dtype)
        return narrow(f(x, y), dtype)

    return kernel


def _compare(fn: Fn) -> Any:
    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        a, b = args
        x, y = widen(a), widen(b)
        if a.dtype == torch.uint64:
            x, y = unsigned_key(x), unsigned_key(y)
        return fn(x, y).to(torch.uint8)

    return kernel


def _logical(fn: Fn) -> Any:
    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        return fn(*(t != 0 for t in args)).to(torch.uint8)

    return kernel


def _unary(fn: Fn, int_fn: Fn | None = None) -> Any:
    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        (a,) = args
        x = widen(a)
        f = fn if x.is_floating_point() or int_fn is None else int_fn
        return narrow(f(x), a.dtype)

    return kernel


def _identity(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
              ) -> torch.Tensor:
    return args[0].clone()


def _predicate(fn: Fn) -> Any:
    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        return fn(args[0]).to(torch.uint8)

    return kernel


def _where(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
           ) -> torch.Tensor:
    cond, t, f = args
    return narrow(torch.where(cond != 0, widen(t), widen(f)), t.dtype)


KERNELS: dict[str, Any] = {
    "where": _where,
    "add": _binary(torch.add),
    "sub": _binary(torch.sub),
    "mul": _binary(torch.mul),
    "div": _binary(torch.div, _int_div),
    "max": _binary(torch.maximum, ordered=True),
    "min": _binary(torch.minimum, ordered=True),
    "pow": _binary(torch.pow, _int_pow),
    "equal": _compare(torch.eq),
    "not_equal": _compare(torch.ne),
    "greater": _compare(torch.gt),
    "greater_or_equal": _compare(torch.ge),
    "lesser": _compare(torch.lt),
    "lesser_or_equal": _compare(torch.le),
    "logical_not": _logical(torch.logical_not),
    "logical_and": _logical(torch.logical_and),
    "logical_or": _logical(torch.logical_or),
    "logical_xor": _logical(torch.logical_xor),
    "is_nan": _predicate(torch.isnan),
    "is_infinite": _predicate(torch.isinf),
    "abs": _unary(torch.abs),
    "neg": _unary(torch.neg),
    "sign": _unary(torch.sign),
    "ceil": _unary(torch.ceil),
    "floor": _unary(torch.floor),
    "round_even": _unary(torch.round),  # torch.round rounds half to even
    "cos": _unary(torch.cos),
    "sin": _unary(torch.sin),
    "tan": _unary(torch.tan),
    "erf": _unary(torch.erf),
    "exp": _unary(torch.exp),
    "log": _unary(torch.log),
    "reciprocal": _unary(torch.reciprocal),
    "sqrt": _unary(torch.sqrt),
    "identity": _identity,
}
