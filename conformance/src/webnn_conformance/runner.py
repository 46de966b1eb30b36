"""Running WPT tests on a backend and classifying each outcome.

* ``unsupported``: building raised ``UnsupportedError`` (the backend's
  ``op_support_limits()`` leaves the op or data type out — e.g. int4/uint4, PyWebNN's
  extension types, on a backend that does not list them) or ``NotSupportedError``;
* ``fail``: an output has the wrong data type, shape or values;
* ``error``: anything else raised while creating the context, building or computing —
  including a ``WebNNTypeError`` for a valid test, which means the core rejected it;
* ``pass``: every output is within the test's tolerance.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np

import webnn
from webnn.errors import NotSupportedError, UnsupportedError
from webnn_conformance.compare import compare_output
from webnn_conformance.data import storage_dtype
from webnn_conformance.graph import BuiltGraph, OutputMismatchError, build_graph
from webnn_conformance.loader import ToleranceSpec, VectorFile, WptTest
from webnn_conformance.tolerances import tolerance_for

__all__ = [
    "STATUSES",
    "Mode",
    "Result",
    "Status",
    "available_backends",
    "execute",
    "run_suite",
    "run_test",
    "select_tests",
]

Status = Literal["pass", "fail", "error", "unsupported"]
Mode = Literal["compute", "tensors"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "unsupported")


@dataclass(frozen=True)
class Result:
    backend: str
    file: str
    test: str
    op: str
    status: Status
    max_error: int | float | None = None
    tolerance: ToleranceSpec | None = None
    message: str = ""
    detail: str = ""  # a traceback for errors; kept out of reports


def available_backends() -> list[str]:
    """Names of the discovered backends that loaded (broken plugins are left out)."""
    return [i.name for i in webnn.list_backends() if i.backend is not None and i.error is None]


def select_tests(files: Iterable[VectorFile], substring: str | None = None) -> list[WptTest]:
    """Every test, or those whose file, name or an operator name contains ``substring``."""
    tests = [t for f in files for t in f.tests]
    if not substring:
        return tests
    return [
        t
        for t in tests
        if substring in t.file
        or substring in t.name
        or any(substring in op.name for op in t.operators)
    ]


def run_test(backend: str, test: WptTest, mode: Mode = "compute") -> Result:
    """Run one test on a fresh context of ``backend``."""
    result = partial(Result, backend, test.file, test.name, test.op)
    # Conformance boundary: whatever a backend raises is this test's result, never a
    # crash of the whole run, so the broad catches below are deliberate.
    try:
        context = webnn.MLContext(backend=backend)
    except Exception as e:  # see above
        return result("error", message=_describe("context", e), detail=traceback.format_exc())
    try:
        return _run_on(context, test, mode, result)
    finally:
        context.destroy()


def _run_on(
    context: webnn.MLContext, test: WptTest, mode: Mode, result: Callable[..., Result]
) -> Result:
    try:
        built = build_graph(context, test)
    except (UnsupportedError, NotSupportedError) as e:
        return result("unsupported", message=f"{type(e).__name__}: {e}")
    except OutputMismatchError as e:
        return result("fail", message=str(e))
    except Exception as e:  # conformance boundary (see run_test)
        return result("error", message=_describe("build", e), detail=traceback.format_exc())
    try:
        actual = execute(context, built, mode)
    except Exception as e:  # conformance boundary (see run_test)
        return result("error", message=_describe(mode, e), detail=traceback.format_exc())
    try:
        return _judge(test, built, actual, result)
    except Exception as e:  # a runner defect must still name the test it happened in
        return result("error", message=_describe("compare", e), detail=traceback.format_exc())


def execute(context: webnn.MLContext, built: BuiltGraph, mode: Mode) -> dict[str, np.ndarray]:
    if mode == "compute":
        return context.compute(built.graph, built.feeds)
    inputs = {}
    for name, array in built.feeds.items():
        # The input's own data type: an int4/uint4 feed is held in an int8/uint8 array.
        data_type = built.feed_types.get(name, array.dtype.name)
        t = context.create_tensor(webnn.MLTensorDescriptor(array.shape, data_type, writable=True))
        context.write_tensor(t, array)
        inputs[name] = t
    outputs = {
        name: context.create_tensor(webnn.MLTensorDescriptor(op.shape, op.data_type, readable=True))
        for name, op in built.outputs.items()
    }
    context.dispatch(built.graph, inputs, outputs)
    return {name: context.read_tensor(t) for name, t in outputs.items()}


def _judge(
    test: WptTest, built: BuiltGraph, actual: dict[str, np.ndarray], result: Callable[..., Result]
) -> Result:
    tol = tolerance_for(test, built.shapes)
    worst: int | float = 0
    problems: list[str] = []
    for name, spec in test.expected.items():
        array = actual.get(name)
        if not isinstance(array, np.ndarray):
            problems.append(f"output {name!r} is missing from the results")
            continue
        # int4/uint4 outputs come back unpacked in int8/uint8 arrays.
        if (array.dtype.name, array.shape) != (storage_dtype(spec.data_type), spec.shape):
            problems.append(
                f"output {name!r} came back as {array.dtype.name} "
                f"{list(array.shape)}, expected {spec.data_type} {list(spec.shape)}"
            )
            continue
        cmp = compare_output(array, spec, tol)
        worst = max(worst, cmp.max_error, key=_rank)
        if not cmp.passed:
            problems.append(cmp.message)
    status: Status = "fail" if problems else "pass"
    return result(status, message="; ".join(problems), max_error=worst, tolerance=tol)


def _rank(error: int | float) -> float:
    return float("inf") if error != error else float(error)  # NaN ranks worst


def _describe(phase: str, e: BaseException) -> str:
    return f"{phase}: {type(e).__name__}: {e}"


def run_suite(
    backends: Sequence[str],
    tests: Sequence[WptTest],
    mode: Mode = "compute",
    on_result: Callable[[int, int, Result], None] | None = None,
) -> dict[str, list[Result]]:
    """Every test on every backend; ``on_result(done, total, result)`` reports progress."""
    total = len(backends) * len(tests)
    done = 0
    results: dict[str, list[Result]] = {}
    for backend in backends:
        results[backend] = []
        for test in tests:
            r = run_test(backend, test, mode)
            results[backend].append(r)
            done += 1
            if on_result is not None:
                on_result(done, total, r)
    return results
