"""WPT ``data`` values to numpy arrays, and the data types involved.

Floats are parsed by ``json`` into doubles exactly as JavaScript parses them, then rounded
once to the tensor type (round-to-nearest-even, overflow to Infinity, as a typed array
does).  Integers stay Python ints until numpy stores them, so int64/uint64 values beyond
2**53 are exact.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from webnn_conformance.loader import Data, TensorSpec

__all__ = [
    "EXTRA_TYPES",
    "SPEC_TYPES",
    "VectorDataError",
    "expected_values",
    "int_range",
    "is_float_type",
    "storage_dtype",
    "to_array",
]

# The eight MLOperandDataTypes of the specification.
SPEC_TYPES: Final = ("float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8")
# Types WPT vectors use that the specification does not define; PyWebNN supports them as
# an extension (quantizeLinear / dequantizeLinear only), held unpacked.
EXTRA_TYPES: Final = ("int4", "uint4")

_INT_RANGES: Final[dict[str, tuple[int, int]]] = {
    "int4": (-8, 7),
    "uint4": (0, 15),
    **{
        t: (int(np.iinfo(t).min), int(np.iinfo(t).max))
        for t in ("int8", "uint8", "int32", "uint32", "int64", "uint64")
    },
}
# int4/uint4 are held unpacked, one value per byte.
_STORAGE: Final[dict[str, str]] = {"int4": "int8", "uint4": "uint8"}


class VectorDataError(ValueError):
    """``data`` does not fit its descriptor."""


def is_float_type(data_type: str) -> bool:
    return data_type in ("float32", "float16")


def int_range(data_type: str) -> tuple[int, int]:
    """The smallest and largest value of an integer data type (int4: -8..7, uint4: 0..15)."""
    return _INT_RANGES[data_type]


def storage_dtype(data_type: str) -> str:
    """The numpy dtype name holding ``data_type``'s values (int4 -> int8, uint4 -> uint8)."""
    return _STORAGE.get(data_type, data_type)


def to_array(spec: TensorSpec) -> np.ndarray:
    """The tensor a WPT harness would create for ``spec`` (a bare number fills it)."""
    size = math.prod(spec.shape)
    if isinstance(spec.data, list):
        if len(spec.data) != size:
            raise VectorDataError(
                f"{spec.name}: {len(spec.data)} values for shape "
                f"{list(spec.shape)} ({size} elements)"
            )
        flat = _convert(spec.data, spec.data_type, spec.name)
        return flat.reshape(spec.shape)
    one = _convert([spec.data], spec.data_type, spec.name)
    return np.full(spec.shape, one[0], dtype=one.dtype)


def expected_values(spec: TensorSpec, size: int) -> list[int | float]:
    """The expected numbers to compare against the first elements of an output.

    A bare number is compared with the first min(1000, size) elements, as WPT does."""
    if isinstance(spec.data, list):
        return list(spec.data)
    return [spec.data] * min(1000, size)


def _convert(values: Data | list[int | float], data_type: str, name: str) -> np.ndarray:
    assert isinstance(values, list)
    if is_float_type(data_type):
        # A double that overflows float32/float16 becomes Infinity, as in a typed array.
        with np.errstate(over="ignore"):
            return np.asarray(values, dtype=np.float64).astype(data_type)
    if data_type not in _INT_RANGES:
        raise VectorDataError(f"{name}: unknown data type {data_type!r}")
    lo, hi = _INT_RANGES[data_type]
    ints = [_exact_int(v, name) for v in values]
    bad = [v for v in ints if not lo <= v <= hi]
    if bad:
        raise VectorDataError(f"{name}: value {bad[0]} is outside {data_type} [{lo}, {hi}]")
    return np.array(ints, dtype=_STORAGE.get(data_type, data_type))


def _exact_int(value: int | float, name: str) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise VectorDataError(f"{name}: {value!r} is not an integer")
