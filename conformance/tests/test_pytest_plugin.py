"""The pytest plugin, run in a child pytest so its collection is real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

VECTORS = Path(__file__).parent / "fixtures" / "vectors"


@pytest.fixture
def child(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # keep the repository's config out
    (tmp_path / "fakes_plugin.py").write_text(
        "from webnn_conformance.testing import register_fakes\nregister_fakes()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    def run(*args):
        cmd = [sys.executable, "-m", "pytest", "-c", "pytest.ini", "-p", "fakes_plugin",
               "-p", "no:cacheprovider", *args]  # fmt: skip
        done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
        return done.returncode, done.stdout + done.stderr

    return run


SUITE = ["--pyargs", "webnn_conformance.wpt_suite", "--wpt-vectors", str(VECTORS)]


def test_one_item_per_backend_file_and_test(child):
    code, out = child(*SUITE, "--webnn-backend", "fakenp", "--webnn-backend", "fakenp-off",
                      "--collect-only", "-q")  # fmt: skip
    assert code == 0, out
    ids = [line.split("::", 1)[1] for line in out.splitlines() if "::test_wpt[" in line]
    assert len(ids) == 10
    assert "test_wpt[fakenp-tiny_add-add float32 small]" in ids
    assert "test_wpt[fakenp-off-tiny_misc-split then concat float16]" in ids


def test_outcomes(child):
    code, out = child(*SUITE, "--webnn-backend", "fakenp", "-rs")
    assert code == 0, out
    assert "3 passed, 2 skipped" in out
    assert "data type int4 is not supported for inputs by backend 'fakenp'" in out
    assert "UnsupportedError" in out


def test_failures_show_error_and_tolerance(child):
    code, out = child(*SUITE, "--webnn-backend", "fakenp-off", "--wpt-filter", "float32")
    assert code == 1, out
    assert "1 failed" in out
    assert "max error 3, tolerance ULP 1" in out


def test_unknown_backend_is_a_usage_error(child):
    code, out = child(*SUITE, "--webnn-backend", "nope")
    assert code != 0
    assert "unknown or unusable --webnn-backend nope" in out


def test_inert_in_other_sessions(child, tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    pass\n")
    code, out = child("test_plain.py", "--collect-only", "-q")
    assert code == 0, out
    assert "1 test collected" in out
    assert "wpt" not in out
    code, out = child("--help")
    assert "--webnn-backend" in out  # the plugin is loaded, only its options are added
