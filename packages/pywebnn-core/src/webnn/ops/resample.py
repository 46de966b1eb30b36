"""Resampling: ``resample2d`` (digest §2.39, §4 item 9)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

import numpy as np

from webnn._dtypes import DataType
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim
from webnn.ops.conv import desc, sizes

MODES: Final = ("nearest-neighbor", "linear")


def _scales(chk: Check, value: object) -> tuple[float, float]:
    """``sequence<float>``: WebIDL ``float`` rejects NaN, infinities and values that round
    to infinity in single precision; the spec then requires every scale > 0."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        chk.fail(f"scales must be a sequence of numbers, got {value!r}")
    items = []
    for v in value:
        number = chk.finite("scales", v)
        with np.errstate(over="ignore"):
            single = float(np.float32(number))
        if not math.isfinite(single):
            chk.fail(f"scales item {number} is out of the single-precision range")
        items.append(single)
    if len(items) != 2:
        chk.fail(f"scales must have 2 items, got {len(items)}: {items}")
    for s in items:
        if s <= 0:
            chk.fail(f"scales must be positive, got {items}")
    return items[0], items[1]


def _axes(chk: Check, value: object) -> tuple[int, int]:
    # The spec checks only range and duplicates (digest §4 item 9a), but the axes pair up
    # with the two scales/sizes, so exactly two are required.
    axes = chk.axes("axes", (2, 3) if value is None else value, 4)
    if len(axes) != 2:
        chk.fail(f"axes must have 2 items, got {len(axes)}: {list(axes)}")
    return axes[0], axes[1]


def _normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
    x = desc(ins, "input")
    mode = chk.one_of("mode", values["mode"], MODES)
    scales = (1.0, 1.0) if values["scales"] is None else _scales(chk, values["scales"])
    axes = _axes(chk, values["axes"])
    in_sizes = (x.shape[axes[0]], x.shape[axes[1]])
    if values["sizes"] is not None:
        out = sizes(chk, "sizes", values["sizes"], (), 2, lo=1)
        # Sizes override scales; the kernel's scale is then exactly output / input.
        scales = (out[0] / in_sizes[0], out[1] / in_sizes[1])
    else:
        out = tuple(math.floor(n * s) for n, s in zip(in_sizes, scales, strict=True))
    for k, axis in enumerate(axes):
        if out[k] < 1:
            chk.fail(f"output size {out[k]} of axis {axis} (input {in_sizes[k]} * scale "
                     f"{scales[k]}) is not a valid dimension")
        chk.dim(f"output size of axis {axis}", out[k])
    return {"mode": mode, "scales": scales, "sizes": tuple(out), "axes": axes}


def _infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = desc(ins, "input")
    shape = list(x.shape)
    for axis, size in zip(attrs["axes"], attrs["sizes"], strict=True):
        shape[axis] = size
    return Desc(x.data_type, tuple(shape))


_TYPES: Final[tuple[DataType, ...]] = ("float32", "float16", "uint8", "int8")

OPS: tuple[OpDef, ...] = (
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-resample2d-method
    OpDef("resample2d", "resample2d", ("input",), normalize=_normalize, infer=_infer,
          limits={"input": lim(_TYPES, (4, 4)), "output": lim(_TYPES, (4, 4))},
          options={"mode": "nearest-neighbor", "scales": None, "sizes": None, "axes": None}),
)
