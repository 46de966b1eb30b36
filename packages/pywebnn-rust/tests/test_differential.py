"""Differential testing: random shapes, data types and options for many ops; the rust and
torch backends must agree (exactly for integers, to rounding for floats)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import webnn
from webnn.ops import OPS
from webnn.samples import array
from webnn.testing import run

BINARY = ["add", "sub", "mul", "div", "max", "min", "equal", "not_equal", "greater",
          "greater_or_equal", "lesser", "lesser_or_equal", "logical_and", "logical_or",
          "logical_xor", "prelu"]
UNARY = ["abs", "neg", "sign", "ceil", "floor", "round_even", "cos", "sin", "erf", "exp",
         "log", "reciprocal", "sqrt", "identity", "elu", "gelu", "hard_sigmoid", "hard_swish",
         "leaky_relu", "linear", "relu", "sigmoid", "softplus", "softsign", "tanh",
         "logical_not", "is_nan", "is_infinite"]
REDUCE = ["reduce_l1", "reduce_l2", "reduce_log_sum_exp", "reduce_max", "reduce_mean",
          "reduce_min", "reduce_product", "reduce_sum", "reduce_sum_square"]
CTX = {name: webnn.MLContext(backend=name, device_type="cpu") for name in ("rust", "torch")}


def allowed(op: str) -> list[str]:
    return list(OPS[op].limits[OPS[op].input_names[0]].data_types)


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=4)


@st.composite
def case(draw: Any) -> tuple[str, Any, dict[str, np.ndarray]]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    family = draw(st.sampled_from(["binary", "unary", "reduce", "movement"]))
    if family == "binary":
        op = draw(st.sampled_from(BINARY))
        dt = draw(st.sampled_from(allowed(op)))
        a = draw(shapes)
        b = [d if draw(st.booleans()) else 1 for d in a[len(a) - draw(st.integers(0, len(a))):]]
        return op, lambda bld, o: getattr(bld, op)(o["a"], o["b"]), {
            "a": array(rng, a, dt), "b": array(rng, b, dt)}
    shape = draw(shapes)
    x = {"x": None}
    if family == "unary":
        op = draw(st.sampled_from(UNARY))
        dt = draw(st.sampled_from(allowed(op)))
        x["x"] = array(rng, shape, dt)
        return op, lambda bld, o: getattr(bld, op)(o["x"]), x
    if family == "reduce":
        op = draw(st.sampled_from(REDUCE))
        dt = draw(st.sampled_from(allowed(op)))
        axes = draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True,
                             max_size=len(shape)))
        keep = draw(st.booleans())
        x["x"] = array(rng, shape, dt, -2, 2)
        return op, lambda bld, o: getattr(bld, op)(o["x"], axes=axes, keep_dimensions=keep), x
    shape = shape or [3]
    dt = draw(st.sampled_from(allowed("transpose")))
    x["x"] = array(rng, shape, dt)
    perm = draw(st.permutations(range(len(shape))))
    reps = [draw(st.integers(1, 2)) for _ in shape]
    begin = [draw(st.integers(0, 2)) for _ in shape]
    target = st.sampled_from(["int32", "float32", "uint8", "int64", "float16", "uint32"])
    cast_to = draw(target)
    movement = {
        "transpose": lambda bld, o: bld.transpose(o["x"], permutation=list(perm)),
        "tile": lambda bld, o: bld.tile(o["x"], reps),
        "pad": lambda bld, o: bld.pad(o["x"], begin, begin[::-1], mode="edge"),
        "reverse": lambda bld, o: bld.reverse(o["x"]),
        "cast": lambda bld, o: bld.cast(o["x"], cast_to),
        "cumulative_sum": lambda bld, o: bld.cumulative_sum(o["x"], 0, reversed=True),
        "arg_max": lambda bld, o: bld.arg_max(o["x"], len(shape) - 1),
    }
    op = draw(st.sampled_from(sorted(movement)))
    if op == "cumulative_sum" and dt not in allowed("cumulative_sum"):
        op = "reverse"
    return op, movement[op], x


def _agree(op: str, a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype
    assert a.shape == b.shape
    if a.dtype.kind in "iu":
        np.testing.assert_array_equal(a, b, err_msg=op)
    else:
        rtol = 2e-3 if a.dtype == np.float16 else 2e-6
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol,
                                   atol=rtol, equal_nan=True, err_msg=op)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_rust_and_torch_agree(c):
    op, build, inputs = c
    outs = {name: run(ctx, build, inputs) for name, ctx in CTX.items()}
    _agree(op, outs["rust"], outs["torch"])
