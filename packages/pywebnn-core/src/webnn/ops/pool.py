"""Pooling: ``average_pool2d``, ``l2_pool2d``, ``max_pool2d`` (digest §2.35, §4 items 7, 8).

The IR always carries the final ``output_sizes``; the rounding mode is only needed to
compute them, so it is not an attribute.
"""

from __future__ import annotations

from typing import Final

from webnn._dtypes import ALL, FLOATS, DataType
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim
from webnn.ops.conv import (
    INPUT_LAYOUTS,
    desc,
    dilated,
    join_output,
    sizes,
    split_input,
    window_attrs,
)

ROUNDINGS: Final = ("floor", "ceil")


def _rounding(chk: Check, values: Attrs) -> str:
    """``output_shape_rounding``, or its older spelling ``rounding_type`` that WPT and
    Chromium still use.  The alias wins over the default "floor"; an explicit "ceil"
    contradicted by the alias is ambiguous."""
    new = chk.one_of("output_shape_rounding", values["output_shape_rounding"], ROUNDINGS)
    old = values["rounding_type"]
    if old is None:
        return new
    chk.one_of("rounding_type", old, ROUNDINGS)
    if new != "floor" and new != old:
        chk.fail(f"output_shape_rounding {new!r} and its alias rounding_type {old!r} "
                 "disagree")
    return str(old)


def _pool_normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
    x = desc(ins, "input")
    layout = chk.one_of("layout", values["layout"], INPUT_LAYOUTS)
    _, _, h, w = split_input(x.shape, layout)
    window = sizes(chk, "window_dimensions", values["window_dimensions"], (h, w), 2, lo=1)
    attrs = window_attrs(chk, values)
    rounding = _rounding(chk, values)
    pad, s, d = attrs["padding"], attrs["strides"], attrs["dilations"]
    # Numerators of the spec's real-valued size formula, one per spatial axis.
    nums = (h - dilated(window[0], d[0]) + pad[0] + pad[1],
            w - dilated(window[1], d[1]) + pad[2] + pad[3])
    floors = tuple(num // st + 1 for num, st in zip(nums, s, strict=True))
    ceils = tuple(-(-num // st) + 1 for num, st in zip(nums, s, strict=True))
    if values["output_sizes"] is not None:
        # Digest §4 item 7: the given padding is kept and the spec's "outputSizes < strides"
        # step is skipped (it rejects every realistic call); WPT's outputSizes vectors
        # only pass this way.
        out = sizes(chk, "output_sizes", values["output_sizes"], (), 2)
        if out not in (floors, ceils):
            chk.fail(f"output_sizes {list(out)} must be the floor {list(floors)} or the "
                     f"ceil {list(ceils)} of the computed output size")
    else:
        out = floors if rounding == "floor" else ceils
    for axis, size in zip(("height", "width"), out, strict=True):
        if size < 1:
            chk.fail(f"output {axis} {size} is not a valid dimension: the dilated window "
                     f"{list(window)} does not fit the padded input {[h, w]}")
        chk.dim(f"output {axis}", size)
    return {"window_dimensions": window, **attrs, "layout": layout, "output_sizes": out}


def _pool_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = desc(ins, "input")
    n, c, _, _ = split_input(x.shape, attrs["layout"])
    oh, ow = attrs["output_sizes"]
    return Desc(x.data_type, join_output(n, c, oh, ow, attrs["layout"]))


def _pool_op(name: str, spec: str, dtypes: tuple[DataType, ...]) -> OpDef:
    return OpDef(name, spec, ("input",), normalize=_pool_normalize, infer=_pool_infer,
                 limits={"input": lim(dtypes, (4, 4)), "output": lim(dtypes, (4, 4))},
                 options={"window_dimensions": None, "padding": None, "strides": None,
                          "dilations": None, "layout": "nchw",
                          "output_shape_rounding": "floor", "output_sizes": None,
                          "rounding_type": None})


OPS: tuple[OpDef, ...] = (
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-pool2d-average
    _pool_op("average_pool2d", "averagePool2d", FLOATS),
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-pool2d-l2
    _pool_op("l2_pool2d", "l2Pool2d", FLOATS),
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-pool2d-max
    _pool_op("max_pool2d", "maxPool2d", ALL),
)
