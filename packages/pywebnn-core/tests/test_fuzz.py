"""Bad input never escapes as anything but the spec's TypeError, and never breaks the
builder: random operands (any rank and data type) and garbage arguments for every op."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import webnn
from webnn.errors import WebNNTypeError
from webnn.ops import OPS

DATA_TYPES = ["float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8",
              "int4", "uint4"]

garbage = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4),
    st.lists(st.integers(-3, 2**33), max_size=6), st.lists(st.text(max_size=3), max_size=3),
    st.just([[1, 2]]), st.just(object()), st.just({"a": 1}),
    st.sampled_from(["nchw", "nhwc", "oihw", "linear", "edge", "both", "zrn", "iofg",
                     "relu", "floor", "ceil", "int32", "int64"]),
)
shapes = st.lists(st.integers(1, 4), max_size=5)


@st.composite
def an_operand(draw: Any, b: webnn.MLGraphBuilder) -> webnn.MLOperand:
    dt = draw(st.sampled_from(DATA_TYPES))
    return b.input(f"i{len(b._operands)}", webnn.MLOperandDescriptor(draw(shapes), dt))


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(op=st.sampled_from(sorted(OPS)), data=st.data())
def test_garbage_only_raises_type_error(op, data):
    ctx = webnn.MLContext(backend="spec")
    b = webnn.MLGraphBuilder(ctx)
    opdef = OPS[op]
    args: list[Any] = []
    for p in opdef.params:
        if p == opdef.sequence_param:
            args.append(data.draw(st.lists(an_operand(b), min_size=1, max_size=3)))
        elif p in opdef.limits:
            args.append(data.draw(st.one_of(an_operand(b), garbage)))
        else:
            args.append(data.draw(garbage))
    names = data.draw(st.lists(st.sampled_from([*opdef.options, "bogus"]), max_size=4,
                               unique=True)) if opdef.options else []
    kwargs = {n: data.draw(st.one_of(an_operand(b), garbage)) for n in names}
    message = ""
    try:
        out = getattr(b, op)(*args, **kwargs)
    except WebNNTypeError as e:
        message = str(e)
    if message:
        assert message.startswith(op), message
    else:
        outs = out if isinstance(out, list) else [out]
        assert all(isinstance(o, webnn.MLOperand) for o in outs)
    # Whatever happened, the builder still works.
    x = b.input("still-usable", webnn.MLOperandDescriptor([2], "float32"))
    graph = b.build({"y": b.abs(x)})
    out = ctx.compute(graph, {"still-usable": np.ones(2, np.float32)})["y"]
    np.testing.assert_array_equal(out, np.zeros(2, np.float32))  # SpecBackend gives zeros
