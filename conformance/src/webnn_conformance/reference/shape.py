"""Data movement: shape, slicing, padding, gather and scatter kernels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel, clamp_index

__all__ = ["KERNELS"]

_PAD_MODES = {"constant": "constant", "edge": "edge", "reflection": "reflect"}


def _pad(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    widths = list(zip(at["beginning_padding"], at["ending_padding"], strict=True))
    mode = _PAD_MODES[at["mode"]]
    if mode == "constant":
        return np.pad(x[0], widths, mode="constant", constant_values=at["value"])
    return np.pad(x[0], widths, mode=mode)  # type: ignore[call-overload]  # a literal mode


def _slice(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    window = tuple(
        slice(start, start + size, stride)
        for start, size, stride in zip(at["starts"], at["sizes"], at["strides"], strict=True)
    )
    return x[0][window]


def _split(x: list[Any], at: Mapping[str, Any], outs: Any) -> list[np.ndarray]:
    cuts = np.cumsum(at["splits"])[:-1]
    return np.split(x[0], cuts, axis=at["axis"])


def _triangular(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a = x[0]
    rows, cols = np.indices(a.shape[-2:])
    keep = (cols - rows >= at["diagonal"]) if at["upper"] else (cols - rows <= at["diagonal"])
    return np.where(keep, a, np.zeros((), a.dtype))


def _gather(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, idx, axis = x[0], x[1], at["axis"]
    return np.take(a, clamp_index(idx, a.shape[axis]), axis=axis)


def _gather_elements(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, idx, axis = x[0], x[1], at["axis"]
    return np.take_along_axis(a, clamp_index(idx, a.shape[axis]), axis=axis)


def _coordinates(a: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(clamp_index(idx[..., d], a.shape[d]) for d in range(idx.shape[-1]))


def _gather_nd(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    return x[0][_coordinates(x[0], x[1])]


def _scatter_elements(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    a, idx, updates, axis = x[0], x[1], x[2], at["axis"]
    out = a.copy()
    np.put_along_axis(out, clamp_index(idx, a.shape[axis]), updates, axis=axis)
    return out


def _scatter_nd(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    out = x[0].copy()
    out[_coordinates(out, x[1])] = x[2]
    return out


KERNELS: dict[str, Kernel] = {
    "concat": lambda x, at, outs: np.concatenate(x[0], axis=at["axis"]),
    "expand": lambda x, at, outs: np.broadcast_to(x[0], at["new_shape"]).copy(),
    "reshape": lambda x, at, outs: x[0].reshape(at["new_shape"]),
    "reverse": lambda x, at, outs: np.flip(x[0], at["axes"]) if at["axes"] else x[0],
    "tile": lambda x, at, outs: np.tile(x[0], at["repetitions"]),
    "transpose": lambda x, at, outs: np.transpose(x[0], at["permutation"]),
    "pad": _pad,
    "slice": _slice,
    "split": _split,
    "triangular": _triangular,
    "gather": _gather,
    "gather_elements": _gather_elements,
    "gather_nd": _gather_nd,
    "scatter_elements": _scatter_elements,
    "scatter_nd": _scatter_nd,
}
