#!/usr/bin/env bash
# The README's test command: set up the venv (reused when unchanged), run the linters and
# generated-file checks, the Rust unit tests, then the whole Python test suite in one
# pytest run — core, torch, rust, the conformance runner's own tests, and the WPT vectors
# on every installed backend. Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# rustup installs cargo under ~/.cargo/bin; a non-login shell may not have it on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "${HOME:-/root}/.cargo/bin/cargo" ]; then
    export PATH="${HOME:-/root}/.cargo/bin:$PATH"
fi
"$root/scripts/setup-venv.sh"
venv="${PYWEBNN_VENV:-$root/.venv}"
# shellcheck disable=SC1091
source "$venv/bin/activate"

step() { printf '[test] %s\n' "$*" >&2; }
step "ruff"
ruff check .
step "mypy"
mypy --config-file pyproject.toml packages/pywebnn-core/src/webnn \
    packages/pywebnn-torch/src/pywebnn_torch packages/pywebnn-rust/python/pywebnn_rust \
    conformance/src/webnn_conformance >&2
step "generated files are up to date"
python scripts/gen_builder_stubs.py --check
python scripts/gen_op_table.py --check
if [ -f packages/pywebnn-rust/Cargo.toml ]; then
    step "cargo test (release profile, reusing the extension's build)"
    (cd packages/pywebnn-rust && CARGO_TARGET_DIR="$root/packages/pywebnn-rust/target" \
        LIBTORCH_USE_PYTORCH=1 cargo test --release --quiet 2>&1 | tail -n 3) >&2
fi
step "pytest"
exec python -m pytest -rfE \
    packages/pywebnn-core/tests packages/pywebnn-torch/tests packages/pywebnn-rust/tests \
    conformance/tests --pyargs webnn_conformance.wpt_suite "$@"
