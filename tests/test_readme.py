"""The README is part of the product: its code runs, its tables match the code."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


def test_generated_sections_are_current():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "code", [code for lang, code in BLOCKS if lang == "python"], ids=lambda c: c.split("\n")[0]
)
def test_python_blocks_run(code, tmp_path):
    """Each Python block runs as it stands, in a folder holding the shipped samples."""
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr


def test_first_lines_give_the_two_commands():
    first = BLOCKS[0][1].strip().splitlines()
    assert first[0].endswith("disclosure-xlsx validate samples/")
    assert first[1].endswith("pytest -q")


COMMANDS = [
    line.removeprefix("$ ").strip()
    for lang, code in BLOCKS[1:]
    if lang in ("sh", "console")
    for line in code.splitlines()
    if line.removeprefix("$ ").startswith("disclosure-xlsx ")
]


@pytest.mark.parametrize("command", COMMANDS)
def test_shell_commands_run(command, tmp_path):
    """Every `disclosure-xlsx …` line of a sh/console block runs (exit 0 or 1, no traceback),
    in a folder holding the shipped samples, after the lines above it in its block."""
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    exe = shutil.which("disclosure-xlsx", path=os.path.dirname(sys.executable))
    assert exe, "the disclosure-xlsx entry point is installed next to this Python"
    for lang, code in BLOCKS[1:]:
        lines = [ln.removeprefix("$ ").strip() for ln in code.splitlines()]
        if command in lines and lang in ("sh", "console"):
            before = [
                ln for ln in lines[: lines.index(command)] if ln.startswith("disclosure-xlsx ")
            ]
            break
    for line in [*before, command]:
        result = subprocess.run(
            [exe, *shlex.split(line)[1:]], cwd=tmp_path, capture_output=True, text=True
        )
        assert result.returncode in (0, 1), (line, result.stderr)
        assert "Traceback" not in result.stderr
