"""Kernel table of the torch backend: one module per op family, each exporting
``KERNELS: dict[str, Kernel]`` (and optionally ``LIMITS`` narrowing data types).

A kernel receives ``args`` in the op's ``OpDef.input_names`` order (a tensor, None for
an absent optional operand, or a list of tensors), the node's fully normalized
attributes and the output descriptors from the IR, and returns the output tensor(s)
with exactly those shapes and dtypes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, TypeAlias

import torch

from pywebnn_torch.ops import (
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
from webnn.ops import Desc, Limits

Kernel: TypeAlias = Callable[[Sequence[Any], Mapping[str, Any], Sequence[Desc]],
                             "torch.Tensor | Sequence[torch.Tensor]"]

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

KERNELS: Final[Mapping[str, Kernel]] = MappingProxyType(
    {name: k for fam in _FAMILIES for name, k in fam.KERNELS.items()})

# op -> operand -> data types this backend leaves out (with the reason in docs).
_UNSUPPORTED: Final[dict[str, dict[str, tuple[str, ...]]]] = {}
for _fam in _FAMILIES:
    for _op, _by_operand in getattr(_fam, "UNSUPPORTED", {}).items():
        _UNSUPPORTED.setdefault(_op, {}).update(_by_operand)


def limit_for(op: str, operand: str, allowed: Limits) -> Limits:
    drop = _UNSUPPORTED.get(op, {}).get(operand, ())
    if not drop:
        return allowed
    kept = tuple(d for d in allowed.data_types if d not in drop)
    return Limits(kept, allowed.min_rank, allowed.max_rank, allowed.same_as)
