"""Fixtures for rust backend tests."""

from __future__ import annotations

import pytest

import webnn


@pytest.fixture
def ctx() -> webnn.MLContext:
    return webnn.MLContext(backend="rust", device_type="cpu")
