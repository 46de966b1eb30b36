"""The builder's option names agree with the spec (digest §3, camelCase -> snake_case).

The table below is transcribed from the spec's option dictionaries; the op table may
accept extra aliases (e.g. pooling's older ``rounding_type``) but must have every name.
"""

from __future__ import annotations

import inspect

import pytest

import webnn
from webnn.ops import OPS

SPEC_OPTIONS = {
    "abs": (),
    "add": (),
    "arg_max": ("keep_dimensions", "output_data_type"),
    "arg_min": ("keep_dimensions", "output_data_type"),
    "average_pool2d": (
        "window_dimensions",
        "padding",
        "strides",
        "dilations",
        "layout",
        "output_shape_rounding",
        "output_sizes",
    ),
    "batch_normalization": ("scale", "bias", "axis", "epsilon"),
    "cast": (),
    "ceil": (),
    "clamp": ("min_value", "max_value"),
    "concat": (),
    "conv2d": (
        "padding",
        "strides",
        "dilations",
        "groups",
        "input_layout",
        "filter_layout",
        "bias",
    ),
    "conv_transpose2d": (
        "padding",
        "strides",
        "dilations",
        "output_padding",
        "output_sizes",
        "groups",
        "input_layout",
        "filter_layout",
        "bias",
    ),
    "cos": (),
    "cumulative_sum": ("exclusive", "reversed"),
    "dequantize_linear": (),
    "div": (),
    "elu": ("alpha",),
    "equal": (),
    "erf": (),
    "exp": (),
    "expand": (),
    "floor": (),
    "gather": ("axis",),
    "gather_elements": ("axis",),
    "gather_nd": (),
    "gelu": (),
    "gemm": ("c", "alpha", "beta", "a_transpose", "b_transpose"),
    "greater": (),
    "greater_or_equal": (),
    "gru": (
        "bias",
        "recurrent_bias",
        "initial_hidden_state",
        "reset_after",
        "return_sequence",
        "direction",
        "layout",
        "activations",
    ),
    "gru_cell": ("bias", "recurrent_bias", "reset_after", "layout", "activations"),
    "hard_sigmoid": ("alpha", "beta"),
    "hard_swish": (),
    "identity": (),
    "instance_normalization": ("scale", "bias", "epsilon", "layout"),
    "is_infinite": (),
    "is_nan": (),
    "l2_pool2d": (
        "window_dimensions",
        "padding",
        "strides",
        "dilations",
        "layout",
        "output_shape_rounding",
        "output_sizes",
    ),
    "layer_normalization": ("scale", "bias", "axes", "epsilon"),
    "leaky_relu": ("alpha",),
    "lesser": (),
    "lesser_or_equal": (),
    "linear": ("alpha", "beta"),
    "log": (),
    "logical_and": (),
    "logical_not": (),
    "logical_or": (),
    "logical_xor": (),
    "lstm": (
        "bias",
        "recurrent_bias",
        "peephole_weight",
        "initial_hidden_state",
        "initial_cell_state",
        "return_sequence",
        "direction",
        "layout",
        "activations",
    ),
    "lstm_cell": ("bias", "recurrent_bias", "peephole_weight", "layout", "activations"),
    "matmul": (),
    "max": (),
    "max_pool2d": (
        "window_dimensions",
        "padding",
        "strides",
        "dilations",
        "layout",
        "output_shape_rounding",
        "output_sizes",
    ),
    "min": (),
    "mul": (),
    "neg": (),
    "not_equal": (),
    "pad": ("mode", "value"),
    "pow": (),
    "prelu": (),
    "quantize_linear": (),
    "reciprocal": (),
    "reduce_l1": ("axes", "keep_dimensions"),
    "reduce_l2": ("axes", "keep_dimensions"),
    "reduce_log_sum": ("axes", "keep_dimensions"),
    "reduce_log_sum_exp": ("axes", "keep_dimensions"),
    "reduce_max": ("axes", "keep_dimensions"),
    "reduce_mean": ("axes", "keep_dimensions"),
    "reduce_min": ("axes", "keep_dimensions"),
    "reduce_product": ("axes", "keep_dimensions"),
    "reduce_sum": ("axes", "keep_dimensions"),
    "reduce_sum_square": ("axes", "keep_dimensions"),
    "relu": (),
    "resample2d": ("mode", "scales", "sizes", "axes"),
    "reshape": (),
    "reverse": ("axes",),
    "round_even": (),
    "scatter_elements": ("axis",),
    "scatter_nd": (),
    "sigmoid": (),
    "sign": (),
    "sin": (),
    "slice": ("strides",),
    "softmax": (),
    "softplus": (),
    "softsign": (),
    "split": ("axis",),
    "sqrt": (),
    "sub": (),
    "tan": (),
    "tanh": (),
    "tile": (),
    "transpose": ("permutation",),
    "triangular": ("upper", "diagonal"),
    "where": (),
}


# Older spellings still used by WPT and Chromium, accepted as aliases.
ALIASES = {p: ("rounding_type",) for p in ("average_pool2d", "l2_pool2d", "max_pool2d")}


def test_all_95_operations_exist():
    assert sorted(OPS) == sorted(SPEC_OPTIONS)
    assert len(OPS) == 95


@pytest.mark.parametrize("op", sorted(SPEC_OPTIONS))
def test_options_match_the_spec(op):
    sig = inspect.signature(getattr(webnn.MLGraphBuilder, op))
    keyword = {n for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY}
    missing = set(SPEC_OPTIONS[op]) - keyword
    assert not missing, f"{op} lacks options {sorted(missing)}"
    assert "label" in keyword
    extra = keyword - set(SPEC_OPTIONS[op]) - {"label"} - set(ALIASES.get(op, ()))
    assert not extra, f"{op} accepts options the spec does not have: {sorted(extra)}"


def test_typed_signatures_are_up_to_date():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[3] / "scripts" / "gen_builder_stubs.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
