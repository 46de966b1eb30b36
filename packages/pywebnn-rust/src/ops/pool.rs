//! average_pool2d, l2_pool2d, max_pool2d.
//!
//! One windowing scheme serves all three: the input is padded (or cropped) so that the
//! output's windows fit exactly, viewed as `[N, C, outH, outW, kH, kW]` windows with
//! `unfold` (dilation is a strided slice of each window) and reduced. Padded cells never
//! count: max pads with the type's minimum, average divides by the number of real cells
//! of each window, l2 pads with zeros.

use tch::{Kind, Tensor};

use super::conv::{fixed, from_nchw, is_nhwc, to_nchw};
use super::{narrow, unsigned_key, widen, Args, Value, ALL, FLOATS};
use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::NodeCtx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    Average,
    L2,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Op {
    pub pooling: Pooling,
    pub dtype: DataType,
    pub nhwc: bool,
    pub window: [i64; 2],
    /// The dilated window size per axis: (k - 1)·d + 1.
    pub extents: [i64; 2],
    pub strides: [i64; 2],
    pub dilations: [i64; 2],
    /// (begin, end) padding per spatial axis so that the windows fit exactly; a negative
    /// end crops cells no window reaches.
    pub pads: [(i64, i64); 2],
    /// The input's spatial size (in nchw order).
    pub size: [i64; 2],
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("average_pool2d", FLOATS),
    ("l2_pool2d", FLOATS),
    ("max_pool2d", ALL),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    let pooling = match ctx.op {
        "average_pool2d" => Pooling::Average,
        "l2_pool2d" => Pooling::L2,
        "max_pool2d" => Pooling::Max,
        _ => return None,
    };
    Some((|| {
        ctx.expect(1, 1)?;
        let input = ctx.input(0)?;
        super::check_supported(SUPPORTED, ctx.op, input.dtype)?;
        let nhwc = is_nhwc(ctx, "layout")?;
        let window: [i64; 2] = fixed(ctx, "window_dimensions")?;
        let strides: [i64; 2] = fixed(ctx, "strides")?;
        let dilations: [i64; 2] = fixed(ctx, "dilations")?;
        let out: [i64; 2] = fixed(ctx, "output_sizes")?;
        let padding: [i64; 4] = fixed(ctx, "padding")?;
        let (h, w) = match (nhwc, input.shape.as_slice()) {
            (false, [_, _, h, w]) | (true, [_, h, w, _]) => (*h, *w),
            _ => return Err(Error::Graph(format!("{}: input must be 4-D", ctx.op))),
        };
        let extent =
            |size: i64, out: i64, k: i64, s: i64, d: i64, begin: i64| -> Result<(i64, i64)> {
                // needed = (out - 1)·s + (k - 1)·d + 1, checked.
                let needed = out
                    .checked_sub(1)
                    .and_then(|o| o.checked_mul(s))
                    .and_then(|o| k.checked_sub(1)?.checked_mul(d)?.checked_add(o))
                    .and_then(|o| o.checked_add(1))
                    .and_then(|n| n.checked_sub(size)?.checked_sub(begin))
                    .ok_or_else(|| {
                        Error::Graph(format!("{}: window geometry overflows", ctx.op))
                    })?;
                Ok((begin, needed))
            };
        let pads = [
            extent(h, out[0], window[0], strides[0], dilations[0], padding[0])?,
            extent(w, out[1], window[1], strides[1], dilations[1], padding[2])?,
        ];
        let extent_of = |k: i64, d: i64| {
            k.checked_sub(1)
                .and_then(|k| k.checked_mul(d))
                .and_then(|e| e.checked_add(1))
                .ok_or_else(|| Error::Graph(format!("{}: window too large", ctx.op)))
        };
        let extents = [
            extent_of(window[0], dilations[0])?,
            extent_of(window[1], dilations[1])?,
        ];
        Ok(Op {
            pooling,
            dtype: input.dtype,
            nhwc,
            window,
            extents,
            strides,
            dilations,
            pads,
            size: [h, w],
        })
    })())
}

/// Pads (or crops, for negative ends) the last two axes with `fill`. Built by hand
/// because libtorch's pad takes a float fill, which cannot hold every int64.
fn pad2(x: &Tensor, pads: [(i64, i64); 2], fill: Value) -> Result<Tensor> {
    let size = x.size();
    let [.., h, w] = size.as_slice() else {
        return Err(Error::Argument("pool input must be 4-D".into()));
    };
    let [(hb, he), (wb, we)] = pads;
    let mut shape = size.clone();
    let total = |b: i64, n: i64, e: i64| {
        b.checked_add(n)
            .and_then(|t| t.checked_add(e))
            .ok_or_else(|| Error::Argument("pool padding overflows".into()))
    };
    let (rank, oh, ow) = (size.len(), total(hb, *h, he)?, total(wb, *w, we)?);
    if let (Some(sh), Some(sw)) = (rank.checked_sub(2), rank.checked_sub(1)) {
        shape[sh] = oh;
        shape[sw] = ow;
    }
    let out = Tensor::f_full(shape.as_slice(), fill.scalar(), (x.f_kind()?, x.device()))?;
    // A negative end crops: keep min(n, n + end) cells.
    let (kh, kw) = (
        (*h).min(h.saturating_add(he)),
        (*w).min(w.saturating_add(we)),
    );
    let src = x.f_narrow(-2, 0, kh)?.f_narrow(-1, 0, kw)?;
    // An in-place write into the tensor this function just allocated.
    out.f_narrow(-2, hb, kh)?
        .f_narrow(-1, wb, kw)?
        .f_copy_(&src)?;
    Ok(out)
}

fn windows(x: &Tensor, op: &Op, fill: Value) -> Result<Tensor> {
    let xp = pad2(x, op.pads, fill)?;
    let [sh, sw] = op.strides;
    let [dh, dw] = op.dilations;
    let [eh, ew] = op.extents;
    Ok(xp
        .f_unfold(2, eh, sh)?
        .f_unfold(3, ew, sw)?
        .f_slice(-2, 0, None::<i64>, dh)?
        .f_slice(-1, 0, None::<i64>, dw)?)
}

/// Real (unpadded) cells per window, `[outH, outW]` (the mask is separable).
fn counts(op: &Op, kind: Kind, device: tch::Device) -> Result<Tensor> {
    let mut per_axis = Vec::with_capacity(2);
    for axis in 0..2 {
        let (b, e) = op.pads[axis];
        let ones = Tensor::f_ones([1, 1, 1, op.size[axis]], (kind, device))?;
        let mask = pad2(&ones, [(0, 0), (b, e)], Value::Float(0.0))?.f_reshape([-1])?;
        let d = op.dilations[axis];
        let per = mask
            .f_unfold(0, op.extents[axis], op.strides[axis])?
            .f_slice(-1, 0, None::<i64>, d)?
            .f_sum_dim_intlist([-1_i64].as_slice(), false, kind)?;
        per_axis.push(per);
    }
    match per_axis.as_slice() {
        [h, w] => Ok(h.f_unsqueeze(1)?.f_mul(&w.f_unsqueeze(0)?)?),
        _ => Err(Error::Argument("pool counts".into())),
    }
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let x = to_nchw(widen(args.get(0)?, op.dtype)?, op.nhwc)?;
    let last2: &[i64] = &[-2, -1];
    let y = match op.pooling {
        Pooling::Average => {
            let sums =
                windows(&x, op, Value::Float(0.0))?.f_sum_dim_intlist(last2, false, x.f_kind()?)?;
            sums.f_div(&counts(op, x.f_kind()?, x.device())?)?
        }
        Pooling::L2 => {
            let win = windows(&x, op, Value::Float(0.0))?;
            win.f_mul(&win)?
                .f_sum_dim_intlist(last2, false, x.f_kind()?)?
                .f_sqrt()?
        }
        Pooling::Max => {
            // uint64 compares in unsigned order through the sign-flipped bit pattern.
            let unsigned64 = op.dtype == DataType::Uint64;
            let x = if unsigned64 { unsigned_key(&x)? } else { x };
            let fill = match x.f_kind()? {
                Kind::Float | Kind::Half => Value::Float(f64::NEG_INFINITY),
                Kind::Int8 => Value::Int(i64::from(i8::MIN)),
                Kind::Uint8 => Value::Int(0),
                Kind::Int => Value::Int(i64::from(i32::MIN)),
                _ => Value::Int(i64::MIN),
            };
            let m = windows(&x, op, fill)?.f_amax(last2, false)?;
            if unsigned64 {
                unsigned_key(&m)?
            } else {
                m
            }
        }
    };
    Ok(vec![narrow(from_nchw(y, op.nhwc)?, op.dtype)?])
}
