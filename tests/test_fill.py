"""`fill`: data -> template -> validate -> read gives the same data; every bad key is reported."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from disclosure_xlsx.check.validate import validate, validate_file
from disclosure_xlsx.cli import app
from disclosure_xlsx.read import read_values
from disclosure_xlsx.render.html import to_html
from disclosure_xlsx.write.fill import FillError, fill, read_data, resolve

from .workbooks import template_return

runner = CliRunner(env={"COLUMNS": "200"})


def consistent(spec) -> dict[str, int | float]:
    """A whole table whose every rule holds: 0 everywhere but a few consistent numbers."""
    values: dict[str, int | float] = {i.id: 0 for i in spec.data_items()}
    values.update(
        proactive_total=44,
        channel_website=44,
        requests_received=3,
        received_online=2,
        received_letter=1,
        requests_closed=3,
        closed_on_time=3,
        requests_answered=3,
        answer_disclosed=3,
        staff=2,
        staff_parttime=2,
        budget=1.5,
    )
    return values


def test_round_trip_mapping_template_validate_read(tmp_path, spec):
    data = consistent(spec)
    filled = fill(spec, data, "测试局")
    path = tmp_path / "filled.xlsx"
    path.write_bytes(filled.xlsx)
    report = validate_file(path)
    assert (report.status, report.findings, report.unit_name) == ("ok", (), "测试局")
    table = read_values(path)
    assert table.values == data and table.missing == () and table.unreadable == {}


def test_round_trip_from_a_pandas_series_keyed_by_labels(tmp_path, spec):
    data = consistent(spec)
    series = pd.Series({spec.item(k).label: v for k, v in data.items() if v})
    filled = fill(spec, series, missing_as_zero=True)
    path = tmp_path / "filled.xlsx"
    path.write_bytes(filled.xlsx)
    assert validate_file(path).findings == ()
    assert read_values(path).values == data


def test_fill_is_deterministic(spec):
    assert (
        fill(spec, {"staff": 1, "staff_fulltime": 1}).xlsx
        == fill(spec, {"staff_fulltime": 1, "staff": 1}).xlsx
    )


def test_data_that_break_a_rule_validate_as_they_say(tmp_path, spec):
    data = {**consistent(spec), "staff": 3}
    path = tmp_path / "f.xlsx"
    path.write_bytes(fill(spec, data).xlsx)
    assert [(f.item, f.code) for f in validate_file(path).findings] == [("staff", "total-mismatch")]


def test_every_problem_is_reported_and_nothing_written(spec):
    entries = [
        ("requests_received", 3, "第 2 行"),
        ("不存在的项目", 5, "第 3 行"),
        ("被依法纠错数", 1, "第 4 行"),  # in two sections: needs the id
        ("staff", 2.5, "第 5 行"),
        ("fees", "见附件", "第 6 行"),
        ("收到申请数", 4, "第 7 行"),  # the same item as line 2, by label
        ("一、主动公开情况", 3, "第 8 行"),
        ("budget", -1, "第 9 行"),
    ]
    with pytest.raises(FillError) as caught:
        resolve(spec, entries)
    problems = caught.value.problems
    assert [p.zh.split("“")[0] for p in problems] == [
        "第 3 行",
        "第 4 行",
        "第 5 行",
        "第 6 行",
        "第 7 行",
        "第 8 行",
        "第 9 行",
    ]
    assert "reviews_corrected" in problems[1].zh and "与第 2 行重复" in problems[4].zh


def test_data_files_csv_gbk_json_and_xlsx(tmp_path, spec):
    csv_path = tmp_path / "d.csv"
    csv_path.write_bytes("统计指标,单位,统计数\n3.网络申请数,件,2\nstaff,人,1\n".encode("gb18030"))
    assert [(k, v) for k, v, _ in read_data(csv_path)] == [("3.网络申请数", "2"), ("staff", "1")]

    js = tmp_path / "d.json"
    js.write_text('{"staff": 1, "staff": 2}', encoding="utf-8")
    with pytest.raises(FillError, match="重复"):
        resolve(spec, read_data(js))
    js.write_text(json.dumps([{"item": "staff", "value": 1}]), encoding="utf-8")
    assert resolve(spec, read_data(js)).values == {"staff": 1}

    wb = Workbook()
    wb.active.append(["项目", "数值"])
    wb.active.append(["网络申请数", 2])
    xl = tmp_path / "d.xlsx"
    wb.save(xl)
    assert resolve(spec, read_data(xl)).values == {"received_online": 2}


def test_cli_fill(tmp_path, spec):
    data = tmp_path / "d.csv"
    data.write_text("item,value\nstaff,2\nstaff_parttime,2\n", encoding="utf-8")
    out = tmp_path / "测试局.xlsx"
    args = ["fill", "--data", str(data), "-o", str(out), "--unit-name", "测试局"]
    result = runner.invoke(app, [*args, "--missing-as-zero"])
    assert result.exit_code == 0, result.output
    assert "填入 79 项" in result.output and "通过" in result.output
    assert read_values(out).values["staff"] == 2
    assert runner.invoke(app, args).exit_code == 2  # exists, no --force

    bad = tmp_path / "bad.csv"
    bad.write_text("item,value\nnope,1\n", encoding="utf-8")
    result = runner.invoke(app, ["fill", "--data", str(bad), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "nope" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_html_report_is_self_contained_and_escaped(tmp_path, spec):
    path = template_return(
        tmp_path / "r.xlsx",
        spec,
        {
            "requests_received": 120,
            "received_in_person": 4,
            "received_online": 161,
            "fees": "<b>见附件</b>",
        },
    )
    page = to_html(validate(path))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)  # nothing fetched
    assert "<script" not in page and "<b>见附件" not in page and "&lt;b&gt;见附件" in page
    assert "可能应为 116（相邻数字颠倒：填的是 161）" in page
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["validate", str(path), "--format", "html", "-o", str(out)])
    assert result.exit_code == 1 and out.read_text(encoding="utf-8") == page
