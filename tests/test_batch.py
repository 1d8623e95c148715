"""Worker processes: a file that kills its reader is reported, and the batch goes on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from disclosure_xlsx.check import batch
from disclosure_xlsx.check.validate import validate

from .batch_tasks import hostile, pid
from .rawbooks import raw_xlsx, sheet_xml, strings_xml
from .workbooks import template_return

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and signals")


@pytest.fixture
def good(tmp_path, spec) -> Path:
    return template_return(tmp_path / "good.xlsx", spec, {"staff": 1})


def copies(good: Path, names: list[str]) -> list[Path]:
    out = []
    for name in names:
        shutil.copyfile(good, good.with_name(name))
        out.append(good.with_name(name))
    return out


def reasons(reports) -> list[tuple[str, str, str]]:
    return [
        (Path(r.path).name, r.status, r.findings[0].code if r.findings else "") for r in reports
    ]


@linux_only
def test_a_real_calamine_abort_is_one_unreadable_file(tmp_path, good):
    """A shared-strings count of 4e9 makes calamine reserve 96 GB and abort the process."""
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    raw_xlsx(tmp_path / "abort.xlsx", sheet_xml(rows), strings_xml(["x"], 4_000_000_000))
    paths = [good, tmp_path / "abort.xlsx", *copies(good, ["after.xlsx"])]
    seen: list[str] = []
    reports = batch.run(paths, hostile, jobs=2, progress=lambda p: seen.append(p.name))
    assert reasons(reports) == [
        ("good.xlsx", "invalid", "total-mismatch"),
        ("abort.xlsx", "unreadable", "unreadable"),
        ("after.xlsx", "invalid", "total-mismatch"),
    ]
    message = reports[1].findings[0].message()
    assert message.startswith("读取此文件时读取程序崩溃（信号 SIGABRT）")
    assert "SIGABRT" in reports[1].findings[0].message("en")
    assert sorted(seen) == ["abort.xlsx", "after.xlsx", "good.xlsx"]


@linux_only
def test_killed_hung_swollen_and_buggy_workers(tmp_path, good):
    names = ["kill.xlsx", "a.xlsx", "hang.xlsx", "swell.xlsx", "bug.xlsx", "b.xlsx"]
    paths = copies(good, names)
    reports = batch.run(paths, hostile, jobs=2, timeout=3, memory=2 * 1024**3)
    assert [r.status for r in reports] == ["unreadable", "invalid"] + ["unreadable"] * 3 + [
        "invalid"
    ]
    messages = [r.findings[0].message() for r in reports]
    assert "信号 SIGKILL" in messages[0]
    assert messages[2].startswith("读取此文件超过 3 秒")
    assert "内存超过上限（2 GB）" in messages[3]
    assert "TypeError: a bug in the package" in messages[4]


def test_results_in_input_order_and_workers_reused(tmp_path, good):
    paths = copies(good, [f"f{i}.xlsx" for i in range(6)])
    reports = batch.run(paths, pid, jobs=2)
    assert [Path(r.path).name for r in reports] == [p.name for p in paths]
    assert len({r.unit_name for r in reports}) <= 2  # two workers, each reading several files


def test_validate_with_jobs_equals_in_process(tmp_path, good, spec):
    other = template_return(tmp_path / "other.xlsx", spec, {"received_fax": None})
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    paths = [good, other, tmp_path / "junk.xlsx"]
    assert validate(paths, jobs=2) == validate(paths)
    assert batch.default_jobs() in range(1, batch.MAX_JOBS + 1)


def test_workers_that_cannot_start_are_an_error_not_a_crash_per_file(tmp_path, good):
    """A script read from stdin cannot be re-imported by workers: say so once, clearly."""
    script = f"""
from disclosure_xlsx.check.validate import validate
try:
    validate([{str(good)!r}, {str(good)!r}], jobs=1)
except Exception as exc:
    print(type(exc).__name__)
"""
    run = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, cwd=tmp_path
    )
    assert run.stdout.strip() == "WorkerError"


@linux_only
def test_a_reader_abort_prints_nothing_over_the_console_but_our_bugs_do(tmp_path, good):
    """calamine's abort writes a 50-line Rust backtrace to fd 2; the clerk sees the report."""
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    raw_xlsx(tmp_path / "abort.xlsx", sheet_xml(rows), strings_xml(["x"], 4_000_000_000))
    bug = copies(good, ["bug.xlsx"])[0]
    script = f"""
from pathlib import Path
from disclosure_xlsx.check import batch
from tests.batch_tasks import hostile
if __name__ == "__main__":  # workers import this script again
    paths = [Path({str(tmp_path / "abort.xlsx")!r}), Path({str(bug)!r})]
    print([r.status for r in batch.run(paths, hostile, jobs=1)])
"""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "RUST_BACKTRACE": "1", "PYTHONPATH": str(root)}
    script_file = tmp_path / "run_batch.py"
    script_file.write_text(script)
    run = subprocess.run(
        [sys.executable, str(script_file)], capture_output=True, text=True, cwd=root, env=env
    )
    assert run.stdout.strip() == "['unreadable', 'unreadable']"
    assert "memory allocation" not in run.stderr and "stack backtrace" not in run.stderr
    assert "TypeError: a bug in the package" in run.stderr


def test_reports_kept_on_disk_read_back_the_same(tmp_path, good, spec):
    """A batch validated into a ReportStore: the same reports, in order, and the same JSON."""
    from disclosure_xlsx.check.store import ReportStore
    from disclosure_xlsx.render import Format, render

    other = template_return(tmp_path / "other.xlsx", spec, {"received_fax": None})
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    paths = [good, other, tmp_path / "junk.xlsx", *copies(good, ["g2.xlsx", "g3.xlsx"])]
    in_memory = validate(paths)
    store = ReportStore()
    on_disk = validate(paths, jobs=2, into=store)
    assert on_disk.files is store and len(store) == 5
    assert list(store) == list(in_memory.files) and store[-1] == in_memory.files[-1]
    assert store[1:3] == list(in_memory.files[1:3])
    assert on_disk.summary() == in_memory.summary()
    assert on_disk.duplicates() == in_memory.duplicates()  # good, g2 and g3: one department
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    render(in_memory, Format.json, "zh", a)
    render(on_disk, Format.json, "zh", b)
    assert a.read_bytes() == b.read_bytes()
    with pytest.raises(TypeError):
        store[0] = store[1]
    with pytest.raises(IndexError):
        store[5]


def test_a_ctrl_c_swallowed_by_a_library_stops_the_next_file(tmp_path, good):
    """openpyxl turns any exception in a type conversion into a TypeError and a warning: a
    Ctrl-C landing there was lost and the batch ran on. The note it leaves stops the next file."""
    import warnings

    from openpyxl.descriptors.base import _convert

    from disclosure_xlsx import errors
    from disclosure_xlsx.errors import Interrupted, check_interrupted, interrupt

    class Hit:
        def __init__(self, value: object) -> None:
            interrupt()  # Ctrl-C arrives inside openpyxl's conversion

    paths = copies(good, ["a.xlsx", "b.xlsx", "c.xlsx"])
    seen: list[str] = []
    try:
        with pytest.raises(TypeError), warnings.catch_warnings():
            _convert(Hit, "x")  # what openpyxl does with it: the Interrupted is gone
        with pytest.raises(Interrupted):
            validate(paths, progress=lambda p: seen.append(p.name))
        assert seen == []  # stopped before the first file, not after the last
        with pytest.raises(Interrupted):
            check_interrupted()
    finally:
        errors._pending["interrupt"] = False
