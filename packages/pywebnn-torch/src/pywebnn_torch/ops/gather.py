"""Gather and scatter kernels: gather, gather_elements, gather_nd, scatter_elements,
scatter_nd.

Indices (int32, uint32 or int64) are runtime data that may be out of range: a negative
index counts from the end once, then every index is clamped into ``[0, N-1]`` so no
kernel ever reads or writes out of bounds or raises (docs/ir-ops.md, index semantics).
Data moves as bit patterns (``as_bits``) because torch lacks gather/scatter kernels for
uint32/uint64.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch.ops.shape import as_bits, from_bits
from webnn.ops import Desc


def _wrap(indices: torch.Tensor, n: int) -> torch.Tensor:
    """int64 indices into an axis of size ``n``: negatives from the end, then clamped."""
    i = indices.to(torch.int64)
    i = torch.where(i < 0, i + n, i)
    return i.clamp(0, n - 1)


def _linear(indices: torch.Tensor, lead: Sequence[int]) -> torch.Tensor:
    """Row-major offsets into the flattened leading axes ``lead`` of the k-tuples in the
    last axis of ``indices`` (gatherND / scatterND)."""
    offset = torch.zeros(indices.shape[:-1], dtype=torch.int64, device=indices.device)
    for j, n in enumerate(lead):
        offset = offset * n + _wrap(indices[..., j], n)
    return offset


def _gather(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
            ) -> torch.Tensor:
    x, indices = args
    axis = attrs["axis"]
    flat = _wrap(indices, x.shape[axis]).reshape(-1)
    y = torch.index_select(as_bits(x), axis, flat)
    return from_bits(y, x.dtype).reshape(outs[0].shape)


def _gather_elements(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                     ) -> torch.Tensor:
    x, indices = args
    axis = attrs["axis"]
    y = torch.gather(as_bits(x), axis, _wrap(indices, x.shape[axis]))
    return from_bits(y, x.dtype)


def _gather_nd(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> torch.Tensor:
    x, indices = args
    k = indices.shape[-1]
    lead, rest = tuple(x.shape[:k]), tuple(x.shape[k:])
    table = as_bits(x).reshape(math.prod(lead), *rest)
    y = torch.index_select(table, 0, _linear(indices, lead).reshape(-1))
    return from_bits(y, x.dtype).reshape(outs[0].shape)


def _scatter_elements(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                      ) -> torch.Tensor:
    # Duplicate targets are unspecified by the spec; torch's CPU loop lets the last win.
    x, indices, updates = args
    axis = attrs["axis"]
    y = as_bits(x).clone().scatter_(axis, _wrap(indices, x.shape[axis]), as_bits(updates))
    return from_bits(y, x.dtype)


def _scatter_nd(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                ) -> torch.Tensor:
    x, indices, updates = args
    k = indices.shape[-1]
    lead, rest = tuple(x.shape[:k]), tuple(x.shape[k:])
    table = as_bits(x).reshape(math.prod(lead), *rest).clone()
    rows = _linear(indices, lead).reshape(-1)
    table.index_put_((rows,), as_bits(updates).reshape(-1, *rest))
    return from_bits(table.reshape(x.shape), x.dtype)


KERNELS: dict[str, Any] = {
    "gather": _gather,
    "gather_elements": _gather_elements,
    "gather_nd": _gather_nd,
    "scatter_elements": _scatter_elements,
    "scatter_nd": _scatter_nd,
}
