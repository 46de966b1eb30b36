"""Numerics of conv2d and conv_transpose2d against float64 numpy references written from
the digest's formulas (§2.6, §2.7), in every input and filter layout."""

from __future__ import annotations

import numpy as np
import pytest

import webnn
from webnn.testing import run

# numpy transposes from the reference layouts (oihw / iohw) to each WebNN filter layout
CONV_FILTER = {"oihw": (0, 1, 2, 3), "hwio": (2, 3, 1, 0), "ohwi": (0, 2, 3, 1),
               "ihwo": (1, 2, 3, 0)}
TRANSPOSE_FILTER = {"iohw": (0, 1, 2, 3), "hwoi": (2, 3, 1, 0), "ohwi": (1, 2, 3, 0)}


def conv2d_ref(x, w, bias, pad, strides, dilations, groups):
    """y[n,o,i,j] = bias[o] + sum x[n, g*Cg+c, i*sH+p*dH-padH, j*sW+q*dW-padW] w[o,c,p,q]."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), pad[:2], pad[2:]))
    w = w.astype(np.float64)
    (sh, sw), (dh, dw) = strides, dilations
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh, ow = (h - (kh - 1) * dh - 1) // sh + 1, (wd - (kw - 1) * dw - 1) // sw + 1
    og = o // groups
    y = np.zeros((n, o, oh, ow))
    for g in range(groups):
        for p in range(kh):
            for q in range(kw):
                patch = x[:, g * cg:(g + 1) * cg, p * dh:p * dh + (oh - 1) * sh + 1:sh,
                          q * dw:q * dw + (ow - 1) * sw + 1:sw]
                y[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch,
                                                       w[g * og:(g + 1) * og, :, p, q])
    return y if bias is None else y + bias.astype(np.float64)[None, :, None, None]


def transpose_ref(x, w, bias, pad, strides, dilations, output_padding, groups):
    """Every input element scatters x[n,c,i,j] * w[c,o,p,q] to
    y[n, g*Og+o, i*sH+p*dH-padH, j*sW+q*dW-padW]; output padding extends the far end."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    (sh, sw), (dh, dw) = strides, dilations
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = c // groups
    full = ((h - 1) * sh + (kh - 1) * dh + 1 + output_padding[0],
            (wd - 1) * sw + (kw - 1) * dw + 1 + output_padding[1])
    y = np.zeros((n, og * groups, *full))
    for g in range(groups):
        for p in range(kh):
            for q in range(kw):
                contrib = np.einsum("nchw,co->nohw", x[:, g * cg:(g + 1) * cg],
                                    w[g * cg:(g + 1) * cg, :, p, q])
                y[:, g * og:(g + 1) * og, p * dh:p * dh + (h - 1) * sh + 1:sh,
                  q * dw:q * dw + (wd - 1) * sw + 1:sw] += contrib
    y = y[:, :, pad[0]:full[0] - pad[1], pad[2]:full[1] - pad[3]]
    return y if bias is None else y + bias.astype(np.float64)[None, :, None, None]


def _check(actual, reference, dt):
    assert actual.dtype == np.dtype(dt)
    expected = reference.astype(dt).astype(np.float64)
    # float32 sums in another order; float16 is computed in float32 and rounded once.
    rtol, atol = (1e-5, 1e-5) if dt == "float32" else (2**-10, 2**-12)
    np.testing.assert_allclose(actual.astype(np.float64), expected, rtol=rtol, atol=atol)


CONV_CASES = [  # input nchw, filter oihw, options
    ([1, 1, 5, 5], [1, 1, 3, 3], {}),
    ([2, 3, 6, 7], [4, 3, 3, 2], {"padding": [1, 0, 2, 1]}),
    ([1, 2, 9, 8], [3, 2, 3, 3], {"strides": [2, 3], "dilations": [2, 1],
                                  "padding": [1, 1, 1, 1]}),
    ([1, 4, 5, 5], [6, 2, 2, 3], {"groups": 2}),
    ([2, 3, 5, 6], [3, 1, 3, 3], {"groups": 3, "padding": [1, 1, 1, 1]}),  # depthwise
    ([1, 6, 4, 4], [6, 1, 2, 2], {"groups": 6, "strides": [2, 2]}),
]


@pytest.mark.parametrize(("xs", "ws", "options"), CONV_CASES)
@pytest.mark.parametrize("input_layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("filter_layout", list(CONV_FILTER))
@pytest.mark.parametrize("with_bias", [False, True])
def test_conv2d_layouts(ctx, xs, ws, options, input_layout, filter_layout, with_bias):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    bias = rng.standard_normal(ws[0]).astype(np.float32) if with_bias else None
    ref = conv2d_ref(x, w, bias, options.get("padding", (0, 0, 0, 0)),
                     options.get("strides", (1, 1)), options.get("dilations", (1, 1)),
                     options.get("groups", 1))
    feeds = {"x": x if input_layout == "nchw" else x.transpose(0, 2, 3, 1),
             "w": w.transpose(CONV_FILTER[filter_layout])}
    if bias is not None:
        feeds["b"] = bias

    def build(b: webnn.MLGraphBuilder, o: dict) -> webnn.MLOperand:
        return b.conv2d(o["x"], o["w"], bias=o.get("b"), input_layout=input_layout,
                        filter_layout=filter_layout, **options)

    y = run(ctx, build, feeds)
    _check(y, ref if input_layout == "nchw" else ref.transpose(0, 2, 3, 1), "float32")


@pytest.mark.parametrize(("xs", "ws", "options"), CONV_CASES[1:4])
def test_conv2d_float16(ctx, xs, ws, options):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(xs).astype(np.float16)
    w = rng.standard_normal(ws).astype(np.float16)
    bias = rng.standard_normal(ws[0]).astype(np.float16)
    y = run(ctx, lambda b, o: b.conv2d(o["x"], o["w"], bias=o["b"], **options),
            {"x": x, "w": w, "b": bias})
    ref = conv2d_ref(x, w, bias, options.get("padding", (0, 0, 0, 0)),
                     options.get("strides", (1, 1)), options.get("dilations", (1, 1)),
                     options.get("groups", 1))
    _check(y, ref, "float16")


def test_conv2d_hand_computed(ctx):
    # 3x3 input of 1..9, 2x2 ones filter, padding 1 at the bottom/right only.
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    y = run(ctx, lambda b, o: b.conv2d(o["x"], o["w"], padding=[0, 1, 0, 1]),
            {"x": x, "w": np.ones((1, 1, 2, 2), np.float32)})
    np.testing.assert_array_equal(y[0, 0], [[12, 16, 9], [24, 28, 15], [15, 17, 9]])


TRANSPOSE_CASES = [  # input nchw, filter iohw, options
    ([1, 1, 3, 3], [1, 2, 3, 3], {}),
    ([1, 1, 3, 3], [1, 2, 3, 3], {"strides": [3, 2]}),
    ([2, 2, 3, 4], [2, 3, 2, 3], {"strides": [2, 2], "padding": [1, 0, 0, 2],
                                  "output_padding": [1, 1]}),
    ([1, 2, 3, 3], [2, 1, 3, 3], {"dilations": [2, 1], "padding": [1, 1, 1, 1]}),
    ([1, 4, 2, 3], [4, 3, 2, 2], {"groups": 2, "strides": [2, 1]}),
    ([1, 3, 3, 3], [3, 1, 3, 3], {"groups": 3, "strides": [2, 2], "padding": [1, 1, 1, 1]}),
]


def _transpose_options(options):
    return (options.get("padding", (0, 0, 0, 0)), options.get("strides", (1, 1)),
            options.get("dilations", (1, 1)), options.get("output_padding", (0, 0)),
            options.get("groups", 1))


@pytest.mark.parametrize(("xs", "ws", "options"), TRANSPOSE_CASES)
@pytest.mark.parametrize("input_layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("filter_layout", list(TRANSPOSE_FILTER))
@pytest.mark.parametrize("with_bias", [False, True])
def test_conv_transpose2d_layouts(ctx, xs, ws, options, input_layout, filter_layout,
                                  with_bias):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    groups = options.get("groups", 1)
    bias = rng.standard_normal(ws[1] * groups).astype(np.float32) if with_bias else None
    ref = transpose_ref(x, w, bias, *_transpose_options(options))
    feeds = {"x": x if input_layout == "nchw" else x.transpose(0, 2, 3, 1),
             "w": w.transpose(TRANSPOSE_FILTER[filter_layout])}
    if bias is not None:
        feeds["b"] = bias

    def build(b: webnn.MLGraphBuilder, o: dict) -> webnn.MLOperand:
        return b.conv_transpose2d(o["x"], o["w"], bias=o.get("b"), input_layout=input_layout,
                                  filter_layout=filter_layout, **options)

    y = run(ctx, build, feeds)
    _check(y, ref if input_layout == "nchw" else ref.transpose(0, 2, 3, 1), "float32")


@pytest.mark.parametrize(("strides", "output_sizes", "output_padding"), [
    ([3, 2], [10, 8], (1, 1)),  # output_sizes beyond what torch's output_padding allows
    ([3, 2], [11, 7], (2, 0)),
    ([1, 1], [5, 5], (0, 0)),
])
def test_conv_transpose2d_output_sizes(ctx, strides, output_sizes, output_padding):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 1, 3, 3)).astype(np.float32)
    w = rng.standard_normal((1, 2, 3, 3)).astype(np.float32)
    bias = np.array([0.5, -2.0], np.float32)
    y = run(ctx, lambda b, o: b.conv_transpose2d(o["x"], o["w"], bias=o["b"], strides=strides,
                                                 output_sizes=output_sizes),
            {"x": x, "w": w, "b": bias})
    ref = transpose_ref(x, w, bias, (0, 0, 0, 0), strides, (1, 1), output_padding, 1)
    assert y.shape == (1, 2, *output_sizes)
    _check(y, ref, "float32")


def test_conv_transpose2d_padding_and_output_padding(ctx):
    x = np.arange(1, 5, dtype=np.float32).reshape(1, 1, 2, 2)
    w = np.ones((1, 1, 2, 2), np.float32)
    y = run(ctx, lambda b, o: b.conv_transpose2d(o["x"], o["w"], strides=[2, 2],
                                                 padding=[0, 2, 1, 0], output_padding=[1, 1]),
            {"x": x, "w": w})
    # The unpadded result is 4x4 (each input value fills its 2x2 block). Output (r, c) is
    # unpadded (r + 0, c + 1): 3 = 4 - 0 - 2 + 1 rows, 4 = 4 - 1 - 0 + 1 columns, the last
    # column lying past the unpadded result (no contribution: zero).
    full = np.kron(x[0, 0], np.ones((2, 2)))
    expected = np.pad(full, ((0, 1), (0, 1)))[0:3, 1:5]
    np.testing.assert_array_equal(y[0, 0], expected)


@pytest.mark.parametrize(("xs", "ws", "options"), TRANSPOSE_CASES[2:5])
def test_conv_transpose2d_float16(ctx, xs, ws, options):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(xs).astype(np.float16)
    w = rng.standard_normal(ws).astype(np.float16)
    y = run(ctx, lambda b, o: b.conv_transpose2d(o["x"], o["w"], **options), {"x": x, "w": w})
    _check(y, transpose_ref(x, w, None, *_transpose_options(options)), "float16")
