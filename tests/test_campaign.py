"""A collection round end to end, as a district office runs it: six departments, two waves.

区商务局 returns a correct table; 区教育和体育局 one with errors, then the corrected one;
区民政局 an .xls (LibreOffice); 区司法局 the tables pasted from its Word report, with another
department's name in 单位名称, mailed from its own address; 区财政局 fills in 区卫生健康局's
template and sends it in a forwarded mail; 区卫生健康局 never returns.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from disclosure_xlsx.campaign import Campaign
from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.cli import app
from disclosure_xlsx.spec import load_spec

from .rounds import (
    CST,
    fill_template,
    forwarded,
    message,
    rfc2047_mail,
    save_mail,
    scaled,
    write_roster,
)
from .workbooks import consistent_2021, pasted_2021

runner = CliRunner(env={"COLUMNS": "200"})

ROSTER = [
    ["单位名称", "联系人", "邮箱", "电话"],
    ["区商务局", "张敏", "shangwu@example.cn", "0631-5201001"],
    ["区教育和体育局", "李强", "jiaoti@example.cn", "0631-5201002"],
    ["区民政局", "王芳", "minzheng@example.cn", ""],
    ["区司法局", "赵磊", "sifa@example.cn", "13800000004"],
    ["区财政局", "刘洋", "caizheng@example.cn", ""],
    ["区卫生健康局", "陈静", "weijian@example.cn", ""],
]
#: Each department's numbers: the consistent 2021 return times k (so every return differs).
K = {"d001": 1, "d002": 2, "d003": 3, "d004": 4, "d005": 5}
FILE = re.compile(r"received/[0-9a-f]{16}/")


def cli(*args: str) -> object:
    result = runner.invoke(app, ["campaign", *args])
    assert "Traceback" not in (result.stdout + result.stderr), result.stderr
    return result


def without_hashes(data: object) -> object:
    """The status JSON with the content-hash folders of file paths written as <hash>."""
    return json.loads(FILE.sub("received/<hash>/", json.dumps(data, ensure_ascii=False)))


@pytest.fixture(scope="module")
def spec21():
    return load_spec("2021")


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory, spec21, soffice):
    """The round after both waves; yields (folder, outputs of each step)."""
    base = tmp_path_factory.mktemp("round")
    roster = write_roster(base / "名单.csv", ROSTER)
    folder = base / "2021年度"
    steps: dict[str, object] = {}
    steps["init"] = cli(
        "init",
        str(folder),
        "--roster",
        str(roster),
        "--year",
        "2021",
        "--title",
        "环翠区 2021 年度政府信息公开统计",
        "--deadline",
        "2099-12-31",
    )
    templates = folder / "templates"
    values = {d: scaled(consistent_2021(), k) for d, k in K.items()}

    # wave 1: files saved from the mail client into a folder, and two saved mails
    wave1 = base / "wave1"
    fill_template(
        templates / "区商务局.xlsx", wave1 / "商务局2021年报表.xlsx", spec21, values["d001"]
    )
    wrong = {**values["d002"], "new.natural": values["d002"]["new.natural"] + 3}
    fill_template(templates / "区教育和体育局.xlsx", wave1 / "教体局.xlsx", spec21, wrong)
    civil = fill_template(
        templates / "区民政局.xlsx", base / "民政" / "民政局.xlsx", spec21, values["d003"]
    )
    soffice(civil, "xls", wave1, base / "lo-profile")
    pasted = pasted_2021(
        base / "司法局年报表格.xlsx",
        spec21,
        values["d004"],
        mutate=lambda ws, rows: ws.cell(1, 6, "单位名称：区商务局"),  # someone else's name
    )
    mails = base / "mails"
    mails.mkdir()
    (mails / "司法局.eml").write_bytes(
        rfc2047_mail(
            "Sifa@Example.cn",
            datetime(2025, 3, 4, 10, 30, tzinfo=CST),
            "司法局 2021 年度报告统计表.xlsx",
            pasted.read_bytes(),
        )
    )
    treasury = fill_template(
        templates / "区卫生健康局.xlsx", base / "财政" / "统计表.xlsx", spec21, values["d005"]
    )
    inner = message(
        "caizheng@example.cn",
        datetime(2025, 3, 5, 8, 0, tzinfo=CST),
        [("区财政局统计表.xlsx", treasury.read_bytes())],
    )
    save_mail(
        mails / "转发-财政局.eml",
        forwarded("office@example.cn", datetime(2025, 3, 6, 9, 0, tzinfo=CST), inner),
    )
    steps["wave1"] = cli(
        "collect", str(folder), str(wave1), str(mails), "--received-at", "2025-03-03T09:00:00+08:00"
    )
    with Campaign.open(folder) as r:
        steps["status1"] = r.status(today=date(2025, 3, 20))

    # wave 2: the corrected return, the first one again, a note, a mail without attachment
    wave2 = base / "wave2"
    fill_template(
        templates / "区教育和体育局.xlsx", wave2 / "教体局_修改.xlsx", spec21, values["d002"]
    )
    (wave2 / "说明.txt").write_text("已修改", encoding="utf-8")
    save_mail(
        wave2 / "催报回复.eml", message("jiaoti@example.cn", datetime(2025, 3, 10, tzinfo=CST))
    )
    steps["wave2"] = cli(
        "collect",
        str(folder),
        str(wave2),
        str(wave1 / "商务局2021年报表.xlsx"),
        "--received-at",
        "2025-03-10T15:00:00+08:00",
    )
    steps["assign"] = cli("assign", str(folder), "区财政局统计表.xlsx", "区财政局")
    steps["status"] = cli("status", str(folder), "--format", "json")
    steps["total"] = cli("total", str(folder), "-o", str(base / "汇总.xlsx"))
    steps["total_json"] = cli("total", str(folder), "--format", "json")
    return folder, base, values, steps


def test_wave_one(round_dir):
    folder, _base, _values, steps = round_dir
    assert steps["init"].exit_code == 0
    assert "6 个单位" in steps["init"].stdout
    assert sorted(p.name for p in (folder / "templates").iterdir()) == sorted(
        f"{row[0]}.xlsx" for row in ROSTER[1:]
    )
    wave = steps["wave1"]
    assert wave.exit_code == 1  # one with errors, one unmatched
    status = steps["status1"]
    rows = {d.name: (d.state, d.versions) for d in status.departments}
    assert rows == {
        "区商务局": ("ok", 1),
        "区教育和体育局": ("invalid", 1),
        "区民政局": ("ok", 1),
        "区司法局": ("ok", 1),  # the sender decided, not the wrong 单位名称
        "区财政局": ("missing", 0),
        "区卫生健康局": ("missing", 0),
    }
    (unmatched,) = status.unmatched
    assert unmatched.name == "区财政局统计表.xlsx"
    assert "区卫生健康局" in unmatched.reason.zh and "区财政局" in unmatched.reason.zh
    assert unmatched.source.endswith("转发-财政局.eml › 区财政局统计表.xlsx")
    assert status.summary.line().zh == "已交 4/6，通过 3，有错误 1，无法读取 0，未交 2"


def test_how_each_return_was_matched(round_dir):
    folder, *_ = round_dir
    with Campaign.open(folder) as r:
        by = {rec.name: (rec.department_id, rec.matched_by) for rec in r.returns()}
    assert by == {
        "商务局2021年报表.xlsx": ("d001", "stamp"),
        "教体局.xlsx": ("d002", "stamp"),
        "民政局.xls": ("d003", "stamp"),
        "司法局 2021 年度报告统计表.xlsx": ("d004", "sender"),
        "区财政局统计表.xlsx": ("d005", "assigned"),
        "教体局_修改.xlsx": ("d002", "stamp"),
    }


def test_wave_two_lines(round_dir):
    _folder, _base, _values, steps = round_dir
    out = steps["wave2"].stdout
    assert steps["wave2"].exit_code == 1  # a note and a mail without attachment were not taken
    assert "教体局_修改.xlsx → 区教育和体育局（按模板标识）" in out
    assert "说明.txt：不是工作簿" in out
    assert "催报回复.eml：邮件里没有附件" in out
    assert "重复" in out and "商务局2021年报表.xlsx（区商务局）内容相同" in out
    assert "收到 1 份（未匹配 0），重复 1，未收 2" in out
    assert steps["assign"].exit_code == 0
    assert "区财政局" in steps["assign"].stdout


def test_status_json_contract(round_dir):
    folder, _base, _values, steps = round_dir
    result = steps["status"]
    assert result.exit_code == 1  # 区卫生健康局 has not returned
    data = json.loads(result.stdout)
    with Campaign.open(folder) as r:
        assert data == r.status().to_dict()
        round_id = r.info.id
    assert without_hashes(data) == {
        "schema": "disclosure-xlsx/campaign-status/1",
        "campaign": {
            "id": round_id,
            "title": "环翠区 2021 年度政府信息公开统计",
            "year": "2021",
            "deadline": "2099-12-31",
            "departments": 6,
        },
        "departments": [
            {
                "id": "d001",
                "name": "区商务局",
                "email": "shangwu@example.cn",
                "state": "ok",
                "versions": 1,
                "received_at": "2025-03-03T09:00:00+08:00",
                "file": "received/<hash>/商务局2021年报表.xlsx",
                "errors": 0,
                "warnings": 0,
                "overdue": False,
            },
            {
                "id": "d002",
                "name": "区教育和体育局",
                "email": "jiaoti@example.cn",
                "state": "ok",
                "versions": 2,
                "received_at": "2025-03-10T15:00:00+08:00",
                "file": "received/<hash>/教体局_修改.xlsx",
                "errors": 0,
                "warnings": 0,
                "overdue": False,
            },
            {
                "id": "d003",
                "name": "区民政局",
                "email": "minzheng@example.cn",
                "state": "ok",
                "versions": 1,
                "received_at": "2025-03-03T09:00:00+08:00",
                "file": "received/<hash>/民政局.xls",
                "errors": 0,
                "warnings": 0,
                "overdue": False,
            },
            {
                "id": "d004",
                "name": "区司法局",
                "email": "sifa@example.cn",
                "state": "ok",
                "versions": 1,
                "received_at": "2025-03-04T10:30:00+08:00",
                "file": "received/<hash>/司法局 2021 年度报告统计表.xlsx",
                "errors": 0,
                "warnings": 0,
                "overdue": False,
            },
            {
                "id": "d005",
                "name": "区财政局",
                "email": "caizheng@example.cn",
                "state": "ok",
                "versions": 1,
                "received_at": "2025-03-05T08:00:00+08:00",
                "file": "received/<hash>/区财政局统计表.xlsx",
                "errors": 0,
                "warnings": 1,
                "overdue": False,
            },
            {
                "id": "d006",
                "name": "区卫生健康局",
                "email": "weijian@example.cn",
                "state": "missing",
                "versions": 0,
                "received_at": None,
                "file": None,
                "errors": 0,
                "warnings": 0,
                "overdue": False,
            },
        ],
        "unmatched": [],
        "summary": {
            "departments": 6,
            "returned": 5,
            "ok": 5,
            "invalid": 0,
            "unreadable": 0,
            "missing": 1,
        },
    }


def test_overdue_after_the_deadline(round_dir):
    folder, *_ = round_dir
    with Campaign.open(folder) as r:
        late = r.status(today=date(2100, 1, 1))
    assert [d.id for d in late.departments if d.overdue] == ["d006"]


def test_history_and_current(round_dir):
    folder, *_ = round_dir
    with Campaign.open(folder) as r:
        history = r.history("区教育和体育局")
        assert [(h.name, h.status) for h in history] == [
            ("教体局.xlsx", "invalid"),
            ("教体局_修改.xlsx", "ok"),
        ]
        assert r.current("d002") == history[-1]
        assert r.current("区卫生健康局") is None
        first = r.report(history[0].file)
        assert first["status"] == "invalid"
        assert {f["code"] for f in first["findings"]} == {"total-mismatch"}
        assert r.report(r.current("d005").file, "en")["findings"][0]["code"] == "stamp-mismatch"


def test_total_values_are_the_sums(round_dir):
    _folder, _base, values, steps = round_dir
    spec = load_spec("2021")
    assert steps["total"].exit_code == 0
    data = json.loads(steps["total_json"].stdout)
    assert data["schema"] == "disclosure-xlsx/campaign-total/1"
    assert data["included"] == ["d001", "d002", "d003", "d004", "d005"]
    assert data["excluded"] == [{"id": "d006", "reason": "未交"}]
    expected = {
        item.id: round(sum(v.get(item.id, 0) for v in values.values()), 6)
        for item in spec.data_items()
    }
    assert data["values"] == pytest.approx(expected)
    assert data["values"]["licensing"] == 1520 * 15


def test_total_workbook(round_dir):
    _folder, base, _values, steps = round_dir
    path = base / "汇总.xlsx"
    assert "汇总数满足表内全部规则" in steps["total"].stdout
    report = validate_file(path)
    assert (report.status, report.template, report.unit_name) == (
        "ok",
        "2021",
        "环翠区 2021 年度政府信息公开统计",
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["统计表", "明细", "说明"]
    detail = wb["明细"]
    assert [c.value for c in detail[2]][:6] == [
        "项目编号",
        "项目",
        "单位",
        "合计",
        "区商务局",
        "区教育和体育局",
    ]
    assert detail.cell(3, 5).value == "商务局2021年报表.xlsx"  # the full path is in 说明
    assert detail.cell(4, 10).value == "未交（未计入）"
    rows = {detail.cell(r, 1).value: r for r in range(5, detail.max_row + 1)}
    licensing = rows["licensing"]
    assert [detail.cell(licensing, c).value for c in range(4, 11)] == [
        22800,
        1520,
        3040,
        4560,
        6080,
        7600,
        None,
    ]
    notes = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "计入汇总的单位（5 个）" in notes and "未计入的单位（1 个）" in notes
    assert "区卫生健康局" in notes and "未交" in notes


def test_cli_round_trip_in_english(round_dir, tmp_path):
    folder, *_ = round_dir
    result = cli("status", str(folder), "--lang", "en")
    text = FILE.sub("", result.stdout)
    names = [
        "商务局2021年报表.xlsx",
        "教体局_修改.xlsx",
        "民政局.xls",
        "司法局 2021 年度报告统计表.xlsx",
        "区财政局统计表.xlsx",
        "环翠区 2021 年度政府信息公开统计",
        *(row[0] for row in ROSTER[1:]),
    ]
    for name in names:  # department names and the file names they chose
        text = text.replace(name, "")
    assert not re.search(r"[\u4e00-\u9fff]", text), text
    assert "returned 5/6: 5 ok, 0 with errors, 0 unreadable, 1 missing" in result.stdout


def test_readme_documents_the_round():
    from disclosure_xlsx.cli.campaign import app as group

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 一轮收集", 1)[1].split("\n## ", 1)[0]
    for command in group.registered_commands:
        assert f"`{command.name}`" in section, command.name
    assert '{"schema": "disclosure-xlsx/campaign-status/1",' in section
    assert '"schema": "disclosure-xlsx/campaign-total/1"' in section
    for code in ("carry-over-mismatch", "in-force-drift", "large-change"):
        assert f"`{code}`" in section
