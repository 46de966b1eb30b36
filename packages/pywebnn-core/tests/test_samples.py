"""Every op has a sample call, valid for every data type the spec allows."""

from __future__ import annotations

import numpy as np
import pytest

import webnn
from webnn.ops import OPS
from webnn.samples import SAMPLES


def test_every_op_has_a_sample():
    assert sorted(SAMPLES) == sorted(OPS)


@pytest.mark.parametrize("op", sorted(OPS))
def test_samples_build_for_every_allowed_type(op):
    first = OPS[op].input_names[0]
    for dt in OPS[op].limits[first].allowed_types:
        ctx = webnn.MLContext(backend="spec")
        build, inputs = SAMPLES[op](dt, np.random.default_rng(0))
        b = webnn.MLGraphBuilder(ctx)
        ops = {n: b.input(n, webnn.MLOperandDescriptor(a.shape, str(a.dtype)))
               for n, a in inputs.items()}
        out = build(b, ops)
        outs = out if isinstance(out, list) else [out]
        graph = b.build({f"o{i}": o for i, o in enumerate(outs)})
        node = graph.ir.nodes[-1]
        assert node.op == op
        x = node.inputs[0]
        x = x[0] if isinstance(x, tuple) else x
        assert graph.ir.operands[x].data_type == dt, "the sample is not of the asked type"
