"""``matmul`` and ``gemm`` kernels; float16 is multiplied in float32 and rounded once
(torch's CPU half matmul is slow and accumulates in half precision)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from pywebnn_torch.ops._util import narrow, widen
from webnn.ops import Desc


def _matmul(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
            ) -> torch.Tensor:
    a, b = args
    return narrow(torch.matmul(widen(a), widen(b)), a.dtype)


def _gemm(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
          ) -> torch.Tensor:
    a, b, c = args
    x, y = widen(a), widen(b)
    if attrs["a_transpose"]:
        x = x.T
    if attrs["b_transpose"]:
        y = y.T
    out = attrs["alpha"] * (x @ y)
    if c is not None:
        out = out + attrs["beta"] * widen(c)
    return narrow(out, a.dtype)


KERNELS: dict[str, Any] = {"matmul": _matmul, "gemm": _gemm}
