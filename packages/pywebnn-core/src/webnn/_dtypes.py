"""Operand data types, their numpy equivalents and the spec's ``cast`` of an MLNumber.

The specification's ``MLOperandDataType`` has eight members (``ALL``).  PyWebNN adds
``int4`` and ``uint4`` as a documented extension (``EXTENSION_4BIT``), as Chromium and the
WPT vectors do, for quantizeLinear's zero point and output and dequantizeLinear's input
and zero point only.  Their values are held **unpacked, one per byte**: an int4 tensor is
a numpy ``int8`` array with values in -8..7, a uint4 tensor a ``uint8`` array with values
in 0..15; the byte length of such a descriptor is its element count.
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal, get_args

import numpy as np

from webnn.errors import WebNNTypeError

SpecDataType = Literal["float32", "float16", "int32", "uint32", "int64", "uint64", "int8",
                       "uint8"]
# The PyWebNN extension types (see the module docstring); never part of ``ALL``.
ExtensionDataType = Literal["int4", "uint4"]
# Every data type a descriptor, operand, input, constant or output can carry.
DataType = Literal[SpecDataType, ExtensionDataType]

# The spec's eight types: what "any type" means in every op's limits.
ALL: Final[tuple[DataType, ...]] = get_args(SpecDataType)
EXTENSION_4BIT: Final[tuple[DataType, ...]] = get_args(ExtensionDataType)
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

# The numpy dtype that holds each type's values (int4/uint4: unpacked into int8/uint8).
NUMPY: Final[dict[DataType, np.dtype[np.generic]]] = {
    **{dt: np.dtype(dt) for dt in ALL},
    "int4": np.dtype(np.int8),
    "uint4": np.dtype(np.uint8),
}
# Bytes per element in memory (1 for int4/uint4: unpacked).
ITEMSIZE: Final[dict[DataType, int]] = {dt: NUMPY[dt].itemsize for dt in (*ALL, *EXTENSION_4BIT)}
_RANGE_4BIT: Final[dict[DataType, tuple[int, int]]] = {"int4": (-8, 7), "uint4": (0, 15)}

# Largest dimension and element count the spec's "valid dimension" allows (a `long`).
MAX_DIMENSION: Final[int] = 2**31 - 1


def check_data_type(value: object, what: str) -> DataType:
    """Return ``value`` as a DataType (one of the spec's eight or the int4/uint4
    extension) or raise WebNNTypeError naming ``what``."""
    if isinstance(value, str) and (value in ALL or value in EXTENSION_4BIT):
        return value  # type: ignore[return-value]  # narrowed by the membership test
    raise WebNNTypeError(f"{what}: unknown data type {value!r}; expected one of "
                         f"{', '.join((*ALL, *EXTENSION_4BIT))}")


def is_extension(dt: str) -> bool:
    """True for the PyWebNN extension types (int4, uint4)."""
    return dt in EXTENSION_4BIT


def from_numpy(dtype: np.dtype[np.generic]) -> DataType | None:
    """The WebNN data type of a numpy dtype, or None when WebNN has no such type.

    Never int4/uint4: an int8 array is int8; int4 needs an explicit descriptor."""
    name = np.dtype(dtype).name
    for dt in ALL:
        if dt == name:
            return dt
    return None


def is_float(dt: DataType) -> bool:
    return dt in FLOATS


def int_range(dt: DataType) -> tuple[int, int]:
    """The smallest and largest value of an integer type (int4: -8..7, uint4: 0..15)."""
    if dt in _RANGE_4BIT:
        return _RANGE_4BIT[dt]
    info = np.iinfo(NUMPY[dt])  # type: ignore[type-var]  # dt is an integer type here
    return int(info.min), int(info.max)


def check_range(array: np.ndarray, dt: DataType, what: str) -> None:
    """Raise WebNNTypeError naming ``what`` and the first value of ``array`` that lies
    outside int4/uint4's range; other types need no check (their dtype bounds them)."""
    if dt not in _RANGE_4BIT or array.size == 0:
        return
    lo, hi = _RANGE_4BIT[dt]
    bad = (array < lo) | (array > hi)
    if bad.any():
        value = int(array.reshape(-1)[int(np.argmax(bad.reshape(-1)))])
        raise WebNNTypeError(f"{what}: value {value} is outside the {dt} range [{lo}, {hi}] "
                             f"({dt} is held unpacked, one value per "
                             f"{NUMPY[dt].name} element)")


def cast_number(value: float | int | bool, dt: DataType) -> float | int:
    """The spec's ``cast(MLNumber, dataType)``: saturating, round-half-even conversion.

    Floats go to the nearest representable value (overflow to +-Infinity); integers are
    clamped into range after rounding half to even, NaN becomes 0.  int4/uint4 saturate
    to their 4-bit ranges (-8..7, 0..15).
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
