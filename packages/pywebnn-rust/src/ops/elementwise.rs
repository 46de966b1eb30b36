//! Element-wise binary, comparison, logical and unary ops, and `where`.
//!
//! Semantics follow the torch backend: integer division truncates toward zero and
//! division by zero gives 0; integer `pow` clamps negative exponents to 0; uint64 uses
//! unsigned order and an unsigned division on its int64 bit patterns.

use tch::{Kind, Tensor};

use super::{narrow, unsigned_key, widen, Args, ALL, FLOATS};
use crate::dtype::DataType;
use crate::error::Result;
use crate::plan::NodeCtx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
    Pow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Lesser,
    LesserOrEqual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logical {
    And,
    Or,
    Xor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unary {
    Abs,
    Neg,
    Sign,
    Ceil,
    Floor,
    RoundEven,
    Cos,
    Sin,
    Tan,
    Erf,
    Exp,
    Log,
    Reciprocal,
    Sqrt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predicate {
    IsNan,
    IsInfinite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Binary(Binary, DataType),
    Compare(Compare, DataType),
    Logical(Logical),
    Not,
    Predicate(Predicate, DataType),
    Unary(Unary, DataType),
    Identity,
    Where,
}

const BINARY: &[(&str, Binary)] = &[
    ("add", Binary::Add),
    ("sub", Binary::Sub),
    ("mul", Binary::Mul),
    ("div", Binary::Div),
    ("max", Binary::Max),
    ("min", Binary::Min),
    ("pow", Binary::Pow),
];

const COMPARE: &[(&str, Compare)] = &[
    ("equal", Compare::Equal),
    ("not_equal", Compare::NotEqual),
    ("greater", Compare::Greater),
    ("greater_or_equal", Compare::GreaterOrEqual),
    ("lesser", Compare::Lesser),
    ("lesser_or_equal", Compare::LesserOrEqual),
];

const LOGICAL: &[(&str, Logical)] = &[
    ("logical_and", Logical::And),
    ("logical_or", Logical::Or),
    ("logical_xor", Logical::Xor),
];

const UNARY: &[(&str, Unary)] = &[
    ("abs", Unary::Abs),
    ("neg", Unary::Neg),
    ("sign", Unary::Sign),
    ("ceil", Unary::Ceil),
    ("floor", Unary::Floor),
    ("round_even", Unary::RoundEven),
    ("cos", Unary::Cos),
    ("sin", Unary::Sin),
    ("tan", Unary::Tan),
    ("erf", Unary::Erf),
    ("exp", Unary::Exp),
    ("log", Unary::Log),
    ("reciprocal", Unary::Reciprocal),
    ("sqrt", Unary::Sqrt),
];

const SIGNED: &[DataType] = &[
    DataType::Float32,
    DataType::Float16,
    DataType::Int32,
    DataType::Int64,
    DataType::Int8,
];
const U8: &[DataType] = &[DataType::Uint8];

pub const SUPPORTED: &[(&str, &[DataType])] = &[
    ("add", ALL),
    ("sub", ALL),
    ("mul", ALL),
    ("div", ALL),
    ("max", ALL),
    ("min", ALL),
    ("pow", ALL),
    ("equal", ALL),
    ("not_equal", ALL),
    ("greater", ALL),
    ("greater_or_equal", ALL),
    ("lesser", ALL),
    ("lesser_or_equal", ALL),
    ("logical_not", U8),
    ("logical_and", U8),
    ("logical_or", U8),
    ("logical_xor", U8),
    ("is_nan", FLOATS),
    ("is_infinite", FLOATS),
    ("abs", SIGNED),
    ("neg", SIGNED),
    ("sign", SIGNED),
    ("ceil", FLOATS),
    ("floor", FLOATS),
    ("round_even", FLOATS),
    ("cos", FLOATS),
    ("sin", FLOATS),
    ("tan", FLOATS),
    ("erf", FLOATS),
    ("exp", FLOATS),
    ("log", FLOATS),
    ("reciprocal", FLOATS),
    ("sqrt", FLOATS),
    ("identity", ALL),
    ("where", ALL),
];

fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

pub fn parse(ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    let name = ctx.op;
    let parsed = if let Some(b) = lookup(BINARY, name) {
        binary_like(ctx, |dt| Op::Binary(b, dt))
    } else if let Some(c) = lookup(COMPARE, name) {
        binary_like(ctx, |dt| Op::Compare(c, dt))
    } else if let Some(l) = lookup(LOGICAL, name) {
        binary_like(ctx, |_| Op::Logical(l))
    } else if let Some(u) = lookup(UNARY, name) {
        unary_like(ctx, |dt| Op::Unary(u, dt))
    } else {
        match name {
            "logical_not" => unary_like(ctx, |_| Op::Not),
            "is_nan" => unary_like(ctx, |dt| Op::Predicate(Predicate::IsNan, dt)),
            "is_infinite" => unary_like(ctx, |dt| Op::Predicate(Predicate::IsInfinite, dt)),
            "identity" => unary_like(ctx, |_| Op::Identity),
            "where" => (|| {
                ctx.expect(3, 1)?;
                ctx.input(0)?;
                let t = ctx.input(1)?;
                ctx.input(2)?;
                super::check_supported(SUPPORTED, name, t.dtype)?;
                Ok(Op::Where)
            })(),
            _ => return None,
        }
    };
    Some(parsed)
}

fn binary_like(ctx: &NodeCtx<'_>, make: impl Fn(DataType) -> Op) -> Result<Op> {
    ctx.expect(2, 1)?;
    let a = ctx.input(0)?;
    ctx.input(1)?;
    super::check_supported(SUPPORTED, ctx.op, a.dtype)?;
    Ok(make(a.dtype))
}

fn unary_like(ctx: &NodeCtx<'_>, make: impl Fn(DataType) -> Op) -> Result<Op> {
    ctx.expect(1, 1)?;
    let a = ctx.input(0)?;
    super::check_supported(SUPPORTED, ctx.op, a.dtype)?;
    Ok(make(a.dtype))
}

pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    let out = match *op {
        Op::Binary(kind, dtype) => binary(kind, dtype, args.get(0)?, args.get(1)?)?,
        Op::Compare(kind, dtype) => compare(kind, dtype, args.get(0)?, args.get(1)?)?,
        Op::Logical(kind) => {
            let a = args.get(0)?.f_ne(0)?;
            let b = args.get(1)?.f_ne(0)?;
            let r = match kind {
                Logical::And => a.f_logical_and(&b)?,
                Logical::Or => a.f_logical_or(&b)?,
                Logical::Xor => a.f_logical_xor(&b)?,
            };
            r.f_to_kind(Kind::Uint8)?
        }
        Op::Not => args.get(0)?.f_eq(0)?.f_to_kind(Kind::Uint8)?,
        Op::Predicate(kind, dtype) => {
            let x = widen(args.get(0)?, dtype)?;
            let r = match kind {
                Predicate::IsNan => x.f_isnan()?,
                Predicate::IsInfinite => x.f_isinf()?,
            };
            r.f_to_kind(Kind::Uint8)?
        }
        Op::Unary(kind, dtype) => unary(kind, dtype, args.get(0)?)?,
        Op::Identity => args.get(0)?.shallow_clone(),
        Op::Where => {
            let cond = args.get(0)?.f_ne(0)?;
            args.get(1)?.f_where_self(&cond, args.get(2)?)?
        }
    };
    Ok(vec![out])
}

fn binary(kind: Binary, dtype: DataType, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let x = widen(a, dtype)?;
    let y = widen(b, dtype)?;
    let unsigned64 = dtype == DataType::Uint64;
    let r = match kind {
        Binary::Add => x.f_add(&y)?,
        Binary::Sub => x.f_sub(&y)?,
        Binary::Mul => x.f_mul(&y)?,
        Binary::Div if dtype.is_float() => x.f_div(&y)?,
        Binary::Div if unsigned64 => uint64_div(&x, &y)?,
        Binary::Div => int_div(&x, &y, !dtype.is_unsigned())?,
        Binary::Max if unsigned64 => {
            unsigned_key(&unsigned_key(&x)?.f_maximum(&unsigned_key(&y)?)?)?
        }
        Binary::Min if unsigned64 => {
            unsigned_key(&unsigned_key(&x)?.f_minimum(&unsigned_key(&y)?)?)?
        }
        Binary::Max => x.f_maximum(&y)?,
        Binary::Min => x.f_minimum(&y)?,
        Binary::Pow if dtype.is_float() => x.f_pow(&y)?,
        // libtorch rejects negative integer exponents; clamp them to 0 (x^0 = 1).
        Binary::Pow => x.f_pow(&y.f_clamp_min(0)?)?,
    };
    narrow(r, dtype)
}

/// Integer division truncating toward zero; `x / 0 = 0`. For signed types `x / -1` is
/// computed as `-x` (wrapping), because the hardware division traps on `MIN / -1`.
pub fn int_div(a: &Tensor, b: &Tensor, signed: bool) -> Result<Tensor> {
    let zero = b.f_eq(0)?;
    let minus_one = if signed { Some(b.f_eq(-1)?) } else { None };
    let special = match &minus_one {
        Some(m) => zero.f_logical_or(m)?,
        None => zero.shallow_clone(),
    };
    let safe = b.f_masked_fill(&special, 1)?;
    let mut q = a.f_div_tensor_mode(&safe, "trunc")?;
    if let Some(m) = &minus_one {
        q = a.f_neg()?.f_where_self(m, &q)?;
    }
    Ok(q.f_masked_fill(&zero, 0)?)
}

/// Unsigned 64-bit division on int64 bit patterns (libtorch has no uint64 division).
pub fn uint64_div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let zero = b.f_eq(0)?;
    let safe = b.f_masked_fill(&zero, 1)?;
    // A divisor >= 2^63 has its sign bit set: the quotient is 0 or 1.
    let top = safe.f_lt(0)?;
    let small = safe.f_masked_fill(&top, 1)?;
    // floor(a / 2) as an unsigned value (logical shift right), divided, doubled.
    let half = a
        .f_bitwise_right_shift_tensor_scalar(1)?
        .f_bitwise_and(i64::MAX)?;
    let q = half
        .f_div_tensor_mode(&small, "trunc")?
        .f_bitwise_left_shift_tensor_scalar(1)?;
    // The remainder a - q*b is below 2b; one correction step finishes the division.
    let r = a.f_sub(&q.f_mul(&safe)?)?;
    let fix = unsigned_key(&r)?.f_ge_tensor(&unsigned_key(&safe)?)?;
    let q = q.f_add(&fix.f_to_kind(Kind::Int64)?)?;
    let top_q = unsigned_key(a)?
        .f_ge_tensor(&unsigned_key(&safe)?)?
        .f_to_kind(Kind::Int64)?;
    let q = top_q.f_where_self(&top, &q)?;
    Ok(q.f_masked_fill(&zero, 0)?)
}

fn compare(kind: Compare, dtype: DataType, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (x, y) = if dtype == DataType::Uint64 {
        (unsigned_key(a)?, unsigned_key(b)?)
    } else {
        (widen(a, dtype)?, widen(b, dtype)?)
    };
    let r = match kind {
        Compare::Equal => x.f_eq_tensor(&y)?,
        Compare::NotEqual => x.f_ne_tensor(&y)?,
        Compare::Greater => x.f_gt_tensor(&y)?,
        Compare::GreaterOrEqual => x.f_ge_tensor(&y)?,
        Compare::Lesser => x.f_lt_tensor(&y)?,
        Compare::LesserOrEqual => x.f_le_tensor(&y)?,
    };
    Ok(r.f_to_kind(Kind::Uint8)?)
}

fn unary(kind: Unary, dtype: DataType, a: &Tensor) -> Result<Tensor> {
    let x = widen(a, dtype)?;
    let r = match kind {
        Unary::Abs => x.f_abs()?,
        Unary::Neg => x.f_neg()?,
        Unary::Sign => x.f_sign()?,
        Unary::Ceil => x.f_ceil()?,
        Unary::Floor => x.f_floor()?,
        // libtorch's round() rounds halves to even.
        Unary::RoundEven => x.f_round()?,
        Unary::Cos => x.f_cos()?,
        Unary::Sin => x.f_sin()?,
        Unary::Tan => x.f_tan()?,
        Unary::Erf => x.f_erf()?,
        Unary::Exp => x.f_exp()?,
        Unary::Log => x.f_log()?,
        Unary::Reciprocal => x.f_reciprocal()?,
        Unary::Sqrt => x.f_sqrt()?,
    };
    narrow(r, dtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i64s(t: &Tensor) -> Vec<i64> {
        let n = t.numel();
        let mut v = vec![0_i64; n];
        t.f_copy_data(&mut v, n).unwrap();
        v
    }

    #[test]
    fn int_div_truncates_and_guards() {
        let a = Tensor::f_from_slice(&[7_i64, -7, 5, i64::MIN, 3]).unwrap();
        let b = Tensor::f_from_slice(&[2_i64, 2, 0, -1, -2]).unwrap();
        let q = int_div(&a, &b, true).unwrap();
        assert_eq!(i64s(&q), vec![3, -3, 0, i64::MIN, -1]);
    }

    #[test]
    fn uint64_div_is_unsigned() {
        let big = super::super::u64_bits(u64::MAX);
        let a = Tensor::f_from_slice(&[big, big, 10, 10, big]).unwrap();
        let b = Tensor::f_from_slice(&[2_i64, big, 3, 0, super::super::u64_bits(1 << 63)]).unwrap();
        let q = uint64_div(&a, &b).unwrap();
        assert_eq!(i64s(&q), vec![i64::MAX, 1, 3, 0, 1]);
    }

    #[test]
    fn uint64_max_uses_unsigned_order() {
        let big = super::super::u64_bits(u64::MAX);
        let a = Tensor::f_from_slice(&[big, 1]).unwrap();
        let b = Tensor::f_from_slice(&[1_i64, 2]).unwrap();
        let r = binary(Binary::Max, DataType::Uint64, &a, &b).unwrap();
        assert_eq!(i64s(&r), vec![big, 2]);
        let c = compare(Compare::Greater, DataType::Uint64, &a, &b).unwrap();
        assert_eq!(i64s(&c.to_kind(Kind::Int64)), vec![1, 0]);
    }

    #[test]
    fn uint32_wraps() {
        let a = Tensor::f_from_slice(&[4_294_967_295_i64, 0]).unwrap();
        let b = Tensor::f_from_slice(&[1_i64, 1]).unwrap();
        assert_eq!(
            i64s(&binary(Binary::Add, DataType::Uint32, &a, &b).unwrap()),
            vec![0, 1]
        );
        assert_eq!(
            i64s(&binary(Binary::Sub, DataType::Uint32, &b, &a).unwrap()),
            vec![2, 1]
        );
    }
}
