"""Every command that writes, run as a user runs it (the installed `disclosure-xlsx` in a child
process), against an unwritable folder, an existing output, its own input as output (also by a
symlink and a hard link) and Ctrl-C. Each run must end without a traceback, with the documented
exit code, with its inputs byte-identical and with no partial file left anywhere."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from disclosure_xlsx.spec import load_spec

from .workbooks import template_return

EXE = Path(sys.executable).with_name("disclosure-xlsx")
COMMAND = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "disclosure_xlsx"]
ENV = {**os.environ, "COLUMNS": "200", "DISCLOSURE_XLSX_LANG": "zh"}
BATCH = 150  # files in the Ctrl-C batches


@dataclass
class World:
    """Inputs of every command: a folder of returns, a roster, a data file."""

    root: Path
    returns: Path
    roster: Path
    data: Path

    @property
    def first(self) -> Path:
        return self.returns / "r0.xlsx"

    def inputs(self) -> dict[Path, str]:
        files = [*sorted(self.returns.iterdir()), self.roster, self.data]
        return {p: _sha(p) for p in files if p.is_file() and not p.is_symlink()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_world(root: Path, returns: int = 3, departments: int = 3) -> World:
    spec = load_spec("2014")
    folder = root / "returns"
    folder.mkdir(parents=True)
    first = template_return(folder / "r0.xlsx", spec, {"requests_received": 3}, unit_name="局0")
    for n in range(1, returns):
        shutil.copy(first, folder / f"r{n}.xlsx")
    roster = root / "名单.csv"
    roster.write_text("单位名称\n" + "".join(f"局{n}\n" for n in range(departments)), "utf-8")
    data = root / "data.json"
    data.write_text(json.dumps({"staff": 1}), "utf-8")
    return World(root, folder, roster, data)


#: command -> (arguments given the world and the output, the output is a folder)
COMMANDS: dict[str, tuple[Callable[[World, Path], list[str]], bool]] = {
    "template": (lambda w, out: ["template", "-o", str(out)], False),
    "roster": (lambda w, out: ["template", "--roster", str(w.roster), "-o", str(out)], True),
    "validate-json": (
        lambda w, out: ["validate", str(w.returns), "--format", "json", "-o", str(out)],
        False,
    ),
    "validate-html": (
        lambda w, out: ["validate", str(w.returns), "--format", "html", "-o", str(out)],
        False,
    ),
    "validate-console": (lambda w, out: ["validate", str(w.returns), "-o", str(out)], False),
    "annotate": (lambda w, out: ["validate", str(w.returns), "--annotate", str(out)], True),
    "fix": (lambda w, out: ["fix", str(w.first), "-o", str(out)], False),
    "fill": (lambda w, out: ["fill", "--data", str(w.data), "-o", str(out)], False),
}
SUFFIX = {"validate-json": ".json", "validate-html": ".html", "validate-console": ".txt"}


def output_name(command: str) -> str:
    return "out" if COMMANDS[command][1] else f"out{SUFFIX.get(command, '.xlsx')}"


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, env=ENV, timeout=300, **kwargs
    )


def assert_clean(
    world: World, before: dict[Path, str], stderr: str, placed: tuple[Path, ...] = ()
) -> None:
    """No traceback, inputs unchanged, no temporary or truncated file anywhere (but the files
    the test ``placed`` there)."""
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert {p: _sha(p) for p in before} == before
    for path in world.root.rglob("*"):
        assert not path.name.endswith(".part"), path
        if path.is_symlink() or not path.is_file() or path in placed:
            continue
        if path.stat().st_nlink > 1:  # a hard link the test made to an input
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:  # a whole workbook, not half of one
                assert "[Content_Types].xml" in z.namelist()
                assert z.testzip() is None
        elif path.suffix == ".json":
            json.loads(path.read_text("utf-8"))
        elif path.suffix == ".html":
            assert path.read_text("utf-8").rstrip().endswith("</html>")


@pytest.fixture
def world(tmp_path) -> World:
    return make_world(tmp_path)


# -- an unwritable folder ---------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_unwritable_folder(world, command):
    blocker = world.root / "file.txt"
    blocker.write_text("a file, not a folder")  # fails for root too, unlike chmod
    targets = [blocker / "sub" / output_name(command)]
    if os.geteuid() != 0:
        readonly = world.root / "readonly"
        readonly.mkdir(mode=0o500)
        targets.append(readonly / output_name(command))
    before = world.inputs()
    build, _ = COMMANDS[command]
    for target in targets:
        result = run(build(world, target))
        assert result.returncode == 2, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "无法写入" in lines[0], result.stderr
        assert str(target.parent) in lines[0] or str(target) in lines[0]
        assert not os.path.lexists(target)
    assert_clean(world, before, result.stderr)


# -- an existing output -----------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_existing_output_needs_force(world, command):
    build, is_folder = COMMANDS[command]
    target = world.root / output_name(command)
    if is_folder:  # a file this run would write is already there
        target.mkdir()
        existing = target / ("局0.xlsx" if command == "roster" else "r0_校验.xlsx")
    else:
        existing = target
    existing.write_bytes(b"last week's work")
    before = world.inputs()
    result = run(build(world, target))
    assert result.returncode == 2, result.stderr
    assert "已存在" in result.stderr and "--force" in result.stderr
    assert existing.read_bytes() == b"last week's work"
    if is_folder:
        assert list(target.iterdir()) == [existing]  # nothing else written either
    assert_clean(world, before, result.stderr, placed=(existing,))


# -- its own input as output --------------------------------------------------------------------


OWN_INPUT = [c for c in COMMANDS if c != "template"]  # template reads nothing


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
@pytest.mark.parametrize("command", OWN_INPUT)
def test_own_input_as_output_even_with_force(world, command, how):
    build, _ = COMMANDS[command]

    def alias(source: Path, name: Path) -> Path:
        if how == "same":
            return source
        if how == "symlink":
            name.symlink_to(source)
        else:
            os.link(source, name)
        return name

    expected = 2
    if command == "roster":  # last round's list, used as this round's roster, in the folder
        out = world.root / "templates"
        out.mkdir()
        listed = out / "清单.csv"
        if how == "same":
            world.roster.rename(listed)
            world.roster = listed
        else:
            alias(world.roster, listed)
        args = build(world, out)
    elif command == "annotate":  # into the folder being validated, onto a return's name
        out = world.returns
        source = world.returns / "r1.xlsx"
        if how == "same":
            shutil.copy(source, world.returns / "r0_校验.xlsx")  # someone's return
        elif how == "symlink":
            (world.returns / "r0_校验.xlsx").symlink_to(world.data)
        else:
            os.link(source, world.returns / "r0_校验.xlsx")
        args = build(world, out)
        expected = 1  # validated and annotated, under other names
    elif command == "fill":
        shutil.copy(world.first, world.root / "data.xlsx")
        world.data = world.root / "data.xlsx"
        args = build(world, alias(world.data, world.root / "alias.xlsx"))
    else:
        suffix = SUFFIX.get(command, ".xlsx")
        args = build(world, alias(world.first, world.root / f"alias{suffix}"))
    before = world.inputs()
    result = run([*args, "--force"])
    assert result.returncode == expected, result.stderr
    if expected == 2:
        assert "输入文件" in result.stderr or "符号链接" in result.stderr, result.stderr
    assert_clean(world, before, result.stderr)


# -- Ctrl-C -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory.mktemp("big"), returns=BATCH, departments=2 * BATCH)


def _interrupt_when(args: list[str], ready: Callable[[str], bool], cwd: Path):
    """Run the command with stderr on a terminal (so the progress bar shows how far the batch
    is), send SIGINT once ``ready(what it printed so far)``, and return (code, stderr)."""
    import pty
    import select

    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [*COMMAND, *args], stdout=subprocess.DEVNULL, stderr=follower, env=ENV, cwd=cwd
    )
    os.close(follower)
    seen, sent, deadline = b"", False, time.monotonic() + 120
    while time.monotonic() < deadline:
        if not sent and ready(seen.decode("utf-8", "replace")):
            child.send_signal(signal.SIGINT)
            sent = True
        readable, _, _ = select.select([leader], [], [], 0.05)
        if readable:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk and child.poll() is not None:
                break
            seen += chunk
        elif child.poll() is not None:
            break
    code = child.wait(timeout=60)
    os.close(leader)
    assert sent, "the batch finished before it could be interrupted"
    return code, seen.decode("utf-8", "replace")


def _progress(at_least: int) -> Callable[[str], bool]:
    """Ready when the progress bar shows at least this many files checked (it prints n/total)."""

    def ready(text: str) -> bool:
        import re

        counts = [int(m) for m in re.findall(rf"(\d+)/{BATCH}\b", text)]
        return bool(counts) and max(counts) >= at_least

    return ready


def _files_in(folder: Path, at_least: int) -> Callable[[str], bool]:
    return lambda text: folder.exists() and sum(1 for _ in folder.glob("*.xlsx")) >= at_least


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal and SIGINT: POSIX only")
@pytest.mark.parametrize(
    "command", ["validate-json", "validate-html", "validate-console", "annotate", "roster"]
)
def test_ctrl_c_stops_a_batch_cleanly(big_world, tmp_path, command):
    build, _ = COMMANDS[command]
    out = tmp_path / output_name(command)
    before = big_world.inputs()
    # files checked (the progress bar), or annotated copies or templates appearing
    ready = _progress(5) if command.startswith("validate") else _files_in(out, 5)
    code, stderr = _interrupt_when(build(big_world, out), ready, tmp_path)
    assert code == 130, stderr
    assert "已中断" in stderr
    assert_clean(big_world, before, stderr)
    for path in tmp_path.rglob("*"):
        assert not path.name.endswith(".part"), path
    if command == "validate-json":
        data = json.loads(out.read_text("utf-8"))
        assert 0 < data["interrupted"]["checked"] < BATCH == data["interrupted"]["planned"]
        assert len(data["files"]) == data["interrupted"]["checked"]
        assert "已中断：已检查" in stderr
    if command == "annotate":
        assert "已写出" in stderr and 0 < len(list(out.iterdir())) < BATCH
    if command == "roster":
        templates = sorted(p.name for p in out.glob("*.xlsx"))
        listed = (out / "清单.csv").read_text("utf-8-sig").splitlines()[1:]
        assert 0 < len(templates) == len(listed) < 2 * BATCH  # the list names what was written
        for path in out.glob("*.xlsx"):
            assert zipfile.ZipFile(path).testzip() is None


SINGLE = ["template", "fix", "fill"]
_STOP_WHILE_WRITING = """
import os, signal, sys
from disclosure_xlsx.cli import main

def fsync(fd):  # the output is written but not yet in place: the worst moment for Ctrl-C
    os.kill(os.getpid(), signal.SIGINT)

os.fsync = fsync
sys.argv = ["disclosure-xlsx", *sys.argv[1:]]
main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT: POSIX only")
@pytest.mark.parametrize("command", SINGLE)
def test_ctrl_c_while_a_single_file_is_written(world, command):
    """One-file commands finish in a blink; Ctrl-C is delivered (a real SIGINT through the
    real handler) at the moment the output is complete but not yet renamed into place."""
    build, _ = COMMANDS[command]
    out = world.root / output_name(command)
    before = world.inputs()
    result = subprocess.run(
        [sys.executable, "-c", _STOP_WHILE_WRITING, *build(world, out)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert result.returncode == 130, result.stderr
    assert "已中断" in result.stderr
    assert not out.exists()
    assert_clean(world, before, result.stderr)
