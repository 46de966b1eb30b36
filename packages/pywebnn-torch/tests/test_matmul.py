"""Numerics of matmul and gemm against float64 numpy (digest §2.33, §2.22)."""

from __future__ import annotations

import numpy as np
import pytest

from webnn.testing import run


def _check(actual, reference, dt):
    assert actual.dtype == np.dtype(dt)
    # float32 accumulates in another order; float16 is computed in float32, rounded once.
    rtol = 1e-5 if dt == "float32" else 2**-10
    np.testing.assert_allclose(actual.astype(np.float64),
                               reference.astype(dt).astype(np.float64), rtol=rtol, atol=rtol)


@pytest.mark.parametrize(("a", "b"), [
    ([2, 3], [3, 4]), ([5, 2, 3], [3, 4]), ([2, 3], [7, 3, 4]), ([6, 1, 2, 3], [5, 3, 4]),
    ([1, 1], [1, 1]), ([2, 1, 3, 2, 8], [1, 4, 1, 8, 3]),
])
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_matmul(ctx, a, b, dt):
    rng = np.random.default_rng(31)
    x, y = rng.standard_normal(a).astype(dt), rng.standard_normal(b).astype(dt)
    out = run(ctx, lambda bld, o: bld.matmul(o["a"], o["b"]), {"a": x, "b": y})
    _check(out, np.matmul(x.astype(np.float64), y.astype(np.float64)), dt)


def test_matmul_hand_computed(ctx):
    a = np.array([[1, 2], [3, 4]], np.float32)
    b = np.array([[5, 6], [7, 8]], np.float32)
    out = run(ctx, lambda bld, o: bld.matmul(o["a"], o["b"]), {"a": a, "b": b})
    np.testing.assert_array_equal(out, [[19, 22], [43, 50]])


@pytest.mark.parametrize(("a_t", "b_t"), [(False, False), (True, False), (False, True),
                                          (True, True)])
@pytest.mark.parametrize("c_shape", [None, [], [5], [3, 1], [3, 5]])
@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (0.5, -2.0), (2.0, 0.0)])
@pytest.mark.parametrize("dt", ["float32", "float16"])
def test_gemm(ctx, a_t, b_t, c_shape, alpha, beta, dt):
    rng = np.random.default_rng(32)
    a = rng.standard_normal((4, 3) if a_t else (3, 4)).astype(dt)
    b = rng.standard_normal((5, 4) if b_t else (4, 5)).astype(dt)
    feeds = {"a": a, "b": b}
    if c_shape is not None:
        feeds["c"] = rng.standard_normal(c_shape).astype(dt)
    out = run(ctx, lambda bld, o: bld.gemm(o["a"], o["b"], c=o.get("c"), alpha=alpha,
                                           beta=beta, a_transpose=a_t, b_transpose=b_t), feeds)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    ref = alpha * ((a64.T if a_t else a64) @ (b64.T if b_t else b64))
    if c_shape is not None:
        ref = ref + beta * feeds["c"].astype(np.float64)
    assert out.shape == (3, 5)
    _check(out, ref, dt)


def test_gemm_hand_computed(ctx):
    a = np.array([[1, 2], [3, 4]], np.float32)
    out = run(ctx, lambda bld, o: bld.gemm(o["a"], o["a"], c=o["c"], alpha=2.0, beta=10.0,
                                           b_transpose=True),
              {"a": a, "c": np.array([1, -1], np.float32)})
    # a @ a.T = [[5, 11], [11, 25]]
    np.testing.assert_array_equal(out, [[20, 12], [32, 40]])
