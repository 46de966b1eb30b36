"""op_support_limits() tells the truth: every declared data type of every declared op
runs, and gives the torch backend's results where that backend is installed."""

from __future__ import annotations

import numpy as np
import pytest

import webnn
from pywebnn_rust.backend import RustBackend
from webnn.ops import OPS
from webnn.samples import SAMPLES
from webnn.testing import run

IMPLEMENTED = sorted(RustBackend().supported)


def _torch_ctx() -> webnn.MLContext | None:
    if not any(i.name == "torch" and i.error is None for i in webnn.list_backends()):
        return None
    return webnn.MLContext(backend="torch", device_type="cpu")


@pytest.mark.parametrize("op", IMPLEMENTED)
def test_every_declared_type_runs_and_matches_torch(ctx, op):
    limits = ctx.op_support_limits()
    first = OPS[op].input_names[0]
    declared = limits[op][first]["data_types"]
    # Every type the spec allows is implemented, and every int4/uint4 extension type the
    # op allows there (dequantize_linear's input).
    assert declared == list(OPS[op].limits[first].allowed_types)
    reference = _torch_ctx()
    for dt in declared:
        build, inputs = SAMPLES[op](dt, np.random.default_rng(1))
        out = run(ctx, build, inputs)
        outs = out if isinstance(out, list) else [out]
        if reference is None:
            continue
        want = run(reference, build, inputs)
        wants = want if isinstance(want, list) else [want]
        for got, exp in zip(outs, wants, strict=True):
            assert (got.dtype, got.shape) == (exp.dtype, exp.shape), (op, dt)
            if got.dtype.kind == "f":
                tol = 2e-3 if got.dtype == np.float16 else 1e-5
                np.testing.assert_allclose(got, exp, rtol=tol, atol=tol, equal_nan=True,
                                           err_msg=f"{op} {dt}")
            else:
                np.testing.assert_array_equal(got, exp, err_msg=f"{op} {dt}")


@pytest.mark.parametrize("op", IMPLEMENTED)
def test_extension_types_exactly_where_allowed(ctx, op):
    """int4/uint4 are declared for every operand whose op allows them (quantize_linear's
    zero_point and output, dequantize_linear's input and zero_point) and nowhere else."""
    limits = ctx.op_support_limits()
    for operand, lim in OPS[op].limits.items():
        declared = limits[op][operand]["data_types"]
        extensions = [d for d in declared if d in ("int4", "uint4")]
        assert extensions == list(lim.extension_types), (op, operand)
        assert set(declared) <= set(lim.allowed_types), (op, operand)
    for where in ("input", "constant", "output"):
        assert limits[where]["data_types"][-2:] == ["int4", "uint4"]
