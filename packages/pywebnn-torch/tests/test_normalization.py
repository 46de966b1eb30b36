"""Numerics of batch, instance and layer normalization against float64 numpy formulas
(digest §2.2, §2.27, §2.28)."""

from __future__ import annotations

import numpy as np
import pytest

from webnn.testing import run


def _check(actual, reference, dt):
    assert actual.dtype == np.dtype(dt)
    rtol = 1e-5 if dt == "float32" else 2**-10
    np.testing.assert_allclose(actual.astype(np.float64),
                               reference.astype(dt).astype(np.float64), rtol=rtol, atol=rtol)


def _along(v, axis, rank):
    shape = [1] * rank
    shape[axis] = -1
    return v.astype(np.float64).reshape(shape)


@pytest.mark.parametrize(("shape", "axis"), [([2, 3, 4, 5], 1), ([2, 3, 4, 5], 3), ([6], 0),
                                             ([3, 4], 1), ([2, 2, 3, 2, 2], 2)])
@pytest.mark.parametrize("with_params", [False, True])
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_batch_normalization(ctx, shape, axis, with_params, dt):
    rng = np.random.default_rng(21)
    c = shape[axis]
    feeds = {"x": rng.standard_normal(shape).astype(dt),
             "mean": rng.standard_normal(c).astype(dt),
             "var": rng.uniform(0.1, 2, c).astype(dt)}
    if with_params:
        feeds |= {"scale": rng.standard_normal(c).astype(dt),
                  "bias": rng.standard_normal(c).astype(dt)}
    y = run(ctx, lambda b, o: b.batch_normalization(
        o["x"], o["mean"], o["var"], scale=o.get("scale"), bias=o.get("bias"), axis=axis,
        epsilon=1e-3), feeds)
    r = len(shape)
    eps = float(np.asarray(1e-3, dt))  # the core casts epsilon to the input type
    ref = (feeds["x"].astype(np.float64) - _along(feeds["mean"], axis, r)) / np.sqrt(
        _along(feeds["var"], axis, r) + eps)
    if with_params:
        ref = ref * _along(feeds["scale"], axis, r) + _along(feeds["bias"], axis, r)
    _check(y, ref, dt)


@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("with_params", [False, True])
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_instance_normalization(ctx, layout, with_params, dt):
    rng = np.random.default_rng(22)
    x = (rng.standard_normal((2, 3, 4, 5)) * 3 + 1).astype(dt)  # nchw
    feeds = {"x": x if layout == "nchw" else x.transpose(0, 2, 3, 1)}
    if with_params:
        feeds |= {"scale": rng.standard_normal(3).astype(dt),
                  "bias": rng.standard_normal(3).astype(dt)}
    y = run(ctx, lambda b, o: b.instance_normalization(
        o["x"], scale=o.get("scale"), bias=o.get("bias"), layout=layout), feeds)
    xf = x.astype(np.float64)
    mean = xf.mean(axis=(2, 3), keepdims=True)
    var = ((xf - mean) ** 2).mean(axis=(2, 3), keepdims=True)
    ref = (xf - mean) / np.sqrt(var + float(np.asarray(1e-5, dt)))
    if with_params:
        ref = ref * _along(feeds["scale"], 1, 4) + _along(feeds["bias"], 1, 4)
    _check(y if layout == "nchw" else y.transpose(0, 3, 1, 2), ref, dt)


@pytest.mark.parametrize(("shape", "axes"), [
    ([2, 3, 4], None), ([2, 3, 4], [0]), ([2, 3, 4], [2, 0]), ([2, 3, 4, 2], [3, 1]),
    ([5], None), ([5], [0]), ([], None), ([2, 3], []),
])
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_layer_normalization(ctx, shape, axes, dt):
    rng = np.random.default_rng(23)
    resolved = list(range(1, len(shape))) if axes is None else axes
    pshape = [shape[a] for a in resolved]
    feeds = {"x": rng.standard_normal(shape).astype(dt),
             "scale": rng.standard_normal(pshape).astype(dt),
             "bias": rng.standard_normal(pshape).astype(dt)}
    options = {} if axes is None else {"axes": axes}
    y = run(ctx, lambda b, o: b.layer_normalization(o["x"], scale=o["scale"], bias=o["bias"],
                                                    **options), feeds)
    xf = feeds["x"].astype(np.float64)
    ax = tuple(resolved)
    mean = xf.mean(axis=ax, keepdims=True) if ax else xf
    var = ((xf - mean) ** 2).mean(axis=ax, keepdims=True) if ax else np.zeros_like(xf)
    # scale/bias dimension i belongs to input axis resolved[i]: move it there explicitly.
    order = np.argsort(resolved)
    full = [1] * len(shape)
    for i in order:
        full[resolved[i]] = pshape[i]
    scale = feeds["scale"].astype(np.float64).transpose(order).reshape(full)
    bias = feeds["bias"].astype(np.float64).transpose(order).reshape(full)
    ref = scale * (xf - mean) / np.sqrt(var + float(np.asarray(1e-5, dt))) + bias
    assert y.shape == tuple(shape)
    _check(y, ref, dt)


def test_layer_normalization_hand_computed(ctx):
    # mean 2.5, population variance 1.25 over [1, 2, 3, 4]
    x = np.array([[1, 2, 3, 4]], np.float32)
    y = run(ctx, lambda b, o: b.layer_normalization(o["x"], epsilon=0.0), {"x": x})
    np.testing.assert_allclose(y[0], np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(1.25),
                               rtol=1e-6)
