"""Fixtures for torch backend tests."""

from __future__ import annotations

import pytest

import webnn
from webnn.testing import run

__all__ = ["run"]  # re-exported for tests that import it from here


@pytest.fixture
def ctx() -> webnn.MLContext:
    return webnn.MLContext(backend="torch", device_type="cpu")
