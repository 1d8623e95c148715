from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from disclosure_xlsx.cli import app
from disclosure_xlsx.errors import UsageError
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.roster import read_roster, safe_filename, write_roster_templates
from disclosure_xlsx.write.template import template_bytes, write_template

from .conftest import ROOT
from .helpers import signature

runner = CliRunner()


@pytest.fixture(scope="module")
def template_path(tmp_path_factory, spec) -> Path:
    return write_template(spec, tmp_path_factory.mktemp("t") / "blank.xlsx", "示例单位")


@pytest.fixture(scope="module")
def ws(template_path):
    return load_workbook(template_path).worksheets[0]


def test_sheet_texts(ws, spec):
    assert ws["A1"].value == "政府信息公开工作情况统计表"
    assert ws["A2"].value == "（2014年度）"
    assert (ws["A3"].value, ws["B3"].value) == ("单位名称：", "示例单位")
    sheet = layout(spec)
    header = sheet.blocks[0].header_top
    assert [ws.cell(header, c).value for c in (1, 2, 3)] == ["统计指标", "单位", "统计数"]
    assert ws.cell(sheet.note_row, 1).value == "（注：各子栏目数总数要等于总栏目数量）"
    assert sheet.note_row == sheet.blocks[0].last_row + 1  # the note right under the table


def test_every_item_on_its_row_with_unit_and_indent(ws, spec):
    sheet = layout(spec)
    rows = [sheet.row_of("main", item.id) for item in spec.items]
    assert rows == list(range(rows[0], rows[0] + len(rows)))  # printed order, no gaps
    for row, item in zip(rows, spec.items, strict=True):
        assert ws.cell(row, 1).value == item.label
        assert ws.cell(row, 2).value == item.unit
        assert ws.cell(row, 1).alignment.indent == item.level * 2
        assert ws.cell(row, sheet.id_col).value == item.id


def test_only_value_cells_and_unit_name_are_unlocked(ws, spec):
    assert ws.protection.sheet and not ws.protection.password
    unlocked = {
        c.coordinate
        for row in ws.iter_rows()
        for c in row
        if not c.protection.locked and not isinstance(c, MergedCell)
    }
    assert unlocked == {"B3", *layout(spec).value_cells.values()}
    heading_row = layout(spec).row_of("main", "requests")
    assert ws.cell(heading_row, 3).fill.fgColor.rgb.endswith("D9D9D9")


def test_password_option(tmp_path, spec):
    ws = load_workbook(write_template(spec, tmp_path / "p.xlsx", password="s3cret")).active
    assert ws.protection.sheet and ws.protection.password


def test_validation_on_every_value_cell(ws, spec):
    cells = layout(spec).value_cells
    covered: dict[str, object] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            covered[rng.coord] = dv
    assert set(covered) == set(cells.values())
    fees = covered[cells["fees"]]
    assert (fees.type, fees.operator, fees.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert "万元" in fees.prompt and "万元" in fees.error
    count = covered[cells["requests_received"]]
    assert (count.type, count.formula1) == ("whole", "0")
    assert "件" in count.prompt and count.showErrorMessage


def test_number_formats(ws, spec):
    cells = layout(spec).value_cells
    assert ws[cells["fees"]].number_format == "0.00"
    assert ws[cells["staff"]].number_format == "0"


def test_live_checks_on_rule_anchors(ws, spec):
    cells = layout(spec).value_cells
    row = int(cells["requests_received"][1:])
    formula = ws.cell(row, 4).value
    assert formula.startswith("=IF(") and "合计应为" in formula
    sheet = layout(spec)
    parts = spec.rules_for("requests_received")[0].many("parts")
    helpers = [sheet.helper(i, 2) for i in parts]  # the numbers the reader sees, not the cells
    assert "SUM(" + ",".join(f"${get_column_letter(c)}${r}" for r, c in helpers) + ")" in formula
    assert ws.cell(row, 4).protection.locked
    anchors = {str(cf.sqref) for cf in ws.conditional_formatting}
    assert cells["requests_received"] in anchors and cells["proactive_total"] in anchors


def test_hidden_ids_marker_and_names(template_path, ws, spec):
    assert ws.column_dimensions["E"].hidden
    assert ws["E1"].value == "disclosure-xlsx:gov-info-disclosure:2014:1"
    wb = load_workbook(template_path)
    assert wb.defined_names["dx_requests_received"].attr_text == "'统计表'!$C$26"
    assert wb.defined_names["dx_spec"].attr_text == '"disclosure-xlsx:gov-info-disclosure:2014:1"'


def test_print_setup(ws):
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "portrait"
    # a computed scale (text stays at 9 pt or more: tests/test_paper.py measures the PDF)
    assert 82 <= int(ws.page_setup.scale) <= 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$4:$4"
    assert ws.freeze_panes == "A5"


def test_generation_is_deterministic(spec):
    assert template_bytes(spec, "甲") == template_bytes(spec, "甲")
    assert template_bytes(spec, "甲") != template_bytes(spec, "乙")


@pytest.mark.parametrize("year", ["2014", "2021"])
def test_shipped_template_equals_generated(tmp_path, year):
    from disclosure_xlsx.spec import load_spec

    shipped = ROOT / "templates" / f"blank_{year}.xlsx"
    fresh = write_template(load_spec(year), tmp_path / "fresh.xlsx")
    assert signature(shipped) == signature(fresh)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("环翠区商务局", "环翠区商务局"),
        ("区委/区政府:办公室*?", "区委_区政府_办公室__"),
        ("CON", "_CON"),
        ("  名称.  ", "名称"),
    ],
)
def test_safe_filenames(name, safe):
    assert safe_filename(name) == safe


def test_roster_writes_one_template_per_department(tmp_path, spec):
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,联系人,邮箱\n区商务局,张三,a@x.cn\n区教育局/体育局,李四,\n\n", "gb18030"
    )
    departments = read_roster(roster)
    entries = write_roster_templates(spec, departments, tmp_path / "out")
    assert [e.path.name for e in entries] == ["区商务局.xlsx", "区教育局_体育局.xlsx"]
    ws = load_workbook(entries[1].path).active
    assert ws["B3"].value == "区教育局/体育局"
    with (tmp_path / "out" / "清单.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0] == {
        "单位名称": "区商务局",
        "联系人": "张三",
        "邮箱": "a@x.cn",
        "文件": "区商务局.xlsx",
    }
    with pytest.raises(UsageError, match="已存在"):
        write_roster_templates(spec, departments, tmp_path / "out")


def test_roster_refusals(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("名称\n甲\n", "utf-8")
    with pytest.raises(UsageError, match="缺少“单位名称”列"):
        read_roster(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text("\ufeff单位名称\n甲\n甲\n", "utf-8")
    with pytest.raises(UsageError, match="第 3 行：单位名称“甲”与第 2 行“甲”重复"):
        read_roster(dup)


def test_cli_template_and_refusal_to_overwrite(tmp_path):
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", "--unit-name", "甲局", "-o", str(out)])
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    result = runner.invoke(app, ["template", "-o", str(out)])
    assert result.exit_code == 2 and "已存在" in result.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert runner.invoke(app, ["template", "--year", "1990", "-o", str(out)]).exit_code == 2


def test_cli_roster(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("单位名称\n甲局\n乙局\n", "utf-8")
    result = runner.invoke(app, ["template", "--roster", str(roster), "-o", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "d").iterdir()} == {"清单.csv", "乙局.xlsx", "甲局.xlsx"}


def test_cli_spec_tree_lists_items_and_rules():
    result = runner.invoke(app, ["spec"])
    assert result.exit_code == 0
    assert "收到申请数应等于当面、传真、网络、信函、其他五种形式申请数之和" in result.output
    assert "trainees" in result.output
    english = runner.invoke(app, ["spec", "--lang", "en"])
    assert "Requests received = in person" in english.output
    assert runner.invoke(app, ["spec", "--lang", "fr"]).exit_code == 2


@pytest.mark.parametrize("year", ["2014", "2021"])
def test_round_stamp_is_hidden_and_read_back(tmp_path, year):
    """A template made for one department of a collection round says so, in the id column."""
    from disclosure_xlsx.check.validate import validate_file
    from disclosure_xlsx.spec import load_spec
    from disclosure_xlsx.spec.layout import Stamp

    path = tmp_path / "t.xlsx"
    path.write_bytes(template_bytes(load_spec(year), "甲局", stamp=Stamp("r1", "d7")))
    assert validate_file(path).stamp == Stamp("r1", "d7")
    plain = tmp_path / "p.xlsx"
    plain.write_bytes(template_bytes(load_spec(year), "甲局"))
    assert validate_file(plain).stamp is None
    assert Stamp.parse("disclosure-xlsx-round:r1") is None  # no department: not a stamp


@pytest.mark.parametrize("year", ["2014", "2021"])
def test_generation_does_not_depend_on_the_hash_seed(tmp_path, year):
    """Same spec, same bytes, across processes (set and dict orders vary with PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from disclosure_xlsx import load_spec; "
        "from disclosure_xlsx.write.template import template_bytes; "
        f"sys.stdout.buffer.write(template_bytes(load_spec('{year}'), '甲'))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
