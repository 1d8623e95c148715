"""A fixed-seed sample of tools/fuzz.py: hostile and broken workbooks never escape as a
traceback or an abort, and the JSON report stays strict."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("fuzz", ROOT / "tools" / "fuzz.py")
assert _spec and _spec.loader
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz"] = fuzz
_spec.loader.exec_module(fuzz)

LIBRARY_MUTANTS = 300
CLI_MUTANTS = 24


def write(tmp_path: Path, seed: int, n: int) -> list[Path]:
    paths = []
    for m in fuzz.mutants(seed, n):
        path = tmp_path / m.name
        path.write_bytes(m.data)
        paths.append(path)
    return paths


def test_mutants_are_deterministic():
    first = [(m.name, m.ops, hashlib.sha256(m.data).hexdigest()) for m in fuzz.mutants(7, 20)]
    again = [(m.name, m.ops, hashlib.sha256(m.data).hexdigest()) for m in fuzz.mutants(7, 20)]
    assert first == again
    assert len({ops for _n, ops, _h in first}) > 5


def test_library_survives_mutants(tmp_path):
    """validate_file, strict JSON and the console text, in this process: nothing escapes."""
    problems = {}
    for path in write(tmp_path, 2014, LIBRARY_MUTANTS):
        found = fuzz.check_library(path)
        if found:
            problems[path.name] = [p.signature for p in found]
    assert problems == {}


def test_cli_survives_mutants(tmp_path):
    """One `validate --format json` over a batch: exit 0/1, strict JSON, no traceback, and
    every input byte-identical afterwards."""
    paths = write(tmp_path, 2021, CLI_MUTANTS)
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    run = fuzz.run_cli(["validate", *map(str, paths), "--format", "json", "--jobs", "2"], 600)
    assert fuzz.judge(run, "validate --format json", json_out=True) == []
    assert run.code == 1
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths] == before
