"""Torch kernels of the recurrent ops: gru, gru_cell, lstm, lstm_cell.

Written from the spec's equations (digest §2.24, §2.32) with one matmul per step rather
than ``torch.nn.GRU``/``LSTM``: WebNN's gate layouts, ``reset_after=False``, peepholes,
free activation choice and per-direction states do not map onto torch's modules.

Everything runs in the work type (float16 -> float32) and is rounded once at the end,
which is how the spec's reference results are computed.  The input projection
``x·Wᵀ + Wb`` of all steps is one matmul per direction; only the recurrent part runs
step by step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import torch

from pywebnn_torch.ops._util import narrow, widen
from webnn.ops import Desc

Fn = Callable[[torch.Tensor], torch.Tensor]
States = tuple[torch.Tensor, ...]

_ACTIVATION: Final[dict[str, Fn]] = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}
# Block index of each gate along the gates*H axis, per weight layout.
_GRU_BLOCKS: Final = {"zrn": {"z": 0, "r": 1, "n": 2}, "rzn": {"r": 0, "z": 1, "n": 2}}
_LSTM_BLOCKS: Final = {"iofg": {"i": 0, "o": 1, "f": 2, "g": 3},
                       "ifgo": {"i": 0, "f": 1, "g": 2, "o": 3}}
# The peephole weight is packed (i, o, f) whatever the layout.
_PEEPHOLE_BLOCKS: Final = {"i": 0, "o": 1, "f": 2}


def _block(t: torch.Tensor, index: int, hidden: int) -> torch.Tensor:
    """Gate ``index`` of a tensor whose last (or, for weights, first) axis is gates*H."""
    return t[..., index * hidden:(index + 1) * hidden]


def _opt(t: torch.Tensor | None) -> torch.Tensor | None:
    return None if t is None else widen(t)


@dataclass(frozen=True, slots=True)
class _Cell:
    """One direction's recurrent weights and the attributes a step needs (work type)."""

    r: torch.Tensor                  # [gates*H, H]
    rb: torch.Tensor | None          # [gates*H]
    peephole: torch.Tensor | None    # [3H] (LSTM only)
    hidden: int
    blocks: Mapping[str, int]
    acts: tuple[Fn, ...]
    reset_after: bool = True


def _cell(r: torch.Tensor, rb: torch.Tensor | None, attrs: Mapping[str, Any],
          blocks: Mapping[str, Mapping[str, int]],
          peephole: torch.Tensor | None = None) -> _Cell:
    return _Cell(r, rb, peephole, attrs["hidden_size"], blocks[attrs["layout"]],
                 tuple(_ACTIVATION[a] for a in attrs["activations"]),
                 attrs.get("reset_after", True))


def _project(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    """``x·Wᵀ + Wb`` for every leading index of x at once."""
    xw = torch.matmul(x, w.transpose(-1, -2))
    return xw if b is None else xw + b


# -- steps ------------------------------------------------------------------------------


def _gru_step(c: _Cell, xw: torch.Tensor, states: States) -> States:
    """h' = z ⊙ h + (1 − z) ⊙ n with the reset gate applied after (default) or before the
    recurrent matmul of the n gate."""
    (h,) = states
    f, g = c.acts
    size, z_i, r_i, n_i = c.hidden, c.blocks["z"], c.blocks["r"], c.blocks["n"]
    hr = _project(h, c.r, c.rb)
    z = f(_block(xw, z_i, size) + _block(hr, z_i, size))
    r = f(_block(xw, r_i, size) + _block(hr, r_i, size))
    if c.reset_after:
        n = g(_block(xw, n_i, size) + r * _block(hr, n_i, size))
    else:
        r_n = c.r[n_i * size:(n_i + 1) * size]
        rb_n = None if c.rb is None else _block(c.rb, n_i, size)
        n = g(_block(xw, n_i, size) + _project(r * h, r_n, rb_n))
    return (z * h + (1 - z) * n,)


def _lstm_step(c: _Cell, xw: torch.Tensor, states: States) -> States:
    """The spec's emulation applies every peephole, the output gate's included, to the
    cell state *before* the step (digest §4 item 13; the WPT vectors agree)."""
    h, cell = states
    f, g, hact = c.acts
    size = c.hidden
    gates = _project(h, c.r, c.rb) + xw

    def gate(name: str) -> torch.Tensor:
        pre = _block(gates, c.blocks[name], size)
        if c.peephole is not None and name in _PEEPHOLE_BLOCKS:
            pre = pre + _block(c.peephole, _PEEPHOLE_BLOCKS[name], size) * cell
        return pre

    i, forget, o = f(gate("i")), f(gate("f")), f(gate("o"))
    new_cell = forget * cell + i * g(gate("g"))
    return o * hact(new_cell), new_cell


Step = Callable[[_Cell, torch.Tensor, States], States]


# -- kernels ----------------------------------------------------------------------------


def _run_sequence(step: Step, x: torch.Tensor, cells: Sequence[_Cell],
                  xws: Sequence[torch.Tensor], initial: Sequence[torch.Tensor | None],
                  attrs: Mapping[str, Any], out_dtype: torch.dtype) -> list[torch.Tensor]:
    """Run every direction; return the final states ``[D, batch, H]`` each, then (with
    return_sequence) the hidden states of every step ``[steps, D, batch, H]`` in original
    time order (a backward direction's entry t is its state after consuming step t)."""
    steps, batch = x.shape[0], x.shape[1]
    zeros = x.new_zeros((len(cells), batch, attrs["hidden_size"]))
    finals: list[States] = []
    sequences: list[torch.Tensor] = []
    for d, (cell, xw) in enumerate(zip(cells, xws, strict=True)):
        backward = attrs["direction"] == "backward" or d == 1
        states = tuple(zeros[d] if s is None else s[d] for s in initial)
        seq: list[torch.Tensor] = [zeros[d]] * steps
        for t in range(steps - 1, -1, -1) if backward else range(steps):
            states = step(cell, xw[t], states)
            seq[t] = states[0]
        finals.append(states)
        sequences.append(torch.stack(seq))
    outs = [torch.stack([s[k] for s in finals]) for k in range(len(initial))]
    if attrs["return_sequence"]:
        outs.append(torch.stack(sequences, dim=1))
    return [narrow(t, out_dtype) for t in outs]


def _per_direction(t: torch.Tensor | None, d: int) -> torch.Tensor | None:
    return None if t is None else t[d]


def _gru(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
         ) -> list[torch.Tensor]:
    x, w, r = (widen(a) for a in args[:3])
    b, rb, h0 = (_opt(a) for a in args[3:])
    dirs = range(w.shape[0])
    cells = [_cell(r[d], _per_direction(rb, d), attrs, _GRU_BLOCKS) for d in dirs]
    xws = [_project(x, w[d], _per_direction(b, d)) for d in dirs]
    return _run_sequence(_gru_step, x, cells, xws, (h0,), attrs, args[0].dtype)


def _lstm(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
          ) -> list[torch.Tensor]:
    x, w, r = (widen(a) for a in args[:3])
    b, rb, p, h0, c0 = (_opt(a) for a in args[3:])
    dirs = range(w.shape[0])
    cells = [_cell(r[d], _per_direction(rb, d), attrs, _LSTM_BLOCKS, _per_direction(p, d))
             for d in dirs]
    xws = [_project(x, w[d], _per_direction(b, d)) for d in dirs]
    return _run_sequence(_lstm_step, x, cells, xws, (h0, c0), attrs, args[0].dtype)


def _gru_cell(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
              ) -> torch.Tensor:
    x, w, r, h = (widen(a) for a in args[:4])
    b, rb = (_opt(a) for a in args[4:])
    cell = _cell(r, rb, attrs, _GRU_BLOCKS)
    (out,) = _gru_step(cell, _project(x, w, b), (h,))
    return narrow(out, args[0].dtype)


def _lstm_cell(args: Sequence[Any], attrs: Mapping[str, Any], outs: Sequence[Desc]
               ) -> list[torch.Tensor]:
    x, w, r, h, c = (widen(a) for a in args[:5])
    b, rb, p = (_opt(a) for a in args[5:])
    cell = _cell(r, rb, attrs, _LSTM_BLOCKS, p)
    return [narrow(t, args[0].dtype) for t in _lstm_step(cell, _project(x, w, b), (h, c))]


KERNELS: dict[str, Any] = {
    "gru": _gru,
    "gru_cell": _gru_cell,
    "lstm": _lstm,
    "lstm_cell": _lstm_cell,
}
