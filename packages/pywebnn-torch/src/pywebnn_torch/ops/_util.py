"""Type emulation shared by the kernels.

torch 2.13 on the CPU lacks most kernels for uint32/uint64 (add, max, where, flip, ...)
and computes float16 with less internal precision than WebNN's reference results.
Kernels therefore compute in a *work type* and convert back:

* float16 -> float32 (one final rounding to half, as the spec's reference does);
* uint32  -> int64   (exact);
* uint64  -> int64 bit pattern (``view``): exact for add/sub/mul and data movement
  (two's complement wraps identically); order-sensitive ops use ``unsigned_key``.
"""

from __future__ import annotations

import torch

_WORK = {torch.float16: torch.float32, torch.uint32: torch.int64}


def widen(t: torch.Tensor) -> torch.Tensor:
    """The tensor in its work type (see module docstring)."""
    if t.dtype == torch.uint64:
        return t.view(torch.int64)
    work = _WORK.get(t.dtype)
    return t if work is None else t.to(work)


def narrow(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Back from the work type to ``dtype`` (integers wrap, floats round to nearest)."""
    if t.dtype == dtype:
        return t
    if dtype == torch.uint64 and t.dtype == torch.int64:
        return t.view(torch.uint64)
    return t.to(dtype)


def unsigned_key(t: torch.Tensor) -> torch.Tensor:
    """An int64 tensor whose signed order equals the unsigned order of a uint64 bit
    pattern held in int64 (flip the sign bit)."""
    return t ^ torch.iinfo(torch.int64).min


def is_unsigned(dtype: torch.dtype) -> bool:
    return dtype in (torch.uint8, torch.uint32, torch.uint64)


def work(*ts: torch.Tensor) -> list[torch.Tensor]:
    return [widen(t) for t in ts]
