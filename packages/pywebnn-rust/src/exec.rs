//! The executor: a parsed plan plus its constant tensors, run step by step.
//!
//! A `Program` is immutable after compilation, so one program can run on many threads
//! at once: every run has its own slot list, constants are only read, and kernels never
//! write into their arguments (see `ops`).

use std::panic::{catch_unwind, AssertUnwindSafe};

use tch::{Device, Tensor};

use crate::error::{panic_message, Error, Result};
use crate::ops::{self, Arg, Args};
use crate::plan::{self, Desc, Input, Plan};

/// A tensor that is never modified after construction.
struct Frozen(Tensor);

// SAFETY: `tch::Tensor` is not `Sync` only because libtorch does not promise that
// *mutating* a tensor is thread-safe. A `Frozen` tensor is created once at compile time
// and afterwards only read: kernels receive `&Tensor` and never call in-place (`*_`)
// methods on arguments (the rule in `ops`), and libtorch's reference counting is atomic,
// so reading one tensor from several threads at once is sound.
unsafe impl Sync for Frozen {}

/// A compiled graph.
pub struct Program {
    plan: Plan,
    constants: Vec<Option<Frozen>>,
    device: Device,
}

enum Slot<'a> {
    Empty,
    Const(&'a Tensor),
    Owned(Tensor),
}

impl Slot<'_> {
    fn tensor(&self) -> Option<&Tensor> {
        match self {
            Slot::Empty => None,
            Slot::Const(t) => Some(t),
            Slot::Owned(t) => Some(t),
        }
    }
}

/// Host bytes (numpy memory, native byte order) -> a tensor in storage representation.
pub fn tensor_from_host(bytes: &[u8], desc: &Desc, device: Device) -> Result<Tensor> {
    if bytes.len() != desc.byte_len() {
        return Err(Error::Argument(format!(
            "buffer has {} bytes, {desc} needs {}",
            bytes.len(),
            desc.byte_len()
        )));
    }
    let t = Tensor::f_from_data_size(bytes, &desc.shape, desc.dtype.host_kind())?;
    let t = desc.dtype.from_host(t)?;
    if device == Device::Cpu {
        Ok(t)
    } else {
        Ok(t.f_to_device(device)?)
    }
}

/// Checks that `t` is what the IR operand `desc` promises (storage kind and shape).
pub fn check_tensor(t: &Tensor, desc: &Desc) -> Result<()> {
    let kind = t.f_kind()?;
    let shape = t.size();
    if kind != desc.dtype.storage_kind() || shape != desc.shape {
        return Err(Error::Mismatch {
            got: format!("{kind:?} {shape:?}"),
            expected: format!("{desc} (stored as {:?})", desc.dtype.storage_kind()),
        });
    }
    Ok(())
}

/// A tensor in storage representation -> host bytes in `dst` (exactly `desc.byte_len()`).
pub fn tensor_to_host(t: &Tensor, desc: &Desc, dst: &mut [u8]) -> Result<()> {
    if dst.len() != desc.byte_len() {
        return Err(Error::Argument(format!(
            "output buffer has {} bytes, {desc} needs {}",
            dst.len(),
            desc.byte_len()
        )));
    }
    check_tensor(t, desc)?;
    let host = desc.dtype.to_host(t)?;
    host.f_copy_data_u8(dst, desc.numel())?;
    Ok(())
}

/// Runs `f`, turning a panic into `Error::Panic`.
pub fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(Error::Panic(panic_message(&*p))))
}

impl Program {
    /// Parses `text` and converts the constant buffers (host bytes) to tensors on `device`.
    pub fn compile(text: &str, buffers: &[&[u8]], device: Device) -> Result<Program> {
        let lens: Vec<usize> = buffers.iter().map(|b| b.len()).collect();
        let plan = plan::parse(text, &lens)?;
        let _guard = tch::no_grad_guard();
        let mut constants: Vec<Option<Frozen>> = Vec::new();
        constants.resize_with(plan.operands.len(), || None);
        for &(id, buf) in &plan.constants {
            let bytes = buffers
                .get(buf)
                .ok_or_else(|| Error::Graph(format!("constant buffer {buf} is missing")))?;
            let desc = &plan.operands[id];
            let t = tensor_from_host(bytes, desc, device)
                .map_err(|e| Error::Graph(format!("constant operand {id}: {e}")))?;
            constants[id] = Some(Frozen(t));
        }
        Ok(Program {
            plan,
            constants,
            device,
        })
    }

    pub fn device(&self) -> Device {
        self.device
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The graph inputs' names and descriptors, in the order `run` takes them.
    pub fn inputs(&self) -> impl Iterator<Item = (&str, &Desc)> {
        self.plan
            .inputs
            .iter()
            .map(|(n, id)| (n.as_str(), &self.plan.operands[*id]))
    }

    /// The graph outputs' names and descriptors, in the order `run` returns them.
    pub fn outputs(&self) -> impl Iterator<Item = (&str, &Desc)> {
        self.plan
            .outputs
            .iter()
            .map(|(n, id)| (n.as_str(), &self.plan.operands[*id]))
    }

    /// Runs the graph on `inputs` (in `inputs()` order, storage representation, on this
    /// program's device) and returns the outputs in `outputs()` order.
    pub fn run(&self, inputs: Vec<Tensor>) -> Result<Vec<Tensor>> {
        let _guard = tch::no_grad_guard();
        let plan = &self.plan;
        if inputs.len() != plan.inputs.len() {
            return Err(Error::Argument(format!(
                "the graph has {} inputs, got {}",
                plan.inputs.len(),
                inputs.len()
            )));
        }
        let mut slots: Vec<Slot<'_>> = Vec::new();
        slots.resize_with(plan.operands.len(), || Slot::Empty);
        for (slot, c) in slots.iter_mut().zip(&self.constants) {
            if let Some(Frozen(t)) = c {
                *slot = Slot::Const(t);
            }
        }
        for ((name, id), t) in plan.inputs.iter().zip(inputs) {
            check_tensor(&t, &plan.operands[*id])
                .map_err(|e| Error::Argument(format!("input {name:?}: {e}")))?;
            slots[*id] = Slot::Owned(t);
        }
        for step in &plan.steps {
            let results = {
                let args = Args(
                    step.inputs
                        .iter()
                        .map(|i| fetch(&slots, i))
                        .collect::<Result<Vec<_>>>()
                        .map_err(|e| step.fail(e))?,
                );
                guarded(|| ops::run(&step.op, &args)).map_err(|e| step.fail(e))?
            };
            if results.len() != step.outputs.len() {
                return Err(step.fail(Error::Mismatch {
                    got: format!("{} outputs", results.len()),
                    expected: format!("{}", step.outputs.len()),
                }));
            }
            for (&id, t) in step.outputs.iter().zip(results) {
                check_tensor(&t, &plan.operands[id]).map_err(|e| step.fail(e))?;
                slots[id] = Slot::Owned(t);
            }
            for &id in &step.release {
                slots[id] = Slot::Empty;
            }
        }
        plan.outputs
            .iter()
            .map(|(name, id)| {
                slots[*id]
                    .tensor()
                    .map(Tensor::shallow_clone)
                    .ok_or_else(|| Error::Graph(format!("output {name:?} was not computed")))
            })
            .collect()
    }
}

fn fetch<'a>(slots: &'a [Slot<'_>], input: &Input) -> Result<Arg<'a>> {
    let get = |id: usize| {
        slots
            .get(id)
            .and_then(Slot::tensor)
            .ok_or_else(|| Error::Graph(format!("operand {id} has no value")))
    };
    Ok(match input {
        Input::Absent => Arg::Absent,
        Input::One(id) => Arg::One(get(*id)?),
        Input::Many(ids) => Arg::Many(ids.iter().map(|&id| get(id)).collect::<Result<_>>()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::doc;

    fn f32s(t: &Tensor) -> Vec<f32> {
        let n = t.numel();
        let mut v = vec![0_f32; n];
        t.f_copy_data(&mut v, n).unwrap();
        v
    }

    #[test]
    fn runs_add() {
        let text = doc(
            "add",
            "{}",
            &[("float32", &[2]), ("float32", &[2])],
            ("float32", &[2]),
        );
        let p = Program::compile(&text, &[], Device::Cpu).unwrap();
        let a = Tensor::f_from_slice(&[1_f32, 2.0]).unwrap();
        let b = Tensor::f_from_slice(&[10_f32, 20.0]).unwrap();
        let out = p.run(vec![a, b]).unwrap();
        assert_eq!(f32s(&out[0]), vec![11.0, 22.0]);
    }

    #[test]
    fn wrong_input_is_an_error() {
        let text = doc(
            "add",
            "{}",
            &[("float32", &[2]), ("float32", &[2])],
            ("float32", &[2]),
        );
        let p = Program::compile(&text, &[], Device::Cpu).unwrap();
        let a = Tensor::f_from_slice(&[1_f32, 2.0, 3.0]).unwrap();
        let b = Tensor::f_from_slice(&[10_f32, 20.0]).unwrap();
        assert!(p.run(vec![a, b]).is_err());
    }

    #[test]
    fn host_round_trip_checks_lengths() {
        let desc = Desc::new(crate::dtype::DataType::Float16, &[3]).unwrap();
        assert!(tensor_from_host(&[0_u8; 5], &desc, Device::Cpu).is_err());
        let t = tensor_from_host(&[0, 60, 0, 64, 0, 188], &desc, Device::Cpu).unwrap();
        let mut out = [0_u8; 6];
        tensor_to_host(&t, &desc, &mut out).unwrap();
        assert_eq!(out, [0, 60, 0, 64, 0, 188]);
        assert!(tensor_to_host(&t, &desc, &mut [0_u8; 4]).is_err());
    }

    #[test]
    fn panics_become_errors() {
        let r: Result<()> = guarded(|| {
            let v: Vec<i32> = Vec::new();
            #[allow(clippy::indexing_slicing)]
            let _ = v[3];
            Ok(())
        });
        assert!(matches!(r, Err(Error::Panic(_))));
    }
}
