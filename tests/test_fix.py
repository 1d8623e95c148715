"""`fix`: a corrected copy, every change listed, the copy validated, the input untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Font
from typer.testing import CliRunner

from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.cli import app
from disclosure_xlsx.write.fix import fix_file

from .workbooks import pasted_return, template_return

runner = CliRunner(env={"COLUMNS": "200"})

MESSY = {
    "proactive_total": "\u300044",
    "channel_website": "44 ",
    "channel_gazette": "\u3000",
    "channel_weibo": "\u00a0",
    "staff": "２",
    "staff_parttime": "2",
    "staff_fulltime": "\u3000",
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def messy(tmp_path: Path, spec) -> Path:
    def style(ws, rows):
        ws.column_dimensions["A"].width = 61
        ws.cell(rows["staff"], 1).font = Font(bold=True, name="宋体")

    return pasted_return(tmp_path / "退回.xlsx", spec, MESSY, mutate=style)


def codes(report) -> set[tuple[str, str]]:
    return {(f.code, f.group) for f in report.findings}


def test_fix_cleans_text_and_whitespace_and_keeps_the_input(tmp_path, spec):
    src = messy(tmp_path, spec)
    digest = sha(src)
    before = validate_file(src)
    assert ("number-as-text", "") in codes(before) and ("blank", "whitespace") in codes(before)

    result = fix_file(src, tmp_path / "out.xlsx")

    assert sha(src) == digest
    after = codes(result.after)
    assert ("number-as-text", "") not in after and ("blank", "whitespace") not in after
    changed = {c.item: (c.before, c.after, c.kind) for c in result.changes}
    assert changed["proactive_total"] == ("\u300044", 44, "clean")
    assert changed["staff"] == ("２", 2, "clean")
    assert changed["channel_weibo"] == ("\u00a0", None, "clean")
    # staff 2 = fulltime (blank) + parttime 2: the rules force fulltime to 0
    assert changed["staff_fulltime"] == ("\u3000", 0, "forced")
    # the remaining whitespace cells are now plainly empty, and still reported as blank
    assert {f.item for f in result.after.findings} == {"channel_gazette", "channel_weibo"}


def test_fix_with_blank_as_zero_gives_a_clean_copy_that_keeps_the_layout(tmp_path, spec):
    src = messy(tmp_path, spec)
    result = fix_file(src, tmp_path / "out.xlsx", blank_as_zero=True)
    assert result.after.status == "ok" and result.after.findings == ()
    ws = load_workbook(result.output).active
    assert ws.column_dimensions["A"].width == 61
    staff_row = next(
        r for r in range(1, 120) if "从事政府信息公开工作人员数" in str(ws.cell(r, 1).value)
    )
    assert ws.cell(staff_row, 1).font.b and ws.cell(staff_row, 1).font.name == "宋体"
    assert ws.cell(staff_row, 3).value == 2 and ws.cell(staff_row, 3).data_type == "n"


def test_apply_suggestions_mends_typo_and_moved_heading_value(tmp_path, spec):
    values = {
        "requests_received": 120,
        "received_in_person": 4,
        "received_online": 161,
        "requests_closed": 120,
        "closed_on_time": 120,
        "requests_answered": 120,
        "answer_disclosed": 120,
    }

    def heading_value(ws, rows):
        ws.cell(rows["proactive"], 3, 7)
        ws.cell(rows["proactive_total"], 3).value = None
        ws.cell(rows["channel_website"], 3, 7)

    src = template_return(tmp_path / "r.xlsx", spec, values, mutate=heading_value)
    plain = fix_file(src, tmp_path / "plain.xlsx")
    assert {c.kind for c in plain.changes} <= {"clean", "forced"}
    assert plain.after.status == "invalid"

    result = fix_file(src, tmp_path / "out.xlsx", apply_suggestions=True)
    kinds = {c.item: (c.before, c.after, c.kind) for c in result.changes}
    assert kinds["received_online"] == (161, 116, "typo")
    assert kinds["proactive_total"] == (None, 7, "move")
    assert kinds["proactive"] == (7, None, "move")
    assert result.after.status == "ok" and result.after.findings == ()


def test_cli_fix_prints_every_change_and_refuses_to_overwrite(tmp_path, spec):
    src = messy(tmp_path, spec)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["fix", str(src), "-o", str(out), "--blank-as-zero"])
    assert result.exit_code == 0, result.output
    assert "改动 7 个单元格" in result.output and "改为数字 44" in result.output
    assert "通过" in result.output

    again = runner.invoke(app, ["fix", str(src), "-o", str(out)])
    assert again.exit_code == 2 and "已存在" in again.output
    assert runner.invoke(app, ["fix", str(src), "-o", str(out), "--force"]).exit_code == 1

    same = runner.invoke(app, ["fix", str(src), "-o", str(src), "--force"])
    assert same.exit_code == 2 and "不能覆盖原文件" in same.output


def test_cli_fix_default_name_and_unreadable_input(tmp_path, spec):
    src = messy(tmp_path, spec)
    assert runner.invoke(app, ["fix", str(src), "--blank-as-zero"]).exit_code == 0
    assert (tmp_path / "退回_修正.xlsx").exists()
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    result = runner.invoke(app, ["fix", str(bad)])
    assert result.exit_code == 2 and "坏.xlsx" in result.output
    assert "Traceback" not in result.output


def test_fix_ods_input_through_libreoffice(tmp_path, spec, soffice):
    src = messy(tmp_path, spec)
    ods = soffice(src, "ods", tmp_path / "ods", tmp_path / "profile")
    result = fix_file(ods, tmp_path / "out.xlsx", blank_as_zero=True)
    assert result.output.suffix == ".xlsx"
    assert result.after.status == "ok"
