//! Shape and data movement: reshape, transpose, expand, slice, pad, tile, concat, split,
//! reverse, triangular. All types are exact (no arithmetic on values).

use tch::{Kind, Tensor};

use super::{to_i64, to_i64s, Args, Value, ALL};
use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::NodeCtx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadMode {
    Constant,
    Edge,
    Reflection,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Reshape {
        shape: Vec<i64>,
    },
    Transpose {
        permutation: Vec<i64>,
    },
    Expand {
        shape: Vec<i64>,
    },
    /// (axis, start, end, step) for every axis.
    Slice {
        ranges: Vec<(i64, i64, i64, i64)>,
    },
    /// Constant padding: the output shape, the value and where the input goes.
    PadConstant {
        shape: Vec<i64>,
        value: Value,
        kind: Kind,
        begins: Vec<i64>,
    },
    /// Edge/reflection padding: per padded axis, the source index of every output row.
    PadGather {
        indices: Vec<(i64, Vec<i64>)>,
    },
    Tile {
        repetitions: Vec<i64>,
    },
    Concat {
        axis: i64,
    },
    Split {
        axis: i64,
        splits: Vec<i64>,
    },
    Reverse {
        axes: Vec<i64>,
    },
    Triangular {
        upper: bool,
        diagonal: i64,
    },
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("reshape", ALL),
    ("transpose", ALL),
    ("expand", ALL),
    ("slice", ALL),
    ("pad", ALL),
    ("tile", ALL),
    ("concat", ALL),
    ("split", ALL),
    ("reverse", ALL),
    ("triangular", ALL),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !super::lists(SUPPORTED, ctx.op) {
        return None;
    }
    Some(parse_known(ctx))
}

fn bad<T>(ctx: &NodeCtx<'_>, msg: String) -> Result<T> {
    Err(Error::Graph(format!("{}: {msg}", ctx.op)))
}

fn parse_known(ctx: &NodeCtx<'_>) -> Result<Op> {
    let at = &ctx.attrs;
    if ctx.op == "concat" {
        ctx.expect(1, 1)?;
        let list = ctx.inputs_list(0)?;
        let rank = list.first().map_or(0, |d| d.rank());
        let axis = ctx.axis("axis", rank)?;
        return Ok(Op::Concat {
            axis: to_i64(axis)?,
        });
    }
    if ctx.op == "split" {
        let input = ctx.input(0)?;
        let axis = ctx.axis("axis", input.rank())?;
        let splits = at.sizes("splits")?;
        if ctx.num_inputs() != 1 || ctx.num_outputs() != splits.len() {
            return bad(
                ctx,
                format!("{} splits but {} outputs", splits.len(), ctx.num_outputs()),
            );
        }
        return Ok(Op::Split {
            axis: to_i64(axis)?,
            splits: to_i64s(&splits)?,
        });
    }
    ctx.expect(1, 1)?;
    let input = ctx.input(0)?;
    let rank = input.rank();
    let out = ctx.output(0)?;
    let per_axis = |key: &str| -> Result<Vec<usize>> {
        let v = at.sizes(key)?;
        if v.len() != rank {
            return bad(
                ctx,
                format!("{key} has {} entries for rank {rank}", v.len()),
            );
        }
        Ok(v)
    };
    Ok(match ctx.op {
        "reshape" => Op::Reshape {
            shape: to_i64s(&at.sizes("new_shape")?)?,
        },
        "expand" => Op::Expand {
            shape: to_i64s(&at.sizes("new_shape")?)?,
        },
        "transpose" => {
            let p = per_axis("permutation")?;
            let mut seen = vec![false; rank];
            for &a in &p {
                match seen.get_mut(a) {
                    Some(s) if !*s => *s = true,
                    _ => return bad(ctx, format!("permutation {p:?} is not a permutation")),
                }
            }
            Op::Transpose {
                permutation: to_i64s(&p)?,
            }
        }
        "slice" => {
            let starts = per_axis("starts")?;
            let sizes = per_axis("sizes")?;
            let strides = per_axis("strides")?;
            let mut ranges = Vec::new();
            for (axis, ((&start, &size), &stride)) in
                starts.iter().zip(&sizes).zip(&strides).enumerate()
            {
                // The window [start, start + size) read every `stride` elements.
                let (Some(end), true) = (start.checked_add(size), stride > 0) else {
                    return bad(ctx, format!("invalid slice on axis {axis}"));
                };
                ranges.push((to_i64(axis)?, to_i64(start)?, to_i64(end)?, to_i64(stride)?));
            }
            Op::Slice { ranges }
        }
        "pad" => {
            let begins = per_axis("beginning_padding")?;
            let ends = per_axis("ending_padding")?;
            let mode = at.choice(
                "mode",
                &[
                    ("constant", PadMode::Constant),
                    ("edge", PadMode::Edge),
                    ("reflection", PadMode::Reflection),
                ],
            )?;
            match mode {
                PadMode::Constant => Op::PadConstant {
                    shape: out.shape.clone(),
                    value: Value::from_number(at.number("value")?, input.dtype)?,
                    kind: input.dtype.storage_kind(),
                    begins: to_i64s(&begins)?,
                },
                _ => {
                    let mut indices = Vec::new();
                    for (axis, (&b, &e)) in begins.iter().zip(&ends).enumerate() {
                        if b == 0 && e == 0 {
                            continue;
                        }
                        let n = input.shape.get(axis).copied().unwrap_or(1);
                        let idx = pad_indices(n, to_i64(b)?, to_i64(e)?, mode)
                            .ok_or_else(|| Error::Graph(format!("pad: axis {axis} too large")))?;
                        indices.push((to_i64(axis)?, idx));
                    }
                    Op::PadGather { indices }
                }
            }
        }
        "tile" => Op::Tile {
            repetitions: to_i64s(&per_axis("repetitions")?)?,
        },
        "reverse" => {
            let axes = super::axes_in(ctx.op, "axes", &at.ints("axes")?, rank)?;
            Op::Reverse {
                axes: to_i64s(&axes)?,
            }
        }
        _ => {
            if rank < 2 {
                return bad(ctx, format!("input must have rank >= 2, got {rank}"));
            }
            Op::Triangular {
                upper: at.bool("upper")?,
                diagonal: at.int("diagonal")?,
            }
        }
    })
}

/// Source index of every output position of one axis of length `n` padded by `b`/`e`.
fn pad_indices(n: i64, b: i64, e: i64, mode: PadMode) -> Option<Vec<i64>> {
    let total = n.checked_add(b)?.checked_add(e)?;
    let last = n.checked_sub(1)?;
    let period = last.checked_mul(2)?;
    (0..total)
        .map(|j| {
            let i = j.checked_sub(b)?;
            Some(match mode {
                PadMode::Reflection if period > 0 => {
                    let m = i.rem_euclid(period);
                    if m > last {
                        period - m
                    } else {
                        m
                    }
                }
                _ => i.clamp(0, last),
            })
        })
        .collect()
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    if let Op::Concat { axis } = op {
        return Ok(vec![Tensor::f_cat(args.list(0)?, *axis)?]);
    }
    let x = args.get(0)?;
    if let Op::Split { axis, splits } = op {
        return Ok(x.f_split_with_sizes(splits.as_slice(), *axis)?);
    }
    let y = match op {
        Op::Reshape { shape } => x.f_reshape(shape.as_slice())?,
        Op::Transpose { permutation } => x.f_permute(permutation.as_slice())?,
        Op::Expand { shape } => x.f_expand(shape.as_slice(), false)?,
        Op::Slice { ranges } => {
            let mut t = x.shallow_clone();
            for &(axis, start, end, step) in ranges {
                t = t.f_slice(axis, start, end, step)?;
            }
            t
        }
        Op::PadConstant {
            shape,
            value,
            kind,
            begins,
        } => {
            let out = Tensor::f_full(shape.as_slice(), value.scalar(), (*kind, x.device()))?;
            // Copy the input into the interior: an in-place write into a tensor this
            // kernel just allocated.
            let mut interior = out.shallow_clone();
            for (axis, (&b, &n)) in begins.iter().zip(x.size().iter()).enumerate() {
                interior = interior.f_narrow(to_i64(axis)?, b, n)?;
            }
            interior.f_copy_(x)?;
            out
        }
        Op::PadGather { indices } => {
            let mut t = x.shallow_clone();
            for (axis, idx) in indices {
                let idx = Tensor::f_from_slice(idx)?.f_to_device(x.device())?;
                t = t.f_index_select(*axis, &idx)?;
            }
            t
        }
        Op::Tile { repetitions } => x.f_repeat(repetitions.as_slice())?,
        Op::Reverse { axes } => x.f_flip(axes.as_slice())?,
        Op::Triangular {
            upper: true,
            diagonal,
        } => x.f_triu(*diagonal)?,
        Op::Triangular {
            upper: false,
            diagonal,
        } => x.f_tril(*diagonal)?,
        Op::Concat { .. } | Op::Split { .. } => {
            return Err(Error::Argument("unreachable shape op".into()))
        }
    };
    Ok(vec![y])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_index_maps() {
        assert_eq!(
            pad_indices(3, 2, 1, PadMode::Edge).unwrap(),
            vec![0, 0, 0, 1, 2, 2]
        );
        assert_eq!(
            pad_indices(3, 2, 2, PadMode::Reflection).unwrap(),
            vec![2, 1, 0, 1, 2, 1, 0]
        );
        assert_eq!(
            pad_indices(1, 1, 1, PadMode::Reflection).unwrap(),
            vec![0, 0, 0]
        );
    }
}
