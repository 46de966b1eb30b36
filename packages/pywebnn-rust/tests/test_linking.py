"""The extension shares the torch wheel's libtorch: one copy per process, found through a
relative RUNPATH, never bundled."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import torch

import pywebnn_rust

PACKAGE = Path(pywebnn_rust.__file__).parent
NATIVE = next(PACKAGE.glob("_native*.so"))


def test_runpath_points_into_the_torch_wheel():
    readelf = shutil.which("readelf")
    assert readelf, "binutils (readelf) is part of the build toolchain"
    dynamic = subprocess.run([readelf, "-d", str(NATIVE)], capture_output=True, text=True,
                             check=True).stdout
    paths = [line.split("[", 1)[1].rstrip("]") for line in dynamic.splitlines()
             if "RUNPATH" in line or "RPATH" in line]
    assert any("$ORIGIN/../torch/lib" in p.split(":") for p in paths), dynamic
    needed = [line for line in dynamic.splitlines() if "NEEDED" in line]
    assert any("libtorch_cpu.so" in line for line in needed)


def test_no_libtorch_copy_is_bundled():
    bundled = [p.name for p in PACKAGE.rglob("*.so*") if p != NATIVE]
    assert bundled == []


def test_one_libtorch_in_a_process_with_both_backends():
    script = (
        "import webnn, pywebnn_rust, pywebnn_torch\n"
        "names = {b.name for b in webnn.list_backends()}\n"
        "assert {'rust', 'torch'} <= names, names\n"
        "maps = open('/proc/self/maps').read().split()\n"
        "print(sorted({p for p in maps if p.endswith('libtorch_cpu.so')}))\n"
    )
    env = {"PATH": "", "HOME": str(Path.home())}  # in particular no LD_LIBRARY_PATH
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    loaded = ast.literal_eval(done.stdout)
    torch_lib = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    assert [Path(p).resolve() for p in loaded] == [torch_lib.resolve()]
