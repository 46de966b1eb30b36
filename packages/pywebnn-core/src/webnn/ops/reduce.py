"""Op family `reduce` (to be filled in)."""

from __future__ import annotations

from webnn.ops._registry import OpDef

OPS: tuple[OpDef, ...] = ()
