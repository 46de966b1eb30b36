"""Numerics of the recurrent kernels against a float64 numpy implementation of the
digest's equations (§2.23, §2.24, §2.31, §2.32), written independently below."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from webnn.testing import run

ACT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda v: np.maximum(v, 0.0),
    "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
    "tanh": np.tanh,
}


def gates(t: np.ndarray | None, layout: str, hidden: int) -> dict[str, Any]:
    """Split along the gates axis; the layout string spells the gate order ("zrn": z is
    block 0).  An absent tensor gives zero blocks."""
    if t is None:
        return dict.fromkeys(layout, 0.0)
    return {name: t[i * hidden:(i + 1) * hidden] for i, name in enumerate(layout)}


# -- numpy reference ------------------------------------------------------------------------


def ref_gru_cell(x, w, r, h, b, rb, *, hidden, reset_after=True, layout="zrn",
                 activations=("sigmoid", "tanh")):
    f, g = ACT[activations[0]], ACT[activations[1]]
    W, R = gates(w, layout, hidden), gates(r, layout, hidden)
    B, RB = gates(b, layout, hidden), gates(rb, layout, hidden)
    z = f(x @ W["z"].T + B["z"] + h @ R["z"].T + RB["z"])
    rr = f(x @ W["r"].T + B["r"] + h @ R["r"].T + RB["r"])
    if reset_after:
        n = g(x @ W["n"].T + B["n"] + rr * (h @ R["n"].T + RB["n"]))
    else:
        n = g(x @ W["n"].T + B["n"] + (rr * h) @ R["n"].T + RB["n"])
    return z * h + (1 - z) * n


def ref_lstm_cell(x, w, r, h, c, b, rb, p, *, hidden, layout="iofg",
                  activations=("sigmoid", "tanh", "tanh"), output_peephole_on_new=False):
    f, g, hact = (ACT[a] for a in activations)
    W, R = gates(w, layout, hidden), gates(r, layout, hidden)
    B, RB = gates(b, layout, hidden), gates(rb, layout, hidden)
    P = gates(p, "iof", hidden)

    def pre(k: str) -> np.ndarray:
        return x @ W[k].T + h @ R[k].T + B[k] + RB[k]

    i = f(pre("i") + P["i"] * c)
    fg = f(pre("f") + P["f"] * c)
    gg = g(pre("g"))
    c2 = fg * c + i * gg
    # The spec emulation's output gate sees the previous cell state (digest §4 item 13);
    # the flag computes the ONNX variant so a test can show the two differ.
    o = f(pre("o") + P["o"] * (c2 if output_peephole_on_new else c))
    return o * hact(c2), c2


def ref_sequence(cell: Callable[..., Any], x: np.ndarray,
                 weights: list[np.ndarray | None], initial: list[np.ndarray | None], *,
                 direction: str, hidden: int, **kw: Any) -> tuple[list[np.ndarray], np.ndarray]:
    """Chain ``cell`` over the steps of every direction.  ``weights`` are the per-direction
    tensors in the cell's argument order (w, r, then the ones after the states).  Returns
    the final states ``[D, batch, H]`` per state kind and the hidden state of every step
    ``[steps, D, batch, H]`` in original time order."""
    steps, batch = x.shape[:2]
    dirs = 2 if direction == "both" else 1
    finals = [np.zeros((dirs, batch, hidden)) for _ in initial]
    seq = np.zeros((steps, dirs, batch, hidden))
    for d in range(dirs):
        w, r, *rest = (None if v is None else v[d] for v in weights)
        state = [np.zeros((batch, hidden)) if s is None else s[d] for s in initial]
        order = range(steps - 1, -1, -1) if direction == "backward" or d == 1 else range(steps)
        for t in order:
            out = cell(x[t], w, r, *state, *rest, hidden=hidden, **kw)
            state = list(out) if isinstance(out, tuple) else [out]
            seq[t, d] = state[0]
        for k, s in enumerate(state):
            finals[k][d] = s
    return finals, seq


def ref_gru(a: dict[str, np.ndarray | None], direction: str, hidden: int,
            **kw: Any) -> tuple[list[np.ndarray], np.ndarray]:
    g = {k: f64(a.get(k)) for k in ("input", "weight", "recurrent_weight", "bias",
                                     "recurrent_bias", "initial_hidden_state")}
    return ref_sequence(ref_gru_cell, g["input"],
                        [g["weight"], g["recurrent_weight"], g["bias"], g["recurrent_bias"]],
                        [g["initial_hidden_state"]], direction=direction, hidden=hidden, **kw)


def ref_lstm(a: dict[str, np.ndarray | None], direction: str, hidden: int,
             **kw: Any) -> tuple[list[np.ndarray], np.ndarray]:
    g = {k: f64(a.get(k)) for k in ("input", "weight", "recurrent_weight", "bias",
                                     "recurrent_bias", "peephole_weight",
                                     "initial_hidden_state", "initial_cell_state")}
    return ref_sequence(ref_lstm_cell, g["input"],
                        [g["weight"], g["recurrent_weight"], g["bias"], g["recurrent_bias"],
                         g["peephole_weight"]],
                        [g["initial_hidden_state"], g["initial_cell_state"]],
                        direction=direction, hidden=hidden, **kw)


# -- helpers --------------------------------------------------------------------------------


def rand(rng: np.random.Generator, *shape: int, scale: float = 0.5) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def call(ctx, op: str, arrays: dict[str, np.ndarray | None], positional: tuple[str, ...],
         values: tuple[int, ...], **options: Any) -> Any:
    """Run one op with every array as a graph input; None arrays are left out."""
    inputs = {k: v for k, v in arrays.items() if v is not None}

    def build(b, ops):
        opts = {k: o for k, o in ops.items() if k not in positional}
        return getattr(b, op)(*(ops[k] for k in positional), *values, **opts, **options)

    return run(ctx, build, inputs)


def f64(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else a.astype(np.float64)


def assert_close(actual: np.ndarray, expected: np.ndarray) -> None:
    if actual.dtype == np.float16:
        # One rounding of a float32 computation: at most 1 ULP from the rounded float64.
        a = actual.view(np.uint16).astype(np.int64)
        e = expected.astype(np.float16).view(np.uint16).astype(np.int64)
        assert np.abs(a - e).max() <= 1, (actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=2e-5, atol=2e-6)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


# -- gru_cell / gru -------------------------------------------------------------------------

GRU_ACTS = [("sigmoid", "tanh"), ("relu", "relu"), ("tanh", "sigmoid")]


@pytest.mark.parametrize("layout", ["zrn", "rzn"])
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("activations", GRU_ACTS)
@pytest.mark.parametrize("with_bias", [True, False])
def test_gru_cell(ctx, rng, layout, reset_after, activations, with_bias):
    batch, inp, hidden = 3, 4, 5
    a = {"input": rand(rng, batch, inp), "weight": rand(rng, 3 * hidden, inp),
         "recurrent_weight": rand(rng, 3 * hidden, hidden),
         "hidden_state": rand(rng, batch, hidden),
         "bias": rand(rng, 3 * hidden) if with_bias else None,
         "recurrent_bias": rand(rng, 3 * hidden) if with_bias else None}
    y = call(ctx, "gru_cell", a, ("input", "weight", "recurrent_weight", "hidden_state"),
             (hidden,), reset_after=reset_after, layout=layout, activations=activations)
    expected = ref_gru_cell(*(f64(a[k]) for k in a), hidden=hidden, reset_after=reset_after,
                            layout=layout, activations=activations)
    assert y.shape == (batch, hidden)
    assert_close(y, expected)


def test_gru_cell_layouts_differ(ctx, rng):
    """rzn swaps the z and r blocks: with the same data the results must differ, so the
    layout tests above cannot pass by ignoring the layout."""
    a = {"input": rand(rng, 2, 3), "weight": rand(rng, 6, 3), "recurrent_weight": rand(rng, 6, 2),
         "hidden_state": rand(rng, 2, 2)}
    pos = tuple(a)
    zrn = call(ctx, "gru_cell", a, pos, (2,), layout="zrn")
    rzn = call(ctx, "gru_cell", a, pos, (2,), layout="rzn")
    assert not np.allclose(zrn, rzn)


@pytest.mark.parametrize("direction", ["forward", "backward", "both"])
@pytest.mark.parametrize("layout", ["zrn", "rzn"])
@pytest.mark.parametrize("return_sequence", [True, False])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru(ctx, rng, direction, layout, return_sequence, reset_after):
    steps, batch, inp, hidden = 3, 2, 3, 4
    dirs = 2 if direction == "both" else 1
    a = {"input": rand(rng, steps, batch, inp), "weight": rand(rng, dirs, 3 * hidden, inp),
         "recurrent_weight": rand(rng, dirs, 3 * hidden, hidden),
         "bias": rand(rng, dirs, 3 * hidden), "recurrent_bias": rand(rng, dirs, 3 * hidden),
         "initial_hidden_state": rand(rng, dirs, batch, hidden)}
    outs = call(ctx, "gru", a, ("input", "weight", "recurrent_weight"), (steps, hidden),
                direction=direction, layout=layout, return_sequence=return_sequence,
                reset_after=reset_after)
    (final,), seq = ref_gru(a, direction, hidden, layout=layout, reset_after=reset_after)
    assert len(outs) == (2 if return_sequence else 1)
    assert_close(outs[0], final)
    if return_sequence:
        assert_close(outs[1], seq)


@pytest.mark.parametrize("activations", GRU_ACTS)
def test_gru_defaults_no_bias_no_state(ctx, rng, activations):
    steps, batch, inp, hidden = 4, 1, 2, 3
    a = {"input": rand(rng, steps, batch, inp), "weight": rand(rng, 1, 3 * hidden, inp),
         "recurrent_weight": rand(rng, 1, 3 * hidden, hidden)}
    (h,) = call(ctx, "gru", a, tuple(a), (steps, hidden), activations=activations)
    (final,), _ = ref_gru(a, "forward", hidden, activations=activations)
    assert_close(h, final)


# -- lstm_cell / lstm -----------------------------------------------------------------------

LSTM_ACTS = [("sigmoid", "tanh", "tanh"), ("relu", "relu", "relu"), ("tanh", "sigmoid", "relu")]


@pytest.mark.parametrize("layout", ["iofg", "ifgo"])
@pytest.mark.parametrize("activations", LSTM_ACTS)
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("with_peephole", [True, False])
def test_lstm_cell(ctx, rng, layout, activations, with_bias, with_peephole):
    batch, inp, hidden = 2, 3, 4
    a = {"input": rand(rng, batch, inp), "weight": rand(rng, 4 * hidden, inp),
         "recurrent_weight": rand(rng, 4 * hidden, hidden),
         "hidden_state": rand(rng, batch, hidden), "cell_state": rand(rng, batch, hidden),
         "bias": rand(rng, 4 * hidden) if with_bias else None,
         "recurrent_bias": rand(rng, 4 * hidden) if with_bias else None,
         "peephole_weight": rand(rng, 3 * hidden) if with_peephole else None}
    h, c = call(ctx, "lstm_cell", a,
                ("input", "weight", "recurrent_weight", "hidden_state", "cell_state"),
                (hidden,), layout=layout, activations=activations)
    eh, ec = ref_lstm_cell(*(f64(a[k]) for k in a), hidden=hidden, layout=layout,
                           activations=activations)
    assert_close(h, eh)
    assert_close(c, ec)


def test_lstm_cell_output_peephole_uses_previous_cell(ctx, rng):
    """Digest §4 item 13: the output gate's peephole reads the cell state from before the
    step.  The ONNX variant (new cell state) gives a measurably different result here."""
    hidden = 3
    a = {"input": rand(rng, 2, 2), "weight": rand(rng, 4 * hidden, 2),
         "recurrent_weight": rand(rng, 4 * hidden, hidden),
         "hidden_state": rand(rng, 2, hidden), "cell_state": rand(rng, 2, hidden, scale=2.0),
         "peephole_weight": rand(rng, 3 * hidden, scale=2.0)}
    h, _ = call(ctx, "lstm_cell", a, tuple(a)[:5], (hidden,))
    args = [f64(a[k]) for k in tuple(a)[:5]] + [None, None, f64(a["peephole_weight"])]
    previous, _ = ref_lstm_cell(*args, hidden=hidden)
    onnx, _ = ref_lstm_cell(*args, hidden=hidden, output_peephole_on_new=True)
    assert not np.allclose(previous, onnx, atol=1e-3)
    assert_close(h, previous)


@pytest.mark.parametrize("direction", ["forward", "backward", "both"])
@pytest.mark.parametrize("layout", ["iofg", "ifgo"])
@pytest.mark.parametrize("return_sequence", [True, False])
@pytest.mark.parametrize("with_peephole", [True, False])
def test_lstm(ctx, rng, direction, layout, return_sequence, with_peephole):
    steps, batch, inp, hidden = 3, 2, 3, 4
    dirs = 2 if direction == "both" else 1
    a = {"input": rand(rng, steps, batch, inp), "weight": rand(rng, dirs, 4 * hidden, inp),
         "recurrent_weight": rand(rng, dirs, 4 * hidden, hidden),
         "bias": rand(rng, dirs, 4 * hidden), "recurrent_bias": rand(rng, dirs, 4 * hidden),
         "peephole_weight": rand(rng, dirs, 3 * hidden) if with_peephole else None,
         "initial_hidden_state": rand(rng, dirs, batch, hidden),
         "initial_cell_state": rand(rng, dirs, batch, hidden)}
    outs = call(ctx, "lstm", a, ("input", "weight", "recurrent_weight"), (steps, hidden),
                direction=direction, layout=layout, return_sequence=return_sequence)
    (h, c), seq = ref_lstm(a, direction, hidden, layout=layout)
    assert len(outs) == (3 if return_sequence else 2)
    assert_close(outs[0], h)
    assert_close(outs[1], c)
    if return_sequence:
        assert_close(outs[2], seq)


@pytest.mark.parametrize("activations", LSTM_ACTS)
def test_lstm_defaults_no_bias_no_state(ctx, rng, activations):
    steps, batch, inp, hidden = 4, 3, 2, 2
    a = {"input": rand(rng, steps, batch, inp), "weight": rand(rng, 1, 4 * hidden, inp),
         "recurrent_weight": rand(rng, 1, 4 * hidden, hidden)}
    h, c = call(ctx, "lstm", a, tuple(a), (steps, hidden), activations=activations)
    (eh, ec), _ = ref_lstm(a, "forward", hidden, activations=activations)
    assert_close(h, eh)
    assert_close(c, ec)


# -- float16 --------------------------------------------------------------------------------


def half(a: dict[str, np.ndarray | None]) -> dict[str, np.ndarray | None]:
    return {k: None if v is None else v.astype(np.float16) for k, v in a.items()}


@pytest.mark.parametrize("direction", ["forward", "both"])
def test_gru_float16(ctx, rng, direction):
    steps, batch, inp, hidden = 3, 2, 3, 4
    dirs = 2 if direction == "both" else 1
    a = half({"input": rand(rng, steps, batch, inp), "weight": rand(rng, dirs, 3 * hidden, inp),
              "recurrent_weight": rand(rng, dirs, 3 * hidden, hidden),
              "bias": rand(rng, dirs, 3 * hidden)})
    h, seq = call(ctx, "gru", a, ("input", "weight", "recurrent_weight"), (steps, hidden),
                  direction=direction, return_sequence=True, reset_after=False)
    assert h.dtype == seq.dtype == np.float16
    (eh,), eseq = ref_gru(a, direction, hidden, reset_after=False)
    assert_close(h, eh)
    assert_close(seq, eseq)


def test_gru_cell_float16(ctx, rng):
    hidden = 3
    a = half({"input": rand(rng, 2, 4), "weight": rand(rng, 3 * hidden, 4),
              "recurrent_weight": rand(rng, 3 * hidden, hidden),
              "hidden_state": rand(rng, 2, hidden), "recurrent_bias": rand(rng, 3 * hidden)})
    y = call(ctx, "gru_cell", a, tuple(a)[:4], (hidden,), layout="rzn")
    assert y.dtype == np.float16
    assert_close(y, ref_gru_cell(*(f64(a[k]) for k in tuple(a)[:4]), None,
                                 f64(a["recurrent_bias"]), hidden=hidden, layout="rzn"))


def test_lstm_float16(ctx, rng):
    steps, batch, inp, hidden = 2, 2, 3, 3
    a = half({"input": rand(rng, steps, batch, inp), "weight": rand(rng, 2, 4 * hidden, inp),
              "recurrent_weight": rand(rng, 2, 4 * hidden, hidden),
              "peephole_weight": rand(rng, 2, 3 * hidden),
              "initial_cell_state": rand(rng, 2, batch, hidden)})
    outs = call(ctx, "lstm", a, ("input", "weight", "recurrent_weight"), (steps, hidden),
                direction="both", return_sequence=True, layout="ifgo")
    assert {o.dtype for o in outs} == {np.dtype(np.float16)}
    (eh, ec), eseq = ref_lstm(a, "both", hidden, layout="ifgo")
    for actual, expected in zip(outs, (eh, ec, eseq), strict=True):
        assert_close(actual, expected)


def test_lstm_cell_float16(ctx, rng):
    hidden = 4
    a = half({"input": rand(rng, 3, 2), "weight": rand(rng, 4 * hidden, 2),
              "recurrent_weight": rand(rng, 4 * hidden, hidden),
              "hidden_state": rand(rng, 3, hidden), "cell_state": rand(rng, 3, hidden),
              "bias": rand(rng, 4 * hidden), "recurrent_bias": rand(rng, 4 * hidden),
              "peephole_weight": rand(rng, 3 * hidden)})
    h, c = call(ctx, "lstm_cell", a, tuple(a)[:5], (hidden,), activations=LSTM_ACTS[2])
    eh, ec = ref_lstm_cell(*(f64(a[k]) for k in a), hidden=hidden, activations=LSTM_ACTS[2])
    assert_close(h, eh)
    assert_close(c, ec)
