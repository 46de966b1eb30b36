"""Shape and data-movement ops: reshape, transpose, expand, slice, pad, tile, concat,
split, reverse, triangular (digest §2.5, 2.17, 2.34, 2.40, 2.41, 2.45, 2.49, 2.51–2.53).

Every op here only moves data, so all of them accept the eight data types; the work is
turning the user's sequences into explicit, checked IR attributes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from webnn._dtypes import ALL, MAX_DIMENSION, cast_number
from webnn.ops._registry import (
    Attrs,
    Check,
    Desc,
    Infer,
    Ins,
    Normalize,
    OpDef,
    lim,
    same_as_input,
)

# The spec's "valid tensor count" bounds concat's inputs and split's outputs.
MAX_TENSOR_COUNT = 8192


def _input(ins: Ins, name: str = "input") -> Desc:
    d = ins[name]
    assert isinstance(d, Desc)
    return d


def _dims(chk: Check, arg: str, value: object) -> tuple[int, ...]:
    """A sequence of ``[EnforceRange] unsigned long`` that must all be valid dimensions."""
    dims = chk.ints(arg, value)
    for d in dims:
        if not 0 < d <= MAX_DIMENSION:
            chk.fail(f"{arg} {list(dims)} has invalid dimension {d} (must be 1 to "
                     f"{MAX_DIMENSION})")
    return dims


def _per_axis(chk: Check, arg: str, value: object, rank: int) -> tuple[int, ...]:
    """An ``[EnforceRange] unsigned long`` sequence with one item per input axis."""
    items = chk.ints(arg, value)
    if len(items) != rank:
        chk.fail(f"{arg} {list(items)} must have {rank} items (the input rank), "
                 f"got {len(items)}")
    return items


# -- reshape, expand, transpose -------------------------------------------------------------


def _reshape_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    x = _input(ins)
    shape = _dims(chk, "new_shape", args["new_shape"])
    if math.prod(shape) != x.size:
        chk.fail(f"new_shape {list(shape)} has {math.prod(shape)} elements, input shape "
                 f"{list(x.shape)} has {x.size}")
    return {"new_shape": shape}


def _expand_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    x = _input(ins)
    shape = _dims(chk, "new_shape", args["new_shape"])
    chk.unidirectional("input", x.shape, shape)
    return {"new_shape": shape}


def _to_new_shape(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    return Desc(_input(ins).data_type, attrs["new_shape"])


def _transpose_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    rank = _input(ins).rank
    if args["permutation"] is None:
        return {"permutation": tuple(reversed(range(rank)))}
    perm = _per_axis(chk, "permutation", args["permutation"], rank)
    return {"permutation": chk.axes("permutation", perm, rank)}


def _transpose_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    # The spec's algorithm copies the input descriptor (digest §4 item 5); permute it.
    x = _input(ins)
    return Desc(x.data_type, tuple(x.shape[p] for p in attrs["permutation"]))


# -- slice, pad, tile ------------------------------------------------------------------------


def _slice_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    x = _input(ins)
    starts = _per_axis(chk, "starts", args["starts"], x.rank)
    sizes = _per_axis(chk, "sizes", args["sizes"], x.rank)
    raw_strides = args["strides"]
    strides = (1,) * x.rank if raw_strides is None else _per_axis(
        chk, "strides", raw_strides, x.rank)
    for d, (start, size, stride, n) in enumerate(zip(starts, sizes, strides, x.shape,
                                                     strict=True)):
        if size == 0:
            chk.fail(f"sizes {list(sizes)} has size 0 at axis {d}")
        if stride < 1:
            chk.fail(f"strides {list(strides)} has stride {stride} < 1 at axis {d}")
        if start > n:
            chk.fail(f"starts {list(starts)}: start {start} is beyond input dimension {n} "
                     f"at axis {d}")
        if start + size > n:
            chk.fail(f"starts {list(starts)} + sizes {list(sizes)}: window [{start}, "
                     f"{start + size}) exceeds input dimension {n} at axis {d}")
    return {"starts": starts, "sizes": sizes, "strides": strides}


def _slice_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    shape = tuple(-(-size // stride) for size, stride in zip(attrs["sizes"], attrs["strides"],
                                                            strict=True))
    return Desc(_input(ins).data_type, shape)


def _mlnumber(chk: Check, arg: str, value: object) -> int | float:
    """An ``MLNumber`` (bigint or unrestricted double); ints stay exact for 64-bit types."""
    if isinstance(value, np.generic) and isinstance(value.item(), (int, float)):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, (int, float)):
        chk.fail(f"{arg} must be a number, got {value!r}")
    return value


def _pad_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    x = _input(ins)
    begin = _per_axis(chk, "beginning_padding", args["beginning_padding"], x.rank)
    end = _per_axis(chk, "ending_padding", args["ending_padding"], x.rank)
    mode = chk.one_of("mode", args["mode"], ("constant", "edge", "reflection"))
    if mode == "reflection":
        # Mirroring excludes the border element, so there must be n - 1 cells to mirror.
        for name, pads in (("beginning_padding", begin), ("ending_padding", end)):
            for d, (p, n) in enumerate(zip(pads, x.shape, strict=True)):
                if p >= n:
                    chk.fail(f"{name} {list(pads)}: reflection padding {p} at axis {d} must "
                             f"be smaller than the input dimension {n}")
    value = cast_number(_mlnumber(chk, "value", args["value"]), x.data_type)
    return {"beginning_padding": begin, "ending_padding": end, "mode": mode, "value": value}


def _pad_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = _input(ins)
    shape = tuple(b + n + e for b, n, e in zip(attrs["beginning_padding"], x.shape,
                                               attrs["ending_padding"], strict=True))
    return Desc(x.data_type, chk.output("output", shape))


def _to_uint32(chk: Check, arg: str, value: object) -> int:
    """WebIDL ``unsigned long`` without [EnforceRange]: truncate, then wrap modulo 2**32."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        chk.fail(f"{arg} must be a sequence of integers, got item {value!r}")
    if isinstance(value, float):
        value = int(value) if math.isfinite(value) else 0
    return value % 2**32


def _tile_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    x = _input(ins)
    raw = args["repetitions"]
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
        chk.fail(f"repetitions must be a sequence of integers, got {raw!r}")
    reps = tuple(_to_uint32(chk, "repetitions", r) for r in raw)
    if len(reps) != x.rank:
        chk.fail(f"repetitions {list(reps)} must have {x.rank} items (the input rank), "
                 f"got {len(reps)}")
    if 0 in reps:
        chk.fail(f"repetitions {list(reps)} must not contain 0")
    return {"repetitions": reps}


def _tile_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    # The spec does not re-validate these dimensions (digest §4 item 18); we do.
    x = _input(ins)
    shape = tuple(n * r for n, r in zip(x.shape, attrs["repetitions"], strict=True))
    return Desc(x.data_type, chk.output("output", shape))


# -- concat, split -----------------------------------------------------------------------------


def _inputs(ins: Ins) -> tuple[Desc, ...]:
    xs = ins["inputs"]
    assert isinstance(xs, tuple)
    return xs


def _concat_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    xs = _inputs(ins)
    if not 1 <= len(xs) <= MAX_TENSOR_COUNT:
        chk.fail(f"inputs must hold 1 to {MAX_TENSOR_COUNT} operands, got {len(xs)}")
    return {"axis": chk.axis("axis", args["axis"], xs[0].rank)}


def _concat_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    xs = _inputs(ins)
    first, axis = xs[0], attrs["axis"]
    total = 0
    for i, x in enumerate(xs):
        arg = f"inputs[{i}]"
        chk.same_type(arg, x, "inputs[0]", first)
        if x.rank != first.rank:
            chk.fail(f"{arg} rank {x.rank} must equal inputs[0] rank {first.rank}")
        for d, (n, m) in enumerate(zip(x.shape, first.shape, strict=True)):
            if d != axis and n != m:
                chk.fail(f"{arg} shape {list(x.shape)} differs from inputs[0] shape "
                         f"{list(first.shape)} at axis {d} (only axis {axis} may differ)")
        total += x.shape[axis]
        if total > MAX_DIMENSION:
            chk.fail(f"concatenated size along axis {axis} exceeds {MAX_DIMENSION}")
    shape = list(first.shape)
    shape[axis] = total
    return Desc(first.data_type, tuple(shape))


def _split_sizes(chk: Check, raw: object, n: int) -> tuple[int, ...]:
    if isinstance(raw, Iterable) and not isinstance(raw, (str, bytes)):
        sizes = chk.ints("splits", raw)
        if not 1 <= len(sizes) <= MAX_TENSOR_COUNT:
            chk.fail(f"splits must have 1 to {MAX_TENSOR_COUNT} items, got {len(sizes)}")
        if 0 in sizes:
            chk.fail(f"splits {list(sizes)} must not contain 0")
        if sum(sizes) != n:
            chk.fail(f"splits {list(sizes)} sum to {sum(sizes)}, the split axis has size {n}")
        return sizes
    parts = chk.integer("splits", raw)
    if not 1 <= parts <= MAX_TENSOR_COUNT:
        chk.fail(f"splits must be 1 to {MAX_TENSOR_COUNT}, got {parts}")
    if n % parts:
        chk.fail(f"splits {parts} does not divide the split axis size {n}")
    return (n // parts,) * parts


def _split_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    x = _input(ins)
    axis = chk.axis("axis", args["axis"], x.rank)
    return {"axis": axis, "splits": _split_sizes(chk, args["splits"], x.shape[axis])}


def _split_infer(chk: Check, ins: Ins, attrs: Attrs) -> tuple[Desc, ...]:
    x, axis = _input(ins), attrs["axis"]
    return tuple(Desc(x.data_type, (*x.shape[:axis], size, *x.shape[axis + 1:]))
                 for size in attrs["splits"])


# -- reverse, triangular -----------------------------------------------------------------------


def _reverse_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    rank = _input(ins).rank
    axes = args["axes"]
    # The spec "returns failure" for bad axes (digest §4 item 10); a TypeError is meant.
    return {"axes": tuple(range(rank)) if axes is None else chk.axes("axes", axes, rank)}


def _triangular_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return {"upper": chk.flag("upper", args["upper"]),
            "diagonal": chk.integer("diagonal", args["diagonal"], -(2**31), 2**31 - 1)}


def _single(name: str, spec: str, params: Sequence[str], infer: Infer, normalize: Normalize,
            options: dict[str, object] | None = None, rank: tuple[int, int | None] = (0, None)
            ) -> OpDef:
    """An op with one ``input`` and one ``output`` of the same data type."""
    return OpDef(name, spec, ("input", *params), infer=infer, normalize=normalize,
                 options=options or {}, limits={"input": lim(ALL, rank), "output": lim(ALL, rank)})


OPS: tuple[OpDef, ...] = (
    _single("reshape", "reshape", ("new_shape",), _to_new_shape, _reshape_normalize),
    _single("transpose", "transpose", (), _transpose_infer, _transpose_normalize,
            {"permutation": None}),
    _single("expand", "expand", ("new_shape",), _to_new_shape, _expand_normalize),
    _single("slice", "slice", ("starts", "sizes"), _slice_infer, _slice_normalize,
            {"strides": None}),
    _single("pad", "pad", ("beginning_padding", "ending_padding"), _pad_infer, _pad_normalize,
            {"mode": "constant", "value": 0}),
    _single("tile", "tile", ("repetitions",), _tile_infer, _tile_normalize),
    OpDef("concat", "concat", ("inputs", "axis"), infer=_concat_infer,
          normalize=_concat_normalize, sequence_param="inputs",
          limits={"inputs": lim(ALL, (1, None)), "output": lim(ALL, (1, None))}),
    OpDef("split", "split", ("input", "splits"), infer=_split_infer,
          normalize=_split_normalize, options={"axis": 0}, outputs=("outputs",),
          multi_output=True,
          limits={"input": lim(ALL, (1, None)), "outputs": lim(ALL, (1, None))}),
    _single("reverse", "reverse", (), same_as_input, _reverse_normalize, {"axes": None}),
    _single("triangular", "triangular", (), same_as_input, _triangular_normalize,
            {"upper": True, "diagonal": 0}, rank=(2, None)),
)
