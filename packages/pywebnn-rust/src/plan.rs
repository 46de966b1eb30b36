//! Parsing the IR document (`webnn.ir.Graph.to_document()`) into a typed plan, once.
//!
//! Everything structural is checked here: operand ids in range, shapes that fit i64,
//! constant buffers of the right length, the number of inputs/outputs of every node and
//! every attribute's type. Each op family parses its own attributes into its own `Op`
//! (see `ops::<family>::parse`); running the plan never looks at a string again.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::dtype::DataType;
use crate::error::{graph_err, Error, Label, Result};
pub use crate::node::{Attrs, NodeCtx, Number};
use crate::ops;

/// The IR format this crate reads (`webnn.ir.FORMAT_VERSION`).
pub const FORMAT_VERSION: u64 = 1;

// -- the document as serde sees it ---------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    version: u64,
    operands: Vec<OperandDoc>,
    nodes: Vec<NodeDoc>,
    inputs: BTreeMap<String, usize>,
    outputs: BTreeMap<String, usize>,
    constants: Vec<ConstantDoc>,
}

#[derive(Deserialize)]
struct OperandDoc {
    id: usize,
    data_type: DataType,
    shape: Vec<u64>,
    kind: OperandKind,
    #[serde(default)]
    #[allow(dead_code)] // part of the format; names are only used by Python
    name: String,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum OperandKind {
    Input,
    Constant,
    Value,
}

#[derive(Deserialize)]
struct NodeDoc {
    op: String,
    inputs: Vec<Option<InputDoc>>,
    attrs: Map<String, Value>,
    outputs: Vec<usize>,
    #[serde(default)]
    label: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum InputDoc {
    One(usize),
    Many(Vec<usize>),
}

#[derive(Deserialize)]
struct ConstantDoc {
    operand: usize,
    buffer: usize,
}

// -- the typed plan --------------------------------------------------------------------------

/// An operand's data type and shape (dimensions checked to fit i64, element count too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desc {
    pub dtype: DataType,
    pub shape: Vec<i64>,
    numel: usize,
}

impl Desc {
    pub fn new(dtype: DataType, dims: &[u64]) -> Result<Desc> {
        let mut shape = Vec::with_capacity(dims.len());
        let mut numel: usize = 1;
        for &d in dims {
            let d64 = i64::try_from(d)
                .map_err(|_| Error::Graph(format!("dimension {d} does not fit int64")))?;
            if d64 < 1 {
                return graph_err(format!("dimension {d} must be positive"));
            }
            numel = usize::try_from(d)
                .ok()
                .and_then(|d| numel.checked_mul(d))
                .ok_or_else(|| Error::Graph(format!("shape {dims:?} has too many elements")))?;
            shape.push(d64);
        }
        numel
            .checked_mul(dtype.item_size())
            .and_then(|b| i64::try_from(b).ok())
            .ok_or_else(|| Error::Graph(format!("shape {dims:?} is too large")))?;
        Ok(Desc {
            dtype,
            shape,
            numel,
        })
    }

    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        self.numel
    }

    /// Size in host bytes (checked not to overflow at construction).
    pub fn byte_len(&self) -> usize {
        self.numel.saturating_mul(self.dtype.item_size())
    }
}

impl std::fmt::Display for Desc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.dtype.name(), self.shape)
    }
}

/// A node's operand reference after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Absent,
    One(usize),
    Many(Vec<usize>),
}

/// An op of any family, with resolved attributes.
#[derive(Debug)]
pub enum Op {
    Elementwise(ops::elementwise::Op),
    Activation(ops::activation::Op),
    Shape(ops::shape::Op),
    Reduce(ops::reduce::Op),
    Matmul(ops::matmul::Op),
    Conv(ops::conv::Op),
    Pool(ops::pool::Op),
    Normalization(ops::normalization::Op),
    Gather(ops::gather::Op),
    Quant(ops::quant::Op),
    Resample(ops::resample::Op),
    Rnn(ops::rnn::Op),
}

/// One node, ready to run.
#[derive(Debug)]
pub struct Step {
    pub index: usize,
    pub name: String,
    pub label: Label,
    pub op: Op,
    pub inputs: Vec<Input>,
    pub outputs: Vec<usize>,
    /// Slots whose last reader is this step (freed right after it).
    pub release: Vec<usize>,
}

impl Step {
    pub fn fail(&self, source: Error) -> Error {
        Error::Node {
            index: self.index,
            op: self.name.clone(),
            label: self.label.clone(),
            source: Box::new(source),
        }
    }
}

/// The parsed document: everything except the constant tensors (see `exec::Program`).
#[derive(Debug)]
pub struct Plan {
    pub operands: Vec<Desc>,
    pub kinds: Vec<OperandKind>,
    pub steps: Vec<Step>,
    /// (operand id, buffer index)
    pub constants: Vec<(usize, usize)>,
    pub inputs: Vec<(String, usize)>,
    pub outputs: Vec<(String, usize)>,
}

/// Parses one node's op with the family that knows it.
fn parse_op(ctx: &NodeCtx<'_>) -> Result<Op> {
    macro_rules! try_family {
        ($($module:ident => $variant:ident),* $(,)?) => {
            $(if let Some(r) = ops::$module::parse(ctx) {
                return r.map(Op::$variant);
            })*
        };
    }
    try_family!(
        elementwise => Elementwise,
        activation => Activation,
        shape => Shape,
        reduce => Reduce,
        matmul => Matmul,
        conv => Conv,
        pool => Pool,
        normalization => Normalization,
        gather => Gather,
        quant => Quant,
        resample => Resample,
        rnn => Rnn,
    );
    Err(Error::Unsupported {
        op: ctx.op.to_string(),
        detail: "this operation is not implemented by the rust backend".to_string(),
    })
}

/// Parses and checks an IR document; `buffer_lens` are the byte sizes of the constant
/// buffers that come with it.
pub fn parse(text: &str, buffer_lens: &[usize]) -> Result<Plan> {
    let doc: Document = serde_json::from_str(text)
        .map_err(|e| Error::Graph(format!("the IR document does not parse: {e}")))?;
    if doc.format != "pywebnn-ir" || doc.version != FORMAT_VERSION {
        return graph_err(format!(
            "unsupported document {:?} version {} (this backend reads pywebnn-ir {FORMAT_VERSION})",
            doc.format, doc.version
        ));
    }
    let mut operands = Vec::with_capacity(doc.operands.len());
    let mut kinds = Vec::with_capacity(doc.operands.len());
    for (i, o) in doc.operands.iter().enumerate() {
        if o.id != i {
            return graph_err(format!("operand {i} has id {}", o.id));
        }
        operands.push(
            Desc::new(o.data_type, &o.shape)
                .map_err(|e| Error::Graph(format!("operand {i}: {e}")))?,
        );
        kinds.push(o.kind);
    }
    let n = operands.len();
    let check = |id: usize, what: &str| -> Result<usize> {
        if id < n {
            Ok(id)
        } else {
            graph_err(format!("{what} refers to operand {id}, but there are {n}"))
        }
    };

    // Every operand is produced exactly once: as an input, a constant or a node output.
    let mut defined = vec![false; n];
    let mut inputs = Vec::new();
    for (name, &id) in &doc.inputs {
        check(id, "graph input")?;
        if kinds.get(id) != Some(&OperandKind::Input) {
            return graph_err(format!(
                "graph input {name:?} refers to non-input operand {id}"
            ));
        }
        define(&mut defined, id, "graph input")?;
        inputs.push((name.clone(), id));
    }
    let mut constants = Vec::new();
    for c in &doc.constants {
        check(c.operand, "constant")?;
        let desc = &operands[c.operand];
        if kinds.get(c.operand) != Some(&OperandKind::Constant) {
            return graph_err(format!(
                "constant data given for non-constant operand {}",
                c.operand
            ));
        }
        let len = buffer_lens.get(c.buffer).copied().ok_or_else(|| {
            Error::Graph(format!(
                "constant {} refers to missing buffer {}",
                c.operand, c.buffer
            ))
        })?;
        if len != desc.byte_len() {
            return graph_err(format!(
                "constant {} has {len} bytes, expected {} for {desc}",
                c.operand,
                desc.byte_len()
            ));
        }
        define(&mut defined, c.operand, "constant")?;
        constants.push((c.operand, c.buffer));
    }

    let mut steps = Vec::with_capacity(doc.nodes.len());
    for (index, node) in doc.nodes.iter().enumerate() {
        let step = parse_node(index, node, &operands, &kinds, &check, &defined).map_err(|e| {
            Error::Node {
                index,
                op: node.op.clone(),
                label: Label(node.label.clone()),
                source: Box::new(e),
            }
        })?;
        for &o in &step.outputs {
            define(&mut defined, o, "node output")?;
        }
        steps.push(step);
    }
    let mut outputs = Vec::new();
    for (name, &id) in &doc.outputs {
        check(id, "graph output")?;
        if kinds[id] != OperandKind::Value {
            return graph_err(format!(
                "graph output {name:?} (operand {id}) is not computed by a node"
            ));
        }
        if !defined[id] {
            return graph_err(format!(
                "graph output {name:?} (operand {id}) is never computed"
            ));
        }
        outputs.push((name.clone(), id));
    }
    set_releases(&mut steps, &outputs, n);
    Ok(Plan {
        operands,
        kinds,
        steps,
        constants,
        inputs,
        outputs,
    })
}

/// Marks an operand as produced; each is produced exactly once (input, constant or
/// node output).
fn define(defined: &mut [bool], id: usize, what: &str) -> Result<()> {
    let slot = defined
        .get_mut(id)
        .ok_or_else(|| Error::Graph(format!("{what}: operand {id} out of range")))?;
    if *slot {
        return graph_err(format!("{what}: operand {id} is defined twice"));
    }
    *slot = true;
    Ok(())
}

fn parse_node(
    index: usize,
    node: &NodeDoc,
    operands: &[Desc],
    kinds: &[OperandKind],
    check: &dyn Fn(usize, &str) -> Result<usize>,
    defined: &[bool],
) -> Result<Step> {
    let ready = |id: usize| -> Result<&Desc> {
        check(id, "node input")?;
        if !defined.get(id).copied().unwrap_or(false) {
            return graph_err(format!("operand {id} is used before it is computed"));
        }
        Ok(&operands[id])
    };
    let mut inputs = Vec::with_capacity(node.inputs.len());
    let mut in_descs = Vec::with_capacity(node.inputs.len());
    for i in &node.inputs {
        match i {
            None => {
                inputs.push(Input::Absent);
                in_descs.push(None);
            }
            Some(InputDoc::One(id)) => {
                in_descs.push(Some(vec![ready(*id)?]));
                inputs.push(Input::One(*id));
            }
            Some(InputDoc::Many(ids)) => {
                in_descs.push(Some(
                    ids.iter().map(|&id| ready(id)).collect::<Result<_>>()?,
                ));
                inputs.push(Input::Many(ids.clone()));
            }
        }
    }
    let mut out_descs = Vec::with_capacity(node.outputs.len());
    for &o in &node.outputs {
        check(o, "node output")?;
        if kinds.get(o) != Some(&OperandKind::Value) {
            return graph_err(format!("node output {o} is not a value operand"));
        }
        out_descs.push(&operands[o]);
    }
    // The int4/uint4 extension types reach only the ops whose table lists them
    // (quantize_linear, dequantize_linear); every other kernel would misread them as
    // int8/uint8.
    let typed = in_descs
        .iter()
        .flatten()
        .flatten()
        .chain(out_descs.iter())
        .map(|d| d.dtype);
    for dtype in typed {
        if dtype.is_extension() && !ops::op_supports(&node.op, dtype) {
            return Err(Error::Unsupported {
                op: node.op.clone(),
                detail: format!(
                    "the extension data type {} is not implemented for this operation",
                    dtype.name()
                ),
            });
        }
    }
    let ctx = NodeCtx {
        op: &node.op,
        attrs: Attrs::new(&node.op, &node.attrs),
        inputs: in_descs,
        outputs: out_descs,
    };
    let op = parse_op(&ctx)?;
    Ok(Step {
        index,
        name: node.op.clone(),
        label: Label(node.label.clone()),
        op,
        inputs,
        outputs: node.outputs.clone(),
        release: Vec::new(),
    })
}

/// Marks, for every step, the value slots it reads for the last time.
fn set_releases(steps: &mut [Step], outputs: &[(String, usize)], n: usize) {
    let mut last: Vec<Option<usize>> = vec![None; n];
    for (s, step) in steps.iter().enumerate() {
        for input in &step.inputs {
            let ids: &[usize] = match input {
                Input::Absent => &[],
                Input::One(id) => std::slice::from_ref(id),
                Input::Many(ids) => ids,
            };
            for &id in ids {
                if let Some(slot) = last.get_mut(id) {
                    *slot = Some(s);
                }
            }
        }
    }
    for (_, id) in outputs {
        if let Some(slot) = last.get_mut(*id) {
            *slot = None;
        }
    }
    for (id, l) in last.into_iter().enumerate() {
        if let Some(step) = l.and_then(|s| steps.get_mut(s)) {
            step.release.push(id);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A one-node document: one graph input per entry of `shapes` -> `op` -> output `y`.
    pub fn doc(op: &str, attrs: &str, shapes: &[(&str, &[u64])], out: (&str, &[u64])) -> String {
        doc_absent(op, attrs, shapes, out, 0)
    }

    /// As `doc`, with `absent` trailing optional inputs given as null.
    pub fn doc_absent(
        op: &str,
        attrs: &str,
        shapes: &[(&str, &[u64])],
        out: (&str, &[u64]),
        absent: usize,
    ) -> String {
        let mut operands = Vec::new();
        let mut ins = Vec::new();
        for (i, (dt, shape)) in shapes.iter().enumerate() {
            operands.push(format!(
                r#"{{"id":{i},"data_type":"{dt}","shape":{shape:?},"kind":"input","name":"x{i}"}}"#
            ));
            ins.push(format!(r#""x{i}":{i}"#));
        }
        let o = shapes.len();
        operands.push(format!(
            r#"{{"id":{o},"data_type":"{}","shape":{:?},"kind":"value","name":""}}"#,
            out.0, out.1
        ));
        let mut refs: Vec<String> = (0..shapes.len()).map(|i| i.to_string()).collect();
        refs.extend((0..absent).map(|_| "null".to_string()));
        format!(
            r#"{{"format":"pywebnn-ir","version":1,"operands":[{}],"nodes":[{{"op":"{op}","inputs":[{}],"attrs":{attrs},"outputs":[{o}],"label":"n"}}],"inputs":{{{}}},"outputs":{{"y":{o}}},"constants":[]}}"#,
            operands.join(","),
            refs.join(","),
            ins.join(",")
        )
    }

    #[test]
    fn parses_a_binary_node() {
        let text = doc(
            "add",
            "{}",
            &[("float32", &[2]), ("float32", &[2])],
            ("float32", &[2]),
        );
        let plan = parse(&text, &[]).unwrap();
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(plan.inputs.len(), 2);
        assert_eq!(plan.steps[0].release, vec![0, 1]);
        assert!(matches!(plan.steps[0].op, Op::Elementwise(_)));
    }

    #[test]
    fn rejects_bad_documents() {
        let good = doc(
            "add",
            "{}",
            &[("float32", &[2]), ("float32", &[2])],
            ("float32", &[2]),
        );
        for (from, to) in [
            (r#""inputs":[0,1]"#, r#""inputs":[0,7]"#),
            (r#""version":1"#, r#""version":2"#),
            (r#""op":"add""#, r#""op":"frobnicate""#),
            (
                r#""shape":[2],"kind":"input""#,
                r#""shape":[0],"kind":"input""#,
            ),
            (r#""outputs":[2]"#, r#""outputs":[0]"#),
        ] {
            let bad = good.replacen(from, to, 1);
            assert_ne!(bad, good, "{from}");
            assert!(parse(&bad, &[]).is_err(), "{to} should be rejected");
        }
        assert!(parse("{", &[]).is_err());
        let err = parse(
            &good.replacen(r#""inputs":[0,1]"#, r#""inputs":[0]"#, 1),
            &[],
        );
        let msg = format!("{}", err.unwrap_err());
        assert!(msg.contains("node 0 (add [n])"), "{msg}");
    }

    #[test]
    fn attribute_getters() {
        let map: Map<String, Value> = serde_json::from_str(
            r#"{"a":"-Infinity","b":[1,2],"c":18446744073709551615,"d":-3,"e":1.5,"f":"NaN"}"#,
        )
        .unwrap();
        let at = Attrs::new("t", &map);
        assert_eq!(at.float("a").unwrap(), f64::NEG_INFINITY);
        assert!(at.float("f").unwrap().is_nan());
        assert_eq!(at.ints("b").unwrap(), vec![1, 2]);
        assert_eq!(at.number("c").unwrap(), Number::Int(i128::from(u64::MAX)));
        assert_eq!(at.number("d").unwrap(), Number::Int(-3));
        assert_eq!(at.number("e").unwrap(), Number::Float(1.5));
        assert!(at.int("e").is_err());
        assert!(at.sizes("d").is_err());
        assert!(at.str("zzz").is_err());
    }
}
