"""Regenerate the operator table in README.md from the installed backends.

For each op of the core's table, each backend column shows the data types its
``op_support_limits()`` accepts for the op's first operand ("all 8" when it takes every
type the spec allows, "–" when it does not run the op), followed by "+ i4 u4" for the
PyWebNN extension types it also runs there. Usage:

    python scripts/gen_op_table.py          # rewrite README.md
    python scripts/gen_op_table.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import webnn
from webnn.ops import OPS

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- op-table:start -->", "<!-- op-table:end -->"
SHORT = {"float32": "f32", "float16": "f16", "int32": "i32", "uint32": "u32",
         "int64": "i64", "uint64": "u64", "int8": "i8", "uint8": "u8",
         "int4": "i4", "uint4": "u4"}


def _extra(types: list[str] | tuple[str, ...]) -> str:
    return (" + " + " ".join(SHORT[d] for d in types)) if types else ""


def cell(allowed: tuple[str, ...], extensions: tuple[str, ...], supported: list[str]) -> str:
    if not supported:
        return "–"
    spec = [d for d in supported if d not in extensions]
    extra = _extra([d for d in extensions if d in supported])
    if set(spec) >= set(allowed):
        return (f"all {len(allowed)}" if len(allowed) > 1 else SHORT[allowed[0]]) + extra
    return " ".join(SHORT[d] for d in spec) + extra


def table() -> str:
    names = [i.name for i in webnn.list_backends() if i.backend is not None and i.name != "spec"]
    limits = {n: webnn.MLContext(backend=n, device_type="cpu").op_support_limits() for n in names}
    lines = ["| op | spec name | spec data types | " + " | ".join(names) + " |",
             "|---|---|---|" + "---|" * len(names)]
    counts = dict.fromkeys(names, 0)
    for name in sorted(OPS):
        op = OPS[name]
        first = op.input_names[0]
        allowed = op.limits[first].data_types
        extensions = op.limits[first].extension_types
        row = [f"`{name}`", op.spec, " ".join(SHORT[d] for d in allowed) + _extra(extensions)]
        for b in names:
            supported = limits[b].get(name, {}).get(first, {}).get("data_types", [])
            counts[b] += bool(supported)
            row.append(cell(allowed, extensions, supported))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("| **total** | | " + f"{len(OPS)} ops | "
                 + " | ".join(f"**{counts[b]}**" for b in names) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = README.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if args.check:
        if new != text:
            print("README.md operator table is out of date: run scripts/gen_op_table.py",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
