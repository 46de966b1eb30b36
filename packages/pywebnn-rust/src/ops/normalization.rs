//! (not implemented yet)

use tch::Tensor;

use super::Args;
use crate::dtype::DataType;
use crate::error::Result;
use crate::plan::NodeCtx;

#[derive(Debug)]
pub enum Op {}

pub const SUPPORTED: &[(&str, &[DataType])] = &[];

pub fn parse(_ctx: &NodeCtx<'_>) -> Option<Result<Op>> {
    None
}

pub fn run(op: &Op, _args: &Args<'_>) -> Result<Vec<Tensor>> {
    match *op {}
}
