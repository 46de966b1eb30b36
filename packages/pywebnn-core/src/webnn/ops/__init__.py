"""The op table: every MLGraphBuilder operation as an ``OpDef``, one module per family."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from webnn.ops import (
    activation,
    conv,
    elementwise,
    gather,
    matmul,
    normalization,
    pool,
    quant,
    reduce,
    resample,
    rnn,
    shape,
)
from webnn.ops._registry import Desc, Limits, OpDef

__all__ = ["OPS", "Desc", "Limits", "OpDef"]

_FAMILIES = (
    elementwise,
    activation,
    reduce,
    quant,
    conv,
    pool,
    resample,
    normalization,
    matmul,
    shape,
    gather,
    rnn,
)

OPS: Final = MappingProxyType({op.name: op for fam in _FAMILIES for op in fam.OPS})
