//! Activations: elu, gelu, hard_sigmoid, hard_swish, leaky_relu, linear, relu, sigmoid,
//! softmax, softplus, softsign, tanh, prelu, clamp.

use tch::Tensor;

use super::{narrow, unsigned_key, widen, Args, Value, ALL, FLOATS};
use crate::dtype::DataType;
use crate::error::Result;
use crate::plan::NodeCtx;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kernel {
    Elu { alpha: f64 },
    Gelu,
    HardSigmoid { alpha: f64, beta: f64 },
    HardSwish,
    LeakyRelu { alpha: f64 },
    Linear { alpha: f64, beta: f64 },
    Relu,
    Sigmoid,
    Softmax { axis: i64 },
    Softplus,
    Softsign,
    Tanh,
    Prelu,
    Clamp { min: Value, max: Value },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Op {
    pub kernel: Kernel,
    pub dtype: DataType,
}

const RELU_TYPES: &[DataType] = &[
    DataType::Float32,
    DataType::Float16,
    DataType::Int32,
    DataType::Int64,
    DataType::Int8,
];

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("elu", FLOATS),
    ("gelu", FLOATS),
    ("hard_sigmoid", FLOATS),
    ("hard_swish", FLOATS),
    ("leaky_relu", FLOATS),
    ("linear", FLOATS),
    ("relu", RELU_TYPES),
    ("sigmoid", FLOATS),
    ("softmax", FLOATS),
    ("softplus", FLOATS),
    ("softsign", FLOATS),
    ("tanh", FLOATS),
    ("prelu", RELU_TYPES),
    ("clamp", ALL),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !super::lists(SUPPORTED, ctx.op) {
        return None;
    }
    Some(parse_known(ctx))
}

fn parse_known(ctx: &NodeCtx<'_>) -> Result<Op> {
    let at = &ctx.attrs;
    ctx.expect(if ctx.op == "prelu" { 2 } else { 1 }, 1)?;
    let input = ctx.input(0)?;
    let dtype = input.dtype;
    super::check_supported(SUPPORTED, ctx.op, dtype)?;
    let kernel = match ctx.op {
        "elu" => Kernel::Elu {
            alpha: at.float("alpha")?,
        },
        "gelu" => Kernel::Gelu,
        "hard_sigmoid" => Kernel::HardSigmoid {
            alpha: at.float("alpha")?,
            beta: at.float("beta")?,
        },
        "hard_swish" => Kernel::HardSwish,
        "leaky_relu" => Kernel::LeakyRelu {
            alpha: at.float("alpha")?,
        },
        "linear" => Kernel::Linear {
            alpha: at.float("alpha")?,
            beta: at.float("beta")?,
        },
        "relu" => Kernel::Relu,
        "sigmoid" => Kernel::Sigmoid,
        "softmax" => Kernel::Softmax {
            axis: super::to_i64(ctx.axis("axis", input.rank())?)?,
        },
        "softplus" => Kernel::Softplus,
        "softsign" => Kernel::Softsign,
        "tanh" => Kernel::Tanh,
        "prelu" => {
            ctx.input(1)?;
            Kernel::Prelu
        }
        _ => Kernel::Clamp {
            min: Value::from_number(at.number("min_value")?, dtype)?,
            max: Value::from_number(at.number("max_value")?, dtype)?,
        },
    };
    Ok(Op { kernel, dtype })
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let dtype = op.dtype;
    let x = widen(args.get(0)?, dtype)?;
    let y = match op.kernel {
        Kernel::Elu { alpha } => {
            let neg = x.f_expm1()?.f_mul_scalar(alpha)?;
            x.f_where_self(&x.f_gt(0)?, &neg)?
        }
        // 0.5·x·(1 + erf(x/√2)) with 1 + erf(t) = erfc(-t): no cancellation that would
        // flush the far negative tail to zero.
        Kernel::Gelu => x
            .f_mul_scalar(-std::f64::consts::FRAC_1_SQRT_2)?
            .f_erfc()?
            .f_mul(&x)?
            .f_mul_scalar(0.5)?,
        Kernel::HardSigmoid { alpha, beta } => x
            .f_mul_scalar(alpha)?
            .f_add_scalar(beta)?
            .f_clamp(0.0, 1.0)?,
        Kernel::HardSwish => x
            .f_mul(&x.f_add_scalar(3.0)?.f_clamp(0.0, 6.0)?)?
            .f_div_scalar(6.0)?,
        Kernel::LeakyRelu { alpha } => {
            let neg = x.f_mul_scalar(alpha)?;
            x.f_where_self(&x.f_ge(0)?, &neg)?
        }
        Kernel::Linear { alpha, beta } => x.f_mul_scalar(alpha)?.f_add_scalar(beta)?,
        Kernel::Relu => x.f_relu()?,
        Kernel::Sigmoid => x.f_sigmoid()?,
        Kernel::Softmax { axis } => x.f_softmax(axis, x.f_kind()?)?,
        // ln(e^x + e^0) without overflow for large x.
        Kernel::Softplus => x.f_logaddexp(&x.f_zeros_like()?)?,
        Kernel::Softsign => x.f_div(&x.f_abs()?.f_add_scalar(1.0)?)?,
        Kernel::Tanh => x.f_tanh()?,
        Kernel::Prelu => {
            let slope = widen(args.get(1)?, dtype)?;
            let neg = x.f_mul(&slope)?;
            // where() broadcasts x against the slope.
            x.f_where_self(&x.f_ge(0)?, &neg)?
        }
        Kernel::Clamp { min, max } => clamp(&x, dtype, min, max)?,
    };
    Ok(vec![narrow(y, dtype)?])
}

fn clamp(x: &Tensor, dtype: DataType, min: Value, max: Value) -> Result<Tensor> {
    if dtype == DataType::Uint64 {
        // Clamp in unsigned order: flip the sign bits of the values and the bounds.
        let flip = |v: Value| match v {
            Value::Int(i) => Value::Int(i ^ i64::MIN),
            other => other,
        };
        let k = unsigned_key(x)?.f_clamp(flip(min).scalar(), flip(max).scalar())?;
        return unsigned_key(&k);
    }
    // Bounds arrive as i64 for integer types and f64 for floats (never mixed). A NaN
    // bound leaves the input unchanged (like fmin/fmax; what the WPT vectors expect).
    let nan = |v: Value| matches!(v, Value::Float(f) if f.is_nan());
    let mut y = x.shallow_clone();
    if !nan(min) {
        y = y.f_clamp_min(min.scalar())?;
    }
    if !nan(max) {
        y = y.f_clamp_max(max.scalar())?;
    }
    Ok(y)
}
