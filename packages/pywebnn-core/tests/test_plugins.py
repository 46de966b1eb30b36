"""Backend discovery: real entry points, broken plugins, selection order."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import webnn
from webnn import plugins
from webnn.errors import NotSupportedError
from webnn.plugins import PluginWarning
from webnn.testing import SpecBackend

DEMO = Path(__file__).parent / "plugins" / "numpy-demo"


@pytest.fixture
def fresh_plugins():
    """Rescan entry points for this test and restore the session's state afterwards."""
    saved_state, saved_extra = plugins._state, list(plugins._extra)
    plugins._state = None
    yield
    plugins._state, plugins._extra[:] = saved_state, saved_extra


def test_third_party_backend_through_a_real_entry_point(tmp_path):
    """Install the demo distribution with pip into a private directory and run a graph on
    it in a fresh interpreter: no change to the core is needed for a new backend."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(DEMO)],
                   check=True, capture_output=True)
    script = textwrap.dedent("""
        import numpy as np, webnn
        names = [b.name for b in webnn.list_backends()]
        assert "numpy-demo" in names, names
        ctx = webnn.MLContext(backend="numpy-demo")
        b = webnn.MLGraphBuilder(ctx)
        x = b.input("x", webnn.MLOperandDescriptor([2, 2], "float32"))
        w = b.constant(np.array([[1, 2], [3, 4]], np.float32))
        y = b.relu(b.add(b.matmul(x, w), b.constant(np.float32(-5) * np.ones(2, np.float32))))
        out = ctx.compute(b.build({"y": y}), {"x": np.eye(2, dtype=np.float32)})["y"]
        print(out.tolist())
        try:
            b2 = webnn.MLGraphBuilder(ctx)
            b2.exp(b2.input("x", webnn.MLOperandDescriptor([2], "float32")))
        except webnn.errors.UnsupportedError as e:
            print("unsupported:", e)
    """)
    env = {"PYTHONPATH": str(target), "PATH": ""}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[[0.0, 0.0], [0.0, 0.0]]"  # relu([[1,2],[3,4]] - 5)
    assert lines[1].startswith("unsupported: exp: input data type float32 is not supported "
                               "by backend 'numpy-demo'")


class _FakeDist:
    name = "broken-dist"


def _entry_point(name: str, value: str) -> EntryPoint:
    ep = EntryPoint(name=name, value=value, group=plugins.ENTRY_POINT_GROUP)
    object.__setattr__(ep, "dist", _FakeDist())
    return ep


def test_broken_plugin_warns_and_is_reported(monkeypatch, fresh_plugins):
    eps = [_entry_point("ghost", "module_that_does_not_exist_anywhere")]
    monkeypatch.setattr(plugins, "entry_points", lambda group: eps)
    with pytest.warns(PluginWarning, match="backend plugin ghost .* failed to load"):
        infos = webnn.list_backends()
    ghost = next(i for i in infos if i.name == "ghost")
    assert ghost.backend is None
    assert "ModuleNotFoundError" in (ghost.error or "")
    with pytest.raises(NotSupportedError, match="unknown backend 'ghost' .its plugin failed"):
        webnn.MLContext(backend="ghost")


def test_plugin_whose_hook_raises_is_skipped(monkeypatch, fresh_plugins, tmp_path):
    mod = tmp_path / "raising_plugin_mod.py"
    mod.write_text(textwrap.dedent("""
        from webnn.plugins import hookimpl
        @hookimpl
        def pywebnn_backends():
            raise RuntimeError("no devices today")
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "entry_points",
                        lambda group: [_entry_point("raiser", "raising_plugin_mod")])
    with pytest.warns(PluginWarning, match="raised: RuntimeError"):
        infos = webnn.list_backends()
    assert any(i.name == "raiser" and "no devices today" in (i.error or "") for i in infos)


class _Named(SpecBackend):
    def __init__(self, name: str, priority: int) -> None:
        self.name = name  # type: ignore[misc]
        self.priority = priority  # type: ignore[misc]


def test_selection_order_argument_env_priority(monkeypatch, fresh_plugins):
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])
    plugins._extra[:] = [_Named("low", 1), _Named("high", 5)]
    monkeypatch.delenv(plugins.ENV_BACKEND, raising=False)
    assert webnn.MLContext().backend_name == "high"
    monkeypatch.setenv(plugins.ENV_BACKEND, "low")
    assert webnn.MLContext().backend_name == "low"
    assert webnn.MLContext(backend="high").backend_name == "high"


def test_unknown_backend_lists_installed(monkeypatch, fresh_plugins):
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])
    plugins._extra[:] = [_Named("alpha", 0)]
    with pytest.raises(NotSupportedError, match="unknown backend 'nope'; installed: alpha"):
        webnn.MLContext(backend="nope")


def test_no_backend_installed(monkeypatch, fresh_plugins):
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])
    plugins._extra[:] = []
    monkeypatch.delenv(plugins.ENV_BACKEND, raising=False)
    with pytest.raises(NotSupportedError, match="no WebNN backend is installed"):
        webnn.MLContext()


def test_list_backends_reports_devices(ctx):
    info = next(i for i in webnn.list_backends() if i.name == "spec")
    assert (info.devices, info.version, info.error) == (("cpu",), "test", None)
