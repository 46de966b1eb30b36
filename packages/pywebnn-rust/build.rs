//! Link settings for libtorch (from torch-sys) and, for `cargo test`, libpython.
//!
//! * The extension module (`--features extension-module`, set by maturin) gets a
//!   relative RUNPATH `$ORIGIN/../torch/lib`: installed as `site-packages/pywebnn_rust/
//!   _native*.so`, it finds the `torch` wheel's libraries next to it. Python also
//!   imports torch before the module (see `pywebnn_rust/__init__.py`), so the libraries
//!   are already loaded anyway. No absolute build path ends up in the module.
//! * Test binaries (no `extension-module`) get absolute RUNPATHs to the libtorch and
//!   libpython they were linked against, so a plain `cargo test` runs.

use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_EXTENSION_MODULE");
    if env::var_os("CARGO_CFG_TARGET_OS").is_some_and(|os| os != "linux") {
        return;
    }
    if env::var_os("CARGO_FEATURE_EXTENSION_MODULE").is_some() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN/../torch/lib");
        return;
    }
    // Metadata of torch-sys (`links = "tch"`): the directory holding libtorch*.so.
    if let Some(dir) = env::var_os("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.to_string_lossy());
    }
    let config = pyo3_build_config::get();
    if let Some(dir) = &config.lib_dir {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
