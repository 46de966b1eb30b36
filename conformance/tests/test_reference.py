"""The float64 reference evaluator: hand-computed examples (the spec digest's), the shared
WPT vectors, and its use as an oracle for the comparison path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import webnn
from webnn_conformance import reference
from webnn_conformance.loader import default_vector_dir, load_dirs
from webnn_conformance.runner import run_suite, run_test, select_tests
from webnn_conformance.testing import op, tensor, wpt


@pytest.fixture(scope="module", autouse=True)
def _registered():
    reference.register()


def compute(build, **inputs):
    ctx = webnn.MLContext(backend="reference")
    b = webnn.MLGraphBuilder(ctx)
    ops = {
        n: b.input(n, webnn.MLOperandDescriptor(a.shape, a.dtype.name)) for n, a in inputs.items()
    }
    out = build(b, ops)
    outputs = {f"o{i}": o for i, o in enumerate(out)} if isinstance(out, list) else {"o0": out}
    result = ctx.compute(b.build(outputs), inputs)
    return [result[f"o{i}"].tolist() for i in range(len(outputs))]


def f32(values, shape=None):
    a = np.array(values, dtype=np.float32)
    return a.reshape(shape) if shape else a


def test_resample_linear_example():
    x = f32([0, 1, 2, 3], [1, 1, 1, 4])
    (y,) = compute(lambda b, o: b.resample2d(o["x"], mode="linear", sizes=[1, 8]), x=x)
    assert y[0][0][0] == [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]


def test_pad_reflection_and_edge_examples():
    x = f32([[1, 2, 3], [4, 5, 6]])
    (refl,) = compute(lambda b, o: b.pad(o["x"], [1, 2], [1, 2], mode="reflection"), x=x)
    assert refl[0] == [6, 5, 4, 5, 6, 5, 4]
    assert refl[1] == [3, 2, 1, 2, 3, 2, 1]
    (edge,) = compute(lambda b, o: b.pad(o["x"], [1, 2], [1, 2], mode="edge"), x=x)
    assert edge[0] == [1, 1, 1, 2, 3, 3, 3]


def test_gather_nd_and_scatter_nd_examples():
    x = np.array([[0, 1], [2, 3]], dtype=np.int32)
    idx = np.array([[0, 0], [1, 1], [1, 0]], dtype=np.int32)
    (g,) = compute(lambda b, o: b.gather_nd(o["x"], o["i"]), x=x, i=idx)
    assert g == [0, 3, 2]
    data = np.arange(8, dtype=np.int32)
    where = np.array([[4], [3], [1], [7]], dtype=np.int32)
    upd = np.array([-1, -2, -3, -4], dtype=np.int32)
    (s,) = compute(lambda b, o: b.scatter_nd(o["x"], o["i"], o["u"]), x=data, i=where, u=upd)
    assert s == [0, -3, 2, -2, -1, 5, 6, -4]


def test_conv2d_by_hand():
    # x = [[0,1,2],[3,4,5],[6,7,8]] with a zero row on top; each output is the sum of a
    # 2x2 window: [0+0+0+1, 0+0+1+2], [0+1+3+4, 1+2+4+5], [3+4+6+7, 4+5+7+8].
    x = f32(range(9), [1, 1, 3, 3])
    w = np.ones((1, 1, 2, 2), np.float32)
    (y,) = compute(lambda b, o: b.conv2d(o["x"], o["w"], padding=[1, 0, 0, 0]), x=x, w=w)
    assert y == [[[[1, 3], [8, 12], [20, 24]]]]


def test_average_pool_excludes_padding():
    x = f32([1, 2, 3, 4], [1, 1, 2, 2])
    (y,) = compute(
        lambda b, o: b.average_pool2d(o["x"], window_dimensions=[2, 2], padding=[1, 0, 1, 0]),
        x=x,
    )
    assert y == [[[[1, 1.5], [2, 2.5]]]]


def test_lstm_cell_by_hand():
    # hidden size 1, relu everywhere, every weight 1: gates = x + h; c' = f*c + i*g.
    ones = np.ones((4, 1), np.float32)
    x, h, c = f32([[2]]), f32([[1]]), f32([[0.5]])
    hs, cs = compute(
        lambda b, o: b.lstm_cell(o["x"], o["w"], o["r"], o["h"], o["c"], 1,
                                 activations=["relu", "relu", "relu"]),
        x=x, w=ones, r=ones, h=h, c=c,
    )  # fmt: skip
    # i = f = g = o = 3; c' = 3 * 0.5 + 3 * 3 = 10.5; h' = 3 * relu(10.5)
    assert cs == [[10.5]]
    assert hs == [[31.5]]


def test_reference_passes_the_shared_vectors():
    vectors = default_vector_dir()
    if vectors is None:
        pytest.skip("the shared WPT vectors are not present")
    results = run_suite([reference.NAME], select_tests(load_dirs([vectors])))[reference.NAME]
    bad = [(r.file, r.test, r.message) for r in results if r.status in ("fail", "error")]
    assert not bad, bad[:5]
    # Every test runs, including the int4/uint4 ones (the reference lists the extension).
    assert not [(r.file, r.test) for r in results if r.status == "unsupported"]
    assert sum("int4" in r.test for r in results) == 28


# Products of these stay finite in float32, so every example checks something.
finite = st.floats(-(2.0**60), 2.0**60, allow_nan=False, width=32)


@settings(max_examples=30, deadline=None)
@given(a=st.lists(finite, min_size=1, max_size=6), ulps=st.integers(0, 4), data=st.data())
def test_runner_measures_ulps_against_the_oracle(a, ulps, data):
    b = data.draw(st.lists(finite, min_size=len(a), max_size=len(a)))
    ins = {"a": f32(a), "b": f32(b)}
    (truth,) = compute(lambda bl, o: bl.mul(o["a"], o["b"]), **ins)
    shifted = np.array(truth, np.float32)
    for _ in range(ulps):
        shifted = np.nextafter(shifted, np.float32(np.inf))
    t = wpt(
        {"a": tensor(a, [len(a)]), "b": tensor(b, [len(a)])},
        [op("mul", ("a", "a"), ("b", "b"))],
        {"out": tensor([float(v) for v in shifted], [len(a)])},
    )
    r = run_test("fakenp", t)
    assert r.max_error == ulps
    assert r.status == ("pass" if ulps <= 1 else "fail")  # mul allows 1 ULP
