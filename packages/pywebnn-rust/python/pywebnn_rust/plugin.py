"""Entry point of the ``rust`` backend plugin (group ``pywebnn.backends``).

Importing this module loads nothing native by itself beyond the package (``torch`` and
the extension): the backend object is created only when the core calls the hook, and
devices are probed only when the core asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from webnn.plugins import hookimpl

if TYPE_CHECKING:
    from webnn.backend import Backend


@hookimpl
def pywebnn_backends() -> list[Backend]:
    from pywebnn_rust.backend import RustBackend

    return [RustBackend()]
