"""Core tests run without any real backend: ``SpecBackend`` accepts everything the spec
allows and cannot compute, so only validation and shape inference are exercised."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import webnn
from webnn import plugins
from webnn.testing import SpecBackend, operand

__all__ = ["operand"]  # re-exported for tests that import it from here


@pytest.fixture(scope="session", autouse=True)
def _spec_backend() -> Iterator[None]:
    plugins.register_backend(SpecBackend())
    return


@pytest.fixture
def ctx() -> webnn.MLContext:
    return webnn.MLContext(backend="spec")


@pytest.fixture
def builder(ctx: webnn.MLContext) -> webnn.MLGraphBuilder:
    return webnn.MLGraphBuilder(ctx)
