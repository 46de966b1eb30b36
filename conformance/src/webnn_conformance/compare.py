"""Comparing one output with its expectation exactly as the WPT harness does.

ULP metric, per element: float32 -> distance of ``f32_ordinal`` images; float16 ->
difference of raw unsigned 16-bit patterns (output) and WPT-converted patterns (expected),
0 when both are a zero; integer types -> ``|actual - expected|`` in exact Python integers.
ATOL metric: ``|actual - expected| <= value`` on the decoded numbers (NaN never passes).

WPT first short-circuits elements that are identical (``===``).  For float32 and integers
that never changes the outcome (identical values have distance 0).  For float16 WPT
compares the raw pattern *as a number* with the expected value, which only coincides
for zeros (handled by the "both zero" rule) or by accident (pattern 1 vs expected 1.0);
that accident would accept a wrong value, so it is deliberately not reproduced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from webnn_conformance.bits import f32_ordinal, wpt_half_bits
from webnn_conformance.data import expected_values, is_float_type
from webnn_conformance.loader import TensorSpec, ToleranceSpec

__all__ = ["Comparison", "compare_output", "distances"]


@dataclass(frozen=True)
class Comparison:
    passed: bool
    max_error: int | float
    message: str = ""


def distances(
    actual: np.ndarray, expected: list[int | float], data_type: str, metric: str
) -> list[int | float]:
    """Per-element error of ``actual`` (flat, same length) against ``expected``."""
    if metric == "ATOL":
        a = actual.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            if is_float_type(data_type):
                return np.abs(a - np.asarray(expected, dtype=np.float64)).tolist()
        return [abs(float(x) - float(e)) for x, e in zip(a.tolist(), expected, strict=True)]
    if data_type == "float32":
        d = np.abs(f32_ordinal(actual) - f32_ordinal(expected))
        return d.tolist()
    if data_type == "float16":
        got = actual.astype(np.float16).view(np.uint16).astype(np.int64)
        want = wpt_half_bits(expected)
        both_zero = ((got & 0x7FFF) == 0) & ((want & 0x7FFF) == 0)
        return np.where(both_zero, 0, np.abs(got - want)).tolist()
    # Integers (int4/uint4 arrive unpacked): exact arithmetic, BigInt-like for 64-bit.
    return [abs(int(x) - e) for x, e in zip(actual.tolist(), expected, strict=True)]


def compare_output(actual: np.ndarray, spec: TensorSpec, tol: ToleranceSpec) -> Comparison:
    flat = np.asarray(actual).reshape(-1)
    expected = expected_values(spec, flat.size)
    if spec.scalar_filled:
        flat = flat[: len(expected)]
    if flat.size != len(expected):
        return Comparison(
            False, math.inf, f"output {spec.name!r}: {flat.size} values, expected {len(expected)}"
        )
    errors = distances(flat, expected, spec.data_type, tol.metric)
    bad = [i for i, e in enumerate(errors) if not e <= tol.value]  # NaN errors are failures
    worst = max(errors, key=_sort_key, default=0)
    if not bad:
        return Comparison(True, worst)
    i = max(bad, key=lambda k: _sort_key(errors[k]))
    return Comparison(
        False,
        worst,
        (
            f"output {spec.name!r}: {len(bad)} of {len(errors)} element(s) exceed "
            f"{tol.metric} {tol.value}; max error {_fmt(errors[i])} at index {i} "
            f"(actual {flat[i].item()!r}, expected {expected[i]!r})"
        ),
    )


def _sort_key(error: int | float) -> float:
    # Ranks NaN (an ATOL error involving NaN) as the worst error.
    return math.inf if isinstance(error, float) and math.isnan(error) else float(error)


def _fmt(error: int | float) -> str:
    return f"{error:.6g}" if isinstance(error, float) else str(error)
