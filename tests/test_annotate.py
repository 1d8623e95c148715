"""Annotated copies: coloured, commented problem cells and a 校验结果 sheet, ready to email back."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from disclosure_xlsx.check.rows import report_rows
from disclosure_xlsx.check.validate import validate
from disclosure_xlsx.cli import app
from disclosure_xlsx.read.grid import parse_a1
from disclosure_xlsx.write.annotate import FILLS, SUMMARY_SHEET, annotate

from .conftest import ROOT
from .workbooks import template_return

runner = CliRunner()
SEED = ROOT / "samples" / "环翠区商务局_2014_原表.xlsx"


@pytest.fixture(scope="module")
def seed_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ann")
    src = folder / SEED.name
    shutil.copy(SEED, src)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    report = validate(src)
    (written,) = annotate(report, folder / "out")
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest
    return report.files[0], written.output


def test_one_comment_and_one_colour_per_problem_cell(seed_copy):
    file, path = seed_copy
    wb = load_workbook(path)
    ws = wb[file.sheet]
    problem_cells = {f.cell for f in file.findings if f.cell}
    commented = {c.coordinate for row in ws.iter_rows() for c in row if c.comment}
    assert commented == problem_cells
    assert ws["C11"].fill.fgColor.rgb.endswith(FILLS["warning"].fgColor.rgb[-6:])  # □44: text
    assert ws["C6"].fill.fgColor.rgb.endswith(FILLS["error"].fgColor.rgb[-6:])
    c5 = ws["C5"].comment.text
    assert "标题行填了数" in c5 and "44 可能应填在 C6" in c5
    assert "渠道数不符" in ws["C6"].comment.text and "未填写" in ws["C6"].comment.text


def test_summary_sheet_lists_every_finding_with_a_link(seed_copy):
    file, path = seed_copy
    wb = load_workbook(path)
    assert wb.sheetnames[0] == SUMMARY_SHEET and wb.active.title == SUMMARY_SHEET
    ws = wb[SUMMARY_SHEET]
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert len(rows) == len(report_rows(file.findings))
    # every finding is on the sheet: blank cells as ranges, every other finding on its own row
    listed = {p for r in rows for p in r[1].split("、")}
    cells = {c for f in file.findings if f.cell for c in [f.cell]}
    covered = {c for c in cells if c in listed or any(_inside(c, p) for p in listed if ":" in p)}
    assert covered == cells
    assert rows[0][1:4] == ("C5", "一、主动公开情况", "标题行填了数")
    assert ws["B5"].hyperlink.location == f"'{file.sheet}'!C5"
    # the department's own sheet is still there, values untouched
    assert wb[file.sheet]["C11"].value == "\u300044"


def _inside(cell: str, box: str) -> bool:
    (r, c), ((r1, c1), (r2, c2)) = parse_a1(cell), map(parse_a1, box.split(":"))
    return r1 <= r <= r2 and c1 <= c <= c2


def test_annotated_copy_opens_in_libreoffice(seed_copy, soffice, tmp_path):
    file, path = seed_copy
    pdf = soffice(path, "pdf", tmp_path / "pdf", tmp_path / "profile")
    assert pdf.stat().st_size > 10_000
    again = soffice(path, "xlsx", tmp_path / "xlsx", tmp_path / "profile")
    ws = load_workbook(again)[file.sheet]
    commented = {c.coordinate for row in ws.iter_rows() for c in row if c.comment}
    assert commented == {f.cell for f in file.findings if f.cell}


def test_cli_annotate_keeps_json_on_stdout_and_skips_clean_files(tmp_path, spec):
    clean = template_return(tmp_path / "好.xlsx", spec)
    bad = template_return(tmp_path / "坏.xlsx", spec, {"requests_received": 3})
    out = tmp_path / "退回"
    result = runner.invoke(
        app, ["validate", str(clean), str(bad), "--format", "json", "--annotate", str(out)]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"]["files"] == 2
    assert sorted(p.name for p in out.iterdir()) == ["坏_校验.xlsx"]
    assert "已写出批注副本" in result.stderr
