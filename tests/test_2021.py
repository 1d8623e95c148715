"""The 2021 national format: every command handles it as it handles 2014.

Each rule breaks on a fixture that breaks it and holds on one that keeps it, in our template
and in a table pasted from the Word report (merged headers, labels over three columns).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from disclosure_xlsx.check.validate import validate, validate_file
from disclosure_xlsx.cli import app
from disclosure_xlsx.read import read_values
from disclosure_xlsx.spec import load_spec
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.annotate import annotate
from disclosure_xlsx.write.fill import fill
from disclosure_xlsx.write.fix import fix_file
from disclosure_xlsx.write.template import template_bytes

from .workbooks import consistent_2021 as consistent
from .workbooks import pasted_2021

runner = CliRunner(env={"COLUMNS": "200"})
COLS = ("natural", "commercial", "research", "public_interest", "legal_services", "other_org")


@pytest.fixture(scope="module")
def spec21():
    return load_spec("2021")


def template_2021(path: Path, spec, values: dict) -> Path:
    """Our 2021 template, every data cell 0 unless given (written as a department would)."""
    path.write_bytes(template_bytes(spec, "测试局"))
    wb = load_workbook(path)
    ws = wb.active
    cells = layout(spec).value_cells
    for item in spec.data_items():
        ws[cells[item.id]] = values.get(item.id, 0)
    wb.save(path)
    return path


def pasted(path: Path, spec, values: dict) -> Path:
    return pasted_2021(path, spec, values)


LAYOUTS = {"template": template_2021, "pasted": pasted}


@pytest.fixture(params=sorted(LAYOUTS))
def make(request, tmp_path, spec21):
    def _make(values, name="r.xlsx"):
        return LAYOUTS[request.param](tmp_path / name, spec21, values)

    return _make


def found(path: Path) -> list[tuple[str | None, str]]:
    return [(f.item, f.code) for f in validate_file(path).findings]


def test_consistent_return_is_clean_in_both_layouts(make):
    report = validate_file(make(consistent()))
    assert (report.template, report.status, report.findings) == ("2021", "ok", ())


BREAKS = {
    # one + two = （七） + four, in the 自然人 column: carried out 1 where the rest says 0
    "balance": (
        {"carried_out.natural": 1, "carried_out.total": 2},
        [("results_total.natural", "total-mismatch"), ("results_total.total", "total-mismatch")],
    ),
    # （七） total of the results differs from the 21 result rows, in every column it breaks
    "results-sum": (
        {"granted.natural": 7, "granted.total": 9},
        [("results_total.natural", "total-mismatch"), ("results_total.total", "total-mismatch")],
    ),
    # a row total left at 0 while its parts sum to 11
    "row-sum": (
        {"refused_secret.natural": 5, "refused_secret.commercial": 6},
        [
            ("refused_secret.total", "total-mismatch"),
            ("results_total.natural", "total-mismatch"),
            ("results_total.commercial", "total-mismatch"),
        ],
    ),
    "review-total": ({"cases.review_total": 4}, [("cases.review_total", "total-mismatch")]),
    "direct-total": ({"cases.direct_total": 0}, [("cases.direct_total", "total-mismatch")]),
    "after-total": ({"cases.after_other": 2}, [("cases.after_total", "total-mismatch")]),
    "count-integer": ({"licensing": 3.5}, [("licensing", "not-integer")]),
    "count-negative": ({"penalties": -1}, [("penalties", "negative")]),
    "fee-in-yuan": ({"charges": "251000元"}, [("charges", "implausible")]),
    "blank": (
        {"coercion": None, "regulations.repealed": "\u00a0"},
        [
            ("regulations.repealed", "blank"),
            ("coercion", "blank"),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_every_rule_breaks_and_holds(make, case):
    change, expected = BREAKS[case]
    assert found(make({**consistent(), **change})) == expected


def test_row_total_left_at_zero_gets_a_suggestion(make):
    # 属于国家秘密: 自然人 5 + 商业企业 6 but 总计 0; every other total counts the 11
    values = {**consistent(), "refused_secret.natural": 5, "refused_secret.commercial": 6}
    values.update({"results_total.natural": 14, "results_total.commercial": 8})
    values.update({"new.natural": 13, "new.commercial": 9, "new.total": 22})
    values.update({"results_total.total": 22})
    row, column = validate_file(make(values)).findings
    assert (row.item, row.expected, column.item) == (
        "refused_secret.total",
        11,
        "results_total.total",
    )
    assert "自然人 5 + 商业企业 6 + 科研机构 0" in row.text.zh
    for finding in (row, column):  # one cell explains both breaks
        assert (finding.fix.kind, finding.fix.item, finding.fix.value) == (
            "locate",
            "refused_secret.total",
            11,
        )


def test_fee_in_yuan_suggests_wan_yuan(make):
    (finding,) = validate_file(make({**consistent(), "charges": "251000元"})).findings
    assert finding.fix.value == 25.1 and "万元" in finding.text.zh


def test_variant_without_other_handling_sub_rows(tmp_path, spec21):
    values = {**consistent(), "other_handling.natural": 1, "other_handling.total": 1}
    path = pasted_2021(tmp_path / "v.xlsx", spec21, values, single_other_row=True)
    report = validate_file(path)
    assert [f.code for f in report.findings] == ["format-variant"]
    assert (
        report.findings[0].severity == "warning" and "（六）其他处理" in report.findings[0].text.zh
    )
    assert report.status == "ok"
    broken = pasted_2021(
        tmp_path / "b.xlsx", spec21, {**values, "other_handling.natural": 2}, single_other_row=True
    )
    codes = Counter((f.item, f.code) for f in validate_file(broken).findings)
    assert codes[("other_handling.total", "total-mismatch")] == 1


def test_misprinted_and_renumbered_labels(tmp_path, spec21):
    def mutate(ws, rows):
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == "2.其他法律行政法规禁止公开":
                    cell.value = "2.其他法律行政止公开"
                if cell.value == "1.属于国家秘密":
                    cell.value = "1、属于国家秘密"

    path = pasted_2021(tmp_path / "m.xlsx", spec21, consistent(), mutate=mutate)
    assert found(path) == [("refused_law.natural", "label-changed")]


def test_wrong_template(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.active.append(["张三", 30])
    wb.save(tmp_path / "x.xlsx")
    assert found(tmp_path / "x.xlsx") == [(None, "wrong-template")]


def test_template_guards_like_2014(tmp_path, spec21):
    path = tmp_path / "t.xlsx"
    path.write_bytes(template_bytes(spec21, "测试局"))
    assert template_bytes(spec21, "测试局") == path.read_bytes()  # deterministic
    wb = load_workbook(path)
    ws = wb.active
    cells = layout(spec21).value_cells
    assert ws.protection.sheet and len(cells) == 200
    assert not ws[cells["granted.natural"]].protection.locked
    assert ws["A5"].protection.locked
    covered = {c for dv in ws.data_validations.dataValidation for c in str(dv.sqref).split()}
    assert covered == set(cells.values())
    assert all(f"dx_{i.replace('.', '_')}" in wb.defined_names for i in cells)
    sheet = layout(spec21)
    checks = {b.check_col for b in sheet.blocks}
    live = [
        c.value
        for row in ws.iter_rows()
        for c in row
        if c.column in checks and str(c.value).startswith("=IF(")
    ]
    # a row's rules share its check cell: 25 table-三 rows, appeals, and 收费金额's 元/万元 check
    assert len(live) == 25 + 1 + 1
    report = validate_file(path)
    assert report.method == "ids" and {f.code for f in report.findings} == {"blank"}


def test_libreoffice_round_trips_validate_identically(tmp_path, spec21, soffice):
    values = {**consistent(), "cases.review_total": 4, "licensing": "\u30003"}
    src = template_2021(tmp_path / "r.xlsx", spec21, values)
    expected = [(f.item, f.code, f.cell) for f in validate_file(src).findings]
    assert len(expected) == 2
    profile = tmp_path / "profile"
    for fmt in ("xlsx", "xls", "ods"):
        out = soffice(src, fmt, tmp_path / fmt, profile)
        got = [(f.item, f.code, f.cell) for f in validate_file(out).findings]
        assert got == expected, fmt


def test_fill_round_trip_2021(tmp_path, spec21):
    data = {**{i.id: 0 for i in spec21.data_items()}, **consistent()}
    path = tmp_path / "f.xlsx"
    path.write_bytes(fill(spec21, data).xlsx)
    assert validate_file(path).findings == ()
    assert read_values(path).values == data


def test_fix_and_annotate_2021_paste(tmp_path, spec21):
    values = {
        **consistent(),
        "penalties": "\u300087",
        "coercion": "\u3000",
        "cases.review_total": 4,
    }
    src = pasted_2021(tmp_path / "p.xlsx", spec21, values)
    result = fix_file(src, tmp_path / "fixed.xlsx", blank_as_zero=True)
    assert {c.item: c.after for c in result.changes} == {"penalties": 87, "coercion": 0}
    assert [(f.item, f.code) for f in result.after.findings] == [
        ("cases.review_total", "total-mismatch")
    ]
    (written,) = annotate(validate(src), tmp_path / "ann")
    ws = load_workbook(written.output).worksheets[1]
    assert sum(1 for row in ws.iter_rows() for c in row if c.comment) == 3


def test_cli_template_and_spec_2021(tmp_path):
    out = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", "--year", "2021", "-o", str(out)]).exit_code == 0
    result = runner.invoke(app, ["validate", str(out), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["files"][0]["template"] == "2021"
    spec = runner.invoke(app, ["spec", "--year", "2021"])
    assert spec.exit_code == 0 and "三、收到和处理政府信息公开申请情况" in spec.output
    assert "other-handling-single-row" in spec.output


def test_samples_2021():
    from .conftest import ROOT

    clean = validate_file(ROOT / "samples" / "clean_2021.xlsx")
    assert (clean.template, clean.status, clean.findings) == ("2021", "ok", ())
    errors = validate_file(ROOT / "samples" / "errors_2021_粘贴.xlsx")
    assert errors.method == "labels"
    assert [(f.item, f.code) for f in errors.findings] == [
        (None, "format-variant"),
        ("charges", "implausible"),
        ("granted.total", "total-mismatch"),
        ("refused_secret.natural", "blank"),
        ("refused_law.natural", "blank"),
        ("refused_law.natural", "label-changed"),
        ("results_total.total", "total-mismatch"),
        ("cases.review_total", "total-mismatch"),
    ]
    fixes = {f.item: (f.fix.kind, f.fix.value) for f in errors.findings if f.fix}
    assert fixes["granted.total"] == ("locate", 8)
    assert fixes["cases.review_total"] == ("typo", 1)
    assert fixes["refused_secret.natural"] == ("forced", 0)


def test_pasted_extra_row_and_deleted_row(tmp_path, spec21):
    def extra(ws, rows):
        r = rows["granted"] + 1
        ws.insert_rows(r)
        ws.cell(r, 2, "（二）其中：网上申请")
        ws.cell(r, 4, 3)

    path = pasted_2021(tmp_path / "x.xlsx", spec21, consistent(), mutate=extra)
    assert found(path) == [(None, "unexpected-row")]

    def deleted(ws, rows):
        ws.delete_rows(rows["refused_query"])

    path = pasted_2021(tmp_path / "d.xlsx", spec21, consistent(), mutate=deleted)
    assert found(path) == [(f"refused_query.{c}", "missing-item") for c in (*COLS, "total")]
