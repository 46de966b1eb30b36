"""Convolution kernels: ``conv2d`` and ``conv_transpose2d``.

Every layout is permuted to torch's own (nchw input, oihw / iohw weights); float16 is
computed in float32 and rounded once, since torch's CPU half convolution is slow and
accumulates in half precision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import torch
import torch.nn.functional as F

from pywebnn_torch.ops._util import narrow, widen
from webnn.ops import Desc

# Permutation of each WebNN filter layout into torch's conv2d weight layout [O, C/g, kH, kW].
_TO_OIHW: Final[dict[str, tuple[int, int, int, int]]] = {
    "oihw": (0, 1, 2, 3),
    "hwio": (3, 2, 0, 1),
    "ohwi": (0, 3, 1, 2),
    "ihwo": (3, 0, 1, 2),
}
# ... and into torch's conv_transpose2d weight layout [C, O/g, kH, kW].
_TO_IOHW: Final[dict[str, tuple[int, int, int, int]]] = {
    "iohw": (0, 1, 2, 3),
    "hwoi": (3, 2, 0, 1),
    "ohwi": (3, 0, 1, 2),
}


def to_nchw(x: torch.Tensor, layout: str) -> torch.Tensor:
    return x if layout == "nchw" else x.permute(0, 3, 1, 2)


def from_nchw(y: torch.Tensor, layout: str) -> torch.Tensor:
    return y if layout == "nchw" else y.permute(0, 2, 3, 1).contiguous()


def _conv2d(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
            ) -> torch.Tensor:
    x, w, bias = args
    dtype = x.dtype
    layout = attrs["input_layout"]
    xs = to_nchw(widen(x), layout)
    ws = widen(w).permute(*_TO_OIHW[attrs["filter_layout"]])
    hb, he, wb, we = attrs["padding"]
    padding: tuple[int, int] = (hb, wb)
    if hb != he or wb != we:
        # torch only pads symmetrically; pad explicitly for the asymmetric case.
        xs = F.pad(xs, (wb, we, hb, he))
        padding = (0, 0)
    y = F.conv2d(xs, ws, None if bias is None else widen(bias), stride=attrs["strides"],
                 padding=padding, dilation=attrs["dilations"], groups=attrs["groups"])
    return narrow(from_nchw(y, layout), dtype)


def _conv_transpose2d(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
                      ) -> torch.Tensor:
    x, w, bias = args
    dtype = x.dtype
    layout = attrs["input_layout"]
    xs = to_nchw(widen(x), layout)
    ws = widen(w).permute(*_TO_IOHW[attrs["filter_layout"]])
    # The unpadded result has size (in - 1) * s + (k - 1) * d + 1. WebNN's padding crops
    # it; output padding (which may exceed what torch accepts, as when it comes from
    # output_sizes) extends the far end with cells no input reaches, so bias comes last.
    y = F.conv_transpose2d(xs, ws, None, stride=attrs["strides"],
                           dilation=attrs["dilations"], groups=attrs["groups"])
    hb, he, wb, we = attrs["padding"]
    oph, opw = attrs["output_padding"]
    y = F.pad(y, (-wb, opw - we, -hb, oph - he))
    if bias is not None:
        y = y + widen(bias).view(1, -1, 1, 1)
    return narrow(from_nchw(y, layout), dtype)


KERNELS: dict[str, Any] = {
    "conv2d": _conv2d,
    "conv_transpose2d": _conv_transpose2d,
}
