//! Kernels, one module per op family.
//!
//! Each family module exports:
//! * `Op`: its ops with resolved attributes (built once at compile time);
//! * `parse(ctx) -> Option<Result<Op>>`: `None` when the op name is not of this family;
//! * `run(op, args) -> Result<Vec<Tensor>>`: the kernel;
//! * `SUPPORTED`: op name -> the data types its kernel handles (reported to Python,
//!   which narrows `op_support_limits()` with it).
//!
//! Kernel rules: never modify an argument tensor in place (arguments may be constants
//! shared between threads or MLTensor contents); in-place ops are allowed only on tensors
//! the kernel allocated itself. Results must have the storage kind of the IR output's
//! data type (`DataType::storage_kind`) and exactly its shape; the executor checks both.

use tch::{Kind, Scalar, Tensor};

use crate::dtype::DataType;
use crate::error::{Error, Result};
use crate::plan::{Number, Op};

pub mod activation;
pub mod conv;
pub mod elementwise;
pub mod gather;
pub mod matmul;
pub mod normalization;
pub mod pool;
pub mod quant;
pub mod reduce;
pub mod resample;
pub mod rnn;
pub mod shape;

/// A kernel's view of a node's inputs.
pub enum Arg<'a> {
    Absent,
    One(&'a Tensor),
    Many(Vec<&'a Tensor>),
}

pub struct Args<'a>(pub Vec<Arg<'a>>);

impl<'a> Args<'a> {
    pub fn get(&self, i: usize) -> Result<&'a Tensor> {
        match self.0.get(i) {
            Some(Arg::One(t)) => Ok(t),
            _ => Err(Error::Argument(format!("kernel input {i} is missing"))),
        }
    }

    pub fn opt(&self, i: usize) -> Result<Option<&'a Tensor>> {
        match self.0.get(i) {
            Some(Arg::Absent) => Ok(None),
            _ => self.get(i).map(Some),
        }
    }

    pub fn list(&self, i: usize) -> Result<&[&'a Tensor]> {
        match self.0.get(i) {
            Some(Arg::Many(v)) => Ok(v),
            _ => Err(Error::Argument(format!("kernel input {i} is not a list"))),
        }
    }
}

/// Runs one op.
pub fn run(op: &Op, args: &Args<'_>) -> Result<Vec<Tensor>> {
    match op {
        Op::Elementwise(op) => elementwise::run(op, args),
        Op::Activation(op) => activation::run(op, args),
        Op::Shape(op) => shape::run(op, args),
        Op::Reduce(op) => reduce::run(op, args),
        Op::Matmul(op) => matmul::run(op, args),
        Op::Conv(op) => conv::run(op, args),
        Op::Pool(op) => pool::run(op, args),
        Op::Normalization(op) => normalization::run(op, args),
        Op::Gather(op) => gather::run(op, args),
        Op::Quant(op) => quant::run(op, args),
        Op::Resample(op) => resample::run(op, args),
        Op::Rnn(op) => rnn::run(op, args),
    }
}

/// Every implemented op with the data types its kernel handles.
pub fn supported() -> Vec<(&'static str, &'static [DataType])> {
    let mut all = Vec::new();
    for table in [
        elementwise::SUPPORTED,
        activation::SUPPORTED,
        shape::SUPPORTED,
        reduce::SUPPORTED,
        matmul::SUPPORTED,
        conv::SUPPORTED,
        pool::SUPPORTED,
        normalization::SUPPORTED,
        gather::SUPPORTED,
        quant::SUPPORTED,
        resample::SUPPORTED,
        rnn::SUPPORTED,
    ] {
        all.extend_from_slice(table);
    }
    all
}

/// Whether some family's `SUPPORTED` table lists `dtype` for `op`.
pub fn op_supports(op: &str, dtype: DataType) -> bool {
    supported()
        .iter()
        .any(|(name, types)| *name == op && types.contains(&dtype))
}

/// Whether a family's `SUPPORTED` table lists `op`: how each family's `parse` decides
/// that a node is its own.
pub fn lists(table: &[(&str, &[DataType])], op: &str) -> bool {
    table.iter().any(|(name, _)| *name == op)
}

/// Rejects, at parse time, a data type the kernel's `SUPPORTED` entry leaves out.
pub fn check_supported(table: &[(&str, &[DataType])], op: &str, dtype: DataType) -> Result<()> {
    match table.iter().find(|(name, _)| *name == op) {
        Some((_, types)) if types.contains(&dtype) => Ok(()),
        _ => Err(Error::Unsupported {
            op: op.to_string(),
            detail: format!("data type {} is not implemented", dtype.name()),
        }),
    }
}

pub const ALL: &[DataType] = &DataType::ALL;
/// The spec's types plus int4/uint4 (only quantize_linear/dequantize_linear list these).
pub const ALL_WITH_4BIT: &[DataType] = &DataType::ALL_WITH_4BIT;
pub const FLOATS: &[DataType] = &DataType::FLOATS;

// -- shared type emulation ----------------------------------------------------------------

/// The tensor in its work kind (float16 -> float32; everything else unchanged).
pub fn widen(t: &Tensor, dtype: DataType) -> Result<Tensor> {
    if dtype == DataType::Float16 {
        Ok(t.f_to_kind(Kind::Float)?)
    } else {
        Ok(t.shallow_clone())
    }
}

/// From a work-kind result back to the storage of `dtype`: floats round once, uint32
/// wraps to 32 bits, other integers are converted (wrapping) when the kind differs.
pub fn narrow(t: Tensor, dtype: DataType) -> Result<Tensor> {
    let t = if t.f_kind()? == Kind::Bool && !dtype.is_float() {
        t.f_to_kind(Kind::Int64)?
    } else {
        t
    };
    let kind = dtype.storage_kind();
    let t = if t.f_kind()? == kind {
        t
    } else {
        t.f_to_kind(kind)?
    };
    if dtype == DataType::Uint32 {
        Ok(t.f_bitwise_and(0xFFFF_FFFF_i64)?)
    } else {
        Ok(t)
    }
}

/// An int64 tensor whose signed order equals the unsigned order of the uint64 bit
/// patterns it holds (flips the sign bit; its own inverse).
pub fn unsigned_key(t: &Tensor) -> Result<Tensor> {
    Ok(t.f_bitwise_xor(i64::MIN)?)
}

/// A uint64 value as the int64 bit pattern this backend stores.
pub fn u64_bits(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

/// A scalar value that can live in a plan (tch's `Scalar` is not `Send`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
}

impl Value {
    pub fn scalar(self) -> Scalar {
        match self {
            Value::Int(i) => Scalar::int(i),
            Value::Float(f) => Scalar::float(f),
        }
    }

    /// An MLNumber attribute (already cast to `dtype` by the core) in the storage
    /// representation of `dtype`: floats as f64, uint64 as its bit pattern.
    pub fn from_number(n: Number, dtype: DataType) -> Result<Value> {
        match (n, dtype.is_float()) {
            (Number::Float(f), true) => Ok(Value::Float(f)),
            // An integral value for a float operand: exact in f64 up to 2^53, which is all
            // a float16/float32 can hold exactly anyway.
            (Number::Int(i), true) => Ok(Value::Float(int_to_f64(i))),
            (Number::Int(i), false) => {
                let v = if dtype == DataType::Uint64 {
                    u64::try_from(i).map(u64_bits).ok()
                } else {
                    i64::try_from(i).ok()
                };
                v.filter(|v| {
                    dtype
                        .int_range()
                        .is_none_or(|(lo, hi)| (lo..=hi).contains(v))
                })
                .map(Value::Int)
                .ok_or_else(|| Error::Graph(format!("value {i} does not fit {}", dtype.name())))
            }
            (Number::Float(f), false) => Err(Error::Graph(format!(
                "value {f} given for an operand of type {}",
                dtype.name()
            ))),
        }
    }
}

/// An integer as f64 with round-to-nearest (only used for float operands).
fn int_to_f64(i: i128) -> f64 {
    // Decimal formatting is exact; parsing rounds to nearest, no `as` needed.
    i.to_string().parse::<f64>().unwrap_or(f64::NAN)
}

/// Converts a usize (a shape or index from the plan) to i64 for libtorch.
pub fn to_i64(v: usize) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::Argument(format!("{v} does not fit int64")))
}

/// Converts a list of usizes to i64s.
pub fn to_i64s(v: &[usize]) -> Result<Vec<i64>> {
    v.iter().map(|&x| to_i64(x)).collect()
}

/// Checks a list of axes against a rank and converts them to usize.
pub fn axes_in(op: &str, key: &str, axes: &[i64], rank: usize) -> Result<Vec<usize>> {
    axes.iter()
        .map(|&a| {
            usize::try_from(a)
                .ok()
                .filter(|&a| a < rank)
                .ok_or_else(|| {
                    Error::Graph(format!("{op}: {key} {a} out of range for rank {rank}"))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use tch::{Device, Tensor};

    use crate::error::Error;
    use crate::exec::Program;
    use crate::plan::tests::{doc, doc_absent};

    fn f32s(t: &Tensor) -> Vec<f32> {
        let t = t.to_kind(tch::Kind::Float).contiguous();
        let n = t.numel();
        let mut v = vec![0_f32; n];
        t.f_copy_data(&mut v, n).unwrap();
        v
    }

    fn run1(
        op: &str,
        attrs: &str,
        ins: &[(&str, &[u64])],
        out: (&str, &[u64]),
        data: Vec<Tensor>,
    ) -> Vec<f32> {
        // conv2d's bias is the one optional input these tests leave out.
        let absent = usize::from(op == "conv2d");
        let text = doc_absent(op, attrs, ins, out, absent);
        let p = Program::compile(&text, &[], Device::Cpu).unwrap();
        f32s(&p.run(data).unwrap()[0])
    }

    fn arange(n: i64, shape: &[i64]) -> Tensor {
        Tensor::f_arange(n, (tch::Kind::Float, Device::Cpu))
            .unwrap()
            .reshape(shape)
    }

    #[test]
    fn lowers_one_op_of_each_family() {
        let x = || arange(6, &[2, 3]);
        assert_eq!(
            run1(
                "reduce_sum",
                r#"{"axes":[1],"keep_dimensions":false}"#,
                &[("float32", &[2, 3])],
                ("float32", &[2]),
                vec![x()]
            ),
            vec![3.0, 12.0]
        );
        assert_eq!(
            run1(
                "pad",
                r#"{"beginning_padding":[0,1],"ending_padding":[0,0],"mode":"constant","value":"-Infinity"}"#,
                &[("float32", &[2, 3])],
                ("float32", &[2, 4]),
                vec![x()]
            ),
            vec![
                f32::NEG_INFINITY,
                0.0,
                1.0,
                2.0,
                f32::NEG_INFINITY,
                3.0,
                4.0,
                5.0
            ]
        );
        assert_eq!(
            run1(
                "clamp",
                r#"{"min_value":1.0,"max_value":"Infinity"}"#,
                &[("float32", &[2, 3])],
                ("float32", &[2, 3]),
                vec![x()]
            ),
            vec![1.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        );
        assert_eq!(
            run1(
                "transpose",
                r#"{"permutation":[1,0]}"#,
                &[("float32", &[2, 3])],
                ("float32", &[3, 2]),
                vec![x()]
            ),
            vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        );
        let idx = Tensor::f_from_slice(&[-1_i32, 0, 7]).unwrap();
        assert_eq!(
            run1(
                "gather",
                r#"{"axis":1}"#,
                &[("float32", &[2, 3]), ("int32", &[3])],
                ("float32", &[2, 3]),
                vec![x(), idx]
            ),
            vec![2.0, 0.0, 2.0, 5.0, 3.0, 5.0]
        );
        let out = run1(
            "conv2d",
            r#"{"padding":[0,0,0,0],"strides":[1,1],"dilations":[1,1],"groups":1,"input_layout":"nchw","filter_layout":"oihw"}"#,
            &[("float32", &[1, 1, 2, 3]), ("float32", &[1, 1, 1, 2])],
            ("float32", &[1, 1, 2, 2]),
            vec![
                arange(6, &[1, 1, 2, 3]),
                Tensor::f_from_slice(&[1_f32, 10.0])
                    .unwrap()
                    .reshape([1, 1, 1, 2]),
            ],
        );
        assert_eq!(out, vec![10.0, 21.0, 43.0, 54.0]);
        assert_eq!(
            run1(
                "cast",
                r#"{"data_type":"int8"}"#,
                &[("float32", &[2, 3])],
                ("int8", &[2, 3]),
                vec![x().f_mul_scalar(60.0).unwrap()]
            ),
            vec![0.0, 60.0, 120.0, 127.0, 127.0, 127.0]
        );
    }

    #[test]
    fn bad_attributes_fail_at_compile_time() {
        for (op, attrs) in [
            ("softmax", r#"{"axis":2}"#),
            ("softmax", r#"{}"#),
            ("reduce_sum", r#"{"axes":[0,5],"keep_dimensions":false}"#),
            (
                "pad",
                r#"{"beginning_padding":[0],"ending_padding":[0,0],"mode":"constant","value":0}"#,
            ),
            (
                "pad",
                r#"{"beginning_padding":[0,0],"ending_padding":[0,0],"mode":"wrap","value":0}"#,
            ),
            ("cast", r#"{"data_type":"bool"}"#),
            ("transpose", r#"{"permutation":[0,0]}"#),
            ("clamp", r#"{"min_value":"low","max_value":1}"#),
        ] {
            let text = doc(op, attrs, &[("float32", &[2, 3])], ("float32", &[2, 3]));
            match Program::compile(&text, &[], Device::Cpu) {
                Err(Error::Node {
                    index: 0, source, ..
                }) => {
                    assert!(matches!(*source, Error::Graph(_)), "{op} {attrs}: {source}")
                }
                Err(e) => panic!("{op} {attrs}: unexpected {e}"),
                Ok(_) => panic!("{op} {attrs} should not compile"),
            }
        }
    }

    #[test]
    fn every_supported_op_has_a_parser() {
        for (op, types) in super::supported() {
            assert!(!types.is_empty(), "{op}");
            // A document with the op but no inputs must be rejected by its own family
            // (a Graph error), not reported as an unknown op.
            let text = doc(op, "{}", &[], ("float32", &[1]));
            match Program::compile(&text, &[], Device::Cpu) {
                Err(Error::Node { source, .. }) => {
                    assert!(
                        !matches!(*source, Error::Unsupported { .. }),
                        "{op}: {source}"
                    )
                }
                other => panic!("{op}: {:?}", other.err()),
            }
        }
    }
}
