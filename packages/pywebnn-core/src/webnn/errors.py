"""Exception classes mirroring the WebNN specification's error types.

The spec raises JavaScript ``TypeError`` and ``DOMException``s with a name.  Each class
here keeps the spec's name and also derives from the closest Python built-in, so callers
can catch either ``webnn.errors.WebNNTypeError`` or plain ``TypeError``.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "InvalidStateError",
    "NotSupportedError",
    "OperationError",
    "UnknownError",
    "UnsupportedError",
    "WebNNError",
    "WebNNTypeError",
]


class WebNNError(Exception):
    """Base class of every error raised by PyWebNN."""


class WebNNTypeError(WebNNError, TypeError):
    """The spec's ``TypeError``: invalid arguments to a builder op, input, constant, build,
    dispatch or tensor call."""


class UnsupportedError(WebNNTypeError):
    """A ``TypeError`` raised because the context's backend declares, through
    ``op_support_limits()``, that it cannot run a data type or rank the spec allows.

    It is a subclass so conformance tooling can tell "valid but unsupported here" apart
    from "invalid per the spec" while callers still see the spec's ``TypeError``.
    """


class DataError(WebNNError, ValueError):
    """Bad data outside the builder, e.g. a corrupted or truncated saved graph."""


class NotSupportedError(WebNNError):
    """The spec's ``NotSupportedError``: a context (backend or device) cannot be created."""


class InvalidStateError(WebNNError, RuntimeError):
    """Use of a built builder or a destroyed context, graph or tensor."""


class OperationError(WebNNError, RuntimeError):
    """The backend failed to compile or execute a graph."""


class UnknownError(WebNNError, RuntimeError):
    """Tensor allocation or copy failed on the backend."""
