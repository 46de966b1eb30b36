//! Reductions, arg_min/arg_max and cumulative_sum.
//!
//! A reduction permutes the reduced axes to the end and flattens them into one, reduces
//! that last dimension and reshapes to the IR's output shape. One path covers several
//! axes (libtorch's prod takes one dim), empty `axes` (a last dimension of size 1 applies
//! the function to each element) and `keep_dimensions` (the output shape).

use tch::{Kind, Tensor};

use super::elementwise::{int_div, uint64_div};
use super::{narrow, to_i64, to_i64s, unsigned_key, widen, Args, ALL, FLOATS};
use crate::dtype::DataType;
use crate::error::Result;
use crate::plan::NodeCtx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    L1,
    L2,
    LogSum,
    LogSumExp,
    Max,
    Min,
    Mean,
    Product,
    Sum,
    SumSquare,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Reduce {
        reduction: Reduction,
        dtype: DataType,
        /// kept axes, then reduced axes
        permutation: Vec<i64>,
        /// the kept dimensions, then -1
        gathered: Vec<i64>,
        out_shape: Vec<i64>,
    },
    Arg {
        max: bool,
        dtype: DataType,
        axis: i64,
        keep: bool,
        out: DataType,
    },
    CumulativeSum {
        dtype: DataType,
        axis: i64,
        exclusive: bool,
        reversed: bool,
    },
}

const REDUCTIONS: &[(&str, Reduction)] = &[
    ("reduce_l1", Reduction::L1),
    ("reduce_l2", Reduction::L2),
    ("reduce_log_sum", Reduction::LogSum),
    ("reduce_log_sum_exp", Reduction::LogSumExp),
    ("reduce_max", Reduction::Max),
    ("reduce_mean", Reduction::Mean),
    ("reduce_min", Reduction::Min),
    ("reduce_product", Reduction::Product),
    ("reduce_sum", Reduction::Sum),
    ("reduce_sum_square", Reduction::SumSquare),
];

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("reduce_l1", ALL),
    ("reduce_l2", FLOATS),
    ("reduce_log_sum", FLOATS),
    ("reduce_log_sum_exp", FLOATS),
    ("reduce_max", ALL),
    ("reduce_mean", ALL),
    ("reduce_min", ALL),
    ("reduce_product", ALL),
    ("reduce_sum", ALL),
    ("reduce_sum_square", ALL),
    ("arg_min", ALL),
    ("arg_max", ALL),
    ("cumulative_sum", ALL),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !super::lists(SUPPORTED, ctx.op) {
        return None;
    }
    Some(parse_known(ctx))
}

fn parse_known(ctx: &NodeCtx<'_>) -> Result<Op> {
    let at = &ctx.attrs;
    ctx.expect(1, 1)?;
    let input = ctx.input(0)?;
    let dtype = input.dtype;
    let rank = input.rank();
    super::check_supported(SUPPORTED, ctx.op, dtype)?;
    if let Some(&(_, reduction)) = REDUCTIONS.iter().find(|(n, _)| *n == ctx.op) {
        let axes = super::axes_in(ctx.op, "axes", &at.ints("axes")?, rank)?;
        at.bool("keep_dimensions")?;
        let kept: Vec<usize> = (0..rank).filter(|d| !axes.contains(d)).collect();
        let mut permutation = kept.clone();
        permutation.extend(&axes);
        let mut gathered: Vec<i64> = kept.iter().map(|&d| input.shape[d]).collect();
        gathered.push(-1);
        return Ok(Op::Reduce {
            reduction,
            dtype,
            permutation: to_i64s(&permutation)?,
            gathered,
            out_shape: ctx.output(0)?.shape.clone(),
        });
    }
    let axis = to_i64(ctx.axis("axis", rank)?)?;
    if ctx.op == "cumulative_sum" {
        return Ok(Op::CumulativeSum {
            dtype,
            axis,
            exclusive: at.bool("exclusive")?,
            reversed: at.bool("reversed")?,
        });
    }
    Ok(Op::Arg {
        max: ctx.op == "arg_max",
        dtype,
        axis,
        keep: at.bool("keep_dimensions")?,
        out: at.data_type("output_data_type")?,
    })
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let x = args.get(0)?;
    let y = match op {
        Op::Reduce {
            reduction,
            dtype,
            permutation,
            gathered,
            out_shape,
        } => {
            let w = widen(x, *dtype)?
                .f_permute(permutation.as_slice())?
                .f_reshape(gathered.as_slice())?;
            narrow(reduce_last(*reduction, *dtype, &w)?, *dtype)?.f_reshape(out_shape.as_slice())?
        }
        Op::Arg {
            max,
            dtype,
            axis,
            keep,
            out,
        } => {
            let mut w = widen(x, *dtype)?;
            if *dtype == DataType::Uint64 {
                w = unsigned_key(&w)?;
            }
            // Ties: libtorch returns the first occurrence, as the spec's examples show.
            let i = if *max {
                w.f_argmax(*axis, *keep)?
            } else {
                w.f_argmin(*axis, *keep)?
            };
            narrow(i, *out)?
        }
        Op::CumulativeSum {
            dtype,
            axis,
            exclusive,
            reversed,
        } => {
            let mut w = widen(x, *dtype)?;
            if *reversed {
                w = w.f_flip([*axis])?;
            }
            let mut y = w.f_cumsum(*axis, sum_kind(*dtype))?;
            if *exclusive {
                // Shift by one instead of subtracting x, which would round differently.
                let n = y
                    .size()
                    .get(usize::try_from(*axis).unwrap_or(0))
                    .copied()
                    .unwrap_or(1);
                let zero = y.f_narrow(*axis, 0, 1)?.f_zeros_like()?;
                y = Tensor::f_cat(&[zero, y.f_narrow(*axis, 0, n - 1)?], *axis)?;
            }
            if *reversed {
                y = y.f_flip([*axis])?;
            }
            narrow(y, *dtype)?
        }
    };
    Ok(vec![y])
}

/// The kind sums accumulate in: the float work kind, or int64 for integers (wraps like
/// the two's-complement overflow the spec leaves implementation-defined).
fn sum_kind(dtype: DataType) -> Kind {
    if dtype.is_float() {
        dtype.work_kind()
    } else {
        Kind::Int64
    }
}

fn reduce_last(r: Reduction, dtype: DataType, w: &Tensor) -> Result<Tensor> {
    let last: &[i64] = &[-1];
    let kind = sum_kind(dtype);
    let sum = |t: &Tensor| t.f_sum_dim_intlist(last, false, kind);
    Ok(match r {
        // An unsigned value (uint64 held as int64) is its own absolute value.
        Reduction::L1 if dtype.is_unsigned() => sum(w)?,
        Reduction::L1 => sum(&w.f_abs()?)?,
        Reduction::L2 => sum(&w.f_mul(w)?)?.f_sqrt()?,
        Reduction::LogSum => sum(w)?.f_log()?,
        // The max-shifted form: ln(sum(exp(x))) without overflow.
        Reduction::LogSumExp => w.f_logsumexp(last, false)?,
        Reduction::Max | Reduction::Min if dtype == DataType::Uint64 => {
            let k = unsigned_key(w)?;
            let m = if r == Reduction::Max {
                k.f_amax(last, false)?
            } else {
                k.f_amin(last, false)?
            };
            unsigned_key(&m)?
        }
        Reduction::Max => w.f_amax(last, false)?,
        Reduction::Min => w.f_amin(last, false)?,
        Reduction::Mean if dtype.is_float() => w.f_mean_dim(last, false, kind)?,
        Reduction::Mean => {
            // Integer mean: the sum divided by the count, truncated toward zero.
            let n = w.size().last().copied().unwrap_or(1);
            let s = sum(w)?;
            let count = s.f_full_like(n)?;
            if dtype == DataType::Uint64 {
                uint64_div(&s, &count)?
            } else {
                int_div(&s, &count, !dtype.is_unsigned())?
            }
        }
        Reduction::Product => w.f_prod_dim_int(-1, false, kind)?,
        Reduction::Sum => sum(w)?,
        Reduction::SumSquare => sum(&w.f_mul(w)?)?,
    })
}
