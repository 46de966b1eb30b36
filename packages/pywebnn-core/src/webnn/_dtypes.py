"""Operand data types, their numpy equivalents and the spec's ``cast`` of an MLNumber."""

from __future__ import annotations

import math
from typing import Any, Final, Literal, get_args

import numpy as np

from webnn.errors import WebNNTypeError

DataType = Literal["float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"]

ALL: Final[tuple[DataType, ...]] = get_args(DataType)
FLOATS: Final[tuple[DataType, ...]] = ("float32", "float16")
INDICES: Final[tuple[DataType, ...]] = ("int32", "uint32", "int64")
SIGNED: Final[tuple[DataType, ...]] = ("float32", "float16", "int64", "int32", "int8")
# reduceSum, reduceL1, cumulativeSum ...: floats and the 32/64-bit integers.
SUMMABLE: Final[tuple[DataType, ...]] = (
    "float32",
    "float16",
    "int32",
    "uint32",
    "int64",
    "uint64",
)
QUANTIZED: Final[tuple[DataType, ...]] = ("uint8", "int8", "uint32", "int32")

NUMPY: Final[dict[DataType, np.dtype[np.generic]]] = {dt: np.dtype(dt) for dt in ALL}
ITEMSIZE: Final[dict[DataType, int]] = {dt: NUMPY[dt].itemsize for dt in ALL}

# Largest dimension and element count the spec's "valid dimension" allows (a `long`).
MAX_DIMENSION: Final[int] = 2**31 - 1


def check_data_type(value: object, what: str) -> DataType:
    """Return ``value`` as a DataType or raise WebNNTypeError naming ``what``."""
    if isinstance(value, str) and value in ALL:
        return value  # type: ignore[return-value]  # narrowed by the membership test
    raise WebNNTypeError(f"{what}: unknown data type {value!r}; expected one of {', '.join(ALL)}")


def from_numpy(dtype: np.dtype[np.generic]) -> DataType | None:
    """The WebNN data type of a numpy dtype, or None when WebNN has no such type."""
    name = np.dtype(dtype).name
    for dt in ALL:
        if dt == name:
            return dt
    return None


def is_float(dt: DataType) -> bool:
    return dt in FLOATS


def int_range(dt: DataType) -> tuple[int, int]:
    info = np.iinfo(NUMPY[dt])  # type: ignore[type-var]  # dt is an integer type here
    return int(info.min), int(info.max)


def cast_number(value: float | int | bool, dt: DataType) -> float | int:
    """The spec's ``cast(MLNumber, dataType)``: saturating, round-half-even conversion.

    Floats go to the nearest representable value (overflow to +-Infinity); integers are
    clamped into range after rounding half to even, NaN becomes 0.
    """
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, (int, float)):
        raise WebNNTypeError(f"cast: expected a number, got {type(value).__name__}")
    if is_float(dt):
        if isinstance(value, int) and abs(value) > 2**53:
            return _int_to_float(value, np.float32 if dt == "float32" else np.float16)
        # numpy rounds to nearest-even and overflows to inf, as ConvertToFloat does.
        with np.errstate(over="ignore"):
            return float(NUMPY[dt].type(value))
    lo, hi = int_range(dt)
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if math.isinf(value):
            return hi if value > 0 else lo
        value = round(value)  # Python rounds half to even
    return min(max(int(value), lo), hi)


def _int_to_float(value: int, ftype: type[np.floating[Any]]) -> float:
    """Round a big integer to ``ftype`` once (going through float64 could round twice)."""
    with np.errstate(over="ignore"):
        guess = ftype(float(value))
    if not np.isfinite(guess):
        return float(guess)
    best = guess
    for cand in (np.nextafter(guess, ftype(-np.inf)), np.nextafter(guess, ftype(np.inf))):
        if not np.isfinite(cand):
            continue
        d_best, d_cand = abs(int(best) - value), abs(int(cand) - value)
        # Ties go to the even significand, as ConvertToFloat requires.
        if d_cand < d_best or (d_cand == d_best and _is_even(cand) and not _is_even(best)):
            best = cand
    return float(best)


def _is_even(x: np.floating[Any]) -> bool:
    bits = x.view(np.uint32 if x.dtype == np.float32 else np.uint16)
    return int(bits) % 2 == 0
