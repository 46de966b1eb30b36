//! gather, gather_elements, gather_nd, scatter_elements, scatter_nd.
//!
//! Indices (int32, uint32 or int64) are run-time data that may be out of range: a
//! negative index counts from the end once, then every index is clamped into [0, N-1],
//! so no kernel reads or writes out of bounds (docs/ir-ops.md, index semantics).

use tch::{Kind, Tensor};

use super::{to_i64, Args, ALL};
use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::NodeCtx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Gather {
        axis: i64,
        n: i64,
        out_shape: Vec<i64>,
    },
    GatherElements {
        axis: i64,
        n: i64,
    },
    /// `lead`: the input dims the k-tuples index; `table`: the input reshaped to
    /// [prod(lead), rest...].
    GatherNd {
        lead: Vec<i64>,
        table: Vec<i64>,
        out_shape: Vec<i64>,
    },
    ScatterElements {
        axis: i64,
        n: i64,
    },
    ScatterNd {
        lead: Vec<i64>,
        table: Vec<i64>,
        rows: Vec<i64>,
        in_shape: Vec<i64>,
    },
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("gather", ALL),
    ("gather_elements", ALL),
    ("gather_nd", ALL),
    ("scatter_elements", ALL),
    ("scatter_nd", ALL),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !super::lists(SUPPORTED, ctx.op) {
        return None;
    }
    Some((|| {
        let scatter = ctx.op.starts_with("scatter");
        ctx.expect(if scatter { 3 } else { 2 }, 1)?;
        let input = ctx.input(0)?;
        let indices = ctx.input(1)?;
        if scatter {
            ctx.input(2)?;
        }
        if !matches!(
            indices.dtype,
            DataType::Int32 | DataType::Uint32 | DataType::Int64
        ) {
            return Err(Error::Graph(format!(
                "{}: indices must be int32/uint32/int64",
                ctx.op
            )));
        }
        let out_shape = ctx.output(0)?.shape.clone();
        let axis_n = || -> Result<(i64, i64)> {
            let axis = ctx.axis("axis", input.rank())?;
            Ok((to_i64(axis)?, input.shape[axis]))
        };
        Ok(match ctx.op {
            "gather" => {
                let (axis, n) = axis_n()?;
                Op::Gather { axis, n, out_shape }
            }
            "gather_elements" => {
                let (axis, n) = axis_n()?;
                Op::GatherElements { axis, n }
            }
            "scatter_elements" => {
                let (axis, n) = axis_n()?;
                Op::ScatterElements { axis, n }
            }
            _ => {
                let k = indices.shape.last().copied().unwrap_or(0);
                let k = usize::try_from(k)
                    .ok()
                    .filter(|&k| k >= 1 && k <= input.rank())
                    .ok_or_else(|| Error::Graph(format!("{}: bad index tuple size {k}", ctx.op)))?;
                let (lead, rest) = input.shape.split_at(k);
                let rows = lead
                    .iter()
                    .try_fold(1_i64, |acc, &d| acc.checked_mul(d))
                    .ok_or_else(|| Error::Graph(format!("{}: input too large", ctx.op)))?;
                let mut table = vec![rows];
                table.extend_from_slice(rest);
                let lead = lead.to_vec();
                if ctx.op == "gather_nd" {
                    Op::GatherNd {
                        lead,
                        table,
                        out_shape,
                    }
                } else {
                    let mut rows_shape = vec![-1];
                    rows_shape.extend_from_slice(rest);
                    Op::ScatterNd {
                        lead,
                        table,
                        rows: rows_shape,
                        in_shape: input.shape.clone(),
                    }
                }
            }
        })
    })())
}

/// int64 indices into an axis of size `n`: negatives from the end, then clamped.
fn wrap(indices: &Tensor, n: i64) -> Result<Tensor> {
    let i = indices.f_to_kind(Kind::Int64)?;
    let shifted = i.f_add_scalar(n)?;
    let i = shifted.f_where_self(&i.f_lt(0)?, &i)?;
    Ok(i.f_clamp(0, n - 1)?)
}

/// Row-major offsets into the flattened leading axes `lead` of the k-tuples in the last
/// axis of `indices`.
fn linear(indices: &Tensor, lead: &[i64]) -> Result<Tensor> {
    let mut offset: Option<Tensor> = None;
    for (j, &n) in lead.iter().enumerate() {
        let part = wrap(&indices.f_select(-1, to_i64(j)?)?, n)?;
        offset = Some(match offset {
            None => part,
            Some(o) => o.f_mul_scalar(n)?.f_add(&part)?,
        });
    }
    offset.ok_or_else(|| Error::Argument("empty index tuple".into()))
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let x = args.get(0)?;
    let indices = args.get(1)?;
    let y = match op {
        Op::Gather { axis, n, out_shape } => {
            let flat = wrap(indices, *n)?.f_reshape([-1])?;
            x.f_index_select(*axis, &flat)?
                .f_reshape(out_shape.as_slice())?
        }
        Op::GatherElements { axis, n } => x.f_gather(*axis, &wrap(indices, *n)?, false)?,
        Op::GatherNd {
            lead,
            table,
            out_shape,
        } => {
            let rows = linear(indices, lead)?.f_reshape([-1])?;
            x.f_reshape(table.as_slice())?
                .f_index_select(0, &rows)?
                .f_reshape(out_shape.as_slice())?
        }
        // Duplicate targets are unspecified by the spec; libtorch's CPU loop lets the
        // last one win.
        Op::ScatterElements { axis, n } => x.f_scatter(*axis, &wrap(indices, *n)?, args.get(2)?)?,
        Op::ScatterNd {
            lead,
            table,
            rows,
            in_shape,
        } => {
            let at = linear(indices, lead)?.f_reshape([-1])?;
            let updates = args.get(2)?.f_reshape(rows.as_slice())?;
            x.f_reshape(table.as_slice())?
                .f_index_put(&[Some(at)], &updates, false)?
                .f_reshape(in_shape.as_slice())?
        }
    };
    Ok(vec![y])
}
