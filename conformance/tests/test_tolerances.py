"""Tolerance rules with hand-computed values, and a cross-check against WPT's evaluated
table (``tolerances_per_test.json``) when the shared WPT folder is present."""

from __future__ import annotations

import json

import pytest

from webnn_conformance.loader import ToleranceSpec, default_vector_dir, load_dirs
from webnn_conformance.testing import op, tensor, wpt
from webnn_conformance.tolerances import tolerance_for


def tol_of(operators, inputs, out_dtype="float32", file="fixture", **extra):
    """Tolerance of a test whose inputs are {name: shape} (float32) and whose only
    expected output is `out` of `out_dtype`."""
    ins = {n: tensor(0, shape) for n, shape in inputs.items()}
    t = wpt(ins, operators, {"out": tensor(0, [1], out_dtype)}, file=file, **extra)
    shapes = {n: tuple(s) for n, s in inputs.items()}
    return tolerance_for(t, shapes)


def ulp(value):
    return ToleranceSpec("ULP", value)


def test_conv2d_default_layouts():
    ops = [op("conv2d", ("input", "x"), ("filter", "w"))]
    assert tol_of(ops, {"x": [1, 3, 5, 5], "w": [4, 3, 3, 3]}) == ulp(2 * 3 * 3 * 3)


def test_conv2d_nhwc_hwio_groups():
    options = {"inputLayout": "nhwc", "filterLayout": "hwio", "groups": 2}
    ops = [op("conv2d", ("input", "x"), ("filter", "w"), ("options", options))]
    # window 2x3, 4 input channels in 2 groups: 2 * 3 * 2 * 2
    assert tol_of(ops, {"x": [1, 5, 5, 4], "w": [2, 3, 2, 6]}) == ulp(24)


def test_conv_transpose2d_ohwi():
    options = {"filterLayout": "ohwi"}
    ops = [op("convTranspose2d", ("input", "x"), ("filter", "w"), ("options", options))]
    assert tol_of(ops, {"x": [1, 2, 3, 3], "w": [2, 4, 5, 3]}) == ulp(4 * 5 * 2 * 2)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, 8),
        ({"aTranspose": True}, 6),
        ({"alpha": 2}, 9),
        ({"alpha": 1}, 8),
        ({"c": "c"}, 9),  # beta defaults to 1: one extra operation
        ({"c": "c", "beta": 0.5}, 10),
        ({"c": "c", "beta": 0}, 8),
        ({"beta": 0.5}, 8),  # beta without c changes nothing
    ],
)
def test_gemm(options, expected):
    ops = [op("gemm", ("a", "a"), ("b", "b"), ("options", options))]
    assert tol_of(ops, {"a": [3, 4], "b": [4, 2], "c": [2]}) == ulp(expected)


def test_softmax_axis_argument_and_default():
    with_axis = [op("softmax", ("input", "x"), ("axis", 2))]
    assert tol_of(with_axis, {"x": [2, 3, 5]}) == ulp(3 * 5 + 3)
    without = [op("softmax", ("input", "x"))]
    assert tol_of(without, {"x": [4, 6]}) == ulp(3 * 6 + 3)


def test_matmul_uses_the_last_dimension_of_a():
    assert tol_of([op("matmul", ("a", "a"), ("b", "b"))], {"a": [2, 3, 5], "b": [5, 1]}) == ulp(10)


@pytest.mark.parametrize(
    ("options", "shape", "expected"),
    [
        ({"windowDimensions": [2, 3]}, [1, 2, 4, 5], 2 * 3 + 2),
        ({}, [1, 2, 4, 5], 4 * 5 + 2),
        ({"layout": "nhwc"}, [1, 4, 5, 2], 4 * 5 + 2),
    ],
)
@pytest.mark.parametrize("pool", ["averagePool2d", "l2Pool2d"])
def test_average_and_l2_pool(pool, options, shape, expected):
    assert tol_of([op(pool, ("input", "x"), ("options", options))], {"x": shape}) == ulp(expected)


def test_max_pool_is_exact():
    assert tol_of([op("maxPool2d", ("input", "x"))], {"x": [1, 1, 4, 4]}) == ulp(0)


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("reduceL2", {"axes": [-1, 0]}, 2 * 8 + 2),  # 4 * 2 elements
        ("reduceL2", {}, 2 * 24 + 2),
        ("reduceL2", {"axes": []}, 2 * 1 + 2),
        ("reduceSum", {"axes": [1]}, 3),
        ("reduceL1", {}, 24),
        ("reduceProduct", {"axes": [2]}, 4),
        ("reduceMean", {"axes": [1, 2]}, 12 + 2),
        ("reduceSumSquare", {"axes": [0]}, 2 * 2),
        ("reduceLogSum", {}, 24 + 18),
        ("reduceLogSumExp", {"axes": [2]}, 2 * 4 + 18),
        ("reduceMax", {}, 0),
        ("reduceMin", {}, 0),
    ],
)
def test_reductions(name, options, expected):
    ops = [op(name, ("input", "x"), ("options", options))]
    assert tol_of(ops, {"x": [2, 3, 4]}) == ulp(expected)


def test_reduction_formula_applies_to_integers_too():
    ops = [op("reduceL1", ("input", "x"), ("options", {"axes": [0]}))]
    assert tol_of(ops, {"x": [6, 2]}, "int32") == ulp(6)


@pytest.mark.parametrize(
    ("mode", "dtype", "expected"),
    [("linear", "float32", 84), ("linear", "float16", 10), ("linear", "uint8", 1),
     ("nearest-neighbor", "float32", 0), (None, "float16", 0)],
)  # fmt: skip
def test_resample2d(mode, dtype, expected):
    options = {} if mode is None else {"mode": mode}
    ops = [op("resample2d", ("input", "x"), ("options", options))]
    assert tol_of(ops, {"x": [1, 1, 2, 2]}, dtype) == ulp(expected)


def test_cumulative_sum():
    ops = [op("cumulativeSum", ("input", "x"), ("axis", 1))]
    assert tol_of(ops, {"x": [3, 7]}) == ulp(6)
    assert tol_of(ops, {"x": [3, 7]}, "int32") == ulp(0)


@pytest.mark.parametrize(
    ("name", "dtype", "expected"),
    [
        ("sin", "float32", ToleranceSpec("ATOL", 1 / 1024)),
        ("erf", "float16", ToleranceSpec("ATOL", 1 / 512)),
        ("log", "float16", ToleranceSpec("ATOL", 1 / 1024)),
        ("exp", "float16", ulp(1)),
        ("sigmoid", "float32", ulp(34)),
        ("leakyRelu", "float16", ulp(2)),
        ("layerNormalization", "float16", ulp(14)),
        ("add", "int32", ulp(0)),
        ("cast", "int8", ulp(0)),
        ("cast", "float16", ulp(1)),
        ("relu", "int8", ulp(0)),
        ("transpose", "float32", ulp(0)),
        ("noSuchOp", "float32", ulp(0)),
    ],
)
def test_single_operator_rules(name, dtype, expected):
    assert tol_of([op(name, ("input", "x"))], {"x": [2]}, dtype) == expected


def test_generic_rule_sums_operators():
    ops = [
        op("add", ("a", "x"), ("b", "x"), outputs="s"),
        op("mul", ("a", "s"), ("b", "x"), outputs="m"),
        op("sigmoid", ("input", "m")),
    ]
    assert tol_of(ops, {"x": [2]}) == ulp(1 + 1 + 34)
    assert tol_of(ops, {"x": [2]}, "float16") == ulp(1 + 1 + 10)


def test_generic_sum_ignores_atol_operators():
    ops = [op("add", ("a", "x"), ("b", "x"), outputs="s"), op("sin", ("input", "s"))]
    assert tol_of(ops, {"x": [2]}) == ulp(1)


def test_formula_reads_intermediate_shapes():
    ops = [
        op("reshape", ("input", "x"), ("newShape", [1, 2, 3, 3]), outputs="r"),
        op("averagePool2d", ("input", "r")),
    ]
    t = wpt({"x": tensor(0, [18])}, ops, {"out": tensor(0, [1, 2, 1, 1])})
    assert tolerance_for(t, {"x": (18,), "r": (1, 2, 3, 3)}) == ulp(3 * 3 + 2)


def test_whole_graph_file_uses_its_operator():
    ops = [
        op("add", ("a", "x"), ("b", "x"), outputs="s"),
        op("dequantizeLinear", ("input", "s"), ("scale", "x"), ("zeroPoint", "x")),
    ]
    # The generic sum would be 1 (add) + 1 (dequantizeLinear).
    assert tol_of(ops, {"x": [2]}, file="dequantizeLinear") == ulp(1)
    assert tol_of(ops, {"x": [2]}, file="other") == ulp(2)


def test_zero_ulp_file():
    assert tol_of([op("add", ("a", "x"), ("b", "x"))], {"x": [2]}, file="tile") == ulp(0)


def test_first_expected_output_picks_the_data_type():
    ops = [op("sigmoid", ("input", "x"), outputs="y"), op("cast", ("input", "y"), ("t", "int32"))]
    expected = {"out": tensor(0, [2], "float16"), "y": tensor(0, [2], "float32")}
    t = wpt({"x": tensor(0, [2])}, ops, expected)
    assert tolerance_for(t, {"x": (2,)}).value == 10 + 1  # float16 values


def test_test_object_override_wins():
    ops = [op("sigmoid", ("input", "x"))]
    override = {"metric": "ATOL", "value": 0.25}
    assert tol_of(ops, {"x": [2]}, tolerance=override) == ToleranceSpec("ATOL", 0.25)


def _shared_wpt():
    vectors = default_vector_dir()
    table = vectors.parent / "tolerances_per_test.json" if vectors else None
    if table is None or not table.is_file():
        pytest.skip("the shared WPT folder with tolerances_per_test.json is not present")
    return vectors, json.loads(table.read_text())


def test_rules_match_wpt_evaluated_table():
    vectors, table = _shared_wpt()
    mismatches = []
    for f in load_dirs([vectors]):
        for t in f.tests:
            shapes = {n: s.shape for n, s in (*t.inputs.items(), *t.expected.items())}
            got = tolerance_for(t, shapes)
            want = table.get(f.stem, {}).get(t.name)
            want = (want["metric"], want["value"]) if want else ("ULP", 0)
            if (got.metric, got.value) != want:
                mismatches.append((t.id, got, want))
    assert not mismatches, mismatches[:10]
