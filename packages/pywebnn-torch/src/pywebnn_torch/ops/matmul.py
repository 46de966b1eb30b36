"""Torch kernels of op family `matmul` (to be filled in)."""

from __future__ import annotations

from typing import Any

KERNELS: dict[str, Any] = {}
