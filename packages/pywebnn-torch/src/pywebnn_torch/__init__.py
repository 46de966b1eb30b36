"""PyTorch backend for PyWebNN."""

from __future__ import annotations

from pywebnn_torch.backend import TorchBackend

__all__ = ["TorchBackend"]
__version__ = "0.1.0"
