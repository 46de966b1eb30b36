"""PyWebNN: the W3C Web Neural Network API in Python.

Build a graph once with ``MLGraphBuilder`` (validated exactly as the specification
says), then run it on any installed backend (``webnn.list_backends()``).
"""

from __future__ import annotations

from webnn import errors, ir
from webnn._builder import MLGraphBuilder, MLOperand
from webnn._context import ML, MLContext, MLGraph, MLTensor
from webnn._descriptors import MLOperandDescriptor, MLTensorDescriptor
from webnn._dtypes import DataType
from webnn.ir import load_graph
from webnn.plugins import BackendInfo, list_backends, register_backend

__version__ = "0.1.0"

__all__ = [
    "ML",
    "BackendInfo",
    "DataType",
    "MLContext",
    "MLGraph",
    "MLGraphBuilder",
    "MLOperand",
    "MLOperandDescriptor",
    "MLTensor",
    "MLTensorDescriptor",
    "errors",
    "ir",
    "list_backends",
    "load_graph",
    "register_backend",
]
