"""Reductions, argMin/argMax and cumulativeSum (digest §2.1, 2.8, 2.37)."""

from __future__ import annotations

from webnn._dtypes import ALL, FLOATS, SUMMABLE, DataType, int_range
from webnn.ops._registry import (
    Attrs,
    Check,
    Desc,
    Ins,
    OpDef,
    lim,
    reduced_shape,
    same_as_input,
)

INDEX_TYPES: tuple[DataType, ...] = ("int32", "int64")


def _input(ins: Ins) -> Desc:
    d = ins["input"]
    assert isinstance(d, Desc)
    return d


# -- reduceX --------------------------------------------------------------------------------


def _reduce_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    rank = _input(ins).rank
    axes = args["axes"]
    # Absent axes reduce every axis; an explicit [] reduces none (the function is then
    # applied to each element alone), so the two must stay distinct until here.
    resolved = tuple(range(rank)) if axes is None else chk.axes("axes", axes, rank)
    return {"axes": resolved,
            "keep_dimensions": chk.flag("keep_dimensions", args["keep_dimensions"])}


def _reduce_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = _input(ins)
    return Desc(x.data_type, reduced_shape(x.shape, attrs["axes"], attrs["keep_dimensions"]))


def _reduce(name: str, spec: str, dtypes: tuple[DataType, ...]) -> OpDef:
    return OpDef(name, spec, ("input",), infer=_reduce_infer, normalize=_reduce_normalize,
                 options={"axes": None, "keep_dimensions": False},
                 limits={"input": lim(dtypes), "output": lim(dtypes)})


# -- argMin / argMax ------------------------------------------------------------------------


def _arg_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return {"axis": chk.axis("axis", args["axis"], _input(ins).rank),
            "keep_dimensions": chk.flag("keep_dimensions", args["keep_dimensions"]),
            "output_data_type": chk.data_type("output_data_type", args["output_data_type"],
                                              INDEX_TYPES)}


def _arg_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = _input(ins)
    axis, dt = attrs["axis"], attrs["output_data_type"]
    # Indices run to shape[axis] - 1, but the spec compares the size itself.
    if x.shape[axis] > int_range(dt)[1]:
        chk.fail(f"input dimension {x.shape[axis]} on axis {axis} does not fit "
                 f"output_data_type {dt}")
    return Desc(dt, reduced_shape(x.shape, (axis,), attrs["keep_dimensions"]))


def _arg(name: str, spec: str) -> OpDef:
    return OpDef(name, spec, ("input", "axis"), infer=_arg_infer, normalize=_arg_normalize,
                 options={"keep_dimensions": False, "output_data_type": "int32"},
                 limits={"input": lim(ALL, (1, None)), "output": lim(INDEX_TYPES)})


# -- cumulativeSum --------------------------------------------------------------------------


def _cumsum_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return {"axis": chk.axis("axis", args["axis"], _input(ins).rank),
            "exclusive": chk.flag("exclusive", args["exclusive"]),
            "reversed": chk.flag("reversed", args["reversed"])}


OPS: tuple[OpDef, ...] = (
    _reduce("reduce_l1", "reduceL1", SUMMABLE),
    _reduce("reduce_l2", "reduceL2", FLOATS),
    _reduce("reduce_log_sum", "reduceLogSum", FLOATS),
    _reduce("reduce_log_sum_exp", "reduceLogSumExp", FLOATS),
    _reduce("reduce_max", "reduceMax", ALL),
    _reduce("reduce_mean", "reduceMean", FLOATS),
    _reduce("reduce_min", "reduceMin", ALL),
    _reduce("reduce_product", "reduceProduct", SUMMABLE),
    _reduce("reduce_sum", "reduceSum", SUMMABLE),
    _reduce("reduce_sum_square", "reduceSumSquare", SUMMABLE),
    _arg("arg_min", "argMin"),
    _arg("arg_max", "argMax"),
    OpDef("cumulative_sum", "cumulativeSum", ("input", "axis"), infer=same_as_input,
          normalize=_cumsum_normalize, options={"exclusive": False, "reversed": False},
          limits={"input": lim(SUMMABLE, (1, None)), "output": lim(SUMMABLE, (1, None))}),
)
