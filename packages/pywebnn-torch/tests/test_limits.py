"""op_support_limits() tells the truth: every declared data type of every op runs."""

from __future__ import annotations

import numpy as np
import pytest

from webnn.ops import OPS
from webnn.samples import SAMPLES
from webnn.testing import run


@pytest.mark.parametrize("op", sorted(OPS))
def test_every_declared_type_runs(ctx, op):
    limits = ctx.op_support_limits()
    assert op in limits, f"torch backend does not run {op}"
    first = OPS[op].input_names[0]
    declared = limits[op][first]["data_types"]
    # Every spec type and every int4/uint4 extension type the op allows.
    assert declared == list(OPS[op].limits[first].allowed_types), "torch declares less"
    for dt in declared:
        build, inputs = SAMPLES[op](dt, np.random.default_rng(1))
        out = run(ctx, build, inputs)
        for o in out if isinstance(out, list) else [out]:
            assert isinstance(o, np.ndarray)


def test_sample_values_spot_check(ctx):
    # An independent spot check that the harness feeds real data through.
    build, inputs = SAMPLES["sub"]("uint64", np.random.default_rng(2))
    out = run(ctx, build, inputs)
    expected = (inputs["a"] - inputs["b"]).astype(np.uint64)
    np.testing.assert_array_equal(out, expected)
