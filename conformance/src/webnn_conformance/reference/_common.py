"""What every reference kernel shares: its signature and index helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from webnn import ir

__all__ = ["Kernel", "clamp_index", "is_float", "lowest"]

# (inputs in IR order, attributes, output operands) -> one array or a list of arrays.
# Float inputs arrive as float64; integer inputs keep their own dtype.
Kernel = Callable[[list[Any], Mapping[str, Any], tuple[ir.Operand, ...]], Any]


def is_float(a: np.ndarray) -> bool:
    return a.dtype.kind == "f"


def lowest(a: np.ndarray) -> float | int:
    return -np.inf if is_float(a) else int(np.iinfo(a.dtype).min)


def clamp_index(indices: np.ndarray, size: int) -> np.ndarray:
    """Negative indices count from the end; out-of-range ones are clamped into range, as
    the spec's notes and the WPT vectors expect."""
    i = indices.astype(np.int64)
    i = np.where(i < 0, i + size, i)
    return np.clip(i, 0, size - 1)
