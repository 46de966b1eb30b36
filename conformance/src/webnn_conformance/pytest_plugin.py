"""pytest plugin (entry point ``pytest11``): the WPT vectors as test items.

Inert unless a test function asks for the ``wpt_case`` argument; the shipped module
``webnn_conformance.wpt_suite`` is such a function, so the suite runs with::

    pytest --pyargs webnn_conformance.wpt_suite [--webnn-backend NAME]... [--wpt-vectors DIR]...

There is one item per backend x vector file x test, with ids ``backend-file-test name``.
An unsupported test is skipped with its reason; a failure shows the largest error and the
tolerance; an error shows the exception and its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from webnn_conformance import reference
from webnn_conformance.loader import VectorError, WptTest, load_dirs, resolve_vector_dirs
from webnn_conformance.runner import Mode, Result, available_backends, run_test, select_tests

__all__ = ["WptCase", "check_case", "outcome_message"]


@dataclass(frozen=True)
class WptCase:
    backend: str
    test: WptTest
    mode: Mode = "compute"

    @property
    def id(self) -> str:
        return f"{self.backend}-{self.test.file}-{self.test.name}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("webnn-conformance", "WebNN WPT conformance vectors")
    group.addoption(
        "--webnn-backend",
        action="append",
        default=[],
        metavar="NAME",
        help="backend to test (repeatable; default: every discovered backend)",
    )
    group.addoption(
        "--wpt-vectors",
        action="append",
        default=[],
        metavar="DIR",
        help="directory of WPT-schema vector files (repeatable; default: "
        "$PYWEBNN_WPT_DIR, else ../shared/wpt/conformance beside the repo)",
    )
    group.addoption(
        "--wpt-filter",
        metavar="SUBSTR",
        help="only tests whose file, name or an operator contains SUBSTR",
    )
    group.addoption(
        "--webnn-tensors",
        action="store_true",
        help="run through MLTensor dispatch instead of compute",
    )


def _cases(config: pytest.Config) -> list[WptCase]:
    try:
        files = load_dirs(resolve_vector_dirs(config.getoption("wpt_vectors")))
    except VectorError as e:
        raise pytest.UsageError(str(e)) from e
    requested = config.getoption("webnn_backend")
    if reference.NAME in requested:
        reference.register()
    usable = available_backends()
    backends = requested or usable
    unknown = [b for b in backends if b not in usable]
    if unknown:
        raise pytest.UsageError(
            f"unknown or unusable --webnn-backend {', '.join(unknown)}; "
            f"available: {', '.join(usable) or 'none'}"
        )
    mode: Mode = "tensors" if config.getoption("webnn_tensors") else "compute"
    tests = select_tests(files, config.getoption("wpt_filter"))
    return [WptCase(b, t, mode) for b in dict.fromkeys(backends) for t in tests]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "wpt_case" not in metafunc.fixturenames:
        return
    cases = _cases(metafunc.config)
    metafunc.parametrize("wpt_case", cases, ids=[c.id for c in cases])


def outcome_message(r: Result) -> str:
    if r.status == "fail":
        tol = f"{r.tolerance.metric} {r.tolerance.value}" if r.tolerance else "n/a"
        return f"{r.message}\nmax error {r.max_error}, tolerance {tol}"
    if r.status == "error":
        return f"{r.message}\n{r.detail}".rstrip()
    return r.message


def check_case(case: WptCase) -> None:
    """Run one case and turn its result into the pytest outcome."""
    r = run_test(case.backend, case.test, case.mode)
    if r.status == "unsupported":
        pytest.skip(r.message)
    if r.status != "pass":
        pytest.fail(f"[{r.status}] {outcome_message(r)}", pytrace=False)
