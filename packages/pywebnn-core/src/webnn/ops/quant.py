"""cast, quantizeLinear and dequantizeLinear (digest §2.3, 2.14, 2.15).

quantizeLinear's zero point and output, and dequantizeLinear's input and zero point, also
allow the PyWebNN extension types int4/uint4 (``webnn._dtypes.EXTENSION_4BIT``): these two
ops are the only ones that do.  A backend runs them only when it lists the extension types
(``Backend.extension_types``); otherwise the core raises UnsupportedError.
"""

from __future__ import annotations

from webnn._dtypes import ALL, EXTENSION_4BIT, FLOATS, QUANTIZED
from webnn.ops._registry import Attrs, Check, Desc, Ins, OpDef, lim


def _operands(ins: Ins) -> tuple[Desc, Desc, Desc]:
    x, scale, zp = ins["input"], ins["scale"], ins["zero_point"]
    assert isinstance(x, Desc)
    assert isinstance(scale, Desc)
    assert isinstance(zp, Desc)
    return x, scale, zp


# -- cast -----------------------------------------------------------------------------------


def _cast_normalize(chk: Check, ins: Ins, args: Attrs) -> Attrs:
    return {"data_type": chk.data_type("data_type", args["data_type"], ALL)}


def _cast_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = ins["input"]
    assert isinstance(x, Desc)
    # The spec's algorithm forgets to set the data type (digest §4.2); the target is meant.
    return Desc(attrs["data_type"], x.shape)


# -- quantizeLinear / dequantizeLinear ------------------------------------------------------


def _check_blockwise(chk: Check, ins: Ins) -> Desc:
    """The shared shape rules: scale and zero_point have the input's rank, equal shapes,
    and each of their dimensions divides the input's (one value per block)."""
    x, scale, zp = _operands(ins)
    for name, d in (("scale", scale), ("zero_point", zp)):
        if d.rank != x.rank:
            chk.fail(f"{name} must have the input's rank {x.rank}, got shape {list(d.shape)}")
    if scale.shape != zp.shape:
        chk.fail(f"scale shape {list(scale.shape)} and zero_point shape {list(zp.shape)} "
                 "must be equal")
    if any(n % s for n, s in zip(x.shape, scale.shape, strict=True)):
        chk.fail(f"scale shape {list(scale.shape)} is not blockwise broadcastable to input "
                 f"shape {list(x.shape)} (each dimension must divide the input's)")
    return x


def _quantize_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = _check_blockwise(chk, ins)
    return Desc(_operands(ins)[2].data_type, x.shape)


def _dequantize_infer(chk: Check, ins: Ins, attrs: Attrs) -> Desc:
    x = _check_blockwise(chk, ins)
    return Desc(_operands(ins)[1].data_type, x.shape)


OPS: tuple[OpDef, ...] = (
    OpDef("cast", "cast", ("input", "data_type"), infer=_cast_infer,
          normalize=_cast_normalize, limits={"input": lim(ALL), "output": lim(ALL)}),
    OpDef("quantize_linear", "quantizeLinear", ("input", "scale", "zero_point"),
          infer=_quantize_infer,
          limits={"input": lim(FLOATS), "scale": lim(FLOATS, same_as="input"),
                  "zero_point": lim(QUANTIZED, extensions=EXTENSION_4BIT),
                  "output": lim(QUANTIZED, extensions=EXTENSION_4BIT)}),
    OpDef("dequantize_linear", "dequantizeLinear", ("input", "scale", "zero_point"),
          infer=_dequantize_infer,
          limits={"input": lim(QUANTIZED, extensions=EXTENSION_4BIT), "scale": lim(FLOATS),
                  "zero_point": lim(QUANTIZED, same_as="input", extensions=EXTENSION_4BIT),
                  "output": lim(FLOATS)}),
)
