"""pywebnn-core installs with numpy and pluggy only; the extras name the backends."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent


def test_wheel_metadata(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path), str(CORE)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("pywebnn_core-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        lines = zf.read(meta).decode().splitlines()
        names = zf.namelist()
    requires = sorted(line.split(": ", 1)[1] for line in lines
                      if line.startswith("Requires-Dist:"))
    plain = [r for r in requires if "extra ==" not in r]
    assert [r.split(">=")[0] for r in plain] == ["numpy", "pluggy"]
    assert 'pywebnn-torch==0.1.0; extra == "torch"' in requires
    assert 'pywebnn-rust==0.1.0; extra == "rust"' in requires
    assert "webnn/py.typed" in names
    assert not any(n.startswith("tests/") for n in names)
