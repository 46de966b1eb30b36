"""Every test here may use the fake numpy backends of ``webnn_conformance.testing``."""

from __future__ import annotations

import pytest

from webnn_conformance.testing import register_fakes


@pytest.fixture(scope="session", autouse=True)
def _fake_backends() -> None:
    register_fakes()
