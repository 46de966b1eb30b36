"""Finding and reading WPT-schema vector files.

A file is ``{"tests": [{"name", "graph": {"inputs", "operators", "expectedOutputs"}}]}``
(optionally with a per-test ``"tolerance"``).  Python's ``json`` already reads the WPT
conventions we rely on: bare ``NaN``/``Infinity`` tokens, ``-0.0``, and integers of any
size (kept as exact ``int``; never routed through ``float``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "ENV_VECTORS",
    "Operator",
    "TensorSpec",
    "ToleranceSpec",
    "VectorError",
    "VectorFile",
    "WptTest",
    "default_vector_dir",
    "load_dirs",
    "load_file",
    "parse_test",
    "resolve_vector_dirs",
]

ENV_VECTORS = "PYWEBNN_WPT_DIR"
# Where the shared WPT checkout sits relative to the repository root.
_DEFAULT_RELATIVE = Path("..") / "shared" / "wpt" / "conformance"

Number = int | float
Data = list[Number] | Number


class VectorError(ValueError):
    """A vector file or directory that does not follow the WPT schema."""


@dataclass(frozen=True)
class TensorSpec:
    """One entry of ``graph.inputs`` or ``graph.expectedOutputs``."""

    name: str
    shape: tuple[int, ...]
    data_type: str
    data: Data
    constant: bool = False

    @property
    def scalar_filled(self) -> bool:
        """WPT writes a bare number for "every element has this value"."""
        return not isinstance(self.data, list)


@dataclass(frozen=True)
class Operator:
    """One builder call: ``arguments`` keep WPT's (label, value) pairs in call order."""

    name: str
    arguments: tuple[tuple[str, Any], ...]
    outputs: str | tuple[str, ...]

    def argument(self, index: int) -> Any:
        return self.arguments[index][1]

    @property
    def options(self) -> dict[str, Any]:
        for label, value in self.arguments:
            if label == "options" and isinstance(value, dict):
                return value
        return {}


@dataclass(frozen=True)
class ToleranceSpec:
    metric: Literal["ULP", "ATOL"]
    value: int | float


@dataclass(frozen=True)
class WptTest:
    file: str
    name: str
    inputs: dict[str, TensorSpec]
    operators: tuple[Operator, ...]
    expected: dict[str, TensorSpec]
    tolerance: ToleranceSpec | None = None

    @property
    def op(self) -> str:
        """The operator a report files this test under: the last one, which produces the
        expected outputs in WPT's multi-operator graphs."""
        return self.operators[-1].name

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


@dataclass(frozen=True)
class VectorFile:
    stem: str
    path: Path
    tests: tuple[WptTest, ...]


# -- discovery -------------------------------------------------------------------------------
def _repo_roots(starts: Iterable[Path]) -> list[Path]:
    roots: list[Path] = []
    for start in starts:
        for folder in (start, *start.parents):
            if (folder / ".git").exists() and folder not in roots:
                roots.append(folder)
                break
    return roots


def default_vector_dir() -> Path | None:
    """``../shared/wpt/conformance`` beside the repository root, found from this package's
    own location (an editable install) or from the working directory."""
    here = Path(__file__).resolve().parent
    for root in _repo_roots((here, Path.cwd().resolve())):
        candidate = (root / _DEFAULT_RELATIVE).resolve()
        if candidate.is_dir():
            return candidate
    return None


def resolve_vector_dirs(given: Sequence[str | Path] | None = None) -> list[Path]:
    """Explicit directories, else ``$PYWEBNN_WPT_DIR`` (``os.pathsep``-separated), else
    the default; raise VectorError when none exists."""
    if given:
        dirs = [Path(d) for d in given]
    elif os.environ.get(ENV_VECTORS):
        dirs = [Path(d) for d in os.environ[ENV_VECTORS].split(os.pathsep) if d]
    else:
        found = default_vector_dir()
        if found is None:
            raise VectorError(f"no vector directory: pass --vectors DIR or set {ENV_VECTORS}")
        dirs = [found]
    missing = [str(d) for d in dirs if not d.is_dir()]
    if missing:
        raise VectorError(f"vector directory not found: {', '.join(missing)}")
    return dirs


def load_dirs(dirs: Sequence[Path]) -> list[VectorFile]:
    files = [p for d in dirs for p in sorted(d.glob("*.json"))]
    if not files:
        raise VectorError(f"no *.json vector files in {', '.join(map(str, dirs))}")
    return [load_file(p) for p in files]


# -- parsing ---------------------------------------------------------------------------------
def load_file(path: Path) -> VectorFile:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise VectorError(f"{path}: cannot read vectors: {e}") from e
    tests = doc.get("tests") if isinstance(doc, dict) else None
    if not isinstance(tests, list):
        raise VectorError(f"{path}: expected an object with a 'tests' list")
    stem = path.stem
    try:
        parsed = tuple(parse_test(stem, t) for t in tests)
    except (KeyError, TypeError, ValueError) as e:
        raise VectorError(f"{path}: malformed test: {e!r}") from e
    names = [t.name for t in parsed]
    if len(set(names)) != len(names):
        dups = sorted({n for n in names if names.count(n) > 1})
        raise VectorError(f"{path}: duplicate test names {dups}")
    return VectorFile(stem, path, parsed)


def parse_test(stem: str, raw: dict[str, Any]) -> WptTest:
    """One test object of a file named ``stem``."""
    graph = raw["graph"]
    tol = raw.get("tolerance")
    tolerance = None
    if tol is not None:
        if tol["metric"] not in ("ULP", "ATOL"):
            raise ValueError(f"test {raw['name']!r}: unknown tolerance metric {tol['metric']!r}")
        tolerance = ToleranceSpec(tol["metric"], tol["value"])
    return WptTest(
        file=stem,
        name=str(raw["name"]),
        inputs={n: _tensor(n, v) for n, v in graph["inputs"].items()},
        operators=tuple(_operator(o) for o in graph["operators"]),
        expected={n: _tensor(n, v) for n, v in graph["expectedOutputs"].items()},
        tolerance=tolerance,
    )


def _tensor(name: str, raw: dict[str, Any]) -> TensorSpec:
    desc = raw["descriptor"]
    shape = tuple(desc["shape"])
    if any(isinstance(d, bool) or not isinstance(d, int) for d in shape):
        raise ValueError(f"{name}: shape {list(shape)} must hold integers")
    data = raw["data"]
    if not isinstance(data, (list, int, float)) or isinstance(data, bool):
        raise ValueError(f"{name}: data must be a list or a number")
    if isinstance(data, list) and len(data) != math.prod(shape):
        raise ValueError(f"{name}: {len(data)} values for shape {list(shape)}")
    return TensorSpec(name, shape, str(desc["dataType"]), data, bool(raw.get("constant", False)))


def _operator(raw: dict[str, Any]) -> Operator:
    args: list[tuple[str, Any]] = []
    for item in raw["arguments"]:
        if not isinstance(item, dict) or len(item) != 1:
            raise ValueError(f"{raw['name']}: each argument must be a one-key object")
        ((label, value),) = item.items()
        args.append((label, value))
    outputs = raw["outputs"]
    out: str | tuple[str, ...] = outputs if isinstance(outputs, str) else tuple(outputs)
    return Operator(str(raw["name"]), tuple(args), out)
