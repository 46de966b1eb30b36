"""Matrix products: ``matmul`` and ``gemm`` (digest §2.33, §2.22)."""

from __future__ import annotations

from webnn._dtypes import FLOATS, cast_number
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim
from webnn.ops.conv import desc, optional_desc


def _matmul_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    a, b = desc(ins, "a"), desc(ins, "b")
    if a.shape[-1] != b.shape[-2]:
        chk.fail(f"a shape {list(a.shape)} and b shape {list(b.shape)} are incompatible: "
                 f"a.shape[-1] {a.shape[-1]} != b.shape[-2] {b.shape[-2]}")
    # No 1-D promotion as in numpy: both are at least 2-D (checked by the limits).
    batch = chk.broadcast("a batch", a.shape[:-2], "b batch", b.shape[:-2])
    return Desc(a.data_type, (*batch, a.shape[-2], b.shape[-1]))


def _gemm_normalize(chk: Check, ins: Ins, values: Attrs) -> Attrs:
    dt = desc(ins, "a").data_type
    return {"alpha": float(cast_number(chk.finite("alpha", values["alpha"]), dt)),
            "beta": float(cast_number(chk.finite("beta", values["beta"]), dt)),
            "a_transpose": chk.flag("a_transpose", values["a_transpose"]),
            "b_transpose": chk.flag("b_transpose", values["b_transpose"])}


def _gemm_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    a, b = desc(ins, "a"), desc(ins, "b")
    m, k = a.shape[::-1] if attrs["a_transpose"] else a.shape
    k2, n = b.shape[::-1] if attrs["b_transpose"] else b.shape
    if k != k2:
        chk.fail(f"a shape {list(a.shape)} (a_transpose={attrs['a_transpose']}) and b shape "
                 f"{list(b.shape)} (b_transpose={attrs['b_transpose']}) disagree on the "
                 f"inner dimension: {k} != {k2}")
    c = optional_desc(ins, "c")
    if c is not None:
        chk.unidirectional("c", c.shape, (m, n))
    return Desc(a.data_type, (m, n))


OPS: tuple[OpDef, ...] = (
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-matmul
    OpDef("matmul", "matmul", ("a", "b"), infer=_matmul_infer,
          limits={"a": lim(FLOATS, (2, None)), "b": lim(FLOATS, (2, None), same_as="a"),
                  "output": lim(FLOATS, (2, None))}),
    # https://www.w3.org/TR/webnn/#api-mlgraphbuilder-gemm
    OpDef("gemm", "gemm", ("a", "b"), normalize=_gemm_normalize, infer=_gemm_infer,
          options={"c": None, "alpha": 1.0, "beta": 1.0, "a_transpose": False,
                   "b_transpose": False},
          limits={"a": lim(FLOATS, (2, 2)), "b": lim(FLOATS, (2, 2), same_as="a"),
                  "c": lim(FLOATS, (0, 2), same_as="a"), "output": lim(FLOATS, (2, 2))}),
)
