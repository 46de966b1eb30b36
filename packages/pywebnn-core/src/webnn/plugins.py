"""Backend discovery: a pluggy hook specification and entry-point loading.

A distribution registers a module under the entry-point group ``pywebnn.backends``; that
module implements ``pywebnn_backends()`` (marked with ``webnn.plugins.hookimpl``).
Importing a plugin must be cheap and must not probe devices.  A plugin that fails to
import or whose hook raises is skipped with a warning and reported by ``list_backends``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, cast

import pluggy

from webnn.errors import NotSupportedError

if TYPE_CHECKING:
    from webnn.backend import Backend

__all__ = [
    "ENTRY_POINT_GROUP",
    "BackendInfo",
    "hookimpl",
    "hookspec",
    "list_backends",
    "register_backend",
]

PROJECT = "pywebnn"
ENTRY_POINT_GROUP = "pywebnn.backends"
ENV_BACKEND = "PYWEBNN_BACKEND"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class _Spec:
    @hookspec
    def pywebnn_backends(self) -> list[Backend]:  # type: ignore[empty-body]  # hook spec
        """Return the backends this plugin provides.

        Called once per process, lazily.  Must not probe devices or load heavy native
        libraries beyond what importing the plugin module already did.
        """


@dataclass
class BackendInfo:
    """What ``list_backends()`` reports about one backend or one broken plugin."""

    name: str
    version: str = ""
    priority: int = 0
    devices: tuple[str, ...] = ()
    plugin: str = ""
    error: str | None = None
    backend: Backend | None = field(default=None, repr=False)


class PluginWarning(UserWarning):
    """A backend plugin could not be loaded; it is skipped."""


_state: dict[str, BackendInfo] | None = None
_extra: list[Backend] = []


def _load() -> dict[str, BackendInfo]:
    global _state
    if _state is not None:
        return _state
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(_Spec)
    found: dict[str, BackendInfo] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep.dist, "name", "") or ""
        plugin = f"{ep.name} ({ep.value}{', ' + dist if dist else ''})"
        # Plugin boundary: a broken third-party plugin must never take `import webnn` down,
        # so any exception here is recorded and reported instead of propagated.
        try:
            module = ep.load()
            pm.register(module, name=f"{ep.group}:{ep.name}")
        except Exception as e:  # see comment above
            found.setdefault(ep.name, BackendInfo(ep.name, plugin=plugin, error=repr(e)))
            warnings.warn(f"pywebnn: backend plugin {plugin} failed to load: {e!r}",
                          PluginWarning, stacklevel=3)
            continue
        for impl in pm.hook.pywebnn_backends.get_hookimpls():
            if impl.plugin is not module:
                continue
            try:
                backends = cast("list[Backend]", impl.function())
            except Exception as e:  # plugin boundary, as above
                found.setdefault(ep.name, BackendInfo(ep.name, plugin=plugin, error=repr(e)))
                warnings.warn(f"pywebnn: backend plugin {plugin} raised: {e!r}",
                              PluginWarning, stacklevel=3)
                continue
            for b in backends:
                found[b.name] = BackendInfo(b.name, b.version, b.priority, plugin=plugin,
                                            backend=b)
    for b in _extra:
        found[b.name] = BackendInfo(b.name, b.version, b.priority, plugin="registered",
                                    backend=b)
    _state = found
    return found


def register_backend(backend: Backend) -> None:
    """Make a backend available without an entry point (tests, embedding apps)."""
    _extra.append(backend)
    if _state is not None:
        _state[backend.name] = BackendInfo(backend.name, backend.version, backend.priority,
                                           plugin="registered", backend=backend)


def reset() -> None:
    """Forget discovered plugins so the next lookup scans entry points again."""
    global _state
    _state = None
    _extra.clear()


def list_backends() -> list[BackendInfo]:
    """Every discovered backend (with its devices) and every plugin that failed to load."""
    infos = []
    for info in _load().values():
        if info.backend is not None and not info.devices:
            try:
                info.devices = tuple(info.backend.devices())
            except Exception as e:  # plugin boundary: probing may fail
                info.error = f"device probing failed: {e!r}"
        infos.append(info)
    return sorted(infos, key=lambda i: (-i.priority, i.name))


def get_backend(name: str | None) -> Backend:
    """Resolve a backend by name, then env PYWEBNN_BACKEND, then highest priority."""
    found = {n: i for n, i in _load().items() if i.backend is not None}
    installed = ", ".join(sorted(found)) or "none"
    name = name or os.environ.get(ENV_BACKEND) or None
    if name is None:
        if not found:
            raise NotSupportedError("no WebNN backend is installed; install e.g. "
                                    "pywebnn-core[torch]")
        best = max(found.values(), key=lambda i: (i.priority, i.name))
        assert best.backend is not None
        return best.backend
    info = found.get(name)
    if info is None or info.backend is None:
        broken = _load().get(name)
        why = f" (its plugin failed to load: {broken.error})" if broken and broken.error else ""
        raise NotSupportedError(f"unknown backend {name!r}{why}; installed: {installed}")
    return info.backend
