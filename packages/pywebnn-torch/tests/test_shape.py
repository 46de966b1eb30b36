"""Numerics of the shape/data-movement kernels against numpy, for every data type.

These ops move data only, so every result must equal numpy's bit for bit, including
uint32/uint64 values above the signed range and int64 values beyond 2**53.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import webnn
from webnn.testing import run

DTYPES = ["float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"]


def data(shape: list[int], dt: str, seed: int = 0) -> np.ndarray:
    """Random values over the type's whole range; the first items are the extremes so
    sign-bit and beyond-2**53 values are always present."""
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    if dt.startswith("float"):
        flat = (rng.standard_normal(n) * 100).astype(dt)
    else:
        info = np.iinfo(dt)
        flat = rng.integers(info.min, info.max, size=n, dtype=dt, endpoint=True)
        extremes = [info.max, info.min, info.max - 1, 2**53 + 1 if dt == "int64" else 1]
        flat[:len(extremes)] = np.array(extremes[:n], dtype=dt)
    return flat.reshape(shape)


def same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want, strict=True)


def run1(ctx: webnn.MLContext, op: str, x: np.ndarray, *args: Any, **options: Any) -> Any:
    return run(ctx, lambda b, o: getattr(b, op)(o["x"], *args, **options), {"x": x})


@pytest.fixture(params=DTYPES)
def dt(request: pytest.FixtureRequest) -> str:
    return request.param


def test_reshape(ctx, dt):
    x = data([2, 3, 4], dt)
    same(run1(ctx, "reshape", x, [4, 1, 6]), x.reshape(4, 1, 6))


@pytest.mark.parametrize("perm", [None, [1, 2, 0], [0, 2, 1]])
def test_transpose(ctx, dt, perm):
    x = data([2, 3, 4], dt)
    options = {} if perm is None else {"permutation": perm}
    same(run1(ctx, "transpose", x, **options), np.transpose(x, perm))


def test_expand(ctx, dt):
    x = data([3, 1], dt)
    same(run1(ctx, "expand", x, [2, 3, 4]), np.broadcast_to(x, (2, 3, 4)))


def test_slice(ctx, dt):
    x = data([5, 4, 6], dt)
    got = run1(ctx, "slice", x, [1, 0, 1], [4, 3, 5], strides=[2, 1, 3])
    same(got, x[1:5:2, 0:3:1, 1:6:3])


PAD_VALUES: dict[str, list[Any]] = {
    "float32": [0, 2.5, float("nan"), float("-inf")],
    "float16": [float("inf"), -1.5, float("nan")],
    "int32": [-(2**31), 7],
    "uint32": [2**32 - 1, 3],
    "int64": [2**53 + 1, -(2**63)],
    "uint64": [2**64 - 1, 2**63 + 5],
    "int8": [-128, 5],
    "uint8": [255],
}


def test_pad_constant(ctx, dt):
    x = data([2, 3], dt)
    for value in PAD_VALUES[dt]:
        got = run1(ctx, "pad", x, [1, 0], [2, 3], value=value)
        want = np.pad(x, [(1, 2), (0, 3)], constant_values=np.array(value, dtype=dt))
        same(got, want)


def test_pad_default_value_is_zero(ctx, dt):
    x = data([3], dt)
    same(run1(ctx, "pad", x, [2], [1]), np.pad(x, [(2, 1)]))


@pytest.mark.parametrize(("mode", "np_mode"), [("edge", "edge"), ("reflection", "reflect")])
def test_pad_edge_reflection(ctx, dt, mode, np_mode):
    x = data([3, 4, 2], dt)
    got = run1(ctx, "pad", x, [2, 0, 1], [1, 3, 0], mode=mode)
    same(got, np.pad(x, [(2, 1), (0, 3), (1, 0)], mode=np_mode))


def test_pad_reflection_digest_example(ctx):
    # Digest §2.34: reflection mirrors without repeating the border element.
    x = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    got = run1(ctx, "pad", x, [1, 2], [1, 2], mode="reflection")
    assert got[0].tolist() == [6, 5, 4, 5, 6, 5, 4]
    assert got[1].tolist() == [3, 2, 1, 2, 3, 2, 1]


def test_tile(ctx, dt):
    x = data([2, 3], dt)
    same(run1(ctx, "tile", x, [3, 2]), np.tile(x, (3, 2)))


def test_concat(ctx, dt):
    xs = {f"x{i}": data([2, n, 3], dt, seed=i) for i, n in enumerate((1, 4, 2))}
    got = run(ctx, lambda b, o: b.concat([o["x0"], o["x1"], o["x2"]], 1), xs)
    same(got, np.concatenate(list(xs.values()), axis=1))


@pytest.mark.parametrize(("splits", "axis", "cuts"), [(3, 0, [2, 4]), ([1, 4], 1, [1])])
def test_split(ctx, dt, splits, axis, cuts):
    x = data([6, 5], dt)
    got = run1(ctx, "split", x, splits, axis=axis)
    want = np.split(x, cuts, axis=axis)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        same(g, w)


@pytest.mark.parametrize("axes", [None, [], [1], [2, 0]])
def test_reverse(ctx, dt, axes):
    x = data([2, 3, 4], dt)
    options = {} if axes is None else {"axes": axes}
    want = np.flip(x, axis=None if axes is None else tuple(axes))
    same(run1(ctx, "reverse", x, **options), want)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("diagonal", [0, 1, -1, 5, -(2**31)])
def test_triangular(ctx, dt, upper, diagonal):
    x = data([2, 3, 4], dt)
    want = np.triu(x, diagonal) if upper else np.tril(x, diagonal)
    same(run1(ctx, "triangular", x, upper=upper, diagonal=diagonal), want)


def test_triangular_digest_examples(ctx):
    x = np.arange(1, 10, dtype=np.float32).reshape(3, 3)
    keep = run1(ctx, "triangular", x, diagonal=1) != 0
    assert keep.tolist() == [[False, True, True], [False, False, True], [False, False, False]]
    keep = run1(ctx, "triangular", x, upper=False, diagonal=-1) != 0
    assert keep.tolist() == [[False, False, False], [True, False, False], [True, True, False]]


def test_scalar_ops(ctx):
    # 0-D operands come from a constant so only the kernels are exercised.
    def build(b: webnn.MLGraphBuilder, o: dict[str, webnn.MLOperand]) -> list[webnn.MLOperand]:
        c = b.constant(np.array(2**64 - 2, np.uint64))
        return [b.tile(c, []), b.pad(c, [], []), b.transpose(c), b.reverse(c),
                b.reshape(c, [1, 1]), b.expand(c, [2]), b.slice(c, [], [])]

    got = run(ctx, build, {})
    for g in got:
        assert g.dtype == np.uint64
        assert g.ravel().tolist() == [2**64 - 2] * g.size


def test_chain_of_views(ctx):
    # Kernels may return views; chaining them must still give the right data.
    x = data([4, 6], "uint32")

    def build(b: webnn.MLGraphBuilder, o: dict[str, webnn.MLOperand]) -> webnn.MLOperand:
        t = b.transpose(o["x"])
        s = b.slice(t, [1, 0], [4, 4], strides=[2, 1])
        return b.reverse(b.reshape(s, [4, 2]), axes=[0])

    want = np.flip(np.transpose(x)[1:5:2, 0:4].reshape(4, 2), 0)
    same(run(ctx, build, {"x": x}), want)
