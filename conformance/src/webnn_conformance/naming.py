"""WPT (JavaScript) operator and option names to the snake_case Python API.

A generic camelCase conversion covers nearly every name; the exceptions table holds the
names it would get wrong (``isNaN``) or that the Python API renamed (``roundingType`` is
the WPT spelling of the spec's ``outputShapeRounding``).  Names the generic rule already
handles are listed too where a reader would otherwise wonder (``gatherND``, ``l2Pool2d``).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["OPERATOR_NAMES", "OPTION_NAMES", "camel_to_snake", "operator_name", "option_name"]

OPERATOR_NAMES: Final[dict[str, str]] = {
    "isNaN": "is_nan",
    "gatherND": "gather_nd",
    "scatterND": "scatter_nd",
    "l2Pool2d": "l2_pool2d",
    "averagePool2d": "average_pool2d",
    "maxPool2d": "max_pool2d",
    "conv2d": "conv2d",
    "convTranspose2d": "conv_transpose2d",
    "resample2d": "resample2d",
}

OPTION_NAMES: Final[dict[str, str]] = {
    "roundingType": "output_shape_rounding",
    "aTranspose": "a_transpose",
    "bTranspose": "b_transpose",
}

# A boundary is a lower-case letter or digit followed by an upper-case letter, so runs of
# capitals stay together ("gatherND" -> "gather_nd", "reduceL2" -> "reduce_l2").
_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def camel_to_snake(name: str) -> str:
    return _BOUNDARY.sub("_", name).lower()


def operator_name(wpt_name: str) -> str:
    return OPERATOR_NAMES.get(wpt_name) or camel_to_snake(wpt_name)


def option_name(wpt_name: str) -> str:
    return OPTION_NAMES.get(wpt_name) or camel_to_snake(wpt_name)
