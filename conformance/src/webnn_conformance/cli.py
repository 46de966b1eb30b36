"""``webnn-conformance``: run the WPT vectors on backends and report.

Exit status: 0 when nothing failed or errored, 1 when something did, 2 for usage
problems (no vectors, unknown backend, a filter that matches nothing).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TextIO

import webnn
from webnn_conformance import reference
from webnn_conformance.loader import VectorError, load_dirs, resolve_vector_dirs
from webnn_conformance.report import markdown, text_table, write_json
from webnn_conformance.runner import Result, available_backends, run_suite, select_tests

__all__ = ["Progress", "main"]


class Progress:
    """A one-line counter on a terminal, occasional lines otherwise (CI logs)."""

    def __init__(self, stream: TextIO, enabled: bool = True) -> None:
        self._stream = stream
        self._enabled = enabled
        self._tty = stream.isatty()
        self._start = time.monotonic()
        self._last = 0.0
        self._step = -1

    def __call__(self, done: int, total: int, result: Result) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        line = (
            f"[{result.backend}] {done}/{total} ({100 * done // total}%) "
            f"{now - self._start:.0f}s {result.file}"
        )
        if self._tty:
            if now - self._last > 0.1 or done == total:
                self._stream.write("\r" + line[:100].ljust(100))
                self._last = now
            if done == total:
                self._stream.write("\n")
        elif 10 * done // total != self._step:
            self._step = 10 * done // total
            self._stream.write(line + "\n")
        self._stream.flush()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="webnn-conformance", description="Run WPT WebNN conformance vectors on backends."
    )
    p.add_argument(
        "--backend",
        action="append",
        metavar="NAME",
        help="backend to test (repeatable; default: every discovered backend)",
    )
    p.add_argument(
        "--vectors",
        action="append",
        metavar="DIR",
        help="directory of WPT-schema *.json vector files (repeatable; default: "
        "$PYWEBNN_WPT_DIR, else ../shared/wpt/conformance beside the repo)",
    )
    p.add_argument(
        "--filter",
        metavar="SUBSTR",
        help="only tests whose file, name or an operator contains SUBSTR",
    )
    p.add_argument("--report", metavar="FILE.json", type=Path, help="write a JSON report")
    p.add_argument("--markdown", metavar="FILE.md", type=Path, help="write a markdown report")
    p.add_argument(
        "--tensors",
        action="store_true",
        help="run through MLTensor (create/write/dispatch/read) instead of compute",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress output on stderr")
    return p


def _backends(requested: Sequence[str] | None, err: TextIO) -> list[str] | None:
    if requested and reference.NAME in requested:
        reference.register()
    infos = webnn.list_backends()
    usable = available_backends()
    if not requested:
        for info in infos:
            if info.error:
                err.write(f"warning: backend {info.name!r} is skipped: {info.error}\n")
        return usable
    unknown = [b for b in requested if b not in usable]
    if unknown:
        err.write(
            f"error: unknown or unusable backend(s) {', '.join(unknown)}; "
            f"available: {', '.join(usable) or 'none'}\n"
        )
        return None
    return list(dict.fromkeys(requested))


def _display(path: Path) -> str:
    """A path relative to the working directory, so the generated page names no machine
    specific absolute path."""
    try:
        return os.path.relpath(path.resolve(), Path.cwd().resolve())
    except ValueError:  # another drive on Windows
        return path.name


def _command(args: argparse.Namespace) -> str:
    words = ["webnn-conformance"]
    for b in args.backend or ():
        words += ["--backend", b]
    for v in args.vectors or ():
        words += ["--vectors", _display(Path(v))]
    if args.filter:
        words += ["--filter", args.filter]
    if args.tensors:
        words.append("--tensors")
    if args.markdown:
        words += ["--markdown", _display(args.markdown)]
    return shlex.join(words)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    err = sys.stderr
    try:
        dirs = resolve_vector_dirs(args.vectors)
        files = load_dirs(dirs)
    except VectorError as e:
        err.write(f"error: {e}\n")
        return 2
    backends = _backends(args.backend, err)
    if not backends:
        if backends is not None:
            err.write("error: no usable WebNN backend is installed\n")
        return 2
    tests = select_tests(files, args.filter)
    if not tests:
        err.write(f"error: no test matches --filter {args.filter!r}\n")
        return 2
    mode: Literal["compute", "tensors"] = "tensors" if args.tensors else "compute"
    results = run_suite(
        backends, tests, mode, on_result=Progress(err, enabled=not args.no_progress)
    )
    print(text_table(results))
    if args.report:
        write_json(results, args.report)
    if args.markdown:
        versions = {i.name: i.version for i in webnn.list_backends()}
        where = ", ".join(_display(d) for d in dirs)
        args.markdown.write_text(
            markdown(results, _command(args), where, versions), encoding="utf-8"
        )
    bad = any(r.status in ("fail", "error") for rs in results.values() for r in rs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
