#!/usr/bin/env bash
# The README's test command: set up the venv (reused when unchanged), lint, then run
# the whole test suite — core, torch, rust, conformance on every installed backend.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup-venv.sh"
venv="${PYWEBNN_VENV:-$root/.venv}"
# shellcheck disable=SC1091
source "$venv/bin/activate"
ruff check . >&2
exec python -m pytest "$@"
