#!/usr/bin/env bash
# Build every distribution as a wheel into dist/, so that the extras resolve the way
# they will from a package index:
#     pip install --find-links dist "pywebnn-core[torch,rust]" pywebnn-conformance
# The Rust wheel links the torch of the active environment (torch==2.13.0 must be
# installed, with maturin and setuptools): run it inside the venv of setup-venv.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p dist
python -m pip wheel --quiet --no-deps --no-build-isolation -w dist \
    ./packages/pywebnn-core ./packages/pywebnn-torch ./conformance
LIBTORCH_USE_PYTORCH=1 CARGO_TARGET_DIR="$root/packages/pywebnn-rust/target" \
    python -m pip wheel --quiet --no-deps --no-build-isolation -w dist ./packages/pywebnn-rust
ls -1 dist
