"""Convolutions: ``conv2d`` and ``conv_transpose2d`` (digest §2.6, §2.7).

The window geometry helpers here (layouts, sequence options, output sizes) are shared
with the pooling family.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from webnn._dtypes import FLOATS
from webnn.ops._registry import Attrs, Check, Desc, Ins, Normalize, OpDef, lim

INPUT_LAYOUTS: Final = ("nchw", "nhwc")

# Where each filter layout keeps (output channels, input channels, kH, kW).
_CONV_FILTER_AXES: Final[dict[str, tuple[int, int, int, int]]] = {
    "oihw": (0, 1, 2, 3),
    "hwio": (3, 2, 0, 1),
    "ohwi": (0, 3, 1, 2),
    "ihwo": (3, 0, 1, 2),
}
# convTranspose2d filters hold the *full* input channels and output channels / groups.
_TRANSPOSE_FILTER_AXES: Final[dict[str, tuple[int, int, int, int]]] = {
    "iohw": (1, 0, 2, 3),
    "hwoi": (2, 3, 0, 1),
    "ohwi": (0, 3, 1, 2),
}


def desc(ins: Ins, name: str) -> Desc:
    d = ins[name]
    assert isinstance(d, Desc)
    return d


def optional_desc(ins: Ins, name: str) -> Desc | None:
    d = ins.get(name)
    assert d is None or isinstance(d, Desc)
    return d


def sizes(chk: Check, arg: str, value: object, default: Sequence[int], length: int,
          lo: int = 0) -> tuple[int, ...]:
    """A ``sequence<[EnforceRange] unsigned long>`` option with a default and a fixed length;
    ``lo=1`` for strides, dilations and windows, where the spec rejects zeros."""
    return chk.ints(arg, default if value is None else value, length, lo)


def window_attrs(chk: Check, values: Attrs) -> Attrs:
    """padding / strides / dilations, common to convolutions and pooling."""
    return {
        "padding": sizes(chk, "padding", values["padding"], (0, 0, 0, 0), 4),
        "strides": sizes(chk, "strides", values["strides"], (1, 1), 2, lo=1),
        "dilations": sizes(chk, "dilations", values["dilations"], (1, 1), 2, lo=1),
    }


def split_input(shape: Sequence[int], layout: str) -> tuple[int, int, int, int]:
    """(N, C, H, W) of a 4-D input in ``layout``."""
    n, a, b, c = shape
    return (n, a, b, c) if layout == "nchw" else (n, c, a, b)


def join_output(n: int, c: int, h: int, w: int, layout: str) -> tuple[int, int, int, int]:
    return (n, c, h, w) if layout == "nchw" else (n, h, w, c)


def dilated(window: int, dilation: int) -> int:
    return (window - 1) * dilation + 1


def _filter_dims(w: Desc, axes: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    o, i, kh, kw = (w.shape[a] for a in axes)
    return o, i, kh, kw


def _check_bias(chk: Check, bias: Desc | None, channels: int) -> None:
    if bias is not None:
        chk.shape("bias", bias, (channels,))


def _conv_normalize(filter_layouts: Sequence[str]) -> Normalize:
    def normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
        attrs = window_attrs(chk, values)
        attrs["groups"] = chk.integer("groups", values["groups"], lo=1)
        attrs["input_layout"] = chk.one_of("input_layout", values["input_layout"],
                                           INPUT_LAYOUTS)
        attrs["filter_layout"] = chk.one_of("filter_layout", values["filter_layout"],
                                            filter_layouts)
        return attrs

    return normalize


def _conv2d_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x, w = desc(ins, "input"), desc(ins, "filter")
    n, c, h, wd = split_input(x.shape, attrs["input_layout"])
    o, cg, kh, kw = _filter_dims(w, _CONV_FILTER_AXES[attrs["filter_layout"]])
    groups = attrs["groups"]
    if c % groups:
        chk.fail(f"input channels {c} are not divisible by groups {groups}")
    if c // groups != cg:
        chk.fail(f"filter input channels {cg} (filter shape {list(w.shape)}, layout "
                 f"{attrs['filter_layout']}) must equal input channels / groups = "
                 f"{c} / {groups} = {c // groups}")
    if o % groups:
        chk.fail(f"filter output channels {o} are not divisible by groups {groups}")
    _check_bias(chk, optional_desc(ins, "bias"), o)
    pad, s, d = attrs["padding"], attrs["strides"], attrs["dilations"]
    oh = _conv_size(chk, "height", h, kh, pad[0], pad[1], s[0], d[0])
    ow = _conv_size(chk, "width", wd, kw, pad[2], pad[3], s[1], d[1])
    return Desc(x.data_type, join_output(n, o, oh, ow, attrs["input_layout"]))


def _conv_size(chk: Check, axis: str, size: int, window: int, begin: int, end: int,
               stride: int, dilation: int) -> int:
    # Floor division of the integer numerator equals the spec's floor of the real quotient,
    # negative numerators included.
    out = (size - dilated(window, dilation) + begin + end) // stride + 1
    if out < 1:
        chk.fail(f"output {axis} {out} is not a valid dimension: input {axis} {size} "
                 f"padded by {begin}+{end} is smaller than the dilated filter "
                 f"{dilated(window, dilation)}")
    return chk.dim(f"output {axis}", out)


def _transpose_normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
    attrs = _conv_normalize(tuple(_TRANSPOSE_FILTER_AXES))(chk, ins, values)
    output_padding = sizes(chk, "output_padding", values["output_padding"], (0, 0), 2)
    output_sizes = values["output_sizes"]
    calc = _transpose_calc(ins, attrs)
    s = attrs["strides"]
    if output_sizes is None:
        for i, axis in enumerate(("height", "width")):
            if output_padding[i] >= s[i]:
                chk.fail(f"output_padding {axis} {output_padding[i]} must be smaller than "
                         f"the stride {s[i]}")
    else:
        wanted = sizes(chk, "output_sizes", output_sizes, (), 2)
        for i, axis in enumerate(("height", "width")):
            if not calc[i] <= wanted[i] < calc[i] + s[i]:
                chk.fail(f"output_sizes {axis} {wanted[i]} must be in [{calc[i]}, "
                         f"{calc[i] + s[i] - 1}] (computed size {calc[i]}, stride {s[i]})")
        # The IR keeps one formula: the requested size is the computed one plus padding.
        output_padding = (wanted[0] - calc[0], wanted[1] - calc[1])
    attrs["output_padding"] = output_padding
    return {k: attrs[k] for k in ("padding", "strides", "dilations", "output_padding",
                                  "groups", "input_layout", "filter_layout")}


def _transpose_calc(ins: Ins, attrs: Attrs) -> tuple[int, int]:
    """The output size per spatial axis before output padding (may be < 1)."""
    x, w = desc(ins, "input"), desc(ins, "filter")
    _, _, h, wd = split_input(x.shape, attrs["input_layout"])
    _, _, kh, kw = _filter_dims(w, _TRANSPOSE_FILTER_AXES[attrs["filter_layout"]])
    pad, s, d = attrs["padding"], attrs["strides"], attrs["dilations"]
    return ((h - 1) * s[0] + dilated(kh, d[0]) - pad[0] - pad[1],
            (wd - 1) * s[1] + dilated(kw, d[1]) - pad[2] - pad[3])


def _transpose_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x, w = desc(ins, "input"), desc(ins, "filter")
    n, c, _, _ = split_input(x.shape, attrs["input_layout"])
    og, ci, _, _ = _filter_dims(w, _TRANSPOSE_FILTER_AXES[attrs["filter_layout"]])
    groups = attrs["groups"]
    if ci != c:
        chk.fail(f"filter input channels {ci} (filter shape {list(w.shape)}, layout "
                 f"{attrs['filter_layout']}) must equal input channels {c}")
    # Not in the spec (digest §4 item 12), but without it the channel groups are undefined
    # and no backend can compute the op; Chromium rejects it too.
    if c % groups:
        chk.fail(f"input channels {c} are not divisible by groups {groups}")
    o = chk.dim("output channels (filter output channels * groups)", og * groups)
    _check_bias(chk, optional_desc(ins, "bias"), o)
    calc = _transpose_calc(ins, attrs)
    op = attrs["output_padding"]
    oh = chk.dim("output height", calc[0] + op[0])
    ow = chk.dim("output width", calc[1] + op[1])
    return Desc(x.data_type, join_output(n, o, oh, ow, attrs["input_layout"]))


_CONV_LIMITS: Final = {
    "input": lim(FLOATS, (4, 4)),
    "filter": lim(FLOATS, (4, 4), same_as="input"),
    "bias": lim(FLOATS, (1, 1), same_as="input"),
    "output": lim(FLOATS, (4, 4)),
}

OPS: tuple[OpDef, ...] = (
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-conv2d
    OpDef("conv2d", "conv2d", ("input", "filter"), limits=_CONV_LIMITS,
          options={"padding": None, "strides": None, "dilations": None, "groups": 1,
                   "input_layout": "nchw", "filter_layout": "oihw", "bias": None},
          normalize=_conv_normalize(tuple(_CONV_FILTER_AXES)), infer=_conv2d_infer),
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-convtranspose2d
    OpDef("conv_transpose2d", "convTranspose2d", ("input", "filter"), limits=_CONV_LIMITS,
          options={"padding": None, "strides": None, "dilations": None,
                   "output_padding": None, "output_sizes": None, "groups": 1,
                   "input_layout": "nchw", "filter_layout": "iohw", "bias": None},
          normalize=_transpose_normalize, infer=_transpose_infer),
)
