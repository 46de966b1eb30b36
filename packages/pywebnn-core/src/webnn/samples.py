"""One small, valid example call of every operation, for any data type it allows.

Backend test suites use it to check that ``op_support_limits()`` tells the truth (every
declared data type runs) and that two backends agree with each other. Each sample is
``build(builder, operands) -> operand | list`` plus named input arrays; ``dt`` is the
data type of the op's first operand.  For the int4/uint4 extension (dequantize_linear's
input) the sample holds that operand as a constant built from a descriptor, since an input
array's dtype (int8/uint8) cannot name a 4-bit type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from webnn._builder import MLGraphBuilder, MLOperand
from webnn._descriptors import MLOperandDescriptor
from webnn._dtypes import NUMPY, check_data_type, int_range, is_extension

__all__ = ["SAMPLES", "Sample", "array"]

Build = Callable[[MLGraphBuilder, dict[str, MLOperand]], Any]
Sample = Callable[[str, np.random.Generator], tuple[Build, dict[str, np.ndarray]]]


def array(rng: np.random.Generator, shape: list[int], dt: str, lo: float = -4,
          hi: float = 4) -> np.ndarray:
    """Random data of ``dt`` in [lo, hi] (clipped to the type's range; int4/uint4 come
    unpacked as int8/uint8)."""
    if dt in ("float32", "float16"):
        return rng.uniform(lo, hi, shape).astype(dt)
    t = check_data_type(dt, "samples")
    t_lo, t_hi = int_range(t)
    lo_i, hi_i = max(int(lo), t_lo), min(int(hi), t_hi)
    return rng.integers(lo_i, hi_i, shape, endpoint=True).astype(NUMPY[t])


def _one(op: str, shape: list[int] | None = None, **kw: Any) -> Sample:
    def sample(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
        return (lambda b, o: getattr(b, op)(o["x"], **kw),
                {"x": array(rng, shape or [2, 3, 4], dt)})
    return sample


def _two(op: str, a: list[int], b: list[int], **kw: Any) -> Sample:
    def sample(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
        return (lambda bld, o: getattr(bld, op)(o["a"], o["b"], **kw),
                {"a": array(rng, a, dt), "b": array(rng, b, dt)})
    return sample


def _custom(fn: Callable[[str, np.random.Generator],
                         tuple[Build, dict[str, np.ndarray]]]) -> Sample:
    return fn


def _gather(op: str, idx_shape: list[int], **kw: Any) -> Sample:
    def sample(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
        idx = rng.integers(-3, 3, idx_shape).astype("int32")
        return (lambda b, o: getattr(b, op)(o["x"], o["i"], **kw),
                {"x": array(rng, [3, 3], dt), "i": idx})
    return sample


def _scatter(op: str, idx: np.ndarray, upd_shape: list[int], **kw: Any) -> Sample:
    def sample(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
        return (lambda b, o: getattr(b, op)(o["x"], o["i"], o["u"], **kw),
                {"x": array(rng, [3, 3], dt), "i": idx, "u": array(rng, upd_shape, dt)})
    return sample


def _quantize(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
    scale = rng.uniform(0.1, 1, [2, 1]).astype(dt)
    zp = np.array([[1], [3]], np.uint8)
    return (lambda b, o: b.quantize_linear(o["x"], b.constant(scale), b.constant(zp)),
            {"x": array(rng, [4, 3], dt)})


def _dequantize(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
    scale = rng.uniform(0.1, 1, [2, 1]).astype("float32")
    zp = array(rng, [2, 1], dt, 0, 3)
    x = array(rng, [4, 3], dt, 0, 9)
    if is_extension(dt):
        t = check_data_type(dt, "samples")

        def build(b: MLGraphBuilder, o: dict[str, MLOperand]) -> Any:
            return b.dequantize_linear(b.constant(MLOperandDescriptor([4, 3], t), x),
                                       b.constant(scale),
                                       b.constant(MLOperandDescriptor([2, 1], t), zp))
        return build, {}
    return (lambda b, o: b.dequantize_linear(o["x"], b.constant(scale), b.constant(zp)),
            {"x": x})


def _rnn(op: str) -> Sample:
    def sample(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
        h, gates = 2, 3 if op.startswith("gru") else 4
        if op in ("gru", "lstm"):
            x, w, r = [2, 1, 3], [1, gates * h, 3], [1, gates * h, h]
        else:
            x, w, r = [1, 3], [gates * h, 3], [gates * h, h]
        arrays = {"x": array(rng, x, dt, -1, 1), "w": array(rng, w, dt, -1, 1),
                  "r": array(rng, r, dt, -1, 1)}
        if op.endswith("cell"):
            arrays["h"] = array(rng, [1, h], dt, -1, 1)
        if op == "lstm_cell":
            arrays["c"] = array(rng, [1, h], dt, -1, 1)

        def build(b: MLGraphBuilder, o: dict[str, MLOperand]) -> Any:
            if op in ("gru", "lstm"):
                return getattr(b, op)(o["x"], o["w"], o["r"], 2, h, return_sequence=True)
            if op == "gru_cell":
                return b.gru_cell(o["x"], o["w"], o["r"], o["h"], h)
            return b.lstm_cell(o["x"], o["w"], o["r"], o["h"], o["c"], h)
        return build, arrays
    return sample


def _conv(op: str) -> Sample:
    def sample(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
        return (lambda b, o: getattr(b, op)(o["x"], o["w"], padding=[1, 0, 0, 1]),
                {"x": array(rng, [1, 2, 4, 4], dt, -1, 1),
                 "w": array(rng, [2, 2, 3, 3], dt, -1, 1)})
    return sample


def _norm(op: str) -> Sample:
    def sample(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
        x = {"x": array(rng, [2, 3, 2, 2], dt)}
        if op == "batch_normalization":
            mean, var = array(rng, [3], dt), array(rng, [3], dt, 0.5, 2)
            return (lambda b, o: b.batch_normalization(o["x"], b.constant(mean),
                                                       b.constant(var)), x)
        return (lambda b, o: getattr(b, op)(o["x"]), x)
    return sample


def _concat(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
    return (lambda b, o: b.concat([o["a"], o["b"]], 1),
            {"a": array(rng, [2, 3], dt), "b": array(rng, [2, 1], dt)})


def _where(dt: str, rng: np.random.Generator) -> tuple[Build, dict[str, np.ndarray]]:
    cond = rng.integers(0, 2, [2, 3]).astype("uint8")
    return (lambda b, o: b.where(o["c"], o["t"], o["f"]),
            {"c": cond, "t": array(rng, [2, 3], dt), "f": array(rng, [3], dt)})


_UNARY = ["abs", "neg", "sign", "ceil", "floor", "round_even", "cos", "sin", "tan", "erf",
          "exp", "log", "reciprocal", "sqrt", "identity", "elu", "gelu", "hard_sigmoid",
          "hard_swish", "leaky_relu", "linear", "relu", "sigmoid", "softplus", "softsign",
          "tanh", "logical_not", "is_nan", "is_infinite"]
_BINARY = ["add", "sub", "mul", "div", "max", "min", "pow", "equal", "not_equal", "greater",
           "greater_or_equal", "lesser", "lesser_or_equal", "logical_and", "logical_or",
           "logical_xor"]
_REDUCE = ["reduce_l1", "reduce_l2", "reduce_log_sum", "reduce_log_sum_exp", "reduce_max",
           "reduce_mean", "reduce_min", "reduce_product", "reduce_sum", "reduce_sum_square"]

SAMPLES: dict[str, Sample] = {
    **{op: _one(op) for op in _UNARY},
    **{op: _two(op, [2, 3], [3]) for op in _BINARY},
    **{op: _one(op, axes=[0, 2], keep_dimensions=True) for op in _REDUCE},
    "arg_min": _one("arg_min", axis=1),
    "arg_max": _one("arg_max", axis=2, keep_dimensions=True, output_data_type="int64"),
    "cumulative_sum": _one("cumulative_sum", axis=1, exclusive=True),
    "cast": _one("cast", data_type="int32"),
    "clamp": _one("clamp", min_value=-1, max_value=2),
    "softmax": _one("softmax", axis=1),
    "prelu": _two("prelu", [2, 3], [3]),
    "matmul": _two("matmul", [2, 3, 4], [4, 2]),
    "gemm": _two("gemm", [3, 2], [3, 4], a_transpose=True, alpha=0.5),
    "quantize_linear": _custom(_quantize),
    "dequantize_linear": _custom(_dequantize),
    "conv2d": _conv("conv2d"),
    "conv_transpose2d": _conv("conv_transpose2d"),
    "average_pool2d": _one("average_pool2d", [1, 2, 5, 5], window_dimensions=[2, 2],
                           strides=[2, 2], output_shape_rounding="ceil"),
    "l2_pool2d": _one("l2_pool2d", [1, 2, 4, 4], window_dimensions=[3, 3], padding=[1, 1, 1, 1]),
    "max_pool2d": _one("max_pool2d", [1, 2, 4, 4], window_dimensions=[2, 2], layout="nhwc"),
    "resample2d": _one("resample2d", [1, 2, 3, 3], scales=[2.0, 1.5]),
    "batch_normalization": _norm("batch_normalization"),
    "instance_normalization": _norm("instance_normalization"),
    "layer_normalization": _norm("layer_normalization"),
    "reshape": _one("reshape", new_shape=[4, 6]),
    "transpose": _one("transpose", permutation=[2, 0, 1]),
    "expand": _one("expand", [3, 1], new_shape=[2, 3, 4]),
    "slice": _one("slice", starts=[0, 1, 0], sizes=[2, 2, 4], strides=[1, 1, 2]),
    "pad": _one("pad", beginning_padding=[0, 1, 2], ending_padding=[1, 0, 1], mode="edge"),
    "tile": _one("tile", repetitions=[1, 2, 1]),
    "concat": _custom(_concat),
    "split": _one("split", splits=[1, 3], axis=2),
    "reverse": _one("reverse", axes=[1]),
    "triangular": _one("triangular", upper=False, diagonal=1),
    "where": _custom(_where),
    "gather": _gather("gather", [2, 2], axis=1),
    "gather_elements": _gather("gather_elements", [2, 3], axis=0),
    "gather_nd": _gather("gather_nd", [2, 2]),
    "scatter_elements": _scatter("scatter_elements", np.array([[0, 2, 1]], np.int32), [1, 3],
                                 axis=0),
    "scatter_nd": _scatter("scatter_nd", np.array([[2], [0]], np.int32), [2, 3]),
    **{op: _rnn(op) for op in ("gru", "gru_cell", "lstm", "lstm_cell")},
}

