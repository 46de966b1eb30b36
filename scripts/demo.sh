#!/usr/bin/env bash
# The README's main job: set up the venv (reused when unchanged) and run the demo on
# every installed backend.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup-venv.sh"
venv="${PYWEBNN_VENV:-$root/.venv}"
exec "$venv/bin/python" "$root/examples/demo.py" "$@"
