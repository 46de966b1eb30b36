"""The other op families against independent numpy references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from webnn.testing import run

RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)


def close(got: np.ndarray, want: np.ndarray, tol: float = 1e-5) -> None:
    assert got.shape == want.shape
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=tol, atol=tol)


# -- activation -------------------------------------------------------------------------

ACTIVATIONS = {
    "relu": (lambda b, x: b.relu(x), lambda x: np.maximum(x, 0)),
    "sigmoid": (lambda b, x: b.sigmoid(x), lambda x: 1 / (1 + np.exp(-x))),
    "tanh": (lambda b, x: b.tanh(x), np.tanh),
    "elu": (lambda b, x: b.elu(x, alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    "gelu": (lambda b, x: b.gelu(x),
             lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))),
    "hard_sigmoid": (lambda b, x: b.hard_sigmoid(x, alpha=0.3, beta=0.4),
                     lambda x: np.clip(0.3 * x + 0.4, 0, 1)),
    "hard_swish": (lambda b, x: b.hard_swish(x), lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "leaky_relu": (lambda b, x: b.leaky_relu(x, alpha=0.1), lambda x: np.where(x >= 0, x, 0.1 * x)),
    "linear": (lambda b, x: b.linear(x, alpha=2.0, beta=-1.0), lambda x: 2 * x - 1),
    "softplus": (lambda b, x: b.softplus(x), lambda x: np.log1p(np.exp(x))),
    "softsign": (lambda b, x: b.softsign(x), lambda x: x / (1 + np.abs(x))),
    "softmax": (lambda b, x: b.softmax(x, 1),
                lambda x: np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)),
    "clamp": (lambda b, x: b.clamp(x, min_value=-0.5, max_value=0.25),
              lambda x: np.clip(x, -0.5, 0.25)),
}


@pytest.mark.parametrize("op", sorted(ACTIVATIONS))
def test_activation(ctx, op):
    build, ref = ACTIVATIONS[op]
    close(run(ctx, lambda b, o: build(b, o["x"]), {"x": X}), ref(X.astype(np.float64)))


def test_prelu_and_integer_clamp(ctx):
    slope = RNG.standard_normal((4, 5)).astype(np.float32)
    close(run(ctx, lambda b, o: b.prelu(o["x"], o["s"]), {"x": X, "s": slope}),
          np.where(X >= 0, X, X * slope))
    big = np.array([0, 5, 2**64 - 1, 2**63], np.uint64)
    out = run(ctx, lambda b, o: b.clamp(o["x"], min_value=3, max_value=2**63 + 5), {"x": big})
    np.testing.assert_array_equal(out, np.array([3, 5, 2**63 + 5, 2**63], np.uint64))


# -- reduce -------------------------------------------------------------------------------

@pytest.mark.parametrize(("op", "ref"), [
    ("reduce_sum", np.sum), ("reduce_mean", np.mean), ("reduce_max", np.max),
    ("reduce_min", np.min), ("reduce_product", np.prod),
    ("reduce_l1", lambda x, axis, keepdims: np.abs(x).sum(axis=axis, keepdims=keepdims)),
    ("reduce_l2", lambda x, axis, keepdims: np.sqrt((x * x).sum(axis=axis, keepdims=keepdims))),
    ("reduce_sum_square", lambda x, axis, keepdims: (x * x).sum(axis=axis, keepdims=keepdims)),
    ("reduce_log_sum_exp",
     lambda x, axis, keepdims: np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))),
])
@pytest.mark.parametrize(("axes", "keep"), [([1, 3], False), ([2], True), ([], False),
                                            ([0, 1, 2, 3], True)])
def test_reduce(ctx, op, ref, axes, keep):
    out = run(ctx, lambda b, o: getattr(b, op)(o["x"], axes=axes, keep_dimensions=keep),
              {"x": X})
    want = X.astype(np.float64) if not axes else ref(X.astype(np.float64), axis=tuple(axes),
                                                      keepdims=keep)
    if not axes and op in ("reduce_l1", "reduce_l2"):
        want = np.abs(X.astype(np.float64))
    elif not axes and op == "reduce_sum_square":
        want = X.astype(np.float64) ** 2
    close(out, np.asarray(want), 1e-4)


def test_integer_sums_wrap(ctx):
    x = np.array([[4294967295, 2], [7, 8]], np.uint32)
    out = run(ctx, lambda b, o: b.reduce_sum(o["x"], axes=[1]), {"x": x})
    np.testing.assert_array_equal(out, np.array([1, 15], np.uint32))


def test_arg_and_cumulative_sum(ctx):
    x = np.array([[3, 1, 3], [0, 5, 5]], np.int64)
    amax, amin, csum = run(ctx, lambda b, o: [
        b.arg_max(o["x"], 1, output_data_type="int32"),
        b.arg_min(o["x"], 0, keep_dimensions=True),
        b.cumulative_sum(o["x"], 1, exclusive=True, reversed=True)], {"x": x})
    np.testing.assert_array_equal(amax, np.array([0, 1], np.int32))
    np.testing.assert_array_equal(amin, np.array([[1, 0, 0]], np.int64))
    np.testing.assert_array_equal(csum, [[4, 3, 0], [10, 5, 0]])


# -- shape ---------------------------------------------------------------------------------

def test_shape_ops(ctx):
    outs = run(ctx, lambda b, o: [
        b.reshape(o["x"], [6, 20]), b.transpose(o["x"], permutation=[3, 0, 2, 1]),
        b.slice(o["x"], [1, 0, 1, 0], [1, 3, 3, 5], strides=[1, 2, 1, 2]),
        b.tile(o["x"], [1, 2, 1, 1]), b.concat([o["x"], o["x"]], 3),
        b.reverse(o["x"], axes=[1, 3]), b.triangular(o["x"], upper=True, diagonal=1),
        b.expand(b.slice(o["x"], [0, 0, 0, 0], [1, 3, 1, 5]), [2, 2, 3, 4, 5]),
    ], {"x": X})
    wants = [X.reshape(6, 20), X.transpose(3, 0, 2, 1), X[1:2, 0:3:2, 1:4, 0:5:2],
             np.tile(X, (1, 2, 1, 1)), np.concatenate([X, X], 3), X[:, ::-1, :, ::-1],
             np.triu(X, 1), np.broadcast_to(X[0:1, :, 0:1, :], (2, 2, 3, 4, 5))]
    for got, want in zip(outs, wants, strict=True):
        np.testing.assert_array_equal(got, want)


def test_split(ctx):
    parts = run(ctx, lambda b, o: b.split(o["x"], [1, 3], axis=2), {"x": X})
    for got, want in zip(parts, np.split(X, [1], axis=2), strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(("mode", "np_mode"), [("constant", "constant"), ("edge", "edge"),
                                               ("reflection", "reflect")])
@pytest.mark.parametrize("dt", ["float32", "int64", "uint64", "uint32", "int8"])
def test_pad(ctx, mode, np_mode, dt):
    x = np.arange(12).reshape(3, 4).astype(dt)
    value = 2**64 - 2 if dt == "uint64" else 7
    out = run(ctx, lambda b, o: b.pad(o["x"], [1, 2], [2, 1], mode=mode, value=value),
              {"x": x})
    kw = {"constant_values": value} if mode == "constant" else {}
    np.testing.assert_array_equal(out, np.pad(x, ((1, 2), (2, 1)), mode=np_mode, **kw))


# -- gather / scatter ------------------------------------------------------------------------

def test_gather_family(ctx):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    i = np.array([[0, -1], [5, -9]], np.int32)
    e = np.array([[0, -1], [5, -9], [2, 1]], np.int64)
    g, ge, gnd = run(ctx, lambda b, o: [
        b.gather(o["x"], o["i"], axis=0),
        b.gather_elements(o["x"], o["e"], axis=1),
        b.gather_nd(o["x"], o["i"])], {"x": x, "i": i, "e": e})
    clamped = np.clip(np.where(i < 0, i + 3, i), 0, 2)
    np.testing.assert_array_equal(g, x[clamped])
    np.testing.assert_array_equal(ge, np.take_along_axis(
        x, np.clip(np.where(e < 0, e + 4, e), 0, 3), axis=1))
    cols = np.clip(np.where(i < 0, i + 4, i), 0, 3)
    rows = np.clip(np.where(i[:, 0] < 0, i[:, 0] + 3, i[:, 0]), 0, 2)
    np.testing.assert_array_equal(gnd, x[rows, cols[:, 1]])


def test_scatter_family(ctx):
    x = np.zeros((3, 4), np.int64)
    idx = np.array([[1], [-1]], np.int64)
    upd = np.array([[5, 6, 7, 8], [1, 2, 3, 4]], np.int64)
    snd, sel = run(ctx, lambda b, o: [
        b.scatter_nd(o["x"], o["i"], o["u"]),
        b.scatter_elements(o["x"], o["j"], o["v"], axis=1)],
        {"x": x, "i": idx, "u": upd, "j": np.array([[3], [0], [-1]], np.int32),
         "v": np.array([[5], [1], [9]], np.int64)})
    want = x.copy()
    want[1], want[2] = upd[0], upd[1]
    np.testing.assert_array_equal(snd, want)
    want = x.copy()
    want[0, 3], want[1, 0], want[2, 3] = 5, 1, 9
    np.testing.assert_array_equal(sel, want)


# -- matmul / conv / pool / normalization ----------------------------------------------------

def test_matmul_gemm(ctx):
    a = RNG.standard_normal((3, 4)).astype(np.float32)
    c = RNG.standard_normal((3, 3)).astype(np.float32)
    mm, gm = run(ctx, lambda b, o: [
        b.matmul(o["x"], b.transpose(o["x"], permutation=[0, 1, 3, 2])),
        b.gemm(o["a"], o["a"], c=o["c"], alpha=2.0, beta=0.5, b_transpose=True)],
        {"x": X, "a": a, "c": c})
    close(mm, X.astype(np.float64) @ X.astype(np.float64).transpose(0, 1, 3, 2), 1e-4)
    close(gm, 2 * a.astype(np.float64) @ a.T + 0.5 * c, 1e-4)


def conv_ref(x: np.ndarray, w: np.ndarray, pads: list[int], stride: int) -> np.ndarray:
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pads[0], pads[1]), (pads[2], pads[3])))
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


def test_conv2d_layouts(ctx):
    w = RNG.standard_normal((2, 3, 2, 3)).astype(np.float32)
    want = conv_ref(X, w, [1, 0, 2, 1], 2)
    out = run(ctx, lambda b, o: b.conv2d(o["x"], o["w"], padding=[1, 0, 2, 1], strides=[2, 2]),
              {"x": X, "w": w})
    close(out, want, 1e-4)
    out = run(ctx, lambda b, o: b.conv2d(o["x"], o["w"], padding=[1, 0, 2, 1], strides=[2, 2],
                                         input_layout="nhwc", filter_layout="hwio"),
              {"x": X.transpose(0, 2, 3, 1).copy(), "w": w.transpose(2, 3, 1, 0).copy()})
    close(out, want.transpose(0, 2, 3, 1), 1e-4)


def test_pools(ctx):
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    avg, mx, l2 = run(ctx, lambda b, o: [
        b.average_pool2d(o["x"], window_dimensions=[3, 3], strides=[2, 2],
                         padding=[1, 1, 1, 1]),
        b.max_pool2d(o["x"], window_dimensions=[2, 2], strides=[2, 2]),
        b.l2_pool2d(o["x"], window_dimensions=[4, 4])], {"x": x})
    # Padded cells are not counted in the average.
    close(avg, np.array([[[[3.5, 5.0], [9.5, 11.0]]]]))
    close(mx, np.array([[[[6, 8], [14, 16]]]]))
    close(l2, np.sqrt((x.astype(np.float64) ** 2).sum()).reshape(1, 1, 1, 1))


def test_normalizations(ctx):
    mean = X.mean(axis=(0, 2, 3))
    var = X.var(axis=(0, 2, 3))
    bn, inn, ln = run(ctx, lambda b, o: [
        b.batch_normalization(o["x"], o["m"], o["v"], epsilon=1e-5),
        b.instance_normalization(o["x"], epsilon=1e-5),
        b.layer_normalization(o["x"], axes=[3, 2], epsilon=1e-5)],
        {"x": X, "m": mean, "v": var})
    x = X.astype(np.float64)
    close(bn, (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + 1e-5), 1e-4)
    m, v = x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), keepdims=True)
    close(inn, (x - m) / np.sqrt(v + 1e-5), 1e-4)
    close(ln, (x - m) / np.sqrt(v + 1e-5), 1e-4)


# -- cast / quantization / resample ----------------------------------------------------------

def test_cast_saturates_and_wraps(ctx):
    f = np.array([1.7, -1.7, 300.0, -300.0, np.nan], np.float32)
    i = np.array([257, -1, 128], np.int32)
    to_i8, to_u8, wrap = run(ctx, lambda b, o: [b.cast(o["f"], "int8"), b.cast(o["f"], "uint8"),
                                                b.cast(o["i"], "uint8")], {"f": f, "i": i})
    np.testing.assert_array_equal(to_i8, np.array([1, -1, 127, -128, 0], np.int8))
    np.testing.assert_array_equal(to_u8, np.array([1, 0, 255, 0, 0], np.uint8))
    np.testing.assert_array_equal(wrap, np.array([1, 255, 128], np.uint8))


def test_quantize_round_trip(ctx):
    x = np.array([[-1.0, 0.25, 0.5, 100.0]], np.float32)
    scale = np.array([[0.25, 0.5]], np.float32)
    zp = np.array([[10, 0]], np.uint8)
    q, d = run(ctx, lambda b, o: [
        b.quantize_linear(o["x"], o["s"], o["z"]),
        b.dequantize_linear(b.quantize_linear(o["x"], o["s"], o["z"]), o["s"], o["z"])],
        {"x": x, "s": scale, "z": zp})
    # Blocks of 2 columns per scale; round half to even; saturate to uint8.
    np.testing.assert_array_equal(q, np.array([[6, 11, 1, 200]], np.uint8))
    close(d, np.array([[-1.0, 0.25, 0.5, 100.0]]))


def test_resample(ctx):
    x = np.array([[[[1, 2], [3, 4]]]], np.float32)
    near, lin = run(ctx, lambda b, o: [
        b.resample2d(o["x"], scales=[2.0, 2.0]),
        b.resample2d(o["x"], mode="linear", scales=[2.0, 2.0])], {"x": x})
    np.testing.assert_array_equal(near, x.repeat(2, axis=2).repeat(2, axis=3))
    row = np.array([1, 1.25, 1.75, 2])
    close(lin[0, 0, 0], row)
    close(lin[0, 0, :, 0], np.array([1, 1.5, 2.5, 3]))


# -- recurrent -------------------------------------------------------------------------------

def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def test_gru_cell_and_lstm_cell(ctx):
    batch, inp, hid = 2, 3, 4
    x = RNG.standard_normal((batch, inp)).astype(np.float32)
    h = RNG.standard_normal((batch, hid)).astype(np.float32)
    c = RNG.standard_normal((batch, hid)).astype(np.float32)
    wg = RNG.standard_normal((3 * hid, inp)).astype(np.float32)
    rg = RNG.standard_normal((3 * hid, hid)).astype(np.float32)
    wl = RNG.standard_normal((4 * hid, inp)).astype(np.float32)
    rl = RNG.standard_normal((4 * hid, hid)).astype(np.float32)
    gh, lh, lc = run(ctx, lambda b, o: [
        b.gru_cell(o["x"], o["wg"], o["rg"], o["h"], hid),
        *b.lstm_cell(o["x"], o["wl"], o["rl"], o["h"], o["c"], hid)],
        {"x": x, "h": h, "c": c, "wg": wg, "rg": rg, "wl": wl, "rl": rl})
    xd, hd, cd = (a.astype(np.float64) for a in (x, h, c))
    xw, hr = xd @ wg.T, hd @ rg.T
    z = sigmoid(xw[:, :hid] + hr[:, :hid])
    r = sigmoid(xw[:, hid:2 * hid] + hr[:, hid:2 * hid])
    n = np.tanh(xw[:, 2 * hid:] + r * hr[:, 2 * hid:])
    close(gh, z * hd + (1 - z) * n, 1e-4)
    g = xd @ wl.T + hd @ rl.T  # layout iofg
    i, o, f, gg = (g[:, k * hid:(k + 1) * hid] for k in range(4))
    cell = sigmoid(f) * cd + sigmoid(i) * np.tanh(gg)
    close(lc, cell, 1e-4)
    close(lh, sigmoid(o) * np.tanh(cell), 1e-4)
