"""Numerics of the gather/scatter kernels against numpy loops, for every data type and
every index type, including negative and out-of-range indices (wrapped once, then
clamped into range: docs/ir-ops.md)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import webnn
from webnn.testing import run

DTYPES = ["float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"]

# Raw index values per index type, chosen to hit every rule: in range, negative,
# below -N (clamps to 0 after wrapping) and far above N (clamps to N-1).
RAW_INDICES = {
    "int32": [0, 2, -1, -3, 5, -100, 2**31 - 1, -(2**31)],
    "uint32": [0, 1, 2, 3, 4, 2**31, 2**32 - 1, 7],
    "int64": [1, -2, 3, 2**62, -(2**63), -4, 0, 9],
}


def data(shape: list[int], dt: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    if dt.startswith("float"):
        return (rng.standard_normal(n) * 100).astype(dt).reshape(shape)
    info = np.iinfo(dt)
    flat = rng.integers(info.min, info.max, size=n, dtype=dt, endpoint=True)
    flat[:2] = [info.max, info.min]  # sign-bit and full-width values are always present
    return flat.reshape(shape)


def indices(shape: list[int], idt: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    raw = RAW_INDICES[idt]
    return np.array([raw[i] for i in rng.integers(0, len(raw), math.prod(shape))],
                    dtype=idt).reshape(shape)


def ref(i: int, n: int) -> int:
    """The index actually used: negative counts from the end, then clamp to [0, n-1]."""
    i = int(i)
    if i < 0:
        i += n
    return min(max(i, 0), n - 1)


def same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want, strict=True)


@pytest.fixture(params=DTYPES)
def dt(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=list(RAW_INDICES))
def idt(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_gather(ctx, dt, idt, axis):
    x, i = data([4, 3, 5], dt), indices([2, 3], idt)
    got = run(ctx, lambda b, o: b.gather(o["x"], o["i"], axis=axis), {"x": x, "i": i})
    fixed = np.vectorize(lambda v: ref(v, x.shape[axis]))(i.astype(object)).astype(np.int64)
    same(got, np.take(x, fixed, axis=axis))


def test_gather_scalar_index(ctx):
    x = data([5], "uint64")

    def build(b: webnn.MLGraphBuilder, o: dict[str, webnn.MLOperand]) -> webnn.MLOperand:
        return b.gather(o["x"], b.constant(np.array(-2, np.int32)))

    got = run(ctx, build, {"x": x})
    assert got.shape == ()
    assert int(got) == int(x[3])


@pytest.mark.parametrize("axis", [0, 1])
def test_gather_elements(ctx, dt, idt, axis):
    x = data([4, 3], dt)
    ishape = [6, 3] if axis == 0 else [4, 5]
    i = indices(ishape, idt, seed=1)
    got = run(ctx, lambda b, o: b.gather_elements(o["x"], o["i"], axis=axis),
              {"x": x, "i": i})
    want = np.empty(ishape, dt)
    for r, c in itertools.product(range(ishape[0]), range(ishape[1])):
        j = ref(i[r, c], x.shape[axis])
        want[r, c] = x[j, c] if axis == 0 else x[r, j]
    same(got, want)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_gather_nd(ctx, dt, idt, k):
    x, i = data([3, 4, 2], dt), indices([2, 2, k], idt, seed=k)
    got = run(ctx, lambda b, o: b.gather_nd(o["x"], o["i"]), {"x": x, "i": i})
    want = np.empty([2, 2, *x.shape[k:]], dt)
    for p, q in itertools.product(range(2), range(2)):
        coords = tuple(ref(i[p, q, d], x.shape[d]) for d in range(k))
        want[p, q] = x[coords]
    same(got, want)


@pytest.mark.parametrize("axis", [0, 1])
def test_scatter_elements(ctx, dt, idt, axis):
    x = data([4, 3], dt)
    # Distinct targets along the axis (duplicates are unspecified): a permutation of
    # the raw spellings of 0..3 (axis 0) or 0..2 (axis 1), some negative.
    if axis == 0:
        spell = {"int32": [0, -3, 2, -1], "uint32": [0, 1, 2, 2**31],
                 "int64": [-4, 1, -2, 2**62]}[idt]
        i = np.array([[spell[(r + c) % 4] for c in range(3)] for r in range(2)], idt)
    else:
        spell = {"int32": [-3, 1, 5], "uint32": [0, 1, 2**32 - 1],
                 "int64": [0, -2, 2**62]}[idt]
        i = np.array([[spell[(r + c) % 3] for c in range(2)] for r in range(4)], idt)
    u = data(list(i.shape), dt, seed=2)
    got = run(ctx, lambda b, o: b.scatter_elements(o["x"], o["i"], o["u"], axis=axis),
              {"x": x, "i": i, "u": u})
    want = x.copy()
    for r, c in itertools.product(*map(range, i.shape)):
        j = ref(i[r, c], x.shape[axis])
        if axis == 0:
            want[j, c] = u[r, c]
        else:
            want[r, j] = u[r, c]
    same(got, want)


@pytest.mark.parametrize(("k", "spell"), [
    (1, {"int32": [[-1], [0], [1]], "uint32": [[2**32 - 1], [0], [1]],
         "int64": [[2**62], [-5], [1]]}),
    (2, {"int32": [[0, -1], [1, 0]], "uint32": [[0, 1], [1, 2**31]],
         "int64": [[-2, 3], [2**62, -(2**63)]]}),
])
def test_scatter_nd(ctx, dt, idt, k, spell):
    x = data([3, 4], dt)
    i = np.array(spell[idt], idt)
    u = data([i.shape[0], *x.shape[k:]], dt, seed=3)
    got = run(ctx, lambda b, o: b.scatter_nd(o["x"], o["i"], o["u"]),
              {"x": x, "i": i, "u": u})
    want = x.copy()
    for p in range(i.shape[0]):
        want[tuple(ref(i[p, d], x.shape[d]) for d in range(k))] = u[p]
    same(got, want)


def test_scatter_nd_digest_example(ctx):
    x = np.arange(8, dtype=np.float32)
    i = np.array([[4], [3], [1], [7]], np.int32)
    u = np.array([-1, -2, -3, -4], np.float32)
    got = run(ctx, lambda b, o: b.scatter_nd(o["x"], o["i"], o["u"]),
              {"x": x, "i": i, "u": u})
    assert got.tolist() == [0, -3, 2, -2, -1, 5, 6, -4]


def test_inputs_are_not_modified(ctx):
    x = data([3], "uint32")
    keep = x.copy()
    run(ctx, lambda b, o: b.scatter_elements(o["x"], o["i"], o["u"]),
        {"x": x, "i": np.array([1], np.int32), "u": np.array([5], np.uint32)})
    same(x, keep)
