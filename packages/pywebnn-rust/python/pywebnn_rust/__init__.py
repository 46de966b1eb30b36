"""Rust (tch + pyo3) backend for PyWebNN.

The native module links the ``torch`` wheel's libtorch without bundling a copy, so torch
is imported first: its libraries are then already loaded when ``_native`` is, and both
backends share one libtorch in the process.
"""

from __future__ import annotations

import torch  # noqa: F401  # must precede _native: it loads libtorch into the process

from pywebnn_rust import _native

__all__ = ["_native"]
__version__ = "0.1.0"
