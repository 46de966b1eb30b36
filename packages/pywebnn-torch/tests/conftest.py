"""Fixtures for torch backend tests: build a graph from a function and run it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import webnn


@pytest.fixture
def ctx() -> webnn.MLContext:
    return webnn.MLContext(backend="torch", device_type="cpu")


def run(ctx: webnn.MLContext,
        build: Callable[[webnn.MLGraphBuilder, dict[str, webnn.MLOperand]], Any],
        inputs: dict[str, np.ndarray]) -> Any:
    """Declare ``inputs`` as graph inputs, call ``build(builder, operands)`` which returns
    an operand or a list of operands, run the graph and return the array(s)."""
    b = webnn.MLGraphBuilder(ctx)
    ops = {n: b.input(n, webnn.MLOperandDescriptor(list(a.shape), str(a.dtype)))  # type: ignore[arg-type]
           for n, a in inputs.items()}
    out = build(b, ops)
    many = isinstance(out, (list, tuple))
    outs = list(out) if many else [out]
    graph = b.build({f"out{i}": (o if o is not None else None) for i, o in enumerate(outs)})
    result = ctx.compute(graph, inputs)
    arrays = [result[f"out{i}"] for i in range(len(outs))]
    return arrays if many else arrays[0]
