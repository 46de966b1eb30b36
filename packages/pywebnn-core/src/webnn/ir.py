"""The backend-neutral intermediate representation of a built graph.

A ``Graph`` is immutable and fully normalized: every node carries explicit attributes
(no defaults left to fill) and every operand its final data type and shape.  Operand ids
are dense (0..n-1) so a backend can keep values in a list indexed by id.

Serialization (``Graph.save`` / ``load_graph``) is one file: a fixed header, a JSON
document, then the raw little-endian constant buffers.  No pickle and no eval: a file is
read by ``json`` and ``numpy.frombuffer`` only, and every structural fact is checked.

The extension types int4/uint4 are written with those names and their constant buffers
are unpacked, one byte per value (int8/uint8), like their arrays in memory.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias

import numpy as np

from webnn._dtypes import ALL, EXTENSION_4BIT, NUMPY, DataType, int_range
from webnn.errors import DataError

__all__ = ["FORMAT_VERSION", "Graph", "Node", "NodeInput", "Operand", "load_graph"]

FORMAT_VERSION: Final = 1
_MAGIC: Final = b"PYWEBNN\x00"
_HEADER: Final = struct.Struct("<8sIQ")  # magic, version, JSON length

OperandKind = Literal["input", "constant", "value"]
NodeInput: TypeAlias = "int | tuple[int, ...] | None"


@dataclass(frozen=True, slots=True)
class Operand:
    id: int
    data_type: DataType
    shape: tuple[int, ...]
    kind: OperandKind
    name: str = ""


@dataclass(frozen=True, slots=True)
class Node:
    """One operation.  ``inputs`` follow the op's ``OpDef.input_names`` order; an absent
    optional operand is None and a sequence argument (concat) is a tuple of ids."""

    op: str
    inputs: tuple[NodeInput, ...]
    attrs: Mapping[str, Any]
    outputs: tuple[int, ...]
    label: str = ""


@dataclass(frozen=True, slots=True)
class Graph:
    operands: tuple[Operand, ...]
    nodes: tuple[Node, ...]
    inputs: Mapping[str, int]
    outputs: Mapping[str, int]
    constants: Mapping[int, np.ndarray] = field(repr=False)

    # -- serialization --------------------------------------------------------------------
    def to_document(self) -> tuple[str, list[np.ndarray]]:
        """The JSON document and the constant buffers it refers to by index.

        Non-finite float attributes are written as the strings "NaN", "Infinity" and
        "-Infinity" so that strict JSON parsers (serde_json) accept the document.
        """
        const_ids = sorted(self.constants)
        doc = {
            "format": "pywebnn-ir",
            "version": FORMAT_VERSION,
            "operands": [
                {"id": o.id, "data_type": o.data_type, "shape": list(o.shape),
                 "kind": o.kind, "name": o.name}
                for o in self.operands
            ],
            "nodes": [
                {"op": n.op, "inputs": [list(i) if isinstance(i, tuple) else i for i in n.inputs],
                 "attrs": {k: _encode(v) for k, v in n.attrs.items()},
                 "outputs": list(n.outputs), "label": n.label}
                for n in self.nodes
            ],
            "inputs": dict(self.inputs),
            "outputs": dict(self.outputs),
            "constants": [{"operand": i, "buffer": k} for k, i in enumerate(const_ids)],
        }
        buffers = [np.ascontiguousarray(self.constants[i]) for i in const_ids]
        return json.dumps(doc, allow_nan=False, separators=(",", ":")), buffers

    def save(self, path: str | Path) -> None:
        text, buffers = self.to_document()
        doc = json.loads(text)
        offset = 0
        for entry, buf in zip(doc["constants"], buffers, strict=True):
            raw = buf.astype(buf.dtype.newbyteorder("<"), copy=False).tobytes()
            entry.update(offset=offset, length=len(raw), sha256=hashlib.sha256(raw).hexdigest())
            offset += len(raw)
        body = json.dumps(doc, separators=(",", ":")).encode()
        with open(path, "wb") as f:
            f.write(_HEADER.pack(_MAGIC, FORMAT_VERSION, len(body)))
            f.write(body)
            for buf in buffers:
                f.write(buf.astype(buf.dtype.newbyteorder("<"), copy=False).tobytes())

    @classmethod
    def from_document(cls, text: str | bytes, buffers: list[bytes | np.ndarray]) -> Graph:
        """Rebuild a Graph from ``to_document`` output, checking every structural fact."""
        try:
            doc = json.loads(text)
        except (ValueError, UnicodeDecodeError) as e:
            raise DataError(f"load_graph: the graph document is not valid JSON: {e}") from e
        return _parse(doc, buffers)


def load_graph(path: str | Path) -> Graph:
    """Read a graph written by ``Graph.save``; any damage raises ``DataError``."""
    data = Path(path).read_bytes()
    if len(data) < _HEADER.size:
        raise DataError(f"load_graph: {path} is truncated (no header)")
    magic, version, length = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        raise DataError(f"load_graph: {path} is not a PyWebNN graph file")
    if version != FORMAT_VERSION:
        raise DataError(f"load_graph: unsupported format version {version} "
                        f"(this PyWebNN reads {FORMAT_VERSION})")
    start = _HEADER.size
    if start + length > len(data):
        raise DataError(f"load_graph: {path} is truncated (document cut short)")
    try:
        doc = json.loads(data[start:start + length])
    except (ValueError, UnicodeDecodeError) as e:
        raise DataError(f"load_graph: the graph document is not valid JSON: {e}") from e
    blob = memoryview(data)[start + length:]
    buffers: list[bytes | np.ndarray] = []
    for entry in _get(doc, "constants", list):
        off, size = _get(entry, "offset", int), _get(entry, "length", int)
        if off < 0 or size < 0 or off + size > len(blob):
            raise DataError(f"load_graph: {path} is truncated (constant data cut short)")
        raw = bytes(blob[off:off + size])
        if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
            raise DataError(f"load_graph: constant buffer of operand {entry.get('operand')} "
                            "is corrupted (checksum mismatch)")
        buffers.append(raw)
    return _parse(doc, buffers)


# -- helpers ---------------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value in _SPECIAL:
        return _SPECIAL[value]
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def _get(obj: Any, key: str, kind: type) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise DataError(f"load_graph: graph document lacks {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DataError(f"load_graph: {key!r} must be {kind.__name__}, got {value!r}")
    return value


def _parse(doc: Any, buffers: list[bytes | np.ndarray]) -> Graph:
    if _get(doc, "format", str) != "pywebnn-ir" or _get(doc, "version", int) != FORMAT_VERSION:
        raise DataError("load_graph: not a PyWebNN IR document of a supported version")
    operands = _parse_operands(_get(doc, "operands", list))
    n = len(operands)

    def ref(x: Any) -> int:
        if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x < n:
            raise DataError(f"load_graph: operand reference {x!r} is out of range")
        return x

    nodes = []
    for nd in _get(doc, "nodes", list):
        ins = tuple(None if x is None else tuple(map(ref, x)) if isinstance(x, list) else ref(x)
                    for x in _get(nd, "inputs", list))
        attrs = {k: _decode(v) for k, v in _get(nd, "attrs", dict).items()}
        outs = tuple(map(ref, _get(nd, "outputs", list)))
        nodes.append(Node(_get(nd, "op", str), ins, MappingProxyType(attrs), outs,
                          str(nd.get("label", ""))))
    constants = {}
    for entry in _get(doc, "constants", list):
        oid, k = ref(_get(entry, "operand", int)), _get(entry, "buffer", int)
        if not 0 <= k < len(buffers):
            raise DataError(f"load_graph: constant {oid} refers to missing buffer {k}")
        constants[oid] = _constant(operands[oid], buffers[k])
    ins_map = {str(k): ref(v) for k, v in _get(doc, "inputs", dict).items()}
    outs_map = {str(k): ref(v) for k, v in _get(doc, "outputs", dict).items()}
    for name, oid in ins_map.items():
        if operands[oid].kind != "input":
            raise DataError(f"load_graph: graph input {name!r} refers to a non-input operand")
    return Graph(tuple(operands), tuple(nodes), MappingProxyType(ins_map),
                 MappingProxyType(outs_map), MappingProxyType(constants))


def _parse_operands(docs: list[Any]) -> list[Operand]:
    operands = []
    for i, o in enumerate(docs):
        dt, shape = _get(o, "data_type", str), _get(o, "shape", list)
        kind = _get(o, "kind", str)
        known = dt in ALL or dt in EXTENSION_4BIT
        if _get(o, "id", int) != i or not known or kind not in ("input", "constant", "value"):
            raise DataError(f"load_graph: operand {i} is malformed: {o!r}")
        if not all(isinstance(d, int) and d > 0 for d in shape):
            raise DataError(f"load_graph: operand {i} has an invalid shape {shape!r}")
        operands.append(Operand(i, dt, tuple(shape), kind, str(o.get("name", ""))))
    return operands


def _constant(op: Operand, raw: bytes | np.ndarray) -> np.ndarray:
    """A constant's array from its little-endian buffer, checked against its operand."""
    oid = op.id
    if op.kind != "constant":
        raise DataError(f"load_graph: constant data given for non-constant operand {oid}")
    dtype = NUMPY[op.data_type].newbyteorder("<")
    nbytes = raw.nbytes if isinstance(raw, np.ndarray) else len(raw)
    if nbytes != math.prod(op.shape) * dtype.itemsize:
        raise DataError(f"load_graph: constant {oid} has {nbytes} bytes, expected "
                        f"{math.prod(op.shape) * dtype.itemsize} for shape {list(op.shape)}")
    arr = np.frombuffer(raw if not isinstance(raw, np.ndarray) else raw.tobytes(), dtype)
    if op.data_type in EXTENSION_4BIT and arr.size:
        lo, hi = int_range(op.data_type)
        if int(arr.min()) < lo or int(arr.max()) > hi:
            raise DataError(f"load_graph: constant {oid} holds a value outside the "
                            f"{op.data_type} range [{lo}, {hi}]")
    result: np.ndarray = arr.astype(NUMPY[op.data_type]).reshape(op.shape)
    return result
