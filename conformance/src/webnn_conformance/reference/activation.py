"""Activation kernels (float64 math)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel
from webnn_conformance.reference.elementwise import erf

__all__ = ["KERNELS", "sigmoid"]


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _softmax(x: list[np.ndarray], at: Mapping[str, Any], outs: object) -> np.ndarray:
    a, axis = x[0], at["axis"]
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _prelu(x: list[np.ndarray], at: object, outs: object) -> np.ndarray:
    a, slope = x
    return np.where(a < 0, slope * a, a).astype(a.dtype)


KERNELS: dict[str, Kernel] = {
    "relu": lambda x, at, outs: np.maximum(x[0], 0).astype(x[0].dtype),
    "sigmoid": lambda x, at, outs: sigmoid(x[0]),
    "tanh": lambda x, at, outs: np.tanh(x[0]),
    "elu": lambda x, at, outs: np.where(x[0] > 0, x[0], at["alpha"] * np.expm1(x[0])),
    "gelu": lambda x, at, outs: 0.5 * x[0] * (1.0 + erf(x[0] / math.sqrt(2.0))),
    "hard_sigmoid": lambda x, at, outs: np.clip(at["alpha"] * x[0] + at["beta"], 0.0, 1.0),
    "hard_swish": lambda x, at, outs: x[0] * np.clip(x[0] + 3.0, 0.0, 6.0) / 6.0,
    "leaky_relu": lambda x, at, outs: np.where(x[0] >= 0, x[0], at["alpha"] * x[0]),
    "linear": lambda x, at, outs: at["alpha"] * x[0] + at["beta"],
    "softplus": lambda x, at, outs: np.logaddexp(0.0, x[0]),
    "softsign": lambda x, at, outs: x[0] / (1.0 + np.abs(x[0])),
    "softmax": _softmax,
    "prelu": _prelu,
}
