//! Recurrent ops: gru, gru_cell, lstm, lstm_cell, from the spec's equations with one
//! matmul per step (WebNN's gate layouts, `reset_after = false`, peepholes, free
//! activations and per-direction states do not map onto libtorch's RNN modules).
//!
//! Everything runs in the work type (float16 -> float32) and rounds once at the end. The
//! input projection `x·Wᵀ + Wb` of all steps is one matmul per direction; only the
//! recurrent part runs step by step.

use tch::Tensor;

use super::{narrow, widen, Args, FLOATS};
use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::NodeCtx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Relu,
    Sigmoid,
    Tanh,
}

impl Act {
    fn apply(self, t: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Act::Relu => t.f_relu()?,
            Act::Sigmoid => t.f_sigmoid()?,
            Act::Tanh => t.f_tanh()?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Gate blocks `[z, r, n]` along the gates·H axis.
    Gru { blocks: [i64; 3], reset_after: bool },
    /// Gate blocks `[i, o, f, g]`; the peephole weight is packed (i, o, f).
    Lstm { blocks: [i64; 4] },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub cell: Cell,
    pub dtype: DataType,
    pub hidden: i64,
    pub acts: Vec<Act>,
    /// None for the single-step `*_cell` ops; else one entry per direction: backward?
    pub directions: Option<Vec<bool>>,
    pub return_sequence: bool,
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("gru", FLOATS),
    ("gru_cell", FLOATS),
    ("lstm", FLOATS),
    ("lstm_cell", FLOATS),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !super::lists(SUPPORTED, ctx.op) {
        return None;
    }
    Some((|| {
        let at = &ctx.attrs;
        let input = ctx.input(0)?;
        let weight = ctx.input(1)?;
        ctx.input(2)?;
        super::check_supported(SUPPORTED, ctx.op, input.dtype)?;
        let gru = ctx.op.starts_with("gru");
        let sequence = !ctx.op.ends_with("_cell");
        let n_in = if gru { 6 } else { 8 };
        let return_sequence = sequence && at.bool("return_sequence")?;
        let states = if gru { 1 } else { 2 };
        let n_out = if sequence {
            states + usize::from(return_sequence)
        } else {
            states
        };
        ctx.expect(n_in, n_out)?;
        for i in 3..n_in {
            ctx.opt_input(i)?;
        }
        let cell = if gru {
            Cell::Gru {
                blocks: at.choice("layout", &[("zrn", [0, 1, 2]), ("rzn", [1, 0, 2])])?,
                reset_after: at.bool("reset_after")?,
            }
        } else {
            Cell::Lstm {
                blocks: at.choice("layout", &[("iofg", [0, 1, 2, 3]), ("ifgo", [0, 3, 1, 2])])?,
            }
        };
        let acts = at
            .strs("activations")?
            .into_iter()
            .map(|a| match a {
                "relu" => Ok(Act::Relu),
                "sigmoid" => Ok(Act::Sigmoid),
                "tanh" => Ok(Act::Tanh),
                other => Err(Error::Graph(format!(
                    "{}: unknown activation {other:?}",
                    ctx.op
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        if acts.len() != if gru { 2 } else { 3 } {
            return Err(Error::Graph(format!(
                "{}: wrong number of activations",
                ctx.op
            )));
        }
        let directions = if sequence {
            let count = weight.shape.first().copied().unwrap_or(0);
            let dir = at.choice("direction", &[("forward", 0), ("backward", 1), ("both", 2)])?;
            let list: Vec<bool> = match (dir, count) {
                (0, 1) => vec![false],
                (1, 1) => vec![true],
                (2, 2) => vec![false, true],
                _ => return Err(Error::Graph(format!("{}: {count} directions", ctx.op))),
            };
            Some(list)
        } else {
            None
        };
        let hidden = at.int("hidden_size")?;
        // Gate blocks span index·H .. (index + 1)·H for index < 4: keep that in range.
        if hidden < 1 || hidden.checked_mul(4).is_none() {
            return Err(Error::Graph(format!(
                "{}: invalid hidden_size {hidden}",
                ctx.op
            )));
        }
        Ok(Op {
            cell,
            dtype: input.dtype,
            hidden,
            acts,
            directions,
            return_sequence,
        })
    })())
}

/// Gate `index` of a tensor whose last axis is gates·H.
fn block(t: &Tensor, index: i64, hidden: i64) -> Result<Tensor> {
    Ok(t.f_narrow(-1, index * hidden, hidden)?)
}

/// `x·Wᵀ + b` for every leading index of x at once.
fn project(x: &Tensor, w: &Tensor, b: Option<&Tensor>) -> Result<Tensor> {
    let xw = x.f_matmul(&w.f_transpose(-1, -2)?)?;
    match b {
        Some(b) => Ok(xw.f_add(b)?),
        None => Ok(xw),
    }
}

/// One direction's recurrent weights (work type).
struct Weights {
    r: Tensor,
    rb: Option<Tensor>,
    peephole: Option<Tensor>,
}

fn act(op: &Op, i: usize) -> Result<Act> {
    op.acts
        .get(i)
        .copied()
        .ok_or_else(|| Error::Argument("missing activation".into()))
}

/// One step; `states` is `[h]` (GRU) or `[h, c]` (LSTM).
fn step(op: &Op, w: &Weights, xw: &Tensor, states: &[Tensor]) -> Result<Vec<Tensor>> {
    let size = op.hidden;
    let h = states
        .first()
        .ok_or_else(|| Error::Argument("missing state".into()))?;
    match op.cell {
        Cell::Gru {
            blocks: [zi, ri, ni],
            reset_after,
        } => {
            let (f, g) = (act(op, 0)?, act(op, 1)?);
            let hr = project(h, &w.r, w.rb.as_ref())?;
            let z = f.apply(&block(xw, zi, size)?.f_add(&block(&hr, zi, size)?)?)?;
            let r = f.apply(&block(xw, ri, size)?.f_add(&block(&hr, ri, size)?)?)?;
            let n = if reset_after {
                g.apply(&block(xw, ni, size)?.f_add(&r.f_mul(&block(&hr, ni, size)?)?)?)?
            } else {
                let r_n = w.r.f_narrow(0, ni * size, size)?;
                let rb_n = w.rb.as_ref().map(|b| block(b, ni, size)).transpose()?;
                g.apply(&block(xw, ni, size)?.f_add(&project(
                    &r.f_mul(h)?,
                    &r_n,
                    rb_n.as_ref(),
                )?)?)?
            };
            // h' = z ⊙ h + (1 − z) ⊙ n
            let one_minus_z = z.f_neg()?.f_add_scalar(1.0)?;
            Ok(vec![z.f_mul(h)?.f_add(&one_minus_z.f_mul(&n)?)?])
        }
        Cell::Lstm {
            blocks: [ii, oi, fi, gi],
        } => {
            let (f, g, hact) = (act(op, 0)?, act(op, 1)?, act(op, 2)?);
            let cell = states
                .get(1)
                .ok_or_else(|| Error::Argument("missing cell".into()))?;
            let gates = project(h, &w.r, w.rb.as_ref())?.f_add(xw)?;
            // The spec applies every peephole (the output gate's too) to the cell state
            // from before the step; the WPT vectors agree.
            let gate = |index: i64, peep: Option<i64>| -> Result<Tensor> {
                let pre = block(&gates, index, size)?;
                match (&w.peephole, peep) {
                    (Some(p), Some(k)) => Ok(pre.f_add(&block(p, k, size)?.f_mul(cell)?)?),
                    _ => Ok(pre),
                }
            };
            let i = f.apply(&gate(ii, Some(0))?)?;
            let o = f.apply(&gate(oi, Some(1))?)?;
            let forget = f.apply(&gate(fi, Some(2))?)?;
            let new_cell = forget
                .f_mul(cell)?
                .f_add(&i.f_mul(&g.apply(&gate(gi, None)?)?)?)?;
            Ok(vec![o.f_mul(&hact.apply(&new_cell)?)?, new_cell])
        }
    }
}

fn opt(args: &Args<'_>, i: usize, dtype: DataType) -> Result<Option<Tensor>> {
    args.opt(i)?.map(|t| widen(t, dtype)).transpose()
}

fn select(t: &Option<Tensor>, d: i64) -> Result<Option<Tensor>> {
    Ok(t.as_ref().map(|t| t.f_select(0, d)).transpose()?)
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let dtype = op.dtype;
    let x = widen(args.get(0)?, dtype)?;
    let w = widen(args.get(1)?, dtype)?;
    let r = widen(args.get(2)?, dtype)?;
    let lstm = matches!(op.cell, Cell::Lstm { .. });
    let Some(directions) = &op.directions else {
        // Single step: x, w, r, h, [c], b?, rb?, [p?]
        let first_opt = if lstm { 5 } else { 4 };
        let mut states = vec![widen(args.get(3)?, dtype)?];
        if lstm {
            states.push(widen(args.get(4)?, dtype)?);
        }
        let b = opt(args, first_opt, dtype)?;
        let weights = Weights {
            r,
            rb: opt(args, first_opt + 1, dtype)?,
            peephole: if lstm {
                opt(args, first_opt + 2, dtype)?
            } else {
                None
            },
        };
        let xw = project(&x, &w, b.as_ref())?;
        return step(op, &weights, &xw, &states)?
            .into_iter()
            .map(|t| narrow(t, dtype))
            .collect();
    };
    // Sequence: x, w, r, b?, rb?, [p?], h0?, [c0?]
    let b = opt(args, 3, dtype)?;
    let rb = opt(args, 4, dtype)?;
    let (p, initial) = if lstm {
        (
            opt(args, 5, dtype)?,
            vec![opt(args, 6, dtype)?, opt(args, 7, dtype)?],
        )
    } else {
        (None, vec![opt(args, 5, dtype)?])
    };
    let size = x.size();
    let (steps, batch) = match size.as_slice() {
        [s, b, _] => (*s, *b),
        _ => return Err(Error::Argument("recurrent input must be 3-D".into())),
    };
    let zeros = Tensor::f_zeros([batch, op.hidden], (x.f_kind()?, x.device()))?;
    let mut finals: Vec<Vec<Tensor>> = Vec::new();
    let mut sequences = Vec::new();
    for (d, &backward) in directions.iter().enumerate() {
        let d = super::to_i64(d)?;
        let weights = Weights {
            r: r.f_select(0, d)?,
            rb: select(&rb, d)?,
            peephole: select(&p, d)?,
        };
        let xw = project(&x, &w.f_select(0, d)?, select(&b, d)?.as_ref())?;
        let mut states = initial
            .iter()
            .map(|s| match s {
                Some(s) => Ok(s.f_select(0, d)?),
                None => Ok(zeros.shallow_clone()),
            })
            .collect::<Result<Vec<Tensor>>>()?;
        let mut seq: Vec<Option<Tensor>> = (0..steps).map(|_| None).collect();
        let order: Vec<i64> = if backward {
            (0..steps).rev().collect()
        } else {
            (0..steps).collect()
        };
        for t in order {
            states = step(op, &weights, &xw.f_select(0, t)?, &states)?;
            if let (Some(slot), Some(h)) = (
                usize::try_from(t).ok().and_then(|t| seq.get_mut(t)),
                states.first(),
            ) {
                *slot = Some(h.shallow_clone());
            }
        }
        finals.push(states);
        let seq = seq
            .into_iter()
            .map(|s| s.unwrap_or_else(|| zeros.shallow_clone()))
            .collect::<Vec<_>>();
        sequences.push(Tensor::f_stack(&seq, 0)?);
    }
    let mut outs = Vec::new();
    for k in 0..initial.len() {
        let per_dir = finals
            .iter()
            .map(|f| f.get(k).map(Tensor::shallow_clone))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::Argument("missing final state".into()))?;
        outs.push(narrow(Tensor::f_stack(&per_dir, 0)?, dtype)?);
    }
    if op.return_sequence {
        outs.push(narrow(Tensor::f_stack(&sequences, 1)?, dtype)?);
    }
    Ok(outs)
}
