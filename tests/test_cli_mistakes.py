"""Mistakes a clerk makes on the command line, through the real console script: each is one
line naming the file, in the language asked for, exit code 2 (usage), never "internal error"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from disclosure_xlsx.campaign import Campaign
from disclosure_xlsx.cli.app import _argv_lang

from .conftest import ROOT

EXE = Path(sys.executable).with_name("disclosure-xlsx")
COMMAND = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "disclosure_xlsx"]
SAMPLE = ROOT / "samples" / "clean_2014.xlsx"


def run(args: list[str], cwd: Path, lang: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80", "DISCLOSURE_XLSX_LANG": "zh"}
    return subprocess.run(
        [*COMMAND, *args, "--lang", lang], capture_output=True, text=True, env=env, cwd=cwd,
        timeout=120,
    )  # fmt: skip


def _mistakes(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """Each mistake: its command line and the file its message must name."""
    (tmp / "收件 箱").mkdir()
    shutil.copy(SAMPLE, tmp / "名单.xlsx")  # a roster kept as a workbook
    shutil.copy(SAMPLE, tmp / "~$名单.xlsx")  # the lock file Excel leaves beside it
    (tmp / "nul.csv").write_bytes(b"\xe5\x8d\x95\xe4\xbd\x8d\xe5\x90\x8d\xe7\xa7\xb0\n\x00\x01\n")
    shutil.copy(SAMPLE, tmp / "data.csv")  # a workbook renamed .csv
    return {
        "fix a folder": (["fix", "收件 箱"], "收件 箱"),
        "fix a lock file": (["fix", "~$名单.xlsx"], "~$名单.xlsx"),
        "roster as a workbook": (["template", "--roster", "名单.xlsx", "-o", "out"], "名单.xlsx"),
        "roster with NUL bytes": (["template", "--roster", "nul.csv", "-o", "out"], "nul.csv"),
        "fill data not a CSV": (["fill", "--data", "data.csv", "-o", "f.xlsx"], "data.csv"),
        "template as .docx": (["template", "-o", "模板.docx"], "模板.docx"),
        "validate an unknown year": (["validate", str(SAMPLE), "--year", "2020"], "2020"),
        "fix with an unknown year": (["fix", str(SAMPLE), "--year", "2020"], "2020"),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_mistake_is_one_line_naming_the_file(tmp_path, lang):
    here = tmp_path / lang
    here.mkdir()
    for what, (args, named) in _mistakes(here).items():
        result = run(args, here, lang)
        said = result.stdout + result.stderr
        assert result.returncode == 2, (what, said)
        assert "内部错误" not in said and "Internal error" not in said, (what, said)
        assert named in said, (what, said)
        assert ("错误：" in said) == (lang == "zh"), (what, said)
        assert " ".join(result.stderr.split()) == " ".join(said.split()), what  # on stderr
        assert len([line for line in said.splitlines() if line.strip()]) <= 3, (what, said)
    for written in ("out", "模板.docx", "f.xlsx"):  # nothing written by a refused command
        assert not (here / written).exists(), written


def test_a_bug_is_reported_in_the_language_asked_for():
    assert _argv_lang(["validate", "x", "--lang", "en"]) == "en"
    assert _argv_lang(["validate", "--lang=en", "x"]) == "en"
    assert _argv_lang(["validate", "x"]) == os.environ.get("DISCLOSURE_XLSX_LANG", "zh")


def test_an_unreadable_return_that_matches_no_one_says_why(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,邮箱\n区商务局,a@example.cn\n区民政局,b@example.cn\n", "utf-8")
    empty, truncated = tmp_path / "zero.xlsx", tmp_path / "半截.xlsx"
    empty.write_bytes(b"")
    truncated.write_bytes(SAMPLE.read_bytes()[:3000])
    with Campaign.init(tmp_path / "round", roster, "2014") as r:
        result = r.collect([empty, truncated])
    notes = {Path(o.source).name: o.note for o in result.outcomes}
    assert notes["zero.xlsx"] is not None and notes["半截.xlsx"] is not None
    assert notes["zero.xlsx"].en.startswith("cannot be read: an empty file")
    assert "damaged" in notes["半截.xlsx"].en
    assert "无法读取：空文件" in notes["zero.xlsx"].zh


def test_collecting_an_empty_folder_says_so(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n区商务局\n", "utf-8")
    Campaign.init(tmp_path / "round", roster, "2014").close()
    (tmp_path / "空").mkdir()
    result = run(["campaign", "collect", "round", "空"], tmp_path, "en")
    assert result.returncode == 0
    assert "no file found in 空 (the wrong folder?)" in result.stderr


def test_reports_and_lists_this_tool_wrote_are_not_blamed_on_a_department(tmp_path):
    from disclosure_xlsx.check.report import Report
    from disclosure_xlsx.check.validate import collect_inputs, validate
    from disclosure_xlsx.render import Format, render
    from disclosure_xlsx.spec import load_spec
    from disclosure_xlsx.write.roster import MANIFEST, read_roster, write_roster_templates

    shutil.copy(SAMPLE, tmp_path / "r.xlsx")
    report: Report = validate([tmp_path / "r.xlsx"])
    render(report, Format.json, "zh", tmp_path / "report.json")
    render(report, Format.html, "en", tmp_path / "report.html")
    roster = ROOT / "samples" / "名单.csv"
    write_roster_templates(load_spec("2021"), read_roster(roster), tmp_path / "t", None)
    (tmp_path / "别的.csv").write_text("a,b\n", "utf-8")  # a department's CSV: blamed as before
    reasons = {Path(s.path).name: s.reason.en for s in collect_inputs([tmp_path]).skipped}
    for own in ("report.json", "report.html", MANIFEST):
        assert reasons[own] == "a report or list this tool wrote, not a return", own
    assert "not a workbook" in reasons["别的.csv"]
