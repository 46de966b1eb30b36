//! matmul and gemm. float16 multiplies in float32 and rounds once (libtorch's CPU half
//! matmul accumulates in half precision).

use tch::Tensor;

use super::{narrow, widen, Args, FLOATS};
use crate::dtype::DataType;
use crate::error::Result;
use crate::plan::NodeCtx;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Matmul {
        dtype: DataType,
    },
    Gemm {
        dtype: DataType,
        alpha: f64,
        beta: f64,
        a_transpose: bool,
        b_transpose: bool,
    },
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[("matmul", FLOATS), ("gemm", FLOATS)];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    let parsed = match ctx.op {
        "matmul" => (|| {
            ctx.expect(2, 1)?;
            let a = ctx.input(0)?;
            ctx.input(1)?;
            super::check_supported(SUPPORTED, ctx.op, a.dtype)?;
            Ok(Op::Matmul { dtype: a.dtype })
        })(),
        "gemm" => (|| {
            ctx.expect(3, 1)?;
            let a = ctx.input(0)?;
            ctx.input(1)?;
            ctx.opt_input(2)?;
            super::check_supported(SUPPORTED, ctx.op, a.dtype)?;
            let at = &ctx.attrs;
            Ok(Op::Gemm {
                dtype: a.dtype,
                alpha: at.float("alpha")?,
                beta: at.float("beta")?,
                a_transpose: at.bool("a_transpose")?,
                b_transpose: at.bool("b_transpose")?,
            })
        })(),
        _ => return None,
    };
    Some(parsed)
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let y = match *op {
        Op::Matmul { dtype } => {
            let a = widen(args.get(0)?, dtype)?;
            let b = widen(args.get(1)?, dtype)?;
            narrow(a.f_matmul(&b)?, dtype)?
        }
        Op::Gemm {
            dtype,
            alpha,
            beta,
            a_transpose,
            b_transpose,
        } => {
            let mut a = widen(args.get(0)?, dtype)?;
            let mut b = widen(args.get(1)?, dtype)?;
            if a_transpose {
                a = a.f_transpose(0, 1)?;
            }
            if b_transpose {
                b = b.f_transpose(0, 1)?;
            }
            let mut y = a.f_matmul(&b)?.f_mul_scalar(alpha)?;
            if let Some(c) = args.opt(2)? {
                y = y.f_add(&widen(c, dtype)?.f_mul_scalar(beta)?)?;
            }
            narrow(y, dtype)?
        }
    };
    Ok(vec![y])
}
