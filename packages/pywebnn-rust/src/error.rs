//! The crate's single error type.
//!
//! Variants carry typed fields; `lib.rs` maps each variant to the `webnn.errors` class the
//! spec prescribes for the moment it happens (see `py_err` there).

use std::fmt;

/// Every failure of the Rust backend.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The IR document is malformed or names something this backend cannot lower.
    /// Raised while compiling, i.e. inside `MLGraphBuilder.build()`.
    #[error("rust backend: malformed graph: {0}")]
    Graph(String),

    /// An operation is not implemented by this backend. Reaching Python means
    /// `op_support_limits()` promised something false.
    #[error("rust backend: {op}: {detail} (op_support_limits() should have excluded this)")]
    Unsupported { op: String, detail: String },

    /// A node failed while running (or while being lowered at compile time).
    #[error("rust backend: node {index} ({op}{label}) failed: {source}")]
    Node {
        index: usize,
        op: String,
        label: Label,
        source: Box<Error>,
    },

    /// An exception from libtorch.
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),

    /// A kernel's result does not match the IR operand it must produce.
    #[error("produced {got}, the IR says {expected}")]
    Mismatch { got: String, expected: String },

    /// A buffer or argument handed over at run time does not fit the graph.
    #[error("rust backend: {0}")]
    Argument(String),

    /// An MLTensor was used after `destroy()`.
    #[error("rust backend: the tensor has been destroyed")]
    Destroyed,

    /// Allocating or copying tensor storage failed.
    #[error("rust backend: tensor storage: {0}")]
    Storage(String),

    /// A Rust panic caught at the boundary (a bug in this crate).
    #[error("internal error (panic): {0}")]
    Panic(String),
}

/// A node label formatted as ` [label]`, or nothing when empty.
#[derive(Debug, Clone, Default)]
pub struct Label(pub String);

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, " [{}]", self.0)
        }
    }
}

/// The crate's result alias.
pub type Result<T> = std::result::Result<T, Error>;

/// Shorthand for a malformed-graph error.
pub fn graph_err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Graph(msg.into()))
}

/// The message of a caught panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}
