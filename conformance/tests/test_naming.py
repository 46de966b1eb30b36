"""WPT names to Python names; the expected names are the spec digest's checklist (§3)."""

from __future__ import annotations

import inspect

import pytest

import webnn
from webnn_conformance.loader import default_vector_dir, load_dirs
from webnn_conformance.naming import camel_to_snake, operator_name, option_name

# Every WPT operator name with the Python method name the digest gives for it.
OPERATORS = {
    "argMin": "arg_min", "argMax": "arg_max", "batchNormalization": "batch_normalization",
    "cast": "cast", "clamp": "clamp", "concat": "concat", "conv2d": "conv2d",
    "convTranspose2d": "conv_transpose2d", "cumulativeSum": "cumulative_sum", "add": "add",
    "sub": "sub", "mul": "mul", "div": "div", "max": "max", "min": "min", "pow": "pow",
    "equal": "equal", "notEqual": "not_equal", "greater": "greater",
    "greaterOrEqual": "greater_or_equal", "lesser": "lesser", "lesserOrEqual": "lesser_or_equal",
    "logicalNot": "logical_not", "logicalAnd": "logical_and", "logicalOr": "logical_or",
    "logicalXor": "logical_xor", "isNaN": "is_nan", "isInfinite": "is_infinite", "abs": "abs",
    "ceil": "ceil", "cos": "cos", "erf": "erf", "exp": "exp", "floor": "floor",
    "identity": "identity", "log": "log", "neg": "neg", "reciprocal": "reciprocal",
    "roundEven": "round_even", "sin": "sin", "sign": "sign", "sqrt": "sqrt", "tan": "tan",
    "dequantizeLinear": "dequantize_linear", "quantizeLinear": "quantize_linear", "elu": "elu",
    "expand": "expand", "gather": "gather", "gatherElements": "gather_elements",
    "gatherND": "gather_nd", "gelu": "gelu", "gemm": "gemm", "gru": "gru", "gruCell": "gru_cell",
    "hardSigmoid": "hard_sigmoid", "hardSwish": "hard_swish",
    "instanceNormalization": "instance_normalization",
    "layerNormalization": "layer_normalization", "leakyRelu": "leaky_relu", "linear": "linear",
    "lstm": "lstm", "lstmCell": "lstm_cell", "matmul": "matmul", "pad": "pad",
    "averagePool2d": "average_pool2d", "l2Pool2d": "l2_pool2d", "maxPool2d": "max_pool2d",
    "prelu": "prelu", "reduceL1": "reduce_l1", "reduceL2": "reduce_l2",
    "reduceLogSum": "reduce_log_sum", "reduceLogSumExp": "reduce_log_sum_exp",
    "reduceMax": "reduce_max", "reduceMean": "reduce_mean", "reduceMin": "reduce_min",
    "reduceProduct": "reduce_product", "reduceSum": "reduce_sum",
    "reduceSumSquare": "reduce_sum_square", "relu": "relu", "resample2d": "resample2d",
    "reshape": "reshape", "reverse": "reverse", "scatterElements": "scatter_elements",
    "scatterND": "scatter_nd", "sigmoid": "sigmoid", "slice": "slice", "softmax": "softmax",
    "softplus": "softplus", "softsign": "softsign", "split": "split", "tanh": "tanh",
    "tile": "tile", "transpose": "transpose", "triangular": "triangular", "where": "where",
}  # fmt: skip

# Option names WPT vectors use, per operator, with their Python keyword.
OPTIONS = {
    "averagePool2d": {"windowDimensions": "window_dimensions", "roundingType":
                      "output_shape_rounding", "outputSizes": "output_sizes"},
    "conv2d": {"inputLayout": "input_layout", "filterLayout": "filter_layout"},
    "convTranspose2d": {"outputPadding": "output_padding", "outputSizes": "output_sizes"},
    "gemm": {"aTranspose": "a_transpose", "bTranspose": "b_transpose", "c": "c"},
    "gru": {"recurrentBias": "recurrent_bias", "initialHiddenState": "initial_hidden_state",
            "resetAfter": "reset_after", "returnSequence": "return_sequence"},
    "lstm": {"peepholeWeight": "peephole_weight", "initialCellState": "initial_cell_state"},
    "argMax": {"keepDimensions": "keep_dimensions", "outputDataType": "output_data_type"},
    "clamp": {"minValue": "min_value", "maxValue": "max_value"},
}  # fmt: skip


def test_the_table_covers_the_95_operations():
    assert len(OPERATORS) == 95


@pytest.mark.parametrize(("wpt_name", "python"), sorted(OPERATORS.items()))
def test_operator_names(wpt_name, python):
    assert operator_name(wpt_name) == python


@pytest.mark.parametrize(("wpt_name", "python"), sorted(OPERATORS.items()))
def test_operator_exists_on_the_builder(wpt_name, python):
    assert callable(getattr(webnn.MLGraphBuilder, python, None)), python


@pytest.mark.parametrize(
    ("wpt_op", "wpt_option", "python"),
    [(o, k, v) for o, opts in sorted(OPTIONS.items()) for k, v in sorted(opts.items())],
)
def test_option_names_match_the_signature(wpt_op, wpt_option, python):
    assert option_name(wpt_option) == python
    params = inspect.signature(getattr(webnn.MLGraphBuilder, operator_name(wpt_op))).parameters
    assert params[python].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize(
    ("camel", "snake"),
    [("leakyRelu", "leaky_relu"), ("reduceL2", "reduce_l2"), ("gatherND", "gather_nd"),
     ("l2Pool2d", "l2_pool2d"), ("x", "x"), ("reduceLogSumExp", "reduce_log_sum_exp")],
)  # fmt: skip
def test_generic_conversion(camel, snake):
    assert camel_to_snake(camel) == snake


def test_generic_conversion_needs_the_table_for_is_nan():
    assert camel_to_snake("isNaN") != "is_nan"
    assert operator_name("isNaN") == "is_nan"


def test_every_shared_vector_call_fits_the_python_signature():
    vectors = default_vector_dir()
    if vectors is None:
        pytest.skip("the shared WPT vectors are not present")
    problems = set()
    for f in load_dirs([vectors]):
        for t in f.tests:
            for o in t.operators:
                params = inspect.signature(getattr(webnn.MLGraphBuilder, operator_name(o.name)))
                kinds = {n: p.kind for n, p in params.parameters.items() if n != "self"}
                positional = [lbl for lbl, _ in o.arguments if lbl != "options"]
                if len(positional) > sum(k is inspect.Parameter.POSITIONAL_OR_KEYWORD
                                         for k in kinds.values()):  # fmt: skip
                    problems.add((o.name, "positional", len(positional)))
                for key in o.options:
                    if kinds.get(option_name(key)) is not inspect.Parameter.KEYWORD_ONLY:
                        problems.add((o.name, key))
    assert not problems, sorted(problems)
