"""A third format is a spec file: a made-up two-table format (a list table with a unit column
plus a 3x3 matrix) goes through template, validate, fix, fill and annotate with no engine
change, from a folder named in $DISCLOSURE_XLSX_SPEC_PATH."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from disclosure_xlsx.check.validate import validate, validate_file
from disclosure_xlsx.read import read_values
from disclosure_xlsx.spec import available_years, load_spec
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.annotate import SUMMARY_SHEET, annotate
from disclosure_xlsx.write.fill import fill_file
from disclosure_xlsx.write.fix import fix_file
from disclosure_xlsx.write.template import template_bytes

DEMO = """
[spec]
id = "demo-table"
year = "demo"
version = 1
title = "演示统计表"
subtitle = "（测试用格式）"
note = "（注：本表仅用于测试）"

[units]
"件" = "count"
"人" = "count"

[[tables]]
id = "events"
part = "一、活动情况"
header = ["指标", "单位", "数量"]
columns = [{ id = "value", label = "数量" }]
rows = [
  { id = "events", label = "（一）活动总数", level = 1, unit = "件" },
  { id = "events_online", label = "1.线上活动数", level = 2, unit = "件" },
  { id = "events_offline", label = "2.线下活动数", level = 2, unit = "件" },
]

[[tables]]
id = "people"
part = "二、参加人员"
title = "按性别"
header = ["类别"]
unit = "人"
columns = [
  { id = "men", label = "男" },
  { id = "women", label = "女" },
  { id = "total", label = "合计" },
]
rows = [
  { id = "staff", label = "工作人员" },
  { id = "public", label = "群众" },
  { id = "all", label = "总计" },
]

[[rules]]
kind = "sum"
total = "events"
parts = ["events_online", "events_offline"]
desc = "活动总数应等于线上与线下之和"
desc_en = "Events = online + offline"

[[rules]]
kind = "sum"
table = "people"
for_each = "row"
total = "total"
parts = ["men", "women"]
desc = "{row}：合计应等于男女之和"
desc_en = "{row}: total = men + women"

[[rules]]
kind = "sum"
table = "people"
for_each = "column"
total = "all"
parts = ["staff", "public"]
desc = "{column}：总计应等于工作人员与群众之和"
desc_en = "{column}: all = staff + public"
"""

GOOD = {
    "events": 5,
    "events_online": 2,
    "events_offline": 3,
    "staff.men": 1,
    "staff.women": 2,
    "staff.total": 3,
    "public.men": 4,
    "public.women": 5,
    "public.total": 9,
    "all.men": 5,
    "all.women": 7,
    "all.total": 12,
}


@pytest.fixture
def demo(tmp_path, monkeypatch):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "demo.toml").write_text(DEMO, encoding="utf-8")
    monkeypatch.setenv("DISCLOSURE_XLSX_SPEC_PATH", str(folder))
    assert "demo" in available_years()
    return load_spec("demo")


def test_template_lays_out_both_tables(demo, tmp_path):
    path = tmp_path / "blank.xlsx"
    path.write_bytes(template_bytes(demo, "甲局"))
    ws = load_workbook(path).active
    sheet = layout(demo)
    unit_col = sheet.blocks[0].unit_col
    assert ws.cell(sheet.row_of("events", "events_online"), unit_col).value == "件"
    assert ws.cell(sheet.blocks[1].header_top, sheet.cells["staff.women"][1]).value == "女"
    assert len(validate_file(path).findings) == 12  # every value cell is blank


def test_fill_validate_read_back(demo, tmp_path):
    result = fill_file(demo, GOOD, tmp_path / "filled.xlsx", "甲局")
    assert result.report.status == "ok", result.report.findings
    assert read_values(tmp_path / "filled.xlsx").values == GOOD


def test_broken_rules_fix_and_annotate(demo, tmp_path):
    broken = {**GOOD, "public.women": "5人", "all.women": 8}
    path = fill_file(demo, {**GOOD, "all.women": 8}, tmp_path / "r.xlsx").output
    wb = load_workbook(path)
    wb.active[layout(demo).a1("public.women")] = "5人"  # a number typed with its unit
    wb.save(path)
    found = {(f.code, f.item) for f in validate_file(path).findings}
    assert ("number-as-text", "public.women") in found
    assert ("total-mismatch", "all.women") in found  # 女: 2 + 5 != 8
    assert broken["public.women"] == "5人"
    fixed = fix_file(path, tmp_path / "fixed.xlsx", apply_suggestions=True)
    assert {c.cell for c in fixed.changes} >= {layout(demo).a1("public.women")}
    (copy,) = annotate(validate([path]), tmp_path / "out")
    assert SUMMARY_SHEET in load_workbook(copy.output).sheetnames


def test_pasted_table_is_read_by_labels(demo, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["演示统计表"])
    ws.append(["一、活动情况"])
    ws.append(["指标", "单位", "数量"])
    ws.append(["（一）活动总数", "件", 5])
    ws.append(["1、线上活动数", "件", 2])  # renumbered, read silently
    ws.append(["2.线下活动数", "件", 3])
    ws.append(["二、参加人员"])
    ws.append(["类别", "男", "女", "合计"])
    ws.append(["工作人员", 1, 2, 3])
    ws.append(["群众", 4, 5, 9])
    ws.append(["总计", 5, 7, 12])
    path = tmp_path / "pasted.xlsx"
    wb.save(path)
    report = validate_file(path, year="demo")
    assert (report.template, report.method, report.findings) == ("demo", "labels", ())
    assert read_values(path, year="demo").values == GOOD


def test_shipped_years_cannot_be_replaced(tmp_path, monkeypatch):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "2014.toml").write_text(DEMO, encoding="utf-8")
    monkeypatch.setenv("DISCLOSURE_XLSX_SPEC_PATH", str(folder))
    assert load_spec("2014").title == "政府信息公开工作情况统计表"


def test_unknown_year_names_the_known_ones():
    from disclosure_xlsx.errors import SpecError

    with pytest.raises(SpecError, match="2014, 2021"):
        load_spec("1999")
