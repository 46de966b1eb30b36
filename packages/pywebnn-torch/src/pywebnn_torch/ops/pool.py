"""Pooling kernels: ``average_pool2d``, ``l2_pool2d``, ``max_pool2d``.

One windowing scheme serves all three and every data type: the input is padded to
exactly cover every window (ceil rounding may need more than the user's padding, or
less), then viewed as ``[N, C, outH, outW, kH, kW]`` windows with ``Tensor.unfold``
(dilation is a strided slice of each window) and reduced.  Padded cells never count,
as in webnn-baseline and the WPT vectors: max pads with the type's minimum, average
divides by the number of real cells in each window, l2 pads with zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch.ops._util import narrow, unsigned_key, widen
from pywebnn_torch.ops.conv import from_nchw, to_nchw
from webnn.ops import Desc


def _extents(size: int, out: int, window: int, stride: int, dilation: int, begin: int
             ) -> tuple[int, int]:
    """(begin, end) padding so that ``out`` windows fit exactly; end may be negative
    (cells past the last window are dropped)."""
    needed = (out - 1) * stride + (window - 1) * dilation + 1
    return begin, needed - size - begin


def _pad(x: torch.Tensor, pads: tuple[tuple[int, int], tuple[int, int]], fill: float | int
         ) -> torch.Tensor:
    """Pad (or crop, for negative ends) the last two axes with ``fill``; built by hand
    because ``F.pad`` takes a float fill, which cannot hold every int64 value."""
    (hb, he), (wb, we) = pads
    h, w = x.shape[-2:]
    out = torch.full((*x.shape[:-2], hb + h + he, wb + w + we), fill, dtype=x.dtype,
                     device=x.device)
    kept_h, kept_w = min(h, h + he), min(w, w + we)
    out[..., hb:hb + kept_h, wb:wb + kept_w] = x[..., :kept_h, :kept_w]
    return out


def _geometry(x: torch.Tensor, attrs: Mapping[str, Any]
              ) -> tuple[tuple[tuple[int, int], tuple[int, int]], tuple[int, ...]]:
    h, w = x.shape[-2:]
    kh, kw = attrs["window_dimensions"]
    sh, sw = attrs["strides"]
    dh, dw = attrs["dilations"]
    oh, ow = attrs["output_sizes"]
    pad = attrs["padding"]
    pads = (_extents(h, oh, kh, sh, dh, pad[0]), _extents(w, ow, kw, sw, dw, pad[2]))
    return pads, (kh, kw, sh, sw, dh, dw)


def _windows(x: torch.Tensor, attrs: Mapping[str, Any], fill: float | int) -> torch.Tensor:
    pads, (kh, kw, sh, sw, dh, dw) = _geometry(x, attrs)
    xp = _pad(x, pads, fill)
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    return xp.unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]


def _counts(x: torch.Tensor, attrs: Mapping[str, Any]) -> torch.Tensor:
    """Real (unpadded) cells per window, ``[outH, outW]``; the mask is separable."""
    pads, (kh, kw, sh, sw, dh, dw) = _geometry(x, attrs)
    per_axis = []
    for size, (b, e), k, s, d in ((x.shape[-2], pads[0], kh, sh, dh),
                                  (x.shape[-1], pads[1], kw, sw, dw)):
        ones = torch.ones(1, 1, 1, size, dtype=x.dtype, device=x.device)
        mask = _pad(ones, ((0, 0), (b, e)), 0)[0, 0, 0]
        per_axis.append(mask.unfold(0, (k - 1) * d + 1, s)[:, ::d].sum(-1))
    return per_axis[0][:, None] * per_axis[1][None, :]


def _average(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
             ) -> torch.Tensor:
    (x,) = args
    xs = to_nchw(widen(x), attrs["layout"])
    y = _windows(xs, attrs, 0).sum((-2, -1)) / _counts(xs, attrs)
    return narrow(from_nchw(y, attrs["layout"]), x.dtype)


def _l2(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]) -> torch.Tensor:
    (x,) = args
    xs = to_nchw(widen(x), attrs["layout"])
    windows = _windows(xs, attrs, 0)
    y = torch.sqrt((windows * windows).sum((-2, -1)))
    return narrow(from_nchw(y, attrs["layout"]), x.dtype)


def _max(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]) -> torch.Tensor:
    (x,) = args
    xs = to_nchw(widen(x), attrs["layout"])
    # uint64 travels as its int64 bit pattern; flipping the sign bit makes int64 order
    # equal the unsigned order (and is its own inverse).
    unsigned64 = x.dtype == torch.uint64
    if unsigned64:
        xs = unsigned_key(xs)
    fill = float("-inf") if xs.is_floating_point() else torch.iinfo(xs.dtype).min
    y = _windows(xs, attrs, fill).amax((-2, -1))
    if unsigned64:
        y = unsigned_key(y)
    return narrow(from_nchw(y, attrs["layout"]), x.dtype)


KERNELS: dict[str, Any] = {
    "average_pool2d": _average,
    "l2_pool2d": _l2,
    "max_pool2d": _max,
}
