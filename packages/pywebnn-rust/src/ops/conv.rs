//! conv2d and conv_transpose2d. Every layout is permuted to libtorch's (nchw input, oihw
//! / iohw weights); float16 computes in float32 and rounds once.

use tch::Tensor;

use super::{narrow, widen, Args, FLOATS};
use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::NodeCtx;

/// A 2-D convolution's resolved attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv {
    pub dtype: DataType,
    pub nhwc: bool,
    /// Permutation of the filter into libtorch's weight layout.
    pub filter_perm: [i64; 4],
    /// begin_h, end_h, begin_w, end_w
    pub padding: [i64; 4],
    pub strides: [i64; 2],
    pub dilations: [i64; 2],
    pub groups: i64,
    /// conv_transpose2d only (zeros for conv2d).
    pub output_padding: [i64; 2],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Conv2d(Conv),
    ConvTranspose2d(Conv),
}

pub const SUPPORTED: &[(&str, &[DataType])] = &[("conv2d", FLOATS), ("conv_transpose2d", FLOATS)];

const TO_OIHW: &[(&str, [i64; 4])] = &[
    ("oihw", [0, 1, 2, 3]),
    ("hwio", [3, 2, 0, 1]),
    ("ohwi", [0, 3, 1, 2]),
    ("ihwo", [3, 0, 1, 2]),
];
const TO_IOHW: &[(&str, [i64; 4])] = &[
    ("iohw", [0, 1, 2, 3]),
    ("hwoi", [3, 2, 0, 1]),
    ("ohwi", [3, 0, 1, 2]),
];

/// `n` non-negative ints (a fixed-size attribute) as an array.
pub fn fixed<const N: usize>(ctx: &NodeCtx<'_>, key: &str) -> Result<[i64; N]> {
    let v = ctx.attrs.sizes(key)?;
    let v = super::to_i64s(&v)?;
    <[i64; N]>::try_from(v.as_slice()).map_err(|_| {
        Error::Graph(format!(
            "{}: {key} must have {N} entries, got {v:?}",
            ctx.op
        ))
    })
}

/// Whether a layout attribute says channels-last.
pub fn is_nhwc(ctx: &NodeCtx<'_>, key: &str) -> Result<bool> {
    ctx.attrs.choice(key, &[("nchw", false), ("nhwc", true)])
}

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    let transpose = match ctx.op {
        "conv2d" => false,
        "conv_transpose2d" => true,
        _ => return None,
    };
    Some((|| {
        ctx.expect(3, 1)?;
        let input = ctx.input(0)?;
        ctx.input(1)?;
        ctx.opt_input(2)?;
        super::check_supported(SUPPORTED, ctx.op, input.dtype)?;
        let table = if transpose { TO_IOHW } else { TO_OIHW };
        let conv = Conv {
            dtype: input.dtype,
            nhwc: is_nhwc(ctx, "input_layout")?,
            filter_perm: ctx.attrs.choice("filter_layout", table)?,
            padding: fixed(ctx, "padding")?,
            strides: fixed(ctx, "strides")?,
            dilations: fixed(ctx, "dilations")?,
            groups: ctx.attrs.int("groups")?,
            output_padding: if transpose {
                fixed(ctx, "output_padding")?
            } else {
                [0, 0]
            },
        };
        Ok(if transpose {
            Op::ConvTranspose2d(conv)
        } else {
            Op::Conv2d(conv)
        })
    })())
}

pub fn to_nchw(x: Tensor, nhwc: bool) -> Result<Tensor> {
    if nhwc {
        Ok(x.f_permute([0, 3, 1, 2])?)
    } else {
        Ok(x)
    }
}

pub fn from_nchw(y: Tensor, nhwc: bool) -> Result<Tensor> {
    if nhwc {
        Ok(y.f_permute([0, 2, 3, 1])?)
    } else {
        Ok(y)
    }
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let (c, transpose) = match op {
        Op::Conv2d(c) => (c, false),
        Op::ConvTranspose2d(c) => (c, true),
    };
    let x = to_nchw(widen(args.get(0)?, c.dtype)?, c.nhwc)?;
    let w = widen(args.get(1)?, c.dtype)?.f_permute(c.filter_perm)?;
    let bias = args.opt(2)?.map(|b| widen(b, c.dtype)).transpose()?;
    let [hb, he, wb, we] = c.padding;
    let y = if transpose {
        // The unpadded result has size (in - 1)·s + (k - 1)·d + 1. Padding crops it;
        // output padding extends the far end with cells no input reaches (beyond what
        // libtorch's output_padding allows), so the bias is added last.
        let y = x.f_conv_transpose2d(
            &w,
            None::<Tensor>,
            c.strides,
            [0, 0],
            [0, 0],
            c.groups,
            c.dilations,
        )?;
        let [oph, opw] = c.output_padding;
        let y = y.f_constant_pad_nd([-wb, opw - we, -hb, oph - he])?;
        match bias {
            Some(b) => y.f_add(&b.f_reshape([1, -1, 1, 1])?)?,
            None => y,
        }
    } else if hb != he || wb != we {
        // libtorch only pads symmetrically: pad explicitly in the asymmetric case.
        let x = x.f_constant_pad_nd([wb, we, hb, he])?;
        x.f_conv2d(&w, bias.as_ref(), c.strides, [0, 0], c.dilations, c.groups)?
    } else {
        x.f_conv2d(
            &w,
            bias.as_ref(),
            c.strides,
            [hb, wb],
            c.dilations,
            c.groups,
        )?
    };
    Ok(vec![narrow(from_nchw(y, c.nhwc)?, c.dtype)?])
}
