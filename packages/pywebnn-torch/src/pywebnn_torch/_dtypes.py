"""WebNN data types <-> torch dtypes."""

from __future__ import annotations

from typing import Final

import torch

from webnn import DataType

TORCH: Final[dict[str, torch.dtype]] = {
    "float32": torch.float32,
    "float16": torch.float16,
    "int32": torch.int32,
    "uint32": torch.uint32,
    "int64": torch.int64,
    "uint64": torch.uint64,
    "int8": torch.int8,
    "uint8": torch.uint8,
}
WEBNN: Final[dict[torch.dtype, DataType]] = {v: k for k, v in TORCH.items()}  # type: ignore[misc]
