//! cast, quantize_linear, dequantize_linear.
//!
//! Conversions the spec leaves implementation-defined are pinned down as in the torch
//! backend: float -> integer truncates toward zero, then saturates (NaN -> 0); integer ->
//! integer keeps the low bits; quantize_linear saturates `roundEven(x / scale) + zp`.

use tch::{Kind, Tensor};

use super::{narrow, widen, Args, ALL};
use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::NodeCtx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Cast {
        from: DataType,
        to: DataType,
    },
    /// `blocks`: the input reshaped to (s0, b0, s1, b1, ...); `params`: the scale/zero
    /// point reshaped to (s0, 1, s1, 1, ...).
    Quantize {
        out: DataType,
        zp: DataType,
        blocks: Vec<i64>,
        params: Vec<i64>,
        shape: Vec<i64>,
    },
    Dequantize {
        input: DataType,
        zp: DataType,
        scale: DataType,
        blocks: Vec<i64>,
        params: Vec<i64>,
        shape: Vec<i64>,
    },
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("cast", ALL),
    ("quantize_linear", ALL),
    ("dequantize_linear", ALL),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !SUPPORTED.iter().any(|(n, _)| *n == ctx.op) {
        return None;
    }
    Some((|| {
        if ctx.op == "cast" {
            ctx.expect(1, 1)?;
            let from = ctx.input(0)?.dtype;
            return Ok(Op::Cast {
                from,
                to: ctx.attrs.data_type("data_type")?,
            });
        }
        ctx.expect(3, 1)?;
        let input = ctx.input(0)?;
        let scale = ctx.input(1)?;
        let zp = ctx.input(2)?;
        if scale.rank() != input.rank() || zp.shape != scale.shape {
            return Err(Error::Graph(format!(
                "{}: scale/zero_point must have the input's rank",
                ctx.op
            )));
        }
        let mut blocks = Vec::new();
        let mut params = Vec::new();
        for (&n, &s) in input.shape.iter().zip(&scale.shape) {
            if n % s != 0 {
                return Err(Error::Graph(format!(
                    "{}: dimension {n} is not a multiple of {s}",
                    ctx.op
                )));
            }
            blocks.extend([s, n / s]);
            params.extend([s, 1]);
        }
        let shape = input.shape.clone();
        Ok(if ctx.op == "quantize_linear" {
            Op::Quantize {
                out: zp.dtype,
                zp: zp.dtype,
                blocks,
                params,
                shape,
            }
        } else {
            Op::Dequantize {
                input: input.dtype,
                zp: zp.dtype,
                scale: scale.dtype,
                blocks,
                params,
                shape,
            }
        })
    })())
}

/// Saturating conversion of integral-valued float64 values to an integer type's storage;
/// NaN -> 0.
fn float_to_int(x: &Tensor, to: DataType) -> Result<Tensor> {
    let x = x.f_nan_to_num(0.0, None::<f64>, None::<f64>)?;
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    match to {
        DataType::Int64 => {
            // i64::MAX is not a float64 (it rounds up to 2^63, which would overflow).
            let top = x.f_ge(TWO63)?;
            let y = x.f_clamp(-TWO63, TWO63 - 1024.0)?.f_to_kind(Kind::Int64)?;
            Ok(y.f_masked_fill(&top, i64::MAX)?)
        }
        DataType::Uint64 => {
            // The uint64 bit pattern in int64: values >= 2^63 wrap by -2^64 exactly.
            let x = x.f_clamp_min(0.0)?;
            let top = x.f_ge(2.0 * TWO63)?;
            let high = x.f_ge(TWO63)?;
            let wrapped = x.f_sub_scalar(2.0 * TWO63)?.f_where_self(&high, &x)?;
            let y = wrapped
                .f_clamp_max(TWO63 - 1024.0)?
                .f_to_kind(Kind::Int64)?;
            Ok(y.f_masked_fill(&top, -1)?)
        }
        other => {
            let (lo, hi) = other.int_range().ok_or_else(|| {
                Error::Argument(format!("{} is not an integer type", other.name()))
            })?;
            let lo = lo.to_string().parse::<f64>().unwrap_or(f64::MIN);
            let hi = hi.to_string().parse::<f64>().unwrap_or(f64::MAX);
            let y = x.f_clamp(lo, hi)?.f_to_kind(Kind::Int64)?;
            narrow(y, other)
        }
    }
}

/// An integer tensor (storage) as float64 values (uint64 as unsigned).
fn int_to_f64(x: &Tensor, from: DataType) -> Result<Tensor> {
    let d = x.f_to_kind(Kind::Double)?;
    if from == DataType::Uint64 {
        let neg = x.f_lt(0)?;
        return Ok(d
            .f_add_scalar(18_446_744_073_709_551_616.0)?
            .f_where_self(&neg, &d)?);
    }
    Ok(d)
}

fn cast(x: &Tensor, from: DataType, to: DataType) -> Result<Tensor> {
    if from == to {
        return Ok(x.shallow_clone());
    }
    match (from.is_float(), to.is_float()) {
        (true, false) => float_to_int(&x.f_to_kind(Kind::Double)?.f_trunc()?, to),
        // Float <-> float rounds to nearest (overflow to inf).
        (true, true) => Ok(x.f_to_kind(to.storage_kind())?),
        (false, true) if from == DataType::Uint64 => {
            Ok(int_to_f64(x, from)?.f_to_kind(to.storage_kind())?)
        }
        (false, true) => Ok(x.f_to_kind(to.storage_kind())?),
        // Integer -> integer: through the int64 bit pattern, keeping the low bits.
        (false, false) => narrow(x.f_to_kind(Kind::Int64)?, to),
    }
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let x = args.get(0)?;
    let y = match op {
        Op::Cast { from, to } => cast(x, *from, *to)?,
        Op::Quantize {
            out,
            zp,
            blocks,
            params,
            shape,
        } => {
            // float64 holds x / scale of float32/float16 operands exactly enough that the
            // one rounding (round half to even) sees the true quotient.
            let xb = x.f_to_kind(Kind::Double)?.f_reshape(blocks.as_slice())?;
            let sb = args
                .get(1)?
                .f_to_kind(Kind::Double)?
                .f_reshape(params.as_slice())?;
            let zb = int_to_f64(args.get(2)?, *zp)?.f_reshape(params.as_slice())?;
            let q = xb.f_div(&sb)?.f_round()?.f_add(&zb)?;
            float_to_int(&q, *out)?.f_reshape(shape.as_slice())?
        }
        Op::Dequantize {
            input,
            zp,
            scale,
            blocks,
            params,
            shape,
        } => {
            // x - zero_point is exact in int64 (uint32 too), then one rounding of the
            // float64 product to the scale's type.
            let xb = widen(x, *input)?
                .f_to_kind(Kind::Int64)?
                .f_reshape(blocks.as_slice())?;
            let zb = widen(args.get(2)?, *zp)?
                .f_to_kind(Kind::Int64)?
                .f_reshape(params.as_slice())?;
            let sb = args
                .get(1)?
                .f_to_kind(Kind::Double)?
                .f_reshape(params.as_slice())?;
            let y = xb.f_sub(&zb)?.f_to_kind(Kind::Double)?.f_mul(&sb)?;
            y.f_to_kind(scale.storage_kind())?
                .f_reshape(shape.as_slice())?
        }
    };
    Ok(vec![y])
}
