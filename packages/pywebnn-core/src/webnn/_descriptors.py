"""MLOperandDescriptor / MLTensorDescriptor and the spec's "check dimensions" rule."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from webnn._dtypes import ITEMSIZE, MAX_DIMENSION, DataType, check_data_type
from webnn.errors import WebNNTypeError
from webnn.ops._registry import Desc

__all__ = ["MLOperandDescriptor", "MLTensorDescriptor", "as_descriptor", "check_dimensions"]


@dataclass(frozen=True, init=False)
class MLOperandDescriptor:
    """``MLOperandDescriptor``: a shape (``[]`` for a scalar) and a data type.

    ``data_type`` is one of the spec's eight types or the PyWebNN extension types
    ``"int4"``/``"uint4"``, whose values are held unpacked one per byte (int8/uint8), so
    ``byte_length`` of an int4 descriptor is its element count."""

    shape: tuple[int, ...]
    data_type: DataType

    def __init__(self, shape: Iterable[int], data_type: DataType) -> None:
        object.__setattr__(self, "shape", _shape(shape, "MLOperandDescriptor"))
        object.__setattr__(self, "data_type",
                           check_data_type(data_type, "MLOperandDescriptor.data_type"))

    @property
    def byte_length(self) -> int:
        return math.prod(self.shape) * ITEMSIZE[self.data_type]

    def desc(self) -> Desc:
        return Desc(self.data_type, self.shape)


@dataclass(frozen=True, init=False)
class MLTensorDescriptor(MLOperandDescriptor):
    """``MLTensorDescriptor``: an operand descriptor plus read/write permissions."""

    readable: bool
    writable: bool

    def __init__(self, shape: Iterable[int], data_type: DataType, readable: bool = False,
                 writable: bool = False) -> None:
        super().__init__(shape, data_type)
        object.__setattr__(self, "readable", bool(readable))
        object.__setattr__(self, "writable", bool(writable))


def _shape(shape: object, what: str) -> tuple[int, ...]:
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Iterable):
        raise WebNNTypeError(f"{what}: shape must be a sequence of integers, got {shape!r}")
    dims = tuple(shape)
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int):
            raise WebNNTypeError(f"{what}: shape {list(dims)} has non-integer item {d!r}")
    return tuple(int(d) for d in dims)


def as_descriptor(value: object, what: str, tensor: bool = False) -> MLOperandDescriptor:
    """Accept a descriptor object or a mapping with ``shape``/``data_type`` keys."""
    cls = MLTensorDescriptor if tensor else MLOperandDescriptor
    if isinstance(value, cls):
        return value
    if isinstance(value, MLOperandDescriptor) and tensor:
        return MLTensorDescriptor(value.shape, value.data_type)
    if isinstance(value, Mapping):
        kw: dict[str, Any] = dict(value)
        try:
            return cls(**kw)
        except TypeError as e:
            raise WebNNTypeError(f"{what}: invalid descriptor {value!r}: {e}") from e
    raise WebNNTypeError(f"{what}: expected an {cls.__name__}, got {type(value).__name__}")


def check_dimensions(d: MLOperandDescriptor, what: str, max_rank: int,
                     max_bytes: int = MAX_DIMENSION) -> None:
    """The spec's *check dimensions*: every dimension and the element count must be valid."""
    for dim in d.shape:
        if not 0 < dim <= MAX_DIMENSION:
            raise WebNNTypeError(f"{what}: shape {list(d.shape)} has invalid dimension {dim} "
                                 f"(dimensions must be 1 to {MAX_DIMENSION})")
    if len(d.shape) > max_rank:
        raise WebNNTypeError(f"{what}: rank {len(d.shape)} exceeds this context's limit "
                             f"of {max_rank}")
    if math.prod(d.shape) > MAX_DIMENSION:
        raise WebNNTypeError(f"{what}: element count of shape {list(d.shape)} exceeds "
                             f"{MAX_DIMENSION}")
    if d.byte_length > max_bytes:
        raise WebNNTypeError(f"{what}: byte length {d.byte_length} exceeds this context's "
                             f"limit of {max_bytes}")
