//! batch_normalization, instance_normalization, layer_normalization:
//! `scale·(x − mean)/√(variance + ε) + bias` in float32 (float16 rounds once), with the
//! population variance.

use tch::Tensor;

use super::conv::{from_nchw, is_nhwc, to_nchw};
use super::{narrow, widen, Args, FLOATS};
use crate::dtype::DataType;
use crate::error::Result;
use crate::plan::NodeCtx;

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `shape`: 1 everywhere except -1 on the channel axis.
    Batch {
        dtype: DataType,
        shape: Vec<i64>,
        epsilon: f64,
    },
    Instance {
        dtype: DataType,
        nhwc: bool,
        epsilon: f64,
    },
    /// scale/bias dimension i belongs to input axis axes[i]: `order` sorts them by axis
    /// and `shape` inserts 1s for the axes not normalized.
    Layer {
        dtype: DataType,
        axes: Vec<i64>,
        order: Vec<i64>,
        shape: Vec<i64>,
        epsilon: f64,
    },
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("batch_normalization", FLOATS),
    ("instance_normalization", FLOATS),
    ("layer_normalization", FLOATS),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !super::lists(SUPPORTED, ctx.op) {
        return None;
    }
    Some((|| {
        let input = ctx.input(0)?;
        let dtype = input.dtype;
        let rank = input.rank();
        super::check_supported(SUPPORTED, ctx.op, dtype)?;
        let epsilon = ctx.attrs.float("epsilon")?;
        Ok(match ctx.op {
            "batch_normalization" => {
                ctx.expect(5, 1)?;
                ctx.input(1)?;
                ctx.input(2)?;
                ctx.opt_input(3)?;
                ctx.opt_input(4)?;
                let axis = ctx.axis("axis", rank)?;
                let mut shape = vec![1_i64; rank];
                shape[axis] = -1;
                Op::Batch {
                    dtype,
                    shape,
                    epsilon,
                }
            }
            "instance_normalization" => {
                ctx.expect(3, 1)?;
                ctx.opt_input(1)?;
                ctx.opt_input(2)?;
                if rank != 4 {
                    return Err(crate::error::Error::Graph(format!(
                        "{}: input must be 4-D",
                        ctx.op
                    )));
                }
                Op::Instance {
                    dtype,
                    nhwc: is_nhwc(ctx, "layout")?,
                    epsilon,
                }
            }
            _ => {
                ctx.expect(3, 1)?;
                ctx.opt_input(1)?;
                ctx.opt_input(2)?;
                let axes = super::axes_in(ctx.op, "axes", &ctx.attrs.ints("axes")?, rank)?;
                let mut order: Vec<usize> = (0..axes.len()).collect();
                order.sort_by_key(|&i| axes[i]);
                let mut shape = vec![1_i64; rank];
                for &a in &axes {
                    shape[a] = input.shape[a];
                }
                Op::Layer {
                    dtype,
                    axes: super::to_i64s(&axes)?,
                    order: super::to_i64s(&order)?,
                    shape,
                    epsilon,
                }
            }
        })
    })())
}

fn normalize(
    x: &Tensor,
    mean: &Tensor,
    variance: &Tensor,
    scale: Option<Tensor>,
    bias: Option<Tensor>,
    epsilon: f64,
) -> Result<Tensor> {
    let mut y = x.f_sub(mean)?;
    if let Some(s) = scale {
        y = y.f_mul(&s)?;
    }
    y = y.f_div(&variance.f_add_scalar(epsilon)?.f_sqrt()?)?;
    match bias {
        Some(b) => Ok(y.f_add(&b)?),
        None => Ok(y),
    }
}

/// Mean and population variance over `dims` (kept); nothing reduced for empty `dims`.
fn moments(x: &Tensor, dims: &[i64]) -> Result<(Tensor, Tensor)> {
    if dims.is_empty() {
        // libtorch would read an empty dim list as "all dims".
        return Ok((x.shallow_clone(), x.f_zeros_like()?));
    }
    let kind = x.f_kind()?;
    let mean = x.f_mean_dim(dims, true, kind)?;
    let centered = x.f_sub(&mean)?;
    let variance = centered.f_mul(&centered)?.f_mean_dim(dims, true, kind)?;
    Ok((mean, variance))
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let y = match op {
        Op::Batch {
            dtype,
            shape,
            epsilon,
        } => {
            let shaped = |i: usize| -> Result<Option<Tensor>> {
                args.opt(i)?
                    .map(|t| Ok(widen(t, *dtype)?.f_reshape(shape.as_slice())?))
                    .transpose()
            };
            let x = widen(args.get(0)?, *dtype)?;
            let mean = widen(args.get(1)?, *dtype)?.f_reshape(shape.as_slice())?;
            let variance = widen(args.get(2)?, *dtype)?.f_reshape(shape.as_slice())?;
            narrow(
                normalize(&x, &mean, &variance, shaped(3)?, shaped(4)?, *epsilon)?,
                *dtype,
            )?
        }
        Op::Instance {
            dtype,
            nhwc,
            epsilon,
        } => {
            let shaped = |i: usize| -> Result<Option<Tensor>> {
                args.opt(i)?
                    .map(|t| Ok(widen(t, *dtype)?.f_reshape([1, -1, 1, 1])?))
                    .transpose()
            };
            let x = to_nchw(widen(args.get(0)?, *dtype)?, *nhwc)?;
            let (mean, variance) = moments(&x, &[2, 3])?;
            let y = normalize(&x, &mean, &variance, shaped(1)?, shaped(2)?, *epsilon)?;
            narrow(from_nchw(y, *nhwc)?, *dtype)?
        }
        Op::Layer {
            dtype,
            axes,
            order,
            shape,
            epsilon,
        } => {
            let aligned = |i: usize| -> Result<Option<Tensor>> {
                args.opt(i)?
                    .map(|t| {
                        Ok(widen(t, *dtype)?
                            .f_permute(order.as_slice())?
                            .f_reshape(shape.as_slice())?)
                    })
                    .transpose()
            };
            let x = widen(args.get(0)?, *dtype)?;
            let (mean, variance) = moments(&x, axes)?;
            narrow(
                normalize(&x, &mean, &variance, aligned(1)?, aligned(2)?, *epsilon)?,
                *dtype,
            )?
        }
    };
    Ok(vec![y])
}
