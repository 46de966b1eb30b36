"""Gather and scatter ops: gather, gather_elements, gather_nd, scatter_elements,
scatter_nd (digest §2.18–2.20, 2.42, 2.43).

Indices are runtime data: they are never validated here.  Backends wrap negative
indices once and clamp into ``[0, N-1]`` (digest §4 item 11).
"""

from __future__ import annotations

from webnn._dtypes import ALL, INDICES
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim

_ANY_RANK = (0, None)
_RANK_1 = (1, None)


def _desc(ins: Ins, name: str) -> Desc:
    d = ins[name]
    assert isinstance(d, Desc)
    return d


def _axis_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return {"axis": chk.axis("axis", args["axis"], _desc(ins, "input").rank)}


def _gather_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x, idx, axis = _desc(ins, "input"), _desc(ins, "indices"), attrs["axis"]
    return Desc(x.data_type, x.shape[:axis] + idx.shape + x.shape[axis + 1:])


def _check_elementwise_indices(chk: Check, x: Desc, idx: Desc, axis: int) -> None:
    """gatherElements/scatterElements: indices match the input except along ``axis``."""
    if idx.rank != x.rank:
        chk.fail(f"indices rank {idx.rank} (shape {list(idx.shape)}) must equal the input "
                 f"rank {x.rank}")
    for d, (i, n) in enumerate(zip(idx.shape, x.shape, strict=True)):
        if d != axis and i != n:
            chk.fail(f"indices shape {list(idx.shape)} must match input shape "
                     f"{list(x.shape)} except along axis {axis}; they differ at axis {d}")


def _gather_elements_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x, idx = _desc(ins, "input"), _desc(ins, "indices")
    _check_elementwise_indices(chk, x, idx, attrs["axis"])
    # The spec's algorithm copies the input descriptor (digest §4 item 4); its examples
    # and the semantics give the indices' shape.
    return Desc(x.data_type, idx.shape)


def _scatter_elements_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x, idx, upd = _desc(ins, "input"), _desc(ins, "indices"), _desc(ins, "updates")
    _check_elementwise_indices(chk, x, idx, attrs["axis"])
    chk.shape("updates", upd, idx.shape)
    return x


def _nd_slice_shape(chk: Check, x: Desc, idx: Desc) -> tuple[int, ...]:
    """``indices.shape[:-1] + input.shape[k:]`` where k indexes the leading input axes."""
    k = idx.shape[-1]
    if k > x.rank:
        chk.fail(f"indices last dimension {k} (shape {list(idx.shape)}) must not exceed the "
                 f"input rank {x.rank}")
    return idx.shape[:-1] + x.shape[k:]


def _gather_nd_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = _desc(ins, "input")
    return Desc(x.data_type, _nd_slice_shape(chk, x, _desc(ins, "indices")))


def _scatter_nd_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    # The spec's "Returns" text gives gatherND's rank (digest §4 item 6); the output is a
    # copy of the input.
    x, upd = _desc(ins, "input"), _desc(ins, "updates")
    chk.shape("updates", upd, _nd_slice_shape(chk, x, _desc(ins, "indices")))
    return x


OPS: tuple[OpDef, ...] = (
    # WPT gathers a 0-D index from a 1-D input, so the output may be a scalar although
    # the digest's limits table says rank 1..N.
    OpDef("gather", "gather", ("input", "indices"), infer=_gather_infer,
          normalize=_axis_normalize, options={"axis": 0},
          limits={"input": lim(ALL, _RANK_1), "indices": lim(INDICES, _ANY_RANK),
                  "output": lim(ALL, _ANY_RANK)}),
    OpDef("gather_elements", "gatherElements", ("input", "indices"),
          infer=_gather_elements_infer, normalize=_axis_normalize, options={"axis": 0},
          limits={"input": lim(ALL, _RANK_1), "indices": lim(INDICES, _RANK_1),
                  "output": lim(ALL, _RANK_1)}),
    OpDef("gather_nd", "gatherND", ("input", "indices"), infer=_gather_nd_infer,
          limits={"input": lim(ALL, _RANK_1), "indices": lim(INDICES, _RANK_1),
                  "output": lim(ALL, _ANY_RANK)}),
    OpDef("scatter_elements", "scatterElements", ("input", "indices", "updates"),
          infer=_scatter_elements_infer, normalize=_axis_normalize, options={"axis": 0},
          limits={"input": lim(ALL, _RANK_1), "indices": lim(INDICES, _RANK_1),
                  "updates": lim(ALL, _RANK_1, same_as="input"),
                  "output": lim(ALL, _RANK_1)}),
    OpDef("scatter_nd", "scatterND", ("input", "indices", "updates"),
          infer=_scatter_nd_infer,
          limits={"input": lim(ALL, _RANK_1), "indices": lim(INDICES, _RANK_1),
                  "updates": lim(ALL, _ANY_RANK, same_as="input"),
                  "output": lim(ALL, _RANK_1)}),
)
