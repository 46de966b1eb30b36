"""Convolution, pooling and resampling kernels, computed in NCHW.

Output sizes come from the IR's output operand: the core already applied every size
rule (rounding, outputSizes, outputPadding), so kernels only do the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel, lowest

__all__ = ["KERNELS"]

# Axis orders that bring each filter layout to OIHW (conv2d) or IOHW (convTranspose2d).
_TO_OIHW = {"oihw": (0, 1, 2, 3), "hwio": (3, 2, 0, 1), "ohwi": (0, 3, 1, 2),
            "ihwo": (3, 0, 1, 2)}  # fmt: skip
_TO_IOHW = {"iohw": (0, 1, 2, 3), "hwoi": (3, 2, 0, 1), "ohwi": (3, 0, 1, 2)}


def _nchw(a: np.ndarray, layout: str) -> np.ndarray:
    return a.transpose(0, 3, 1, 2) if layout == "nhwc" else a


def _from_nchw(a: np.ndarray, layout: str) -> np.ndarray:
    return a.transpose(0, 2, 3, 1) if layout == "nhwc" else a


def _out_hw(outs: Any, layout: str) -> tuple[int, int]:
    shape = outs[0].shape
    return (shape[1], shape[2]) if layout == "nhwc" else (shape[2], shape[3])


def _taps(count: int, stride: int, offset: int) -> slice:
    """Positions offset, offset + stride, ... (count of them) along one axis."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def _conv2d(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    layout, groups = at["input_layout"], at["groups"]
    a = _nchw(x[0], layout)
    w = x[1].transpose(_TO_OIHW[at["filter_layout"]])
    n = a.shape[0]
    o, cg, kh, kw = w.shape
    (pt, pb, pl, pr), (sh, sw), (dh, dw) = at["padding"], at["strides"], at["dilations"]
    oh, ow = _out_hw(outs, layout)
    xp = np.pad(a, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    xg = xp.reshape(n, groups, cg, *xp.shape[2:])
    wg = w.reshape(groups, o // groups, cg, kh, kw)
    y = np.zeros((n, groups, o // groups, oh, ow))
    for p in range(kh):
        for q in range(kw):
            patch = xg[..., _taps(oh, sh, p * dh), _taps(ow, sw, q * dw)]
            y += np.einsum("ngchw,goc->ngohw", patch, wg[..., p, q])
    y = y.reshape(n, o, oh, ow)
    if x[2] is not None:
        y += x[2][None, :, None, None]
    return _from_nchw(y, layout)


def _conv_transpose2d(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    layout, groups = at["input_layout"], at["groups"]
    a = _nchw(x[0], layout)
    w = x[1].transpose(_TO_IOHW[at["filter_layout"]])
    n, c, h, wd = a.shape
    _, og, kh, kw = w.shape
    (pt, _, pl, _), (sh, sw), (dh, dw) = at["padding"], at["strides"], at["dilations"]
    oh, ow = _out_hw(outs, layout)
    # Scatter into a buffer that starts at the unpadded origin, then crop the padding.
    full_h = max((h - 1) * sh + (kh - 1) * dh + 1, pt + oh)
    full_w = max((wd - 1) * sw + (kw - 1) * dw + 1, pl + ow)
    buf = np.zeros((n, groups * og, full_h, full_w))
    xg = a.reshape(n, groups, c // groups, h, wd)
    wg = w.reshape(groups, c // groups, og, kh, kw)
    for p in range(kh):
        for q in range(kw):
            part = np.einsum("ngchw,gco->ngohw", xg, wg[..., p, q]).reshape(n, -1, h, wd)
            buf[:, :, _taps(h, sh, p * dh), _taps(wd, sw, q * dw)] += part
    y = buf[:, :, pt : pt + oh, pl : pl + ow]
    if x[2] is not None:
        y = y + x[2][None, :, None, None]
    return _from_nchw(y, layout)


def _windows(
    a: np.ndarray, at: Mapping[str, Any], oh: int, ow: int, fill: float | int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every window tap as a (N, C, oh, ow) slice, with a mask of real (unpadded) cells."""
    (kh, kw), (pt, pb, pl, pr) = at["window_dimensions"], at["padding"]
    (sh, sw), (dh, dw) = at["strides"], at["dilations"]
    # Ceil rounding can place the last window past the padded input; pad that too.
    extra_h = max(0, (oh - 1) * sh + (kh - 1) * dh + 1 - (a.shape[2] + pt + pb))
    extra_w = max(0, (ow - 1) * sw + (kw - 1) * dw + 1 - (a.shape[3] + pl + pr))
    widths = ((0, 0), (0, 0), (pt, pb + extra_h), (pl, pr + extra_w))
    xp = np.pad(a, widths, constant_values=fill)
    mp = np.pad(np.ones(a.shape, bool), widths, constant_values=False)
    taps, masks = [], []
    for p in range(kh):
        for q in range(kw):
            window = (..., _taps(oh, sh, p * dh), _taps(ow, sw, q * dw))
            taps.append(xp[window])
            masks.append(mp[window])
    return taps, masks


def _pool(kind: str) -> Kernel:
    def kernel(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
        layout = at["layout"]
        a = _nchw(x[0], layout)
        oh, ow = _out_hw(outs, layout)
        fill = lowest(a) if kind == "max" else 0
        taps, masks = _windows(a, at, oh, ow, fill)
        if kind == "max":
            y = np.max(np.stack(taps), axis=0)
        elif kind == "l2":
            y = np.sqrt(np.sum(np.stack(taps) ** 2, axis=0))
        else:  # padded cells are not counted, as in the W3C reference implementation
            y = np.sum(np.stack(taps), axis=0) / np.sum(np.stack(masks), axis=0)
        return _from_nchw(y, layout)

    return kernel


def _resample_axis(a: np.ndarray, axis: int, size: int, scale: float, linear: bool) -> np.ndarray:
    n = a.shape[axis]
    coord = np.clip((np.arange(size) + 0.5) / scale - 0.5, 0, n - 1)
    if not linear:
        return np.take(a, np.ceil(coord - 0.5).astype(np.int64), axis=axis)
    lo, hi = np.floor(coord).astype(np.int64), np.ceil(coord).astype(np.int64)
    t = (coord - lo).reshape([-1 if d == axis else 1 for d in range(a.ndim)])
    return np.take(a, lo, axis=axis) * (1 - t) + np.take(a, hi, axis=axis) * t


def _resample2d(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a = x[0].astype(np.float64)
    for axis, size, scale in zip(at["axes"], at["sizes"], at["scales"], strict=True):
        a = _resample_axis(a, axis, size, scale, at["mode"] == "linear")
    return a if x[0].dtype.kind == "f" else np.rint(a).astype(x[0].dtype)


KERNELS: dict[str, Kernel] = {
    "conv2d": _conv2d,
    "conv_transpose2d": _conv_transpose2d,
    "average_pool2d": _pool("average"),
    "l2_pool2d": _pool("l2"),
    "max_pool2d": _pool("max"),
    "resample2d": _resample2d,
}
