"""Numerics of the pooling kernels against a per-window numpy reference (digest §2.35,
§4 item 8): padded cells and cells past the input (ceil rounding) are ignored."""

from __future__ import annotations

import numpy as np
import pytest

from webnn.testing import run

REDUCE = {
    "average_pool2d": lambda v: np.mean(v),
    "l2_pool2d": lambda v: np.sqrt(np.sum(v * v)),
    "max_pool2d": lambda v: max(v.tolist()),  # Python ints keep uint64 exact
}


def pool_ref(op, x, window, pad, strides, dilations, out):
    """Reduce, for every output cell, the list of real input cells its window covers."""
    n, c, h, w = x.shape
    values = x.astype(np.float64) if op != "max_pool2d" else x
    y = np.zeros((n, c, *out), dtype=np.float64 if op != "max_pool2d" else x.dtype)
    for i in range(out[0]):
        rows = [i * strides[0] + p * dilations[0] - pad[0] for p in range(window[0])]
        rows = [r for r in rows if 0 <= r < h]
        for j in range(out[1]):
            cols = [j * strides[1] + q * dilations[1] - pad[2] for q in range(window[1])]
            cols = [s for s in cols if 0 <= s < w]
            for b in range(n):
                for ch in range(c):
                    y[b, ch, i, j] = REDUCE[op](values[b, ch][np.ix_(rows, cols)].ravel())
    return y


CASES = [  # input shape (nchw), options, output H/W
    ([1, 2, 5, 5], {"window_dimensions": [3, 3]}, (3, 3)),
    ([2, 3, 4, 6], {}, (1, 1)),  # global pooling
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 1, 1, 1]}, (5, 5)),
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2]},
     (2, 2)),
    # ceil: the last windows run past the input and past the end padding
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2],
                    "output_shape_rounding": "ceil"}, (3, 3)),
    ([1, 1, 4, 4], {"window_dimensions": [3, 3], "strides": [2, 2],
                    "output_shape_rounding": "ceil"}, (2, 2)),
    ([1, 2, 5, 5], {"window_dimensions": [3, 3], "padding": [1, 0, 0, 1], "strides": [2, 2],
                    "output_sizes": [3, 3]}, (3, 3)),
    ([1, 2, 7, 8], {"window_dimensions": [2, 3], "dilations": [3, 2], "strides": [1, 2],
                    "padding": [2, 1, 0, 2]}, (7, 3)),
    ([1, 1, 6, 6], {"window_dimensions": [2, 2], "strides": [3, 3]}, (2, 2)),  # gaps
]


@pytest.mark.parametrize("op", list(REDUCE))
@pytest.mark.parametrize(("shape", "options", "out"), CASES)
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_float_pools(ctx, op, shape, options, out, layout):
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    window = options.get("window_dimensions", shape[2:])
    ref = pool_ref(op, x, window, options.get("padding", (0, 0, 0, 0)),
                   options.get("strides", (1, 1)), options.get("dilations", (1, 1)), out)
    feed = x if layout == "nchw" else x.transpose(0, 2, 3, 1)
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], layout=layout, **options), {"x": feed})
    if layout == "nhwc":
        y = y.transpose(0, 3, 1, 2)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, ref.astype(np.float32), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("op", list(REDUCE))
def test_float16_pools(ctx, op):
    x = np.random.default_rng(8).uniform(-4, 4, (2, 3, 6, 7)).astype(np.float16)
    options = {"window_dimensions": [3, 2], "strides": [2, 2], "padding": [1, 1, 0, 1],
               "output_shape_rounding": "ceil"}
    y = run(ctx, lambda b, o: getattr(b, op)(o["x"], **options), {"x": x})
    ref = pool_ref(op, x, (3, 2), (1, 1, 0, 1), (2, 2), (1, 1), (4, 4))
    assert y.dtype == np.float16
    # computed in float32 and rounded once: within half an ULP of float16 (plus slack)
    np.testing.assert_allclose(y.astype(np.float64), ref.astype(np.float16).astype(np.float64),
                               rtol=2**-10)


def test_average_excludes_padding_hand_computed(ctx):
    x = np.array([[1, 2], [3, 4]], np.float32).reshape(1, 1, 2, 2)
    y = run(ctx, lambda b, o: b.average_pool2d(o["x"], window_dimensions=[2, 2],
                                               padding=[1, 1, 1, 1]), {"x": x})
    # corners see one real cell, edges two, the centre all four
    np.testing.assert_array_equal(y[0, 0], [[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]])


INT_TYPES = ["int8", "uint8", "int32", "uint32", "int64", "uint64"]


@pytest.mark.parametrize("dt", INT_TYPES)
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_max_pool2d_integers(ctx, dt, layout):
    info = np.iinfo(dt)
    rng = np.random.default_rng(9)
    # values at both ends of the range (uint64 above 2**63, negative minima) exercise the
    # unsigned ordering and the padding fill
    x = rng.integers(info.min, info.max, (1, 2, 5, 6), dtype=dt, endpoint=True)
    x[0, 0, 0, :3] = info.min
    x[0, 1, 4, 5] = info.max
    options = {"window_dimensions": [2, 3], "padding": [1, 0, 2, 1], "strides": [2, 2],
               "output_shape_rounding": "ceil"}
    ref = pool_ref("max_pool2d", x, (2, 3), (1, 0, 2, 1), (2, 2), (1, 1), (3, 4))
    feed = x if layout == "nchw" else x.transpose(0, 2, 3, 1)
    y = run(ctx, lambda b, o: b.max_pool2d(o["x"], layout=layout, **options), {"x": feed})
    if layout == "nhwc":
        y = y.transpose(0, 3, 1, 2)
    assert y.dtype == np.dtype(dt)
    np.testing.assert_array_equal(y, ref)


def test_max_pool2d_float_padding_is_not_zero(ctx):
    x = -np.arange(1, 5, dtype=np.float32).reshape(1, 1, 2, 2)
    y = run(ctx, lambda b, o: b.max_pool2d(o["x"], window_dimensions=[2, 2],
                                           padding=[1, 0, 1, 0]), {"x": x})
    np.testing.assert_array_equal(y[0, 0], [[-1, -1], [-1, -1]])


def test_l2_hand_computed(ctx):
    x = np.array([3, 4, 0, 12], np.float32).reshape(1, 1, 2, 2)
    y = run(ctx, lambda b, o: b.l2_pool2d(o["x"], window_dimensions=[1, 2]), {"x": x})
    np.testing.assert_array_equal(y[0, 0], [[5], [12]])
