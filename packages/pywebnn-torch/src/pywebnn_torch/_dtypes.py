"""WebNN data types <-> torch dtypes.

The PyWebNN extension types int4/uint4 are held unpacked, one value per byte, in
torch.int8/torch.uint8 (as numpy int8/uint8 arrays in the core); ``WEBNN`` maps a torch
dtype back to one of the spec's eight types only.
"""

from __future__ import annotations

from typing import Final

import torch

from webnn import DataType

_SPEC: Final[dict[DataType, torch.dtype]] = {
    "float32": torch.float32,
    "float16": torch.float16,
    "int32": torch.int32,
    "uint32": torch.uint32,
    "int64": torch.int64,
    "uint64": torch.uint64,
    "int8": torch.int8,
    "uint8": torch.uint8,
}
TORCH: Final[dict[str, torch.dtype]] = {
    **{str(k): v for k, v in _SPEC.items()}, "int4": torch.int8, "uint4": torch.uint8}
WEBNN: Final[dict[torch.dtype, DataType]] = {v: k for k, v in _SPEC.items()}
