"""A float64 numpy evaluator of WebNN graphs, used as an oracle for the runner itself.

It is not discovered as a plugin; ``register()`` makes it available as backend
``reference`` (the CLI and the pytest plugin do that when ``reference`` is requested).
"""

from __future__ import annotations

import webnn
from webnn_conformance.reference.backend import KERNELS, ReferenceBackend, evaluate

__all__ = ["KERNELS", "NAME", "ReferenceBackend", "evaluate", "register"]

NAME = ReferenceBackend.name


def register() -> None:
    if NAME not in {i.name for i in webnn.list_backends()}:
        webnn.register_backend(ReferenceBackend())
