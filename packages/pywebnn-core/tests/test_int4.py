"""The int4/uint4 extension: unpacked storage, descriptors, constants, inputs, tensors,
the two quantization ops that allow them (and no other op), backend opt-in, the IR."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

import webnn
from webnn import ir, plugins
from webnn._dtypes import (
    ALL,
    EXTENSION_4BIT,
    ITEMSIZE,
    NUMPY,
    cast_number,
    check_data_type,
    from_numpy,
    int_range,
)
from webnn.errors import DataError, UnsupportedError, WebNNTypeError
from webnn.ops import OPS
from webnn.testing import SpecBackend, operand

D = webnn.MLOperandDescriptor


class NoExtensionBackend(SpecBackend):
    """Everything the spec allows, without the int4/uint4 extension (like a backend
    whose kernels lack them)."""

    name = "spec-no4"
    extension_types = ()


@pytest.fixture
def plain_ctx() -> webnn.MLContext:
    if "spec-no4" not in {i.name for i in webnn.list_backends()}:
        plugins.register_backend(NoExtensionBackend())
    return webnn.MLContext(backend="spec-no4")


# -- data types ------------------------------------------------------------------------------


def test_all_stays_the_specs_eight():
    assert ALL == ("float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8")
    assert EXTENSION_4BIT == ("int4", "uint4")
    assert not set(ALL) & set(EXTENSION_4BIT)


def test_storage_is_one_byte_per_value():
    assert NUMPY["int4"] == np.dtype(np.int8)
    assert NUMPY["uint4"] == np.dtype(np.uint8)
    assert ITEMSIZE["int4"] == ITEMSIZE["uint4"] == 1
    assert int_range("int4") == (-8, 7)
    assert int_range("uint4") == (0, 15)


def test_numpy_dtypes_never_map_to_4_bit_types():
    assert from_numpy(np.dtype(np.int8)) == "int8"
    assert from_numpy(np.dtype(np.uint8)) == "uint8"


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_check_data_type_accepts_the_extension(dt):
    assert check_data_type(dt, "x") == dt


def test_check_data_type_still_rejects_unknown_types():
    with pytest.raises(WebNNTypeError, match="unknown data type 'int2'; expected one of "
                                             ".*uint8, int4, uint4"):
        check_data_type("int2", "x")


@pytest.mark.parametrize(("value", "dt", "expected"), [
    (7, "int4", 7),
    (8, "int4", 7),            # saturates to the 4-bit range, not int8's
    (-9, "int4", -8),
    (300, "int4", 7),
    (2.5, "int4", 2),          # round half to even
    (-2.5, "int4", -2),
    (6.5, "int4", 6),
    (7.5, "int4", 7),          # rounds to 8, then saturates
    (-8.5, "int4", -8),
    (math.nan, "int4", 0),
    (math.inf, "int4", 7),
    (-math.inf, "int4", -8),
    (15, "uint4", 15),
    (16, "uint4", 15),
    (-1, "uint4", 0),
    (14.5, "uint4", 14),
    (13.5, "uint4", 14),
    (math.inf, "uint4", 15),
    (True, "uint4", 1),
])
def test_cast_number_saturates_to_4_bits(value, dt, expected):
    assert cast_number(value, dt) == expected


# -- descriptors -----------------------------------------------------------------------------


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_descriptors_carry_4_bit_types_with_unpacked_byte_length(dt):
    d = D([2, 3], dt)
    assert (d.shape, d.data_type, d.byte_length) == ((2, 3), dt, 6)
    t = webnn.MLTensorDescriptor([5], dt, readable=True)
    assert (t.data_type, t.byte_length) == (dt, 5)


# -- constants -------------------------------------------------------------------------------


def test_int4_constant_from_an_int8_array(builder):
    c = builder.constant(D([2, 2], "int4"), np.array([[-8, 7], [0, 3]], np.int8))
    assert (c.data_type, c.shape) == ("int4", (2, 2))
    y = builder.dequantize_linear(c, builder.constant(np.ones((1, 1), np.float32)),
                                  builder.constant(D([1, 1], "int4"), np.zeros((1, 1), np.int8)))
    g = builder.build({"y": y}).ir
    stored = g.constants[g.nodes[0].inputs[0]]
    assert stored.dtype == np.int8
    assert stored.tolist() == [[-8, 7], [0, 3]]
    assert g.operands[g.nodes[0].inputs[0]].data_type == "int4"


def test_uint4_constant_from_bytes(builder):
    c = builder.constant(D([3], "uint4"), bytes([0, 15, 9]))
    assert c.data_type == "uint4"


def test_int4_constant_from_raw_bytes_reads_each_byte_as_int8(builder):
    c = builder.constant(D([2], "int4"), b"\x07\xf8")   # 7 and -8 as int8 bytes
    y = builder.dequantize_linear(c, builder.constant(np.ones(1, np.float32)),
                                  builder.constant(D([1], "int4"), b"\x00"))
    g = builder.build({"y": y}).ir
    assert g.constants[g.nodes[0].inputs[0]].tolist() == [7, -8]


@pytest.mark.parametrize(("dt", "values", "bad"), [
    ("int4", np.array([1, 8, -1], np.int8), 8),
    ("int4", np.array([-9, 0, 0], np.int8), -9),
    ("uint4", np.array([0, 15, 16], np.uint8), 16),
])
def test_constant_values_must_fit_4_bits(builder, dt, values, bad):
    with pytest.raises(WebNNTypeError, match=re.escape(f"constant: value {bad} is outside "
                                                       f"the {dt} range")):
        builder.constant(D([3], dt), values)


def test_constant_buffer_length_is_one_byte_per_value(builder):
    with pytest.raises(WebNNTypeError, match=r"buffer has 2 bytes, descriptor \[4\] int4 "
                                             r"needs 4"):
        builder.constant(D([4], "int4"), b"\x00\x00")


def test_constant_of_a_wider_array_is_rejected(builder):
    with pytest.raises(WebNNTypeError, match="buffer dtype int16 does not match data type int4"):
        builder.constant(D([2], "int4"), np.array([1, 2], np.int16))


def test_ndarray_constant_is_never_int4(builder):
    assert builder.constant(np.array([1, 2], np.int8)).data_type == "int8"


def test_scalar_int4_constant_saturates(builder):
    c = builder.constant("int4", 9)
    assert (c.data_type, c.shape) == ("int4", ())
    y = builder.dequantize_linear(c, builder.constant("float32", 1.0),
                                  builder.constant("int4", -20))
    g = builder.build({"y": y}).ir
    assert [g.constants[i].item() for i in g.nodes[0].inputs[::2]] == [7, -8]


# -- the ops that allow them, and the ones that do not ---------------------------------------


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_quantize_linear_to_4_bits(builder, dt):
    x = operand(builder, [4, 6])
    s = operand(builder, [2, 3])
    y = builder.quantize_linear(x, s, operand(builder, [2, 3], dt))
    assert (y.data_type, y.shape) == (dt, (4, 6))


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_dequantize_linear_from_4_bits(builder, dt):
    x = operand(builder, [4, 6], dt)
    y = builder.dequantize_linear(x, operand(builder, [1, 6], "float16"),
                                  operand(builder, [1, 6], dt))
    assert (y.data_type, y.shape) == ("float16", (4, 6))


def test_dequantize_zero_point_must_match_the_4_bit_input(builder):
    x = operand(builder, [2], "int4")
    with pytest.raises(WebNNTypeError, match="zero_point data type int8 must match input "
                                             r"\(int4\)"):
        builder.dequantize_linear(x, operand(builder, [2]), operand(builder, [2], "int8"))


def test_quantize_input_and_scale_stay_float(builder):
    with pytest.raises(WebNNTypeError, match="input data type int4 is not allowed; expected "
                                             "float32 or float16"):
        builder.quantize_linear(operand(builder, [2], "int4"), operand(builder, [2]),
                                operand(builder, [2], "int4"))
    with pytest.raises(WebNNTypeError, match="scale data type int4 is not allowed"):
        builder.dequantize_linear(operand(builder, [2], "int4"), operand(builder, [2], "int4"),
                                  operand(builder, [2], "int4"))


def test_only_the_two_quantization_ops_declare_extension_types():
    declaring = {name for name, op in OPS.items()
                 if any(lim.extension_types for lim in op.limits.values())}
    assert declaring == {"quantize_linear", "dequantize_linear"}
    for op in OPS.values():
        for lim in op.limits.values():
            assert not set(lim.data_types) & {"int4", "uint4"}, op.name


@pytest.mark.parametrize("dt", ["int4", "uint4"])
@pytest.mark.parametrize("call", [
    lambda b, x: b.add(x, x),
    lambda b, x: b.reshape(x, [4]),
    lambda b, x: b.identity(x),
    lambda b, x: b.cast(x, "float32"),
    lambda b, x: b.concat([x, x], 0),
    lambda b, x: b.transpose(x),
    lambda b, x: b.relu(x),
    lambda b, x: b.gather(x, b.constant(np.zeros(1, np.int32))),
    lambda b, x: b.where(b.constant(np.ones((2, 2), np.uint8)), x, x),
], ids=["add", "reshape", "identity", "cast", "concat", "transpose", "relu", "gather",
        "where"])
def test_other_ops_reject_4_bit_operands(builder, call, dt):
    x = operand(builder, [2, 2], dt)
    with pytest.raises(WebNNTypeError, match=f"data type {dt} is not allowed") as info:
        call(builder, x)
    assert not isinstance(info.value, UnsupportedError)  # a spec TypeError, not a backend gap


@pytest.mark.parametrize("dt", ["int4", "uint4"])
def test_cast_cannot_produce_4_bit_types(builder, dt):
    with pytest.raises(WebNNTypeError, match="data_type must be one of"):
        builder.cast(operand(builder, [2]), dt)


# -- graph inputs and outputs ----------------------------------------------------------------


def _dequantize_graph(ctx: webnn.MLContext, dt: str) -> webnn.MLGraph:
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D([3], dt))
    zp = b.constant(D([1], dt), np.zeros(1, NUMPY[dt]))
    return b.build({"y": b.dequantize_linear(x, b.constant(np.ones(1, np.float32)), zp)})


@pytest.mark.parametrize(("dt", "good", "bad"), [
    ("int4", [-8, 0, 7], 8),
    ("uint4", [0, 1, 15], 16),
])
def test_graph_inputs_take_in_range_unpacked_arrays(ctx, dt, good, bad):
    g = _dequantize_graph(ctx, dt)
    assert g.input_descriptors["x"] == D([3], dt)
    ctx.compute(g, {"x": np.array(good, NUMPY[dt])})
    ctx.compute(g, {"x": good})  # a list is converted to the storage dtype
    with pytest.raises(WebNNTypeError, match=re.escape(f"compute: input 'x': value {bad} is "
                                                       f"outside the {dt} range")):
        ctx.compute(g, {"x": np.array([0, bad, 0], NUMPY[dt])})
    with pytest.raises(WebNNTypeError, match=re.escape(f"compute: input 'x': value {bad} is "
                                                       f"outside the {dt} range")):
        ctx.compute(g, {"x": [0, bad, 0]})


def test_graph_input_of_the_wrong_dtype_names_the_storage(ctx):
    g = _dequantize_graph(ctx, "int4")
    with pytest.raises(WebNNTypeError, match=re.escape(
            "input 'x' has dtype int16, the graph expects int4 (held unpacked as int8)")):
        ctx.compute(g, {"x": np.zeros(3, np.int16)})
    with pytest.raises(WebNNTypeError, match="input 'x' has dtype uint8"):
        ctx.compute(g, {"x": np.zeros(3, np.uint8)})


def test_4_bit_outputs_come_back_unpacked(ctx):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D([2], "float32"))
    y = b.quantize_linear(x, b.constant(np.ones(2, np.float32)),
                          b.constant(D([2], "uint4"), np.zeros(2, np.uint8)))
    g = b.build({"y": y})
    assert g.output_descriptors["y"] == D([2], "uint4")
    out = ctx.compute(g, {"x": np.zeros(2, np.float32)})["y"]
    assert out.dtype == np.uint8  # SpecBackend computes zeros of the storage dtype


def test_tensors_of_4_bit_types(ctx):
    t = ctx.create_tensor(webnn.MLTensorDescriptor([3], "int4", readable=True, writable=True))
    assert t.data_type == "int4"
    ctx.write_tensor(t, np.array([-8, 1, 7], np.int8))
    got = ctx.read_tensor(t)
    assert got.dtype == np.int8
    assert got.tolist() == [-8, 1, 7]
    with pytest.raises(WebNNTypeError, match=re.escape("write_tensor: value -9 is outside the "
                                                       "int4 range [-8, 7]")):
        ctx.write_tensor(t, np.array([-9, 1, 7], np.int8))
    c = ctx.create_constant_tensor(D([1], "int4"), np.array([3], np.int8))
    b = webnn.MLGraphBuilder(ctx)
    assert b.constant(c).data_type == "int4"
    with pytest.raises(WebNNTypeError, match="create_constant_tensor: value 9 is outside"):
        ctx.create_constant_tensor(D([1], "int4"), np.array([9], np.int8))


def test_dispatch_checks_the_4_bit_type_not_the_storage(ctx):
    g = _dequantize_graph(ctx, "int4")
    wrong = ctx.create_tensor(webnn.MLTensorDescriptor([3], "int8", writable=True))
    out = ctx.create_tensor(webnn.MLTensorDescriptor([3], "float32", readable=True))
    with pytest.raises(WebNNTypeError, match=r"input 'x' tensor is \[3\] int8, the graph "
                                             r"expects \[3\] int4"):
        ctx.dispatch(g, {"x": wrong}, {"y": out})
    right = ctx.create_tensor(webnn.MLTensorDescriptor([3], "int4", writable=True))
    ctx.dispatch(g, {"x": right}, {"y": out})


# -- backends opt in -------------------------------------------------------------------------


def test_a_backend_lists_extension_types_in_its_limits(ctx):
    limits = ctx.op_support_limits()
    for where in ("input", "constant", "output"):
        assert limits[where]["data_types"][-2:] == ["int4", "uint4"]
    assert limits["quantize_linear"]["zero_point"]["data_types"] == [
        "uint8", "int8", "uint32", "int32", "int4", "uint4"]
    assert limits["quantize_linear"]["output"]["data_types"][-2:] == ["int4", "uint4"]
    assert limits["dequantize_linear"]["input"]["data_types"][-2:] == ["int4", "uint4"]
    assert "int4" not in limits["add"]["a"]["data_types"]
    assert "int4" not in limits["quantize_linear"]["input"]["data_types"]


def test_a_backend_without_extension_types_never_reports_them(plain_ctx):
    text = json.dumps(plain_ctx.op_support_limits())
    assert "int4" not in text
    assert "uint4" not in text


def test_a_backend_without_extension_types_raises_unsupported(plain_ctx):
    b = webnn.MLGraphBuilder(plain_ctx)
    with pytest.raises(UnsupportedError, match=re.escape(
            "input 'x': data type int4 is not supported for inputs by backend 'spec-no4' "
            "(int4/uint4 are a PyWebNN extension")):
        b.input("x", D([2], "int4"))
    with pytest.raises(UnsupportedError, match="constant: data type uint4 is not supported "
                                               "for constants"):
        b.constant(D([2], "uint4"), np.zeros(2, np.uint8))
    with pytest.raises(UnsupportedError, match="create_tensor: data type int4"):
        plain_ctx.create_tensor(webnn.MLTensorDescriptor([2], "int4"))
    with pytest.raises(UnsupportedError, match="create_constant_tensor: data type int4"):
        plain_ctx.create_constant_tensor(D([2], "int4"), np.zeros(2, np.int8))
    # Spec types still work, including quantization to 8 bits.
    x = b.input("x", D([2], "float32"))
    y = b.quantize_linear(x, b.constant(np.ones(2, np.float32)),
                          b.constant(np.zeros(2, np.int8)))
    assert y.data_type == "int8"


def test_a_narrowing_limit_still_applies_to_extension_types():
    class NoUint4Dequantize(SpecBackend):
        name = "spec-narrow"

        def limit(self, op, operand, allowed, device):
            if op == "dequantize_linear" and operand in ("input", "zero_point"):
                kept = tuple(d for d in allowed.data_types if d != "uint4")
                return webnn.ops.Limits(kept, allowed.min_rank, allowed.max_rank,
                                        allowed.same_as)
            return allowed

    limits = NoUint4Dequantize().op_support_limits("cpu")
    assert limits["dequantize_linear"]["input"]["data_types"][-1] == "int4"
    assert limits["quantize_linear"]["output"]["data_types"][-1] == "uint4"


def test_an_unknown_extension_type_is_a_backend_bug():
    class Bad(SpecBackend):
        name = "spec-bad"
        extension_types = ("int2",)  # type: ignore[assignment]

    with pytest.raises(ValueError, match="unknown extension data type"):
        Bad().op_support_limits("cpu")


# -- the IR ----------------------------------------------------------------------------------


@pytest.fixture
def graph4(builder) -> ir.Graph:
    x = builder.input("x", D([2, 4], "float32"))
    s = builder.constant(np.array([[0.5, 2.0]], np.float32))
    zp = builder.constant(D([1, 2], "int4"), np.array([[-8, 7]], np.int8))
    q = builder.quantize_linear(x, s, zp)
    w = builder.input("w", D([3], "uint4"))
    wz = builder.constant(D([1], "uint4"), np.array([15], np.uint8))
    dq = builder.dequantize_linear(w, builder.constant(np.ones(1, np.float16)), wz)
    return builder.build({"q": q, "dq": dq}).ir


def test_ir_document_names_4_bit_types_and_stores_one_byte_per_value(graph4):
    text, buffers = graph4.to_document()
    doc = json.loads(text)
    types = {o["id"]: o["data_type"] for o in doc["operands"]}
    assert sorted(t for t in types.values() if t.endswith("int4")) == [
        "int4", "int4", "uint4", "uint4"]
    by_operand = {c["operand"]: buffers[c["buffer"]] for c in doc["constants"]}
    four_bit = {oid: b for oid, b in by_operand.items() if types[oid] in ("int4", "uint4")}
    assert sorted(b.tobytes() for b in four_bit.values()) == [b"\x0f", b"\xf8\x07"]


def test_ir_round_trip_keeps_4_bit_operands_and_constants(graph4, tmp_path):
    path = tmp_path / "g4.webnn"
    graph4.save(path)
    loaded = webnn.load_graph(path)
    assert loaded.operands == graph4.operands
    for k, v in graph4.constants.items():
        assert loaded.constants[k].dtype == v.dtype
        np.testing.assert_array_equal(loaded.constants[k], v)
    dts = {o.data_type for o in loaded.operands}
    assert {"int4", "uint4"} <= dts


def test_ir_rejects_4_bit_constants_out_of_range(graph4):
    text, buffers = graph4.to_document()
    doc = json.loads(text)
    types = {o["id"]: o["data_type"] for o in doc["operands"]}
    k = next(c["buffer"] for c in doc["constants"] if types[c["operand"]] == "int4")
    damaged = list(buffers)
    damaged[k] = np.array([[8, 7]], np.int8)
    with pytest.raises(DataError, match=r"outside the int4 range \[-8, 7\]"):
        ir.Graph.from_document(text, damaged)


def test_loaded_4_bit_graph_compiles_only_where_supported(graph4, tmp_path, ctx, plain_ctx):
    path = tmp_path / "g4.webnn"
    graph4.save(path)
    g = ctx.compile(webnn.load_graph(path))
    out = ctx.compute(g, {"x": np.zeros((2, 4), np.float32), "w": np.zeros(3, np.uint8)})
    assert out["q"].dtype == np.int8
    with pytest.raises(UnsupportedError, match="compile: operand .*: data type .*int4"):
        plain_ctx.compile(webnn.load_graph(path))
