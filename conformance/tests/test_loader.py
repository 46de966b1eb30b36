"""Reading vector files and finding the vector directory."""

from __future__ import annotations

import json
import math

import pytest

from webnn_conformance import loader
from webnn_conformance.loader import VectorError, load_dirs, load_file, resolve_vector_dirs

TEXT = """{"tests": [{"name": "a", "graph": {
  "inputs": {"x": {"data": [NaN, Infinity, -Infinity, -0.0],
                   "descriptor": {"shape": [4], "dataType": "float32"}},
             "k": {"data": [18446744073709551615], "constant": true,
                   "descriptor": {"shape": [1], "dataType": "uint64"}}},
  "operators": [{"name": "split", "arguments": [{"input": "x"}, {"splits": 2},
                 {"options": {"axis": 0}}], "outputs": ["y", "z"]}],
  "expectedOutputs": {"y": {"data": 1.5, "descriptor": {"shape": [2], "dataType": "float32"}}}},
  "tolerance": {"metric": "ATOL", "value": 0.5}}]}"""


def test_load_file_keeps_wpt_tokens_and_big_ints(tmp_path):
    path = tmp_path / "split.json"
    path.write_text(TEXT)
    (test,) = load_file(path).tests
    x = test.inputs["x"].data
    assert math.isnan(x[0])
    assert x[1:3] == [math.inf, -math.inf]
    assert math.copysign(1, x[3]) == -1
    assert test.inputs["k"].data == [2**64 - 1]
    assert isinstance(test.inputs["k"].data[0], int)
    assert test.inputs["k"].constant
    assert not test.inputs["x"].constant
    assert test.expected["y"].scalar_filled
    assert test.operators[0].outputs == ("y", "z")
    assert test.operators[0].options == {"axis": 0}
    assert test.tolerance == loader.ToleranceSpec("ATOL", 0.5)
    assert test.file == "split"
    assert test.op == "split"


def test_duplicate_names_are_rejected(tmp_path):
    doc = json.loads(TEXT)
    doc["tests"].append(doc["tests"][0])
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(VectorError, match="duplicate"):
        load_file(path)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"tests": 3}',
        '{"tests": [{"name": "a"}]}',
        "[]",
        TEXT.replace("[NaN, Infinity, -Infinity, -0.0]", "[1, 2]"),  # 2 values, shape [4]
    ],
)
def test_malformed_files(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(VectorError, match="bad.json"):
        load_file(path)


def test_explicit_dirs_beat_environment(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    monkeypatch.setenv(loader.ENV_VECTORS, str(b))
    assert resolve_vector_dirs([a]) == [a]
    assert resolve_vector_dirs(None) == [b]


def test_missing_dir_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv(loader.ENV_VECTORS, raising=False)
    with pytest.raises(VectorError, match="not found"):
        resolve_vector_dirs([tmp_path / "nope"])


def test_default_dir_is_beside_the_repository_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    vectors = tmp_path / "shared" / "wpt" / "conformance"
    vectors.mkdir(parents=True)
    monkeypatch.delenv(loader.ENV_VECTORS, raising=False)
    monkeypatch.chdir(repo / "sub")
    monkeypatch.setattr(loader, "__file__", str(tmp_path / "elsewhere" / "loader.py"))
    assert resolve_vector_dirs(None) == [vectors.resolve()]


def test_no_default_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(loader.ENV_VECTORS, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(loader, "__file__", str(tmp_path / "loader.py"))
    with pytest.raises(VectorError, match="--vectors"):
        resolve_vector_dirs(None)


def test_load_dirs_needs_json_files(tmp_path):
    with pytest.raises(VectorError, match="no \\*.json"):
        load_dirs([tmp_path])
