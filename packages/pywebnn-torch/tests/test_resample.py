"""Numerics of resample2d against a per-element numpy reference of the digest's sampling
rule (§2.39): half-pixel centres clamped to the input, nearest rounds halves down."""

from __future__ import annotations

import math

import numpy as np
import pytest

from webnn.testing import run


def _taps(out_size, in_size, scale, linear):
    """For each output coordinate: [(input index, weight), ...]."""
    taps = []
    for o in range(out_size):
        c = min(max((o + 0.5) / scale - 0.5, 0.0), in_size - 1)
        if not linear:
            taps.append([(math.ceil(c - 0.5), 1.0)])
        else:
            i0, i1 = math.floor(c), math.ceil(c)
            taps.append([(i0, 1 - (c - i0)), (i1, c - i0)])
    return taps


def resample_ref(x, axes, out_sizes, scales, linear):
    x = x.astype(np.float64)
    shape = list(x.shape)
    for k in range(2):
        shape[axes[k]] = out_sizes[k]
    y = np.zeros(shape)
    t0 = _taps(out_sizes[0], x.shape[axes[0]], scales[0], linear)
    t1 = _taps(out_sizes[1], x.shape[axes[1]], scales[1], linear)
    for index in np.ndindex(*shape):
        total = 0.0
        for i, wi in t0[index[axes[0]]]:
            for j, wj in t1[index[axes[1]]]:
                src = list(index)
                src[axes[0]], src[axes[1]] = i, j
                total += wi * wj * x[tuple(src)]
        y[index] = total
    return y


CASES = [  # input shape, options, (output sizes on axes, scales the sampling uses)
    ([1, 1, 2, 3], {"scales": [2, 2]}, ((4, 6), (2, 2))),
    ([1, 1, 2, 3], {"sizes": [4, 6]}, ((4, 6), (2, 2))),
    ([1, 1, 4, 6], {"sizes": [3, 4]}, ((3, 4), (0.75, 4 / 6))),
    ([1, 2, 3, 1], {"sizes": [5, 7], "axes": [1, 2]}, ((5, 7), (2.5, 7 / 3))),
    ([3, 2, 1, 1], {"sizes": [4, 6], "axes": [1, 0]}, ((4, 6), (2, 2))),
    ([2, 1, 3, 5], {"scales": [1.5, 0.5], "axes": [3, 2]}, ((7, 1), (1.5, 0.5))),
    # the user's scale drives sampling even though 5 * 1.3 is not an integer (§4 item 9b)
    ([1, 1, 5, 5], {"scales": [1.3, 0.7]},
     ((6, 3), (float(np.float32(1.3)), float(np.float32(0.7))))),
]


@pytest.mark.parametrize(("shape", "options", "expected"), CASES)
@pytest.mark.parametrize("mode", ["nearest-neighbor", "linear"])
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_resample2d_floats(ctx, shape, options, expected, mode, dt):
    x = np.random.default_rng(11).standard_normal(shape).astype(dt)
    y = run(ctx, lambda b, o: b.resample2d(o["x"], mode=mode, **options), {"x": x})
    axes = options.get("axes", (2, 3))
    ref = resample_ref(x, axes, *expected, mode == "linear")
    assert y.dtype == np.dtype(dt)
    assert y.shape == ref.shape
    rtol = 1e-6 if dt == "float32" else 2**-10
    np.testing.assert_allclose(y.astype(np.float64), ref.astype(dt).astype(np.float64),
                               rtol=rtol, atol=rtol)


def test_linear_hand_computed(ctx):
    # digest example: row [0, 1, 2, 3] resized to 8
    x = np.array([0, 1, 2, 3], np.float32).reshape(1, 1, 1, 4)
    y = run(ctx, lambda b, o: b.resample2d(o["x"], mode="linear", sizes=[1, 8]), {"x": x})
    np.testing.assert_array_equal(y.ravel(), [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])


def test_nearest_rounds_halves_down(ctx):
    # 3 -> 2 (scale 2/3): outputs 0 and 1 sample coordinates 0.25 and 1.75: indices 0, 2
    x = np.array([10, 20, 30], np.float32).reshape(1, 1, 1, 3)
    y = run(ctx, lambda b, o: b.resample2d(o["x"], sizes=[1, 2]), {"x": x})
    np.testing.assert_array_equal(y.ravel(), [10, 30])
    # 2 -> 1: coordinate 0.5 exactly, a half: goes down to index 0
    x2 = np.array([10, 20], np.float32).reshape(1, 1, 1, 2)
    y2 = run(ctx, lambda b, o: b.resample2d(o["x"], sizes=[1, 1]), {"x": x2})
    np.testing.assert_array_equal(y2.ravel(), [10])


@pytest.mark.parametrize("dt", ["int8", "uint8"])
@pytest.mark.parametrize("mode", ["nearest-neighbor", "linear"])
def test_resample2d_integers(ctx, dt, mode):
    info = np.iinfo(dt)
    x = np.random.default_rng(12).integers(info.min, info.max, (1, 2, 3, 4), dtype=dt,
                                           endpoint=True)
    y = run(ctx, lambda b, o: b.resample2d(o["x"], mode=mode, scales=[2, 2]), {"x": x})
    # scale 2 gives weights 0.25 / 0.75: exact in binary, so halves are real ties, which
    # the kernel rounds to even (numpy's rint does the same)
    ref = resample_ref(x, (2, 3), (6, 8), (2, 2), mode == "linear")
    assert y.dtype == np.dtype(dt)
    np.testing.assert_array_equal(y, np.clip(np.rint(ref), info.min, info.max).astype(dt))
