//! What an op family's parser sees of one node: its input/output descriptors and its
//! attributes, with typed getters that name the op and attribute in every error.

use serde_json::{Map, Value};

use crate::dtype::DataType;
use crate::error::{graph_err, Error, Result};
use crate::plan::Desc;

/// What a family's `parse` sees of one node.
pub struct NodeCtx<'a> {
    pub op: &'a str,
    pub attrs: Attrs<'a>,
    pub(crate) inputs: Vec<Option<Vec<&'a Desc>>>,
    pub(crate) outputs: Vec<&'a Desc>,
}

impl<'a> NodeCtx<'a> {
    /// Checks the number of inputs (including absent optional ones) and outputs.
    pub fn expect(&self, inputs: usize, outputs: usize) -> Result<()> {
        if self.inputs.len() != inputs || self.outputs.len() != outputs {
            return graph_err(format!(
                "{}: expected {inputs} inputs and {outputs} outputs, got {} and {}",
                self.op,
                self.inputs.len(),
                self.outputs.len()
            ));
        }
        Ok(())
    }

    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    pub fn num_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// A required single operand.
    pub fn input(&self, i: usize) -> Result<&'a Desc> {
        match self.inputs.get(i) {
            Some(Some(v)) if v.len() == 1 => v.first().copied().ok_or_else(|| self.bad(i)),
            _ => Err(self.bad(i)),
        }
    }

    /// An optional single operand.
    pub fn opt_input(&self, i: usize) -> Result<Option<&'a Desc>> {
        match self.inputs.get(i) {
            Some(None) => Ok(None),
            _ => self.input(i).map(Some),
        }
    }

    /// A sequence operand (concat's inputs).
    pub fn inputs_list(&self, i: usize) -> Result<&[&'a Desc]> {
        match self.inputs.get(i) {
            Some(Some(v)) if !v.is_empty() => Ok(v),
            _ => Err(self.bad(i)),
        }
    }

    pub fn output(&self, i: usize) -> Result<&'a Desc> {
        self.outputs
            .get(i)
            .copied()
            .ok_or_else(|| Error::Graph(format!("{}: output {i} is missing", self.op)))
    }

    fn bad(&self, i: usize) -> Error {
        Error::Graph(format!(
            "{}: input {i} is missing or of the wrong form",
            self.op
        ))
    }

    /// An axis attribute checked against a rank, as usize.
    pub fn axis(&self, key: &str, rank: usize) -> Result<usize> {
        let a = self.attrs.int(key)?;
        usize::try_from(a)
            .ok()
            .filter(|&a| a < rank)
            .ok_or_else(|| {
                Error::Graph(format!(
                    "{}: {key} {a} out of range for rank {rank}",
                    self.op
                ))
            })
    }
}

/// A node's attributes with typed, checked getters.
pub struct Attrs<'a> {
    op: &'a str,
    map: &'a Map<String, Value>,
}

/// An MLNumber attribute, kept exact: 64-bit integers never pass through f64.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl<'a> Attrs<'a> {
    pub fn new(op: &'a str, map: &'a Map<String, Value>) -> Attrs<'a> {
        Attrs { op, map }
    }

    fn get(&self, key: &str) -> Result<&'a Value> {
        self.map
            .get(key)
            .ok_or_else(|| Error::Graph(format!("{}: attribute {key:?} is missing", self.op)))
    }

    fn wrong(&self, key: &str, what: &str, v: &Value) -> Error {
        Error::Graph(format!(
            "{}: attribute {key:?} must be {what}, got {v}",
            self.op
        ))
    }

    pub fn int(&self, key: &str) -> Result<i64> {
        let v = self.get(key)?;
        v.as_i64().ok_or_else(|| self.wrong(key, "an int64", v))
    }

    pub fn ints(&self, key: &str) -> Result<Vec<i64>> {
        let v = self.get(key)?;
        let arr = v
            .as_array()
            .ok_or_else(|| self.wrong(key, "a list of ints", v))?;
        arr.iter()
            .map(|x| {
                x.as_i64()
                    .ok_or_else(|| self.wrong(key, "a list of ints", v))
            })
            .collect()
    }

    /// A list of non-negative ints (sizes, axes, strides) as usize.
    pub fn sizes(&self, key: &str) -> Result<Vec<usize>> {
        let v = self.get(key)?;
        self.ints(key)?
            .into_iter()
            .map(|x| usize::try_from(x).map_err(|_| self.wrong(key, "non-negative ints", v)))
            .collect()
    }

    pub fn float(&self, key: &str) -> Result<f64> {
        let v = self.get(key)?;
        float_of(v).ok_or_else(|| self.wrong(key, "a number", v))
    }

    pub fn floats(&self, key: &str) -> Result<Vec<f64>> {
        let v = self.get(key)?;
        let arr = v
            .as_array()
            .ok_or_else(|| self.wrong(key, "a list of numbers", v))?;
        arr.iter()
            .map(|x| float_of(x).ok_or_else(|| self.wrong(key, "a list of numbers", v)))
            .collect()
    }

    pub fn bool(&self, key: &str) -> Result<bool> {
        let v = self.get(key)?;
        v.as_bool().ok_or_else(|| self.wrong(key, "a bool", v))
    }

    pub fn str(&self, key: &str) -> Result<&'a str> {
        let v = self.get(key)?;
        v.as_str().ok_or_else(|| self.wrong(key, "a string", v))
    }

    pub fn strs(&self, key: &str) -> Result<Vec<&'a str>> {
        let v = self.get(key)?;
        let arr = v
            .as_array()
            .ok_or_else(|| self.wrong(key, "a list of strings", v))?;
        arr.iter()
            .map(|x| {
                x.as_str()
                    .ok_or_else(|| self.wrong(key, "a list of strings", v))
            })
            .collect()
    }

    /// One of a fixed set of strings, mapped to a value.
    pub fn choice<T: Copy>(&self, key: &str, options: &[(&str, T)]) -> Result<T> {
        let s = self.str(key)?;
        options
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                Error::Graph(format!(
                    "{}: attribute {key:?} is {s:?}, expected one of {names:?}",
                    self.op
                ))
            })
    }

    pub fn data_type(&self, key: &str) -> Result<DataType> {
        let s = self.str(key)?;
        DataType::from_name(s)
            .ok_or_else(|| Error::Graph(format!("{}: unknown data type {s:?} in {key:?}", self.op)))
    }

    pub fn number(&self, key: &str) -> Result<Number> {
        let v = self.get(key)?;
        if let Some(i) = v.as_i64() {
            return Ok(Number::Int(i128::from(i)));
        }
        if let Some(u) = v.as_u64() {
            return Ok(Number::Int(i128::from(u)));
        }
        float_of(v)
            .map(Number::Float)
            .ok_or_else(|| self.wrong(key, "a number", v))
    }
}

/// A JSON number, or one of the strings the IR uses for non-finite floats.
fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}
