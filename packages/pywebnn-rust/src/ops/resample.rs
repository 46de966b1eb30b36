//! resample2d: separable nearest-neighbour or linear resizing of two axes, with the
//! spec's half-pixel centres clamped to the input. The scale is the IR's `scales`
//! attribute (the user's factor, or output/input size when sizes were given).

use tch::{Kind, Tensor};

use super::{to_i64, Args, ALL};
use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::NodeCtx;

#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub dtype: DataType,
    pub linear: bool,
    /// (axis, input size, output size, scale) per resized axis
    pub axes: Vec<(i64, i64, i64, f64)>,
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[("resample2d", ALL)];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if ctx.op != "resample2d" {
        return None;
    }
    Some((|| {
        ctx.expect(1, 1)?;
        let input = ctx.input(0)?;
        let at = &ctx.attrs;
        let linear = at.choice("mode", &[("nearest-neighbor", false), ("linear", true)])?;
        let axes = super::axes_in(ctx.op, "axes", &at.ints("axes")?, input.rank())?;
        let sizes = at.sizes("sizes")?;
        let scales = at.floats("scales")?;
        if axes.len() != 2 || sizes.len() != 2 || scales.len() != 2 {
            return Err(Error::Graph(
                "resample2d: axes, sizes and scales need 2 entries".into(),
            ));
        }
        let mut list = Vec::new();
        for ((&a, &s), &f) in axes.iter().zip(&sizes).zip(&scales) {
            if !(f.is_finite() && f > 0.0) {
                return Err(Error::Graph(format!("resample2d: invalid scale {f}")));
            }
            list.push((to_i64(a)?, input.shape[a], to_i64(s)?, f));
        }
        Ok(Op {
            dtype: input.dtype,
            linear,
            axes: list,
        })
    })())
}

fn source_coords(n_in: i64, n_out: i64, scale: f64, device: tch::Device) -> Result<Tensor> {
    // float64 keeps ties (nearest mode) where the spec's real-number formula puts them.
    let o = Tensor::f_arange(n_out, (Kind::Double, device))?;
    Ok(o.f_add_scalar(0.5)?
        .f_div_scalar(scale)?
        .f_sub_scalar(0.5)?
        .f_clamp_min(0.0)?
        .f_clamp_max(n_in - 1)?)
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let x = args.get(0)?;
    let device = x.device();
    // Linear mode mixes values: everything but float32 is interpolated in float32.
    let mut y = if op.linear {
        x.f_to_kind(Kind::Float)?
    } else {
        x.shallow_clone()
    };
    for &(axis, n_in, n_out, scale) in &op.axes {
        let coords = source_coords(n_in, n_out, scale, device)?;
        if !op.linear {
            // ceil(c - 0.5): the nearest index, halves going to the lower one.
            let idx = coords.f_sub_scalar(0.5)?.f_ceil()?.f_to_kind(Kind::Int64)?;
            y = y.f_index_select(axis, &idx)?;
            continue;
        }
        let lo = coords.f_floor()?;
        let hi = coords.f_ceil()?;
        let rank = y.dim();
        let mut shape = vec![1_i64; rank];
        if let Some(s) = usize::try_from(axis).ok().and_then(|a| shape.get_mut(a)) {
            *s = n_out;
        }
        let t = coords
            .f_sub(&lo)?
            .f_to_kind(Kind::Float)?
            .f_reshape(shape.as_slice())?;
        let v0 = y.f_index_select(axis, &lo.f_to_kind(Kind::Int64)?)?;
        let v1 = y.f_index_select(axis, &hi.f_to_kind(Kind::Int64)?)?;
        y = v0
            .f_mul(&t.f_neg()?.f_add_scalar(1.0)?)?
            .f_add(&v1.f_mul(&t)?)?;
    }
    if !op.linear {
        return Ok(vec![y]);
    }
    let y = match op.dtype {
        DataType::Float32 => y,
        DataType::Float16 => y.f_to_kind(Kind::Half)?,
        other => {
            // The spec leaves integer rounding open: round half to even, then saturate.
            let y = y.f_round()?;
            let y = match other.int_range() {
                Some((lo, hi)) => y.f_clamp(
                    lo.to_string().parse::<f64>().unwrap_or(f64::MIN),
                    hi.to_string().parse::<f64>().unwrap_or(f64::MAX),
                )?,
                None => y.f_clamp_min(0.0)?,
            };
            y.f_to_kind(other.storage_kind())?
        }
    };
    Ok(vec![y])
}
