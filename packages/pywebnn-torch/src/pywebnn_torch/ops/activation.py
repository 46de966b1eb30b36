"""Activation, softmax, prelu and clamp kernels.

Float activations run in the work type (float16 -> float32) and round back once; the
``alpha``/``beta`` attributes are already rounded to the input type by the core.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch.ops._util import narrow, unsigned_key, widen
from webnn.ops import Desc

Fn = Callable[[torch.Tensor, Mapping[str, Any]], torch.Tensor]

_SQRT_HALF = math.sqrt(0.5)


def _unary(fn: Fn) -> Any:
    def kernel(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
        (x,) = args
        return narrow(fn(widen(x), attrs), x.dtype)

    return kernel


def _elu(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    # expm1 keeps the precision of exp(x) - 1 near zero.
    return torch.where(x > 0, x, a["alpha"] * torch.expm1(x))


def _gelu(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    # 1 + erf(t) == erfc(-t), without the cancellation that flushes the far negative
    # tail to zero.
    return 0.5 * x * torch.erfc(-x * _SQRT_HALF)


def _hard_sigmoid(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    return torch.clamp(a["alpha"] * x + a["beta"], 0.0, 1.0)


def _hard_swish(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    return x * torch.clamp(x + 3, 0.0, 6.0) / 6


def _leaky_relu(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    return torch.where(x >= 0, x, a["alpha"] * x)


def _linear(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    return a["alpha"] * x + a["beta"]


def _relu(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    # torch.relu keeps NaN and works for the signed integer types as well.
    return torch.relu(x)


def _softplus(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    # ln(exp(x) + exp(0)) without overflow for large x.
    return torch.logaddexp(x, torch.zeros_like(x))


def _softsign(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    return x / (1 + torch.abs(x))


def _softmax(x: torch.Tensor, a: Mapping[str, Any]) -> torch.Tensor:
    return torch.softmax(x, dim=a["axis"])


def _prelu(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
           ) -> torch.Tensor:
    x, slope = args
    wx, ws = widen(x), widen(slope)
    # Bidirectional broadcasting of input and slope gives the IR's output shape.
    return narrow(torch.where(wx >= 0, wx, ws * wx), x.dtype)


def _clamp(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
           ) -> torch.Tensor:
    (x,) = args
    lo, hi = attrs["min_value"], attrs["max_value"]
    w = widen(x)
    if w.is_floating_point():
        # A NaN bound leaves the input unchanged (what the WPT vectors expect), like
        # fmin/fmax rather than a NaN-propagating comparison.
        y = w
        if not math.isnan(lo):
            y = torch.clamp(y, min=lo)
        if not math.isnan(hi):
            y = torch.clamp(y, max=hi)
        return narrow(y, x.dtype)
    if x.dtype == torch.uint64:
        # Bounds are non-negative Python ints up to 2**64 - 1: shift them by 2**63 to
        # compare in the sign-flipped (unsigned_key) order of the int64 bit patterns.
        key = torch.clamp(unsigned_key(w), min=lo - 2**63, max=hi - 2**63)
        return narrow(unsigned_key(key), x.dtype)
    return narrow(torch.clamp(w, min=lo, max=hi), x.dtype)


KERNELS: dict[str, Any] = {
    "elu": _unary(_elu),
    "gelu": _unary(_gelu),
    "hard_sigmoid": _unary(_hard_sigmoid),
    "hard_swish": _unary(_hard_swish),
    "leaky_relu": _unary(_leaky_relu),
    "linear": _unary(_linear),
    "relu": _unary(_relu),
    "sigmoid": _unary(lambda x, a: torch.sigmoid(x)),
    "softplus": _unary(_softplus),
    "softsign": _unary(_softsign),
    "tanh": _unary(lambda x, a: torch.tanh(x)),
    "softmax": _unary(_softmax),
    "prelu": _prelu,
    "clamp": _clamp,
}
