//! `pywebnn_rust._native`: the Python extension module of the Rust backend.
//!
//! Only the pyo3 boundary lives here: buffer handling, GIL release, panic and error
//! mapping. Parsing is in `plan`, execution in `exec`, kernels in `ops::<family>`.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod dtype;
pub mod error;
pub mod exec;
pub mod node;
pub mod ops;
pub mod plan;

use std::sync::{Mutex, MutexGuard};

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use tch::{Device, Tensor};

use crate::dtype::DataType;
use crate::error::Error;
use crate::exec::{guarded, tensor_from_host, tensor_to_host, Program};
use crate::plan::Desc;

mod py_errors {
    pyo3::import_exception!(webnn.errors, OperationError);
    pyo3::import_exception!(webnn.errors, InvalidStateError);
    pyo3::import_exception!(webnn.errors, UnknownError);
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        let msg = e.to_string();
        match e {
            Error::Destroyed => py_errors::InvalidStateError::new_err(msg),
            Error::Storage(_) => py_errors::UnknownError::new_err(msg),
            // Compile failures (inside build()) and run failures alike: OperationError.
            _ => py_errors::OperationError::new_err(msg),
        }
    }
}

fn parse_device(device: &str) -> Result<Device, Error> {
    match device {
        "cpu" => Ok(Device::Cpu),
        "gpu" if tch::Cuda::is_available() => Ok(Device::Cuda(0)),
        other => Err(Error::Argument(format!(
            "device {other:?} is not available"
        ))),
    }
}

fn device_name(device: Device) -> &'static str {
    if device == Device::Cpu {
        "cpu"
    } else {
        "gpu"
    }
}

/// A read-only byte view of a C-contiguous buffer.
fn host_bytes(buf: &PyBuffer<u8>) -> Result<&[u8], Error> {
    if !buf.is_c_contiguous() {
        return Err(Error::Argument("buffer is not C-contiguous".into()));
    }
    let len = buf.len_bytes();
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: the buffer is C-contiguous and `len` bytes long, and its memory stays
    // exported (alive, not resized) while `buf` lives, which bounds the returned borrow.
    // Callers read it while holding the GIL, so no Python code writes to it meanwhile.
    Ok(unsafe { std::slice::from_raw_parts(buf.buf_ptr().cast::<u8>(), len) })
}

/// A writable byte view of a C-contiguous buffer.
fn host_bytes_mut(buf: &mut PyBuffer<u8>) -> Result<&mut [u8], Error> {
    if buf.readonly() || !buf.is_c_contiguous() {
        return Err(Error::Argument(
            "output buffer is read-only or not C-contiguous".into(),
        ));
    }
    let len = buf.len_bytes();
    if len == 0 {
        return Ok(&mut []);
    }
    // SAFETY: as in `host_bytes`; in addition the Python shim passes arrays it has just
    // allocated (np.empty) and not yet handed to anyone, so this is the only reference to
    // that memory, and the exclusive borrow of `buf` prevents a second one from Rust.
    Ok(unsafe { std::slice::from_raw_parts_mut(buf.buf_ptr().cast::<u8>(), len) })
}

fn buffers(objs: &[Bound<'_, PyAny>]) -> PyResult<Vec<PyBuffer<u8>>> {
    objs.iter().map(PyBuffer::<u8>::get).collect()
}

/// A compiled graph.
#[pyclass(frozen, module = "pywebnn_rust._native")]
struct Graph {
    program: Program,
}

#[pymethods]
impl Graph {
    /// Parses the IR document and uploads its constants (uint8 views of the numpy
    /// buffers, in `to_document()` order).
    #[staticmethod]
    fn compile(document: &str, constants: Vec<Bound<'_, PyAny>>, device: &str) -> PyResult<Graph> {
        let bufs = buffers(&constants)?;
        let program = guarded(|| {
            let device = parse_device(device)?;
            let slices = bufs.iter().map(host_bytes).collect::<Result<Vec<_>, _>>()?;
            Program::compile(document, &slices, device)
        })?;
        Ok(Graph { program })
    }

    #[getter]
    fn input_names(&self) -> Vec<String> {
        self.program.inputs().map(|(n, _)| n.to_string()).collect()
    }

    #[getter]
    fn output_names(&self) -> Vec<String> {
        self.program.outputs().map(|(n, _)| n.to_string()).collect()
    }

    #[getter]
    fn device(&self) -> &'static str {
        device_name(self.program.device())
    }

    /// Runs the graph: `inputs` and `outputs` are uint8 views of C-contiguous numpy
    /// arrays in `input_names` / `output_names` order; the outputs are written in place.
    fn compute(
        &self,
        py: Python<'_>,
        inputs: Vec<Bound<'_, PyAny>>,
        outputs: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let in_bufs = buffers(&inputs)?;
        let mut out_bufs = buffers(&outputs)?;
        let program = &self.program;
        if in_bufs.len() != program.plan().inputs.len()
            || out_bufs.len() != program.plan().outputs.len()
        {
            return Err(Error::Argument(format!(
                "compute: expected {} inputs and {} outputs, got {} and {}",
                program.plan().inputs.len(),
                program.plan().outputs.len(),
                in_bufs.len(),
                out_bufs.len()
            ))
            .into());
        }
        // One copy in, made while holding the GIL (the arrays belong to the caller).
        let tensors = guarded(|| {
            let _guard = tch::no_grad_guard();
            program
                .inputs()
                .zip(&in_bufs)
                .map(|((name, desc), buf)| {
                    host_bytes(buf)
                        .and_then(|b| tensor_from_host(b, desc, Device::Cpu))
                        .map_err(|e| Error::Argument(format!("input {name:?}: {e}")))
                })
                .collect::<Result<Vec<Tensor>, Error>>()
        })?;
        let mut dsts = out_bufs
            .iter_mut()
            .map(host_bytes_mut)
            .collect::<Result<Vec<&mut [u8]>, _>>()?;
        let descs: Vec<&Desc> = program.outputs().map(|(_, d)| d).collect();
        py.detach(|| {
            guarded(|| {
                let _guard = tch::no_grad_guard();
                let device = program.device();
                let tensors = tensors
                    .into_iter()
                    .map(|t| {
                        if device == Device::Cpu {
                            Ok(t)
                        } else {
                            t.f_to_device(device)
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let results = program.run(tensors)?;
                // One copy out, into the arrays the shim allocated.
                for ((t, desc), dst) in results.iter().zip(&descs).zip(dsts.iter_mut()) {
                    tensor_to_host(t, desc, dst)?;
                }
                Ok(())
            })
        })?;
        Ok(())
    }

    /// Runs the graph on MLTensor handles (in `input_names` / `output_names` order)
    /// without leaving the device.
    fn dispatch(
        &self,
        py: Python<'_>,
        inputs: Vec<Bound<'_, TensorHandle>>,
        outputs: Vec<Bound<'_, TensorHandle>>,
    ) -> PyResult<()> {
        let program = &self.program;
        let ins: Vec<&TensorHandle> = inputs.iter().map(Bound::get).collect();
        let outs: Vec<&TensorHandle> = outputs.iter().map(Bound::get).collect();
        if ins.len() != program.plan().inputs.len() || outs.len() != program.plan().outputs.len() {
            return Err(Error::Argument("dispatch: wrong number of tensors".into()).into());
        }
        // Handles are locked only with the GIL released, so a thread waiting for a lock
        // never blocks the thread holding it.
        py.detach(|| {
            guarded(|| {
                let _guard = tch::no_grad_guard();
                let mut tensors = Vec::with_capacity(ins.len());
                for ((name, desc), h) in program.inputs().zip(&ins) {
                    h.check(desc, program.device())
                        .map_err(|e| Error::Argument(format!("input {name:?}: {e}")))?;
                    // A snapshot: writers replace a handle's tensor instead of writing
                    // into it, so this stays unchanged while the graph runs.
                    tensors.push(h.snapshot()?);
                }
                let results = program.run(tensors)?;
                for (((name, desc), h), t) in program.outputs().zip(&outs).zip(results) {
                    h.check(desc, program.device())
                        .map_err(|e| Error::Argument(format!("output {name:?}: {e}")))?;
                    h.replace(t)?;
                }
                Ok(())
            })
        })?;
        Ok(())
    }
}

/// Storage of one MLTensor: a libtorch tensor on the context's device.
#[pyclass(frozen, module = "pywebnn_rust._native")]
struct TensorHandle {
    desc: Desc,
    device: Device,
    data: Mutex<Option<Tensor>>,
}

impl TensorHandle {
    fn guard(&self) -> MutexGuard<'_, Option<Tensor>> {
        // A poisoned lock only means a panic elsewhere; the tensor itself is intact.
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A handle to the current contents (shares storage; never written through).
    fn snapshot(&self) -> Result<Tensor, Error> {
        self.guard()
            .as_ref()
            .map(Tensor::shallow_clone)
            .ok_or(Error::Destroyed)
    }

    fn check(&self, desc: &Desc, device: Device) -> Result<(), Error> {
        if &self.desc != desc || self.device != device {
            return Err(Error::Argument(format!(
                "tensor is {} on {}, the graph needs {desc} on {}",
                self.desc,
                device_name(self.device),
                device_name(device)
            )));
        }
        Ok(())
    }

    /// Swaps in new contents (never writes into the old tensor, which readers may hold).
    fn replace(&self, t: Tensor) -> Result<(), Error> {
        exec::check_tensor(&t, &self.desc)?;
        let mut guard = self.guard();
        if guard.is_none() {
            return Err(Error::Destroyed);
        }
        *guard = Some(t);
        Ok(())
    }
}

#[pymethods]
impl TensorHandle {
    /// A zero-filled tensor.
    #[new]
    fn new(py: Python<'_>, data_type: &str, shape: Vec<u64>, device: &str) -> PyResult<Self> {
        let dtype = DataType::from_name(data_type)
            .ok_or_else(|| Error::Argument(format!("unknown data type {data_type:?}")))?;
        let desc = Desc::new(dtype, &shape)?;
        let device = parse_device(device)?;
        let t = py.detach(|| {
            guarded(|| {
                Tensor::f_zeros(desc.shape.as_slice(), (dtype.storage_kind(), device))
                    .map_err(|e| Error::Storage(e.to_string()))
            })
        })?;
        Ok(TensorHandle {
            desc,
            device,
            data: Mutex::new(Some(t)),
        })
    }

    /// Replaces the contents with a C-contiguous buffer's bytes (one copy to the device).
    fn write(&self, py: Python<'_>, data: Bound<'_, PyAny>) -> PyResult<()> {
        let buf = PyBuffer::<u8>::get(&data)?;
        let t = guarded(|| {
            let _guard = tch::no_grad_guard();
            host_bytes(&buf).and_then(|b| tensor_from_host(b, &self.desc, Device::Cpu))
        })?;
        drop(buf);
        py.detach(|| {
            guarded(|| {
                let t = if self.device == Device::Cpu {
                    t
                } else {
                    t.f_to_device(self.device)
                        .map_err(|e| Error::Storage(e.to_string()))?
                };
                self.replace(t)
            })
        })?;
        Ok(())
    }

    /// Copies the contents into a writable C-contiguous buffer of the right size.
    fn read(&self, py: Python<'_>, out: Bound<'_, PyAny>) -> PyResult<()> {
        let mut buf = PyBuffer::<u8>::get(&out)?;
        let dst = host_bytes_mut(&mut buf)?;
        py.detach(|| {
            guarded(|| {
                let t = self.snapshot()?;
                tensor_to_host(&t, &self.desc, dst).map_err(|e| Error::Storage(e.to_string()))
            })
        })?;
        Ok(())
    }

    /// Frees the storage; later use raises InvalidStateError.
    fn destroy(&self, py: Python<'_>) {
        py.detach(|| {
            *self.guard() = None;
        });
    }

    #[getter]
    fn data_type(&self) -> &'static str {
        self.desc.dtype.name()
    }

    #[getter]
    fn shape(&self) -> Vec<i64> {
        self.desc.shape.clone()
    }

    #[getter]
    fn destroyed(&self, py: Python<'_>) -> bool {
        py.detach(|| self.guard().is_none())
    }
}

/// op name -> data type names its kernel implements.
#[pyfunction]
fn supported_ops() -> Vec<(&'static str, Vec<&'static str>)> {
    ops::supported()
        .into_iter()
        .map(|(op, types)| (op, types.iter().map(|d| d.name()).collect()))
        .collect()
}

/// Whether libtorch can use a CUDA device (WebNN "gpu").
#[pyfunction]
fn cuda_available() -> bool {
    tch::Cuda::is_available()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Fail at import, not at the first error, if the error classes are unavailable.
    m.py().import("webnn.errors")?;
    m.add_class::<Graph>()?;
    m.add_class::<TensorHandle>()?;
    m.add_function(wrap_pyfunction!(supported_ops, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_available, m)?)?;
    m.add("FORMAT_VERSION", plan::FORMAT_VERSION)?;
    Ok(())
}
