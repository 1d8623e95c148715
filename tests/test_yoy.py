"""Year over year: a department's return against its return of the year before.

The relations are in the spec (2021: 上年结转 = last year's 结转下年度 per column, an error;
现行有效件数 carried on, a warning); `large-change` holds for every count of any year.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from disclosure_xlsx.check.yoy import compare, compare_years, validate_against
from disclosure_xlsx.cli import app
from disclosure_xlsx.errors import SpecError, UsageError
from disclosure_xlsx.read import ReturnValues
from disclosure_xlsx.spec import load_spec, parse_spec
from disclosure_xlsx.spec.export import spec_dict

from .test_2021 import template_2021
from .workbooks import consistent_2021, consistent_2021_next, pasted_2021

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def spec21():
    return load_spec("2021")


def found(spec, now: dict, last: dict) -> list[tuple[str | None, str, str]]:
    current, previous = ReturnValues.of(spec, now), ReturnValues.of(spec, last)
    return [(f.item, f.cell, f.code) for f in compare_years(current, previous)]


def test_consistent_years_have_no_findings(spec21):
    assert found(spec21, consistent_2021_next(), consistent_2021()) == []


def test_carry_over_is_checked_per_applicant_column(spec21):
    now = {**consistent_2021_next(), "carried_in.natural": 2, "carried_in.total": 3}
    # natural: 2 but last year carried 0 over; the total column: 3 but last year's 1
    assert found(spec21, now, consistent_2021()) == [
        ("carried_in.natural", "B33", "carry-over-mismatch"),
        ("carried_in.total", "H33", "carry-over-mismatch"),
    ]


def test_carry_over_message_names_both_years(spec21):
    now = {**consistent_2021_next(), "carried_in.commercial": 4}
    current, previous = ReturnValues.of(spec21, now), ReturnValues.of(spec21, consistent_2021())
    (finding,) = compare_years(current, previous)
    assert finding.severity == "error"
    assert (finding.found, finding.expected) == (4, 1)
    assert "四、结转下年度继续办理" in finding.message("zh")
    assert "last year's" in finding.message("en")


def test_in_force_drift_is_a_warning(spec21):
    now = {**consistent_2021_next(), "normative_docs.issued": 3, "normative_docs.in_force": 31}
    # 31 last year + 3 issued - 0 repealed = 34, not 31
    current, previous = ReturnValues.of(spec21, now), ReturnValues.of(spec21, consistent_2021())
    (finding,) = compare_years(current, previous)
    assert (finding.item, finding.code, finding.severity) == (
        "normative_docs.in_force",
        "in-force-drift",
        "warning",
    )
    assert (finding.found, finding.expected) == (31, 34)
    assert "31 + 行政规范性文件·本年制发件数 3" in finding.message("zh")


@pytest.mark.parametrize(
    ("last", "now", "flagged"),
    [
        (4, 24, False),  # ×6 but only 20 more
        (4, 25, True),  # ×6.25 and 21 more
        (10, 45, False),  # 35 more but only ×4.5
        (0, 21, True),  # from nothing
        (100, 10, True),  # down as well as up
        (None, 50, False),  # blank last year: not compared
    ],
)
def test_large_change_needs_a_factor_of_five_and_more_than_twenty(spec21, last, now, flagged):
    expected = [("penalties", "B20", "large-change")] if flagged else []
    assert found(spec21, {"penalties": now}, {"penalties": last}) == expected


def test_decimal_amounts_are_not_counts(spec21):
    assert found(spec21, {"charges": 500.0}, {"charges": 1.0}) == []


def test_compare_on_plain_numbers_needs_no_workbook(spec21):
    (finding,) = compare(spec21, {"licensing": 200}, {"licensing": 3}, {"licensing": "B15"})
    assert (finding.cell, finding.code, finding.found, finding.expected) == (
        "B15",
        "large-change",
        200,
        3,
    )


def test_the_two_formats_cannot_be_compared(spec21, spec):
    with pytest.raises(UsageError):
        compare_years(ReturnValues.of(spec21, {}), ReturnValues.of(spec, {}))


def test_2014_has_no_carry_over_but_large_changes(spec):
    assert spec.year_rules == ()
    assert found(spec, {"requests_received": 60}, {"requests_received": 3}) == [
        ("requests_received", "C26", "large-change")
    ]


def test_year_rules_are_in_spec_json(spec21):
    rules = spec_dict(spec21, "en")["year_rules"]
    assert {r["kind"] for r in rules} == {"carry-over", "in-force"}
    assert rules[0]["this"] == "carried_in.natural" and rules[0]["last"] == "carried_out.natural"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('kind = "drift"\nthis = "a"\nlast = "a"\ndesc = "x"', "类型 'drift' 未知"),
        ('kind = "carry-over"\nthis = "h"\nlast = "a"\ndesc = "x"', "标题行"),
        ('kind = "carry-over"\nthis = "zz"\nlast = "a"\ndesc = "x"', "未知项目"),
        ('kind = "carry-over"\nthis = "a"\nlast = "a"', "缺少中文说明"),
        ('kind = "carry-over"\nthis = "a"\nlast = "a"\nplus = ["a"]\ndesc = "x"', "plus"),
    ],
)
def test_loader_refuses_bad_year_rules(rule, message):
    text = f"""
[spec]
id = "t"
year = "9999"
version = 1
title = "t"
[units]
"件" = "count"
[[tables]]
id = "main"
rows = [
  {{ id = "h", label = "H", unit = "件", kind = "heading" }},
  {{ id = "a", label = "A", unit = "件" }},
]
[[year_rules]]
{rule}
"""
    with pytest.raises(SpecError, match=message):
        parse_spec(text)


@pytest.fixture
def two_years(tmp_path, spec21):
    last = template_2021(tmp_path / "2020.xlsx", spec21, consistent_2021())
    # 自然人 7 new + 2 carried in (last year carried 0 over), still balanced; 总计 9 + 3
    now = {**consistent_2021_next(), "carried_in.natural": 2, "carried_in.total": 3}
    now["new.natural"], now["new.total"] = 7, 9
    current = pasted_2021(tmp_path / "2021_粘贴.xlsx", spec21, now)
    return current, last


def test_validate_against_last_years_file(two_years):
    current, last = two_years
    report = validate_against(current, last)
    assert report.status == "invalid"
    assert [(f.cell, f.code) for f in report.findings] == [
        ("D21", "carry-over-mismatch"),  # the pasted table's 自然人 column
        ("J21", "carry-over-mismatch"),  # and its 总计
    ]


def test_cli_validate_previous(two_years, tmp_path):
    current, last = two_years
    result = runner.invoke(
        app, ["validate", str(current), "--previous", str(last), "--format", "json"]
    )
    assert result.exit_code == 1
    codes = [f["code"] for f in json.loads(result.stdout)["files"][0]["findings"]]
    assert codes == ["carry-over-mismatch", "carry-over-mismatch"]
    good = template_2021(tmp_path / "2021.xlsx", load_spec("2021"), consistent_2021_next())
    assert runner.invoke(app, ["validate", str(good), "--previous", str(last)]).exit_code == 0
    two = runner.invoke(app, ["validate", str(current), str(last), "--previous", str(last)])
    assert two.exit_code == 2 and "--previous" in two.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    bad = runner.invoke(app, ["validate", str(current), "--previous", str(junk), "--lang", "en"])
    assert bad.exit_code == 2
    assert "last year's return" in bad.stderr and "Traceback" not in bad.stderr
