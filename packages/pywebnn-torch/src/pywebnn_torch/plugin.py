"""Entry point of the ``torch`` backend plugin (group ``pywebnn.backends``).

Importing this module must stay cheap: torch itself is imported only when the backend
is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from webnn.plugins import hookimpl

if TYPE_CHECKING:
    from webnn.backend import Backend


@hookimpl
def pywebnn_backends() -> list[Backend]:
    from pywebnn_torch.backend import TorchBackend

    return [TorchBackend()]
