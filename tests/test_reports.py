"""Reports say exactly what the sheet says (issue: floats, 填报值, blanks, 万元, labels)."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from disclosure_xlsx.check.report import Report
from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.render import to_json
from disclosure_xlsx.spec import load_spec
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.template import template_bytes

from .conftest import ROOT
from .workbooks import consistent_2021, pasted_return, template_return


def test_whole_numbers_are_integers_in_messages_and_json(tmp_path, spec):
    def put_heading(ws, rows):
        ws.cell(rows["proactive"], 3, 44)  # a number typed on a heading (read back as 44.0)

    path = template_return(tmp_path / "r.xlsx", spec, mutate=put_heading)
    (finding,) = [f for f in validate_file(path).findings if f.code == "heading-filled"]
    assert finding.found == 44 and type(finding.found) is int
    assert "“44”" in finding.message() and "44.0" not in finding.message()
    data = json.loads(to_json(Report((validate_file(path),))))
    assert "44.0" not in json.dumps(data)


def test_balance_finding_shows_what_the_cell_holds(tmp_path):
    spec = load_spec("2021")
    values = {**{i.id: 0 for i in spec.data_items()}, **consistent_2021()}
    # 自然人: 8 new + 1 carried in = 9, but 总计 6 + carried out 2 = 8; every other rule holds
    values.update({"carried_out.natural": 2, "results_total.natural": 6, "granted.natural": 3})
    values.update({"carried_out.total": 3, "results_total.total": 8, "granted.total": 5})
    path = tmp_path / "r.xlsx"
    path.write_bytes(template_bytes(spec, "测试局", values=values))
    (finding,) = [f for f in validate_file(path).findings if f.item == "results_total.natural"]
    assert finding.cell == layout(spec).a1("results_total.natural")
    assert (finding.found, finding.expected, finding.diff) == (6, 7, -1)
    assert "= 9" in finding.message() and "= 8" in finding.message()


def test_blank_cells_in_arithmetic_are_said_to_be_blank():
    report = validate_file(ROOT / "samples" / "环翠区商务局_2014_原表.xlsx")
    (finding,) = [f for f in report.findings if f.code == "channel-bounds"]
    assert finding.cell == "C6" and finding.found is None
    assert "C6 未填（按 0 计）" in finding.message("zh")
    assert "C6 blank (counted as 0)" in finding.message("en")
    assert "C6 = 0" not in finding.message("zh")
    # the blank cell is the likelier culprit than the 44 the department typed
    assert (finding.fix.kind, finding.fix.cell, finding.fix.value) == ("locate", "C6", 44)


def test_every_wan_yuan_cell_gets_the_yuan_check(tmp_path):
    spec = load_spec("2021")
    path = tmp_path / "r.xlsx"
    zeros = {i.id: 0 for i in spec.data_items()}
    values = {**zeros, **consistent_2021(), "charges": 35000}
    path.write_bytes(template_bytes(spec, "测试局", values=values))
    (finding,) = [f for f in validate_file(path).findings if f.item == "charges"]
    assert finding.code == "implausible" and finding.fix.value == 3.5
    assert all(
        i.max_value for s in ("2014", "2021") for i in load_spec(s).items if i.unit == "万元"
    )


def test_heading_two_prints_the_seed_label(tmp_path, spec):
    label = "二、回应解读情况（不同方式回应同一热点或舆情计1次）"
    path = tmp_path / "t.xlsx"
    path.write_bytes(template_bytes(spec))
    ws = load_workbook(path).active
    assert ws.cell(layout(spec).row_of("main", "response"), 1).value == label
    # a pasted table with the short form still reads it as the same heading, silently

    def short(ws, rows):
        ws.cell(rows["response"], 1, "二、回应解读情况")

    path = pasted_return(tmp_path / "r.xlsx", spec, mutate=short)
    assert validate_file(path).findings == ()


def test_fill_reads_text_numbers_but_says_so(tmp_path, spec):
    from disclosure_xlsx.write.fill import resolve

    filled = resolve(spec, {"requests_received": "12件", "received_online": "１２"})
    assert filled.values == {"requests_received": 12, "received_online": 12}
    assert [n.zh for n in filled.notes] == [
        "“requests_received”：“12件”是文本，按 12（件）填入",
        "“received_online”：“１２”是文本，按 12（件）填入",
    ]
    assert all("是文本" not in n.en for n in filled.notes)


def test_fill_asks_for_the_column_of_a_matrix_row():
    from disclosure_xlsx.write.fill import FillError, resolve

    spec = load_spec("2021")
    with pytest.raises(FillError) as caught:
        resolve(spec, {"予以公开": 3})
    (problem,) = caught.value.problems
    assert "请指明列：予以公开/自然人、予以公开/商业企业" in problem.zh
    assert "say which column: 予以公开/自然人, 予以公开/商业企业" in problem.en
    assert resolve(spec, {"予以公开/自然人": 3}).values == {"granted.natural": 3}
    assert resolve(spec, {"（一）予以公开·总计": 3}).values == {"granted.total": 3}


def test_cli_fill_prints_its_notes(tmp_path):
    from typer.testing import CliRunner

    from disclosure_xlsx.cli import app

    data = tmp_path / "d.csv"
    data.write_text("项目,数值\nrequests_received,12件\n", encoding="utf-8")
    out = tmp_path / "f.xlsx"
    result = CliRunner().invoke(app, ["fill", "--data", str(data), "-o", str(out), "--lang", "en"])
    assert "note: line 2 'requests_received': '12件' is text, filled in as 12 (件)" in result.output


def test_blanks_group_into_rectangles_in_every_report(tmp_path):
    """A 2021 return with a block of blank cells: one row D35:I40-style, not 36 cells."""
    spec = load_spec("2021")
    sheet = layout(spec)
    rows = ["refused_secret", "refused_law", "refused_stability"]
    columns = ["natural", "commercial", "research"]
    blank = {f"{r}.{c}": None for r in rows for c in columns}
    path = tmp_path / "r.xlsx"
    zeros = {i.id: 0 for i in spec.data_items()}
    path.write_bytes(template_bytes(spec, "测试局", values={**zeros, **consistent_2021()}))
    wb = load_workbook(path)
    for item_id in blank:
        wb.active[sheet.a1(item_id)] = None
    wb.save(path)
    report = validate_file(path)
    first, last = sheet.a1("refused_secret.natural"), sheet.a1("refused_stability.research")
    (group,) = json.loads(to_json(Report((report,))))["files"][0]["findings"]
    assert (group["code"], group["cell"], group["count"]) == ("blank", f"{first}:{last}", 9)
    assert len(group["related"]) == 9
    from disclosure_xlsx.check.rows import report_rows
    from disclosure_xlsx.render.html import to_html

    (row,) = report_rows(report.findings)
    assert row.cells("zh") == f"{first}:{last}"
    assert f"{first}:{last}" in to_html(Report((report,)))


def test_roster_line_without_a_name_is_an_error(tmp_path):
    from disclosure_xlsx.errors import UsageError
    from disclosure_xlsx.write.roster import read_roster

    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,联系人,邮箱\n区民政局,张三,a@b.cn\n,李四,c@d.cn\n\n", encoding="utf-8"
    )
    with pytest.raises(UsageError) as caught:
        read_roster(roster)
    assert "第 3 行：单位名称为空" in caught.value.text.zh
    assert "line 3: 单位名称 is empty" in caught.value.text.en
