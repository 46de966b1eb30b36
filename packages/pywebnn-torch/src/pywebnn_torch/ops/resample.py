"""``resample2d`` kernel: separable nearest-neighbour or linear resizing of two axes.

Coordinates follow the spec (half-pixel centres, clamped to the input).  The scale is
the IR's ``scales`` attribute: the user's factor when scales were given (as
webnn-baseline does, digest §4 item 9b), output / input when sizes were given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from webnn.ops import Desc


def _source_coords(in_size: int, out_size: int, scale: float) -> torch.Tensor:
    # float64 keeps the coordinates exact enough that rounding ties (nearest mode)
    # land as the spec's real-number formula says.
    o = torch.arange(out_size, dtype=torch.float64)
    return ((o + 0.5) / scale - 0.5).clamp(0, in_size - 1)


def _resize_axis(y: torch.Tensor, axis: int, size: int, scale: float, linear: bool
                 ) -> torch.Tensor:
    coords = _source_coords(y.shape[axis], size, scale)
    if not linear:
        # ceil(c - 0.5): the nearest index, halves going to the lower one.
        return y.index_select(axis, torch.ceil(coords - 0.5).long().to(y.device))
    lo, hi = torch.floor(coords), torch.ceil(coords)
    shape = [1] * y.dim()
    shape[axis] = size
    t = (coords - lo).to(y.dtype).to(y.device).view(shape)
    v0 = y.index_select(axis, lo.long().to(y.device))
    v1 = y.index_select(axis, hi.long().to(y.device))
    return v0 * (1 - t) + v1 * t


def _resample2d(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                ) -> torch.Tensor:
    (x,) = args
    linear = attrs["mode"] == "linear"
    # Linear mode mixes values: float16, int8 and uint8 are interpolated in float32.
    y = x.to(torch.float32) if linear and x.dtype != torch.float32 else x
    for axis, size, scale in zip(attrs["axes"], attrs["sizes"], attrs["scales"], strict=True):
        y = _resize_axis(y, axis, size, scale, linear)
    if y.dtype == x.dtype:
        return y
    if not x.is_floating_point():
        # The spec leaves integer rounding open: round half to even, then saturate.
        info = torch.iinfo(x.dtype)
        y = torch.round(y).clamp(info.min, info.max)
    return y.to(x.dtype)


KERNELS: dict[str, Any] = {"resample2d": _resample2d}
