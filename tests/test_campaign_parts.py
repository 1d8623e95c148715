"""The parts of a collection round, each on its own: names, roster, matching, e-mails and
archives, stamped templates, the printable status list, the state file."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from disclosure_xlsx.campaign import Campaign, Department, read_roster
from disclosure_xlsx.campaign import eml as eml_module
from disclosure_xlsx.campaign.arrival import Arrival, Skipped
from disclosure_xlsx.campaign.eml import read_mail_bytes
from disclosure_xlsx.campaign.match import Clues, match
from disclosure_xlsx.campaign.names import name_key
from disclosure_xlsx.campaign.sheets import status_workbook
from disclosure_xlsx.campaign.sources import arrivals
from disclosure_xlsx.campaign.store import DB_NAME, SCHEMA_VERSION
from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.cli import app
from disclosure_xlsx.errors import UsageError
from disclosure_xlsx.spec.layout import Stamp

from .rounds import CST, forwarded, message, write_roster, zip_of

runner = CliRunner(env={"COLUMNS": "200"})
WHEN = datetime(2025, 3, 4, 10, 30, tzinfo=CST)


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "区商务局",
        "环翠区商务局",
        "威海市环翠区商务局",
        "山东省威海市环翠区商务局",
        "环翠区 商务局",
        "单位名称：环翠区商务局（盖章）",
        "商务局",
    ],
)
def test_spellings_of_one_department_share_a_key(spelling):
    assert name_key(spelling) == "商务局"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("区城市管理局", "城市管理局"),  # 区城市 is not a district
        ("环翠区城市管理局", "城市管理局"),
        ("市场监督管理局", "市场监督管理局"),  # 市场 is not a city
        ("环翠区市场监督管理局", "市场监督管理局"),
        ("ＡＢＣ局", "abc局"),  # full width
        ("环翠区", "环翠区"),  # nothing would be left
        ("孙家疃街道办事处", "孙家疃街道办事处"),
    ],
)
def test_name_keys_keep_what_is_not_a_district(name, key):
    assert name_key(name) == key


# --- roster --------------------------------------------------------------------------------


def test_roster_in_gbk_with_contacts(tmp_path):
    path = write_roster(
        tmp_path / "名单.csv",
        [
            ["单位名称", "联系人", "电子邮箱", "联系电话"],
            ["区商务局", "张敏", "A@Example.cn；b@example.cn", "0631-5201001"],
            ["", "", "", ""],
            ["区民政局", "", "", ""],
        ],
        encoding="gbk",
    )
    first, second = read_roster(path)
    assert first == Department(
        "d001", "区商务局", "商务局", "张敏", "A@Example.cn; b@example.cn", "0631-5201001"
    )
    assert first.emails == ("A@Example.cn", "b@example.cn")
    assert (second.id, second.email) == ("d002", "")


def test_every_roster_problem_is_reported_together_and_nothing_is_written(tmp_path):
    path = write_roster(
        tmp_path / "名单.csv",
        [
            ["单位名称", "联系人", "邮箱", "电话"],
            ["区商务局", "", "shangwu@example", ""],
            ["", "张三", "x@example.cn", ""],
            ["环翠区 商务局", "", "", ""],
            ["区民政局", "", "", "call me"],
        ],
    )
    with pytest.raises(UsageError) as caught:
        read_roster(path)
    lines = caught.value.text.zh.splitlines()
    assert lines[0].endswith("有 4 处问题，未生成任何文件：")
    assert [line.split("：")[0].strip() for line in lines[1:]] == [
        "第 2 行",
        "第 3 行",
        "第 4 行",
        "第 5 行",
    ]
    assert "“环翠区 商务局”与第 2 行“区商务局”是同一个单位" in caught.value.text.zh
    folder = tmp_path / "round"
    result = runner.invoke(
        app,
        ["campaign", "init", str(folder), "--roster", str(path), "--year", "2021", "--lang", "en"],
    )
    assert result.exit_code == 2
    assert "line 3: no 单位名称" in result.stderr and "Traceback" not in result.stderr
    assert not folder.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("联系人,邮箱\n张三,a@b.cn\n".encode(), "缺少“单位名称”列（现有列：联系人、邮箱）"),
        (b"PK\x03\x04rest-of-a-workbook", "这是 Excel 工作簿，不是 CSV"),
        ("單位名稱,聯繫人\n商務局,張三\n".encode("big5"), "单位名称"),
        ("单位名称\n".encode(), "名单中没有任何单位"),
    ],
)
def test_bad_roster_files_are_one_message(tmp_path, content, message):
    path = tmp_path / "名单.csv"
    path.write_bytes(content)
    with pytest.raises(UsageError) as caught:
        read_roster(path)
    assert message in caught.value.text.zh


# --- matching ------------------------------------------------------------------------------

DEPARTMENTS = [
    Department("d001", "区商务局", "商务局", email="shangwu@example.cn"),
    Department("d002", "区民政局", "民政局", email="office@example.cn"),
    Department("d003", "区司法局", "司法局", email="office@example.cn"),
    Department("d004", "区粮食和商务局", "粮食和商务局"),
]


def matched(**clues) -> tuple[str | None, str | None, list[str]]:
    found = match(Clues(**{"file_name": "x.xlsx", **clues}), DEPARTMENTS, "r1")
    return found.department, found.by, [f.code for f in found.findings]


def test_matching_order():
    assert matched(stamp=Stamp("r1", "d002")) == ("d002", "stamp", [])
    assert matched(sender="ShangWu@Example.cn", unit_name="区司法局") == ("d001", "sender", [])
    assert matched(unit_name="威海市环翠区 民政局") == ("d002", "name", [])
    assert matched(file_name="环翠区粮食和商务局2021.xlsx") == ("d004", "filename", [])
    assert matched(file_name="商务局.xlsx") == ("d001", "filename", [])


def test_a_shared_address_narrows_the_choice():
    # two departments share one clerk's address: the name decides between them
    assert matched(sender="office@example.cn", unit_name="区司法局") == ("d003", "name", [])
    found = match(Clues("x.xlsx", sender="office@example.cn"), DEPARTMENTS, "r1")
    assert found.department is None
    assert found.reason is not None and "区民政局、区司法局" in found.reason.zh


def test_nothing_matches():
    found = match(Clues("报表.xlsx", unit_name="区档案馆"), DEPARTMENTS, "r1")
    assert (found.department, found.reason.zh) == (
        None,
        "单位名称“区档案馆”不在名单中，发件人和文件名也对不上",
    )


def test_another_departments_stamp_is_not_accepted():
    stamp = Stamp("r1", "d001")
    assert matched(stamp=stamp, sender="office@example.cn") == (None, None, ["stamp-mismatch"])
    assert matched(stamp=stamp, unit_name="区民政局") == (None, None, ["stamp-mismatch"])
    assert matched(stamp=stamp, file_name="民政局统计表.xlsx") == (None, None, ["stamp-mismatch"])
    # its own address, or its own name left in place: accepted
    assert matched(stamp=stamp, sender="shangwu@example.cn", unit_name="区民政局")[:2] == (
        "d001",
        "stamp",
    )
    assert matched(stamp=stamp, unit_name="区商务局", file_name="商务局转民政局.xlsx")[:2] == (
        "d001",
        "stamp",
    )


def test_a_stamp_of_another_round_is_a_finding_and_matching_goes_on():
    assert matched(stamp=Stamp("r0", "d002"), unit_name="区民政局") == (
        "d002",
        "name",
        ["stamp-foreign"],
    )
    assert matched(stamp=Stamp("r1", "d999"), file_name="民政局.xlsx") == (
        "d002",
        "filename",
        ["stamp-foreign"],
    )


# --- e-mails and archives ------------------------------------------------------------------


def test_attached_mail_and_zip_with_gbk_names(tmp_path):
    # as Chinese Windows zips: the name in GBK bytes, without the UTF-8 flag
    placeholder = "baobiao/ABCDEF.xlsx"
    buffer = zip_of(tmp_path / "a.zip", {placeholder: b"PK\x03\x04workbook", "说明.docx": b"doc"})
    raw = buffer.read_bytes().replace(b"ABCDEF", "民政局".encode("gbk"))
    buffer.write_bytes(raw)
    inner = message("minzheng@example.cn", WHEN, [("附件.zip", buffer.read_bytes())])
    outer = message("office@example.cn", WHEN, [("原邮件.eml", inner.as_bytes())])
    items = list(read_mail_bytes(outer.as_bytes(), "fwd.eml"))
    assert [(type(i).__name__, i.source) for i in items] == [
        ("Arrival", "fwd.eml › 原邮件.eml › 附件.zip › 民政局.xlsx"),
        ("Skipped", "fwd.eml › 原邮件.eml › 附件.zip › 说明.docx"),
    ]
    assert items[0].sender == "minzheng@example.cn"


def test_mail_without_attachment_and_unsupported_archives():
    (empty,) = read_mail_bytes(message("a@b.cn", WHEN).as_bytes(), "m.eml")
    assert isinstance(empty, Skipped) and empty.reason.en == "the e-mail has no attachment"
    rar = message("a@b.cn", WHEN, [("统计表.rar", b"Rar!"), ("图.7z", b"7z")])
    reasons = [i.reason.zh for i in read_mail_bytes(rar.as_bytes(), "m.eml")]
    assert reasons == [
        ".rar 压缩包不支持，请对方直接发送工作簿或 .zip",
        ".7z 压缩包不支持，请对方直接发送工作簿或 .zip",
    ]
    (junk,) = read_mail_bytes(b"this is not a mail at all", "x.eml")
    assert isinstance(junk, Skipped) and junk.reason.en.startswith("not an e-mail")


def test_oversize_parts_are_refused(monkeypatch):
    monkeypatch.setattr(eml_module, "MAX_FILE_BYTES", 1000)
    big = message("a@b.cn", WHEN, [("大.xlsx", b"x" * 5000), ("小.xlsx", b"y" * 10)])
    items = list(read_mail_bytes(big.as_bytes(), "m.eml"))
    assert [type(i).__name__ for i in items] == ["Skipped", "Arrival"]
    assert "过大" in items[0].reason.zh


def test_zip_bomb_is_refused(tmp_path):
    bomb = zip_of(tmp_path / "b.zip", {"a.xlsx": b"\0" * 11_000_000})
    (item,) = arrivals([bomb])
    assert isinstance(item, Skipped) and "压缩炸弹" in item.reason.zh


def test_forwarded_mail_keeps_the_departments_sender(tmp_path):
    inner = message("caizheng@example.cn", WHEN, [("财政.xlsx", b"PK")])
    path = tmp_path / "fwd.eml"
    path.write_bytes(forwarded("office@example.cn", WHEN, inner).as_bytes())
    (item,) = arrivals([path], sender="ignored@example.cn")
    assert isinstance(item, Arrival)
    assert (item.sender, item.received_at) == ("caizheng@example.cn", WHEN)


# --- templates, the status list, the state file --------------------------------------------


def test_each_template_carries_its_stamp_and_name(tmp_path):
    roster = write_roster(tmp_path / "r.csv", [["单位名称"], ["区商务局"], ["区民政局"]])
    with Campaign.init(tmp_path / "r", roster, "2021") as r:
        round_id = r.info.id
    for name, dept in (("区商务局", "d001"), ("区民政局", "d002")):
        report = validate_file(tmp_path / "r" / "templates" / f"{name}.xlsx")
        assert (report.stamp, report.unit_name) == (Stamp(round_id, dept), name)


def test_status_list_writes_department_text_as_text(tmp_path):
    names = ['=HYPERLINK("http://x","点我")', "+1", "-2", "@SUM(A1)", "区商务局"]
    roster = write_roster(tmp_path / "r.csv", [["单位名称"], *([n] for n in names)])
    with Campaign.init(tmp_path / "r", roster, "2014") as r:
        status = r.status()
        data = status_workbook(status, {d.id: ("=1+1", "") for d in r.departments()})
    out = tmp_path / "status.xlsx"
    out.write_bytes(data)
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    ws = load_workbook(out).active
    assert [ws.cell(5 + n, 2).value for n in range(len(names))] == names
    assert ws.cell(5, 3).value == "=1+1" and ws.cell(5, 3).data_type == "s"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.scale) >= 82
    assert ws.print_title_rows == "$4:$4"


def test_state_file_of_a_newer_version_or_not_a_database(tmp_path):
    roster = write_roster(tmp_path / "r.csv", [["单位名称"], ["区商务局"]])
    Campaign.init(tmp_path / "r", roster, "2014").close()
    db = tmp_path / "r" / DB_NAME
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(UsageError, match="更新版本"):
        Campaign.open(tmp_path / "r")
    db.write_bytes(b"not a database" * 100)
    result = runner.invoke(app, ["campaign", "status", str(tmp_path / "r")])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    result = runner.invoke(app, ["campaign", "status", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "campaign init" in result.stderr


def test_paths_are_relative(tmp_path):
    roster = write_roster(tmp_path / "r.csv", [["单位名称"], ["区商务局"]])
    with Campaign.init(tmp_path / "r", roster, "2014") as r:
        dump = "\n".join(r.conn.iterdump())
    assert str(tmp_path) not in dump
    assert "templates/区商务局.xlsx" in dump
