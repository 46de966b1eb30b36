"""End-to-end classification through the real core on the fake numpy backends."""

from __future__ import annotations

import pytest

from webnn_conformance import reference
from webnn_conformance.loader import VectorFile
from webnn_conformance.runner import run_suite, run_test, select_tests
from webnn_conformance.testing import op, tensor, wpt


def add_test(a, b, out, dtype="float32", shape=None, **extra):
    shape = shape or [len(a) if isinstance(a, list) else 1]
    return wpt(
        {"a": tensor(a, shape, dtype), "b": tensor(b, shape, dtype, constant=True)},
        [op("add", ("a", "a"), ("b", "b"))],
        {"out": tensor(out, shape, dtype)},
        **extra,
    )


def test_pass_with_tolerance():
    r = run_test("fakenp", add_test([1.5, -2], [0.25, 4], [1.75, 2]))
    assert (r.status, r.max_error, r.message) == ("pass", 0, "")
    assert (r.tolerance.metric, r.tolerance.value) == ("ULP", 1)


def test_wrong_values_fail_with_max_error():
    r = run_test("fakenp-off", add_test([1.5, -2], [0.25, 4], [1.75, 2]))
    assert r.status == "fail"
    assert r.max_error == 3
    assert "exceed ULP 1" in r.message


def test_tolerance_is_applied():
    # gemm with K = 2 allows 2 * 2 = 4 ULP, so being 3 ULP off passes.
    t = wpt(
        {"a": tensor([1, 2], [1, 2]), "b": tensor([3, 4], [2, 1])},
        [op("gemm", ("a", "a"), ("b", "b"))],
        {"out": tensor([11], [1, 1])},
    )
    r = run_test("fakenp-off", t)
    assert (r.status, r.max_error) == ("pass", 3)


def test_override_tolerance_from_the_test_object():
    t = add_test([1.5], [0.25], [1.75], tolerance={"metric": "ULP", "value": 3})
    assert run_test("fakenp-off", t).status == "pass"


def test_unsupported_operation():
    t = wpt({"x": tensor([1, -1], [2])}, [op("relu", ("input", "x"))], {"out": tensor([1, 0], [2])})
    r = run_test("fakenp", t)
    assert r.status == "unsupported"
    assert r.message.startswith("UnsupportedError")


def quantize_test(out, dt="int4", **extra):
    """quantizeLinear of a fed float32 input to ``dt`` with a constant zero point."""
    return wpt(
        {"x": tensor([-20, -3, 2.5, 3.5, 40], [5]),
         "s": tensor([1], [1], constant=True),
         "z": tensor([1], [1], dt, constant=True)},
        [op("quantizeLinear", ("input", "x"), ("scale", "s"), ("zeroPoint", "z"))],
        {"out": tensor(out, [5], dt)},
        **extra,
    )  # fmt: skip


def dequantize_test(dt="int4", constant=False):
    """dequantizeLinear of a (fed or constant) 4-bit input."""
    values = [-8, 0, 7] if dt == "int4" else [0, 9, 15]
    zero = [1, 1, 1]
    expected = [(v - z) * 0.5 for v, z in zip(values, zero, strict=True)]
    return wpt(
        {"x": tensor(values, [3], dt, constant=constant),
         "s": tensor([0.5], [1], constant=True),
         "z": tensor([1], [1], dt, constant=True)},
        [op("dequantizeLinear", ("input", "x"), ("scale", "s"), ("zeroPoint", "z"))],
        {"out": tensor(expected, [3])},
    )  # fmt: skip


def test_int4_on_a_backend_without_the_extension_is_unsupported():
    r = run_test("fakenp", dequantize_test())
    assert r.status == "unsupported"
    assert r.message.startswith("UnsupportedError: input 'x': data type int4 is not supported "
                                "for inputs by backend 'fakenp'")
    assert "PyWebNN extension" in r.message
    r = run_test("fakenp", quantize_test([-8, -2, 3, 5, 7]))
    assert r.status == "unsupported"
    assert "constant: data type int4 is not supported for constants" in r.message


@pytest.mark.parametrize("mode", ["compute", "tensors"])
@pytest.mark.parametrize("dt", ["int4", "uint4"])
@pytest.mark.parametrize("constant", [False, True], ids=["fed", "constant"])
def test_4_bit_inputs_are_built_with_their_descriptor(mode, dt, constant):
    reference.register()
    r = run_test(reference.NAME, dequantize_test(dt, constant), mode=mode)
    assert (r.status, r.message) == ("pass", "")


@pytest.mark.parametrize("mode", ["compute", "tensors"])
def test_4_bit_outputs_are_compared_as_exact_integers(mode):
    reference.register()
    # round-half-even then + 1, saturated to [-8, 7]: -19 -> -8, -2, 2 + 1, 4 + 1, 41 -> 7
    assert run_test(reference.NAME, quantize_test([-8, -2, 3, 5, 7]), mode=mode).status == "pass"
    r = run_test(reference.NAME, quantize_test([-8, -2, 3, 5, 4]), mode=mode)
    assert (r.status, r.max_error) == ("fail", 3)
    assert "actual 7, expected 4" in r.message
    u = run_test(reference.NAME, quantize_test([0, 0, 3, 5, 15], "uint4"), mode=mode)
    assert (u.status, u.message) == ("pass", "")


def test_core_rejecting_a_test_is_an_error():
    t = wpt(
        {"a": tensor([1, 2], [2]), "b": tensor([1, 2, 3], [3])},
        [op("add", ("a", "a"), ("b", "b"))],
        {"out": tensor([0, 0], [2])},
    )
    r = run_test("fakenp", t)
    assert r.status == "error"
    assert r.message.startswith("build: WebNNTypeError")
    assert r.detail  # the traceback, for the pytest plugin


def test_compute_exception_is_an_error():
    r = run_test("fakenp-crash", add_test([1], [2], [3]))
    assert r.status == "error"
    assert "simulated kernel crash" in r.message


def test_unknown_backend_is_an_error_not_unsupported():
    r = run_test("no-such-backend", add_test([1], [2], [3]))
    assert r.status == "error"
    assert r.message.startswith("context:")


def test_wrong_output_descriptor_fails():
    t = add_test([1, 2], [1, 2], [2, 4])
    t.expected["out"] = type(t.expected["out"])("out", (2,), "float16", [2, 4])
    r = run_test("fakenp", t)
    assert r.status == "fail"
    assert "expected float16" in r.message


def test_int64_results_are_compared_exactly():
    big = 2**62
    assert run_test("fakenp", add_test([big], [1], [big + 1], "int64")).status == "pass"
    r = run_test("fakenp", add_test([big], [1], [big], "int64"))
    assert (r.status, r.max_error) == ("fail", 1)


def test_scalar_filled_inputs_and_outputs():
    t = add_test(1.5, 2, 3.5, shape=[40, 50])
    assert run_test("fakenp", t).status == "pass"
    assert run_test("fakenp", add_test(1.5, 2, 3.25, shape=[40, 50])).status == "fail"


def multi_op_test():
    return wpt(
        {
            "x": tensor([1, 2, 3, 4], [4]),
            "w": tensor([1, 1, 0, 2], [2, 2], constant=True),
            "c": tensor([10, 20], [2], constant=False),
        },
        [
            op("split", ("input", "x"), ("splits", [1, 3]), outputs=["head", "tail"]),
            op("concat", ("inputs", ["tail", "head"]), ("axis", 0), outputs="cat"),
            op("clamp", ("input", "cat"), ("options", {"minValue": 2, "maxValue": 3}),
               outputs="clamped"),
            op("gemm", ("a", "w"), ("b", "w"), ("options", {"c": "c", "beta": 2}),
               outputs="g"),
        ],
        {"clamped": tensor([2, 3, 3, 2], [4]), "g": tensor([21, 42, 20, 44], [2, 2]),
         "head": tensor([1], [1])},
    )  # fmt: skip


def test_multi_operator_graph_passes():
    # w @ w = [[1, 3], [0, 4]]; + 2 * c broadcast over rows = [[21, 43], [20, 44]]
    t = multi_op_test()
    t.expected["g"] = type(t.expected["g"])("g", (2, 2), "float32", [21, 43, 20, 44])
    r = run_test("fakenp", t)
    assert (r.status, r.message) == ("pass", "")


def test_multi_operator_graph_reports_the_bad_output():
    r = run_test("fakenp", multi_op_test())  # the vector says 42 where 43 is right
    assert r.status == "fail"
    assert "'g'" in r.message
    # float32 patterns: 43 is 0x422C0000 and 42 is 0x42280000.
    assert r.max_error == 0x422C0000 - 0x42280000
    assert "at index 1" in r.message


def test_tensor_mode():
    t = add_test([1.5, -2], [0.25, 4], [1.75, 2])
    assert run_test("fakenp", t, mode="tensors").status == "pass"
    assert run_test("fakenp-off", t, mode="tensors").status == "fail"


def test_suite_and_filter():
    files = [
        VectorFile("add", None, (add_test([1], [2], [3], name="add one", file="add"),)),  # type: ignore[arg-type]
        VectorFile("other", None, (add_test([1], [2], [4], name="bad", file="other"),)),  # type: ignore[arg-type]
    ]
    assert [t.name for t in select_tests(files, "bad")] == ["bad"]
    assert len(select_tests(files, "add")) == 2  # the operator name matches too
    assert len(select_tests(files, None)) == 2
    seen = []
    results = run_suite(
        ["fakenp", "fakenp-off"], select_tests(files), on_result=lambda *a: seen.append(a[:2])
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [r.status for r in results["fakenp"]] == ["pass", "fail"]
    assert [r.status for r in results["fakenp-off"]] == ["fail", "fail"]


@pytest.mark.parametrize("mode", ["compute", "tensors"])
def test_zero_d_output(mode):
    t = add_test([1], [2], [3], shape=[])
    assert run_test("fakenp", t, mode=mode).status == "pass"
