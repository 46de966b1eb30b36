"""Shape and data-movement kernels: reshape, transpose, expand, slice, pad, tile, concat,
split, reverse, triangular.

These ops only move data, so uint32/uint64 tensors (for which torch lacks many CPU and
CUDA kernels) are handled as same-size signed bit patterns: moving bits is exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from webnn.ops import Desc

# Same-size signed types for the unsigned types torch supports poorly.
_BITS = {torch.uint32: torch.int32, torch.uint64: torch.int64}


def as_bits(t: torch.Tensor) -> torch.Tensor:
    """``t`` viewed as a type every data-movement kernel supports (no copy)."""
    signed = _BITS.get(t.dtype)
    return t if signed is None else t.view(signed)


def from_bits(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Undo ``as_bits``."""
    return t if t.dtype == dtype else t.view(dtype)


def _bits_value(value: int | float, dtype: torch.dtype) -> int | float:
    """A number already cast to ``dtype`` as the fill value of its bit-pattern type."""
    if dtype in _BITS:
        width = torch.iinfo(_BITS[dtype]).bits
        value = int(value)
        return value - 2**width if value >= 2 ** (width - 1) else value
    return value


def _reshape(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
             ) -> torch.Tensor:
    return args[0].reshape(attrs["new_shape"])


def _transpose(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
    return args[0].permute(attrs["permutation"])


def _expand(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
            ) -> torch.Tensor:
    # A materialized copy: a stride-0 view would surprise any later kernel that writes.
    x = args[0]
    return from_bits(as_bits(x).expand(attrs["new_shape"]).contiguous(), x.dtype)


def _slice(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
           ) -> torch.Tensor:
    index = tuple(slice(b, b + n, s) for b, n, s in zip(attrs["starts"], attrs["sizes"],
                                                        attrs["strides"], strict=True))
    return args[0][index]


def _pad_index(n: int, begin: int, end: int, mode: str, device: torch.device
               ) -> torch.Tensor:
    """Source positions of one padded axis for edge/reflection mode."""
    i = torch.arange(-begin, n + end, device=device)
    if mode == "edge":
        return i.clamp(0, n - 1)
    # Reflection about the border elements; the core guarantees begin, end < n, so one
    # reflection on each side is enough.
    i = i.abs()
    return torch.where(i > n - 1, 2 * (n - 1) - i, i)


def _pad(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
         ) -> torch.Tensor:
    x = args[0]
    begin, end, mode = attrs["beginning_padding"], attrs["ending_padding"], attrs["mode"]
    src = as_bits(x)
    if mode == "constant":
        out = torch.full(outs[0].shape, _bits_value(attrs["value"], x.dtype), dtype=src.dtype,
                         device=x.device)
        out[tuple(slice(b, b + n) for b, n in zip(begin, x.shape, strict=True))] = src
        return from_bits(out, x.dtype)
    y = src
    for axis, (n, b, e) in enumerate(zip(x.shape, begin, end, strict=True)):
        if b or e:
            y = torch.index_select(y, axis, _pad_index(n, b, e, mode, x.device))
    return from_bits(y.clone() if y is src else y, x.dtype)


def _tile(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
          ) -> torch.Tensor:
    x = args[0]
    return from_bits(as_bits(x).repeat(attrs["repetitions"]), x.dtype)


def _concat(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
            ) -> torch.Tensor:
    xs = args[0]
    return from_bits(torch.cat([as_bits(t) for t in xs], attrs["axis"]), xs[0].dtype)


def _split(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
           ) -> list[torch.Tensor]:
    return list(torch.split(args[0], list(attrs["splits"]), attrs["axis"]))


def _reverse(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
             ) -> torch.Tensor:
    x, axes = args[0], attrs["axes"]
    if not axes:
        return x.clone()
    return from_bits(torch.flip(as_bits(x), axes), x.dtype)


def _triangular(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                ) -> torch.Tensor:
    # triu keeps column - row >= diagonal and tril keeps column - row <= diagonal, which
    # is exactly WebNN's rule for the last two axes (leading axes are batch).
    x = args[0]
    fn = torch.triu if attrs["upper"] else torch.tril
    return from_bits(fn(as_bits(x), attrs["diagonal"]), x.dtype)


KERNELS: dict[str, Any] = {
    "reshape": _reshape,
    "transpose": _transpose,
    "expand": _expand,
    "slice": _slice,
    "pad": _pad,
    "tile": _tile,
    "concat": _concat,
    "split": _split,
    "reverse": _reverse,
    "triangular": _triangular,
}
