"""Run the W3C web-platform-tests WebNN conformance vectors against PyWebNN backends.

Everything goes through the public ``webnn`` API, so a run tests the core and a backend
together.  Entry points: the ``webnn-conformance`` CLI (``webnn_conformance.cli``), the
pytest module ``webnn_conformance.wpt_suite``, and ``run_test`` / ``run_suite`` here.
"""

from __future__ import annotations

from webnn_conformance.loader import (
    TensorSpec,
    ToleranceSpec,
    VectorError,
    VectorFile,
    WptTest,
    load_dirs,
    load_file,
    resolve_vector_dirs,
)
from webnn_conformance.runner import Result, run_suite, run_test, select_tests
from webnn_conformance.tolerances import tolerance_for

__version__ = "0.1.0"

__all__ = [
    "Result",
    "TensorSpec",
    "ToleranceSpec",
    "VectorError",
    "VectorFile",
    "WptTest",
    "load_dirs",
    "load_file",
    "resolve_vector_dirs",
    "run_suite",
    "run_test",
    "select_tests",
    "tolerance_for",
]
