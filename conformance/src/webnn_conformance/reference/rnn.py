"""gru, gruCell, lstm and lstmCell, following the spec's cell formulas (digest §2.23-2.32)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from webnn_conformance.reference._common import Kernel
from webnn_conformance.reference.activation import sigmoid

__all__ = ["KERNELS"]

Fn = Callable[[np.ndarray], np.ndarray]
_ACTIVATIONS: dict[str, Fn] = {"relu": lambda v: np.maximum(v, 0.0), "sigmoid": sigmoid,
                               "tanh": np.tanh}  # fmt: skip


def _gates(m: np.ndarray | None, order: str, hidden: int) -> dict[str, Any]:
    """Split the gate axis (the first one) into H-row blocks named by the layout's letters
    (``zrn``, ``iofg`` ...); an absent operand gives zeros."""
    if m is None:
        return dict.fromkeys(order, 0.0)
    return {g: m[k * hidden : (k + 1) * hidden] for k, g in enumerate(order)}


def gru_cell(
    x: np.ndarray, h: np.ndarray, p: Mapping[str, Any], at: Mapping[str, Any]
) -> np.ndarray:
    hid, order = at["hidden_size"], at["layout"]
    w, r = _gates(p["w"], order, hid), _gates(p["r"], order, hid)
    wb, rb = _gates(p["wb"], order, hid), _gates(p["rb"], order, hid)
    f, g = (_ACTIVATIONS[a] for a in at["activations"])
    z = f(x @ w["z"].T + wb["z"] + h @ r["z"].T + rb["z"])
    rg = f(x @ w["r"].T + wb["r"] + h @ r["r"].T + rb["r"])
    if at["reset_after"]:
        n = g(x @ w["n"].T + wb["n"] + rg * (h @ r["n"].T + rb["n"]))
    else:
        n = g(x @ w["n"].T + wb["n"] + (rg * h) @ r["n"].T + rb["n"])
    return z * h + (1 - z) * n


def lstm_cell(
    x: np.ndarray, h: np.ndarray, c: np.ndarray, p: Mapping[str, Any], at: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    hid, order = at["hidden_size"], at["layout"]
    w, r = _gates(p["w"], order, hid), _gates(p["r"], order, hid)
    wb, rb = _gates(p["wb"], order, hid), _gates(p["rb"], order, hid)
    peep = _gates(p["peep"], "iof", hid)
    f, g, out = (_ACTIVATIONS[a] for a in at["activations"])

    def pre(gate: str) -> np.ndarray:
        return x @ w[gate].T + h @ r[gate].T + wb[gate] + rb[gate]

    i = f(pre("i") + peep["i"] * c)
    fg = f(pre("f") + peep["f"] * c)
    cell = g(pre("g"))
    o = f(pre("o") + peep["o"] * c)  # the spec's emulation uses the previous cell state
    c2 = fg * c + i * cell
    return o * out(c2), c2


def _gru_cell_kernel(x: list[Any], at: Mapping[str, Any], outs: Any) -> np.ndarray:
    inp, w, r, h, wb, rb = x
    return gru_cell(inp, h, {"w": w, "r": r, "wb": wb, "rb": rb}, at)


def _lstm_cell_kernel(x: list[Any], at: Mapping[str, Any], outs: Any) -> list[np.ndarray]:
    inp, w, r, h, c, wb, rb, peep = x
    return list(lstm_cell(inp, h, c, {"w": w, "r": r, "wb": wb, "rb": rb, "peep": peep}, at))


def _directions(at: Mapping[str, Any]) -> list[bool]:
    """Per direction slot: does it run backward in time?"""
    return {"forward": [False], "backward": [True], "both": [False, True]}[at["direction"]]


def _slot(a: np.ndarray | None, d: int) -> np.ndarray | None:
    return None if a is None else a[d]


def _gru(x: list[Any], at: Mapping[str, Any], outs: Any) -> list[np.ndarray]:
    inp, w, r, wb, rb, h0 = x
    steps, batch = inp.shape[0], inp.shape[1]
    dirs = _directions(at)
    finals, seq = [], np.zeros((steps, len(dirs), batch, at["hidden_size"]))
    for d, backward in enumerate(dirs):
        p = {"w": w[d], "r": r[d], "wb": _slot(wb, d), "rb": _slot(rb, d)}
        h = np.zeros((batch, at["hidden_size"])) if h0 is None else h0[d]
        for t in reversed(range(steps)) if backward else range(steps):
            h = gru_cell(inp[t], h, p, at)
            seq[t, d] = h
        finals.append(h)
    return [np.stack(finals), seq] if at["return_sequence"] else [np.stack(finals)]


def _lstm(x: list[Any], at: Mapping[str, Any], outs: Any) -> list[np.ndarray]:
    inp, w, r, wb, rb, peep, h0, c0 = x
    steps, batch, hid = inp.shape[0], inp.shape[1], at["hidden_size"]
    dirs = _directions(at)
    hs, cs, seq = [], [], np.zeros((steps, len(dirs), batch, hid))
    for d, backward in enumerate(dirs):
        p = {"w": w[d], "r": r[d], "wb": _slot(wb, d), "rb": _slot(rb, d),
             "peep": _slot(peep, d)}  # fmt: skip
        h = np.zeros((batch, hid)) if h0 is None else h0[d]
        c = np.zeros((batch, hid)) if c0 is None else c0[d]
        for t in reversed(range(steps)) if backward else range(steps):
            h, c = lstm_cell(inp[t], h, c, p, at)
            seq[t, d] = h
        hs.append(h)
        cs.append(c)
    result = [np.stack(hs), np.stack(cs)]
    return [*result, seq] if at["return_sequence"] else result


KERNELS: dict[str, Kernel] = {
    "gru_cell": _gru_cell_kernel,
    "lstm_cell": _lstm_cell_kernel,
    "gru": _gru,
    "lstm": _lstm,
}
