//! cast, quantize_linear, dequantize_linear.
//!
//! Conversions the spec leaves implementation-defined are pinned down as in the torch
//! backend: float -> integer truncates toward zero, then saturates (NaN -> 0); integer ->
//! integer keeps the low bits; quantize_linear saturates `roundEven(x / scale) + zp`.
//!
//! int4/uint4 (the PyWebNN extension) arrive and leave unpacked in int8/uint8 storage:
//! quantize_linear saturates to -8..7 / 0..15 when its output operand is int4/uint4
//! (`DataType::int_range`), dequantize_linear reads the stored bytes as the small
//! integers they hold.

use tch::{Kind, Tensor};

use super::{narrow, widen, Args, ALL, ALL_WITH_4BIT};
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

/// quantize_linear's zero point/output and dequantize_linear's input/zero point also
/// take int4/uint4; `parse` keeps the other operands (input, scale) to the spec's types.
pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("cast", ALL),
    ("quantize_linear", ALL_WITH_4BIT),
    ("dequantize_linear", ALL_WITH_4BIT),
];

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    if !super::lists(SUPPORTED, ctx.op) {
        return None;
    }
    Some((|| {
        if ctx.op == "cast" {
            ctx.expect(1, 1)?;
            let from = ctx.input(0)?.dtype;
            let to = ctx.attrs.data_type("data_type")?;
            if from.is_extension() || to.is_extension() || ctx.output(0)?.dtype != to {
                return Err(Error::Graph(format!(
                    "cast: cannot cast {} to {} (output {})",
                    from.name(),
                    to.name(),
                    ctx.output(0)?.dtype.name()
                )));
            }
            return Ok(Op::Cast { from, to });
        }
        ctx.expect(3, 1)?;
        let input = ctx.input(0)?;
        let scale = ctx.input(1)?;
        let zp = ctx.input(2)?;
        let out = ctx.output(0)?;
        let quantize = ctx.op == "quantize_linear";
        // The spec's types and same-type rules (the core checks them; a hand-made
        // document must not make a kernel misread int8 bytes as int4 or the reverse).
        let (float_in, int_in) = if quantize { (input, out) } else { (out, input) };
        if !float_in.dtype.is_float()
            || !scale.dtype.is_float()
            || int_in.dtype.is_float()
            || int_in.dtype != zp.dtype
            || (quantize && scale.dtype != input.dtype)
            || (!quantize && out.dtype != scale.dtype)
        {
            return Err(Error::Graph(format!(
                "{}: unexpected data types: input {}, scale {}, zero_point {}, output {}",
                ctx.op,
                input.dtype.name(),
                scale.dtype.name(),
                zp.dtype.name(),
                out.dtype.name()
            )));
        }
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
        Ok(if quantize {
            Op::Quantize {
                out: out.dtype,
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

#[cfg(test)]
mod tests {
    use tch::{Device, Kind, Tensor};

    use crate::error::Error;
    use crate::exec::Program;
    use crate::plan::tests::doc;

    fn i64s(t: &Tensor) -> Vec<i64> {
        let t = t.to_kind(Kind::Int64).contiguous();
        let n = t.numel();
        let mut v = vec![0_i64; n];
        t.f_copy_data(&mut v, n).unwrap();
        v
    }

    fn quantize(to: &str, x: &[f32], zp: Tensor) -> Tensor {
        let n = u64::try_from(x.len()).unwrap();
        let text = doc(
            "quantize_linear",
            "{}",
            &[("float32", &[n]), ("float32", &[1]), (to, &[1])],
            (to, &[n]),
        );
        let p = Program::compile(&text, &[], Device::Cpu).unwrap();
        let x = Tensor::f_from_slice(x).unwrap();
        let scale = Tensor::f_from_slice(&[1_f32]).unwrap();
        p.run(vec![x, scale, zp]).unwrap().remove(0)
    }

    #[test]
    fn quantize_to_4bit_rounds_half_to_even_and_saturates() {
        let x = [
            -9.0,
            -8.5,
            -7.5,
            -2.5,
            -0.5,
            0.5,
            1.5,
            6.5,
            7.5,
            100.0,
            f32::NAN,
        ];
        let q = quantize("int4", &x, Tensor::f_from_slice(&[0_i8]).unwrap());
        assert_eq!(q.kind(), Kind::Int8);
        assert_eq!(i64s(&q), vec![-8, -8, -8, -2, 0, 0, 2, 6, 7, 7, 0]);
        // x + 3, saturated to 0..15; NaN quantizes to 0 whatever the zero point.
        let q = quantize("uint4", &x, Tensor::f_from_slice(&[3_u8]).unwrap());
        assert_eq!(q.kind(), Kind::Uint8);
        assert_eq!(i64s(&q), vec![0, 0, 0, 1, 3, 3, 5, 9, 11, 15, 0]);
        // The same values to int8 saturate at int8's range instead.
        let q = quantize("int8", &x, Tensor::f_from_slice(&[0_i8]).unwrap());
        assert_eq!(i64s(&q), vec![-9, -8, -8, -2, 0, 0, 2, 6, 8, 100, 0]);
    }

    #[test]
    fn dequantize_from_4bit_reads_the_stored_values() {
        for (dt, x, zp, want) in [
            (
                "int4",
                Tensor::f_from_slice(&[-8_i8, -1, 0, 7]).unwrap(),
                Tensor::f_from_slice(&[-1_i8]).unwrap(),
                vec![-14.0_f32, 0.0, 2.0, 16.0],
            ),
            (
                "uint4",
                Tensor::f_from_slice(&[0_u8, 1, 8, 15]).unwrap(),
                Tensor::f_from_slice(&[8_u8]).unwrap(),
                vec![-16.0, -14.0, 0.0, 14.0],
            ),
        ] {
            let text = doc(
                "dequantize_linear",
                "{}",
                &[(dt, &[4]), ("float32", &[1]), (dt, &[1])],
                ("float32", &[4]),
            );
            let p = Program::compile(&text, &[], Device::Cpu).unwrap();
            let scale = Tensor::f_from_slice(&[2_f32]).unwrap();
            let y = p.run(vec![x, scale, zp]).unwrap().remove(0);
            let mut got = vec![0_f32; 4];
            y.f_copy_data(&mut got, 4).unwrap();
            assert_eq!(got, want, "{dt}");
        }
    }

    #[test]
    fn four_bit_types_only_where_allowed() {
        let compile = |op: &str, attrs: &str, ins: &[(&str, &[u64])], out: (&str, &[u64])| {
            Program::compile(&doc(op, attrs, ins, out), &[], Device::Cpu).err()
        };
        // Other ops never see int4/uint4.
        for (op, attrs, ins, out) in [
            (
                "relu",
                "{}",
                vec![("int4", &[2_u64][..])],
                ("int4", &[2_u64][..]),
            ),
            (
                "cast",
                r#"{"data_type":"int8"}"#,
                vec![("uint4", &[2][..])],
                ("int8", &[2][..]),
            ),
            (
                "cast",
                r#"{"data_type":"int4"}"#,
                vec![("float32", &[2][..])],
                ("int4", &[2][..]),
            ),
        ] {
            match compile(op, attrs, &ins, out) {
                Some(Error::Node { source, .. }) => assert!(
                    matches!(*source, Error::Unsupported { .. } | Error::Graph(_)),
                    "{op}: {source}"
                ),
                other => panic!("{op}: {other:?}"),
            }
        }
        // quantize/dequantize: int4 only on the zero point and the integer side, with the
        // zero point's type equal to it.
        for (op, ins, out) in [
            (
                "quantize_linear",
                vec![
                    ("int4", &[2_u64][..]),
                    ("float32", &[1][..]),
                    ("int4", &[1][..]),
                ],
                ("int4", &[2_u64][..]),
            ),
            (
                "quantize_linear",
                vec![
                    ("float32", &[2][..]),
                    ("float32", &[1][..]),
                    ("int4", &[1][..]),
                ],
                ("int8", &[2][..]),
            ),
            (
                "dequantize_linear",
                vec![
                    ("int4", &[2][..]),
                    ("float32", &[1][..]),
                    ("int8", &[1][..]),
                ],
                ("float32", &[2][..]),
            ),
            (
                "dequantize_linear",
                vec![
                    ("uint4", &[2][..]),
                    ("uint4", &[1][..]),
                    ("uint4", &[1][..]),
                ],
                ("uint4", &[2][..]),
            ),
        ] {
            assert!(
                compile(op, "{}", &ins, out).is_some(),
                "{op} {ins:?} -> {out:?}"
            );
        }
    }
}
