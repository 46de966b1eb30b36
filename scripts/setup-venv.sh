#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment with every package installed:
# the pinned toolchain, pywebnn-core, pywebnn-torch, pywebnn-conformance (editable) and
# the Rust extension pywebnn-rust (built with maturin against the venv's torch).
#
# Re-running is fast: each step is skipped when a hash of its inputs is unchanged.
# Usage: scripts/setup-venv.sh            (venv at .venv, or $PYWEBNN_VENV)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# rustup installs cargo under ~/.cargo/bin; a non-login shell may not have it on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "${HOME:-/root}/.cargo/bin/cargo" ]; then
    export PATH="${HOME:-/root}/.cargo/bin:$PATH"
fi
venv="${PYWEBNN_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

say() { printf '[setup] %s\n' "$*" >&2; }
hash_of() { { for f in "$@"; do if [ -f "$f" ]; then cat "$f"; fi; done; } | sha256sum | cut -c1-16; }
stamp_ok() { [ -f "$venv/.stamp-$1" ] && [ "$(cat "$venv/.stamp-$1")" = "$2" ]; }
stamp_set() { echo "$2" > "$venv/.stamp-$1"; }

if [ ! -x "$venv/bin/python" ]; then
    say "creating virtual environment $venv"
    "$python" -m venv "$venv"
fi
# torch-sys runs `python` from PATH to find libtorch: the venv must be active.
# shellcheck disable=SC1091
source "$venv/bin/activate"

deps_hash=$(hash_of scripts/requirements-dev.txt)
if ! stamp_ok deps "$deps_hash"; then
    say "installing the pinned toolchain (torch 2.13.0 is large: a few minutes the first time)"
    pip install --quiet --upgrade pip
    pip install --quiet -r scripts/requirements-dev.txt
    stamp_set deps "$deps_hash"
fi

py_hash=$(hash_of packages/pywebnn-core/pyproject.toml packages/pywebnn-torch/pyproject.toml \
    conformance/pyproject.toml)
if ! stamp_ok python "$py_hash"; then
    say "installing pywebnn-core, pywebnn-torch, pywebnn-conformance (editable)"
    pip install --quiet --no-deps -e packages/pywebnn-core -e packages/pywebnn-torch
    if [ -f conformance/pyproject.toml ]; then
        pip install --quiet --no-deps -e conformance
    fi
    stamp_set python "$py_hash"
fi

if [ -f packages/pywebnn-rust/pyproject.toml ]; then
    # Only what goes into the built extension (not its tests) triggers a rebuild.
    rust_hash=$(cd packages/pywebnn-rust && find src python build.rs Cargo.toml Cargo.lock \
        pyproject.toml .cargo -type f \( -name '*.rs' -o -name '*.toml' -o -name '*.py' \
        -o -name 'Cargo.lock' \) -not -path '*/__pycache__/*' -print \
        | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
    if ! stamp_ok rust "$rust_hash"; then
        say "building the Rust extension pywebnn-rust (several minutes on a clean clone)"
        start=$(date +%s)
        LIBTORCH_USE_PYTORCH=1 CARGO_TARGET_DIR="$root/packages/pywebnn-rust/target" \
            pip install --quiet --no-deps --no-build-isolation ./packages/pywebnn-rust
        say "pywebnn-rust built in $(( $(date +%s) - start )) s"
        stamp_set rust "$rust_hash"
    fi
fi
say "virtual environment ready: $venv"
