"""The e-mail parts on their own, without servers: messages as bytes, the clerk's texts and
settings, IMAP responses, the records' schema."""

from __future__ import annotations

import email
import re
import sqlite3
from email import policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from disclosure_xlsx.campaign import Campaign
from disclosure_xlsx.campaign.mailfiles import DEFAULTS, NOTICE, SETTINGS
from disclosure_xlsx.campaign.store import DB_NAME, MIGRATIONS, SCHEMA_VERSION
from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.errors import UsageError
from disclosure_xlsx.mail.bodystructure import attachments, fetch_items, parse, structure
from disclosure_xlsx.mail.compose import Attachment, Recipient, compose, header_text
from disclosure_xlsx.mail.imap import uid_set, utf7_decode, utf7_encode
from disclosure_xlsx.mail.settings import (
    Secret,
    load_settings,
    override,
    parse_host,
    parse_settings,
    password_for,
)
from disclosure_xlsx.mail.templates import (
    FIELDS,
    findings_list,
    missing_values,
    parse_text,
)
from disclosure_xlsx.text import UI

from .conftest import ROOT
from .mailing import make_round

XLSX = b"PK\x03\x04" + bytes(range(256)) * 40


def letter(name: str = "区商务局_政府信息公开工作年度报告统计表.xlsx", **kw: object):
    return compose(
        sender="环翠区政务公开办 <gongkai@example.cn>",
        to=[Recipient("区商务局", "shangwu@example.cn")],
        subject="【环翠区 2025 年度】请报送统计表（区商务局）",
        body="区商务局：\n    请填写。\n",
        attachments=[Attachment(name, XLSX)],
        message_id="<n1@example.cn>",
        **kw,  # type: ignore[arg-type]
    )


# --- composing -----------------------------------------------------------------------------------


def test_attachment_name_in_both_forms_on_unbroken_lines():
    raw = letter().as_bytes()
    head = raw.split(b"\r\n\r\n--", 2)[2]
    assert (
        b"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;\r\n"
        b' name="=?UTF-8?B?5Yy65ZWG5Yqh5bGAX+aUv+W6nOS/oeaBr+WFrOW8gOW3peS9nOW5tOW6puaKpeWRiue7n+iuoeihqC54bHN4?="\r\n'
    ) in head
    assert (
        b"Content-Disposition: attachment;\r\n filename*=UTF-8''%E5%8C%BA%E5%95%86%E5%8A%A1%E5%B1%80_"
    ) in head
    assert b"filename*0" not in raw  # no RFC 2231 continuations
    assert not re.search(rb"[ ;]name\*", raw)  # name= stays RFC 2047
    assert raw.count(b"MIME-Version") == 1
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only


def test_every_reader_gets_the_name_and_the_bytes():
    raw = letter().as_bytes()
    name = "区商务局_政府信息公开工作年度报告统计表.xlsx"
    # current clients: RFC 2231 filename*
    modern = email.message_from_bytes(raw, policy=policy.default)
    (part,) = modern.iter_attachments()
    assert part.get_filename() == name
    assert part.get_content() == XLSX
    # clients that read only Content-Type name= and decode RFC 2047 there (older Outlook)
    legacy = email.message_from_bytes(raw, policy=policy.compat32)
    (part,) = [p for p in legacy.walk() if p.get_content_maintype() == "application"]
    assert str(make_header(decode_header(part.get_param("name")))) == name
    assert (
        str(make_header(decode_header(modern["Subject"])))
        == "【环翠区 2025 年度】请报送统计表（区商务局）"
    )
    body = modern.get_body(("plain",))
    assert body.get_content().replace("\r\n", "\n") == "区商务局：\n    请填写。\n"


def test_a_very_long_name_is_shortened_to_fit_the_line_limit():
    raw = letter("统" * 400 + ".xlsx").as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    (part,) = email.message_from_bytes(raw, policy=policy.default).iter_attachments()
    assert part.get_filename().endswith("统.xlsx") and len(part.get_filename()) < 400


def test_draft_and_threading_headers():
    draft = email.message_from_bytes(letter(draft=True).as_bytes(), policy=policy.default)
    assert draft["X-Unsent"] == "1" and draft["Date"] is None
    reply = letter(in_reply_to="<theirs@example.cn>", references=("<ours@example.cn>",))
    assert reply["In-Reply-To"] == "<theirs@example.cn>"
    assert reply["References"] == "<ours@example.cn> <theirs@example.cn>"
    assert "X-Unsent" not in reply


def test_untrusted_names_cannot_add_headers():
    msg = compose(
        sender=None,
        to=[Recipient("区商务局\r\nBcc: evil@example.com", "shangwu@example.cn")],
        subject="统计表\nBcc: evil@example.com\x1b[2J",
        body="x",
        message_id="<m@x>",
    )
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "统计表 Bcc: evil@example.com [2J"
    assert header_text("a\u202eb\tc") == "a b c"


# --- the clerk's texts -----------------------------------------------------------------------


def test_placeholders_filled_once_with_untrusted_text_as_is(tmp_path):
    text = parse_text(
        "主题：{单位名称} {{原样}}\n\n{单位名称}：{标题}\n", tmp_path / "t", FIELDS["notice"]
    )
    assert text.uses == {"单位名称", "标题"}
    values = {"单位名称": "区{标题}局$x{{", "标题": "T"}
    subject, body = text.fill(values)
    assert subject == "区{标题}局$x{{ {原样}"
    assert body == "区{标题}局$x{{：T\n"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("主题：x\n\n{单位}\n", "第 3 行：没有 {单位} 这个占位符（可用：单位名称、"),
        ("主题：x\n\n{单位名称\n", "第 3 行：大括号不成对"),
        ("你好\n", "第一行应是邮件主题"),
        ("主题：\n\n正文\n", "邮件主题是空的"),
    ],
)
def test_a_bad_text_is_refused_naming_line_and_fields(tmp_path, content, said):
    with pytest.raises(UsageError) as refused:
        parse_text(content, tmp_path / "通知.txt", FIELDS["notice"])
    assert said in refused.value.text.zh


def test_required_values_name_where_to_fill_them(tmp_path):
    text = parse_text(DEFAULTS[NOTICE], tmp_path / NOTICE, FIELDS["notice"])
    problems = missing_values(text, {"发文单位": "公开办", "联系人": "", "截止日期": ""})
    assert [p.zh for p in problems] == [
        "通知.txt 用到 {联系人}，但它没有填写：请填写 mail/设置.toml 的 [office] name",
        "通知.txt 用到 {联系电话}，但它没有填写：请填写 mail/设置.toml 的 [office] phone",
        "通知.txt 用到 {截止日期}，但它没有填写：请填写 建立这一轮时的 --deadline（或从文字中删去）",
    ]


def test_default_texts_use_only_their_fields(tmp_path):
    for name, kind in (("通知.txt", "notice"), ("退回.txt", "reply"), ("催报.txt", "reminder")):
        text = parse_text(DEFAULTS[name], tmp_path / name, FIELDS[kind])  # type: ignore[index]
        assert "单位名称" in text.uses
    assert "请勿修改表格结构" in DEFAULTS[NOTICE]


def test_findings_listed_as_report_rows():
    report = validate_file(ROOT / "samples" / "errors_2014.xlsx")
    listed = findings_list(report.findings)
    lines = listed.splitlines()
    assert lines[0].startswith(
        "    1. C19（其中：主要负责同志参加新闻发布会次数）【其中项超过总数】"
    )
    assert "    11. C29（3.网络申请数）【提示：数字存为文本】“4件”是文本，按 4 读取" in listed
    assert "       建议：改为数字 4" in lines  # errors first, then the warnings
    assert len(re.findall(r"^    \d+\. ", listed, flags=re.M)) == 12
    short = findings_list(report.findings, limit=3)
    assert short.splitlines()[-1] == "    ……另有 9 处，见附件第一张工作表“校验结果”。"


# --- settings ------------------------------------------------------------------------------


def test_init_writes_the_mail_files_and_a_rebuild_keeps_them(tmp_path):
    folder = make_round(tmp_path)
    names = sorted(p.name for p in (folder / "mail").iterdir())
    assert names == sorted(DEFAULTS)
    raw = (folder / "mail" / NOTICE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Notepad on older Windows
    settings = load_settings(folder)
    assert settings.office.unit == "环翠区政务公开办"
    assert settings.smtp.server is None and settings.imap.server is None
    (folder / "mail" / NOTICE).write_text("主题：改过\n\n{单位名称}\n", encoding="gbk")
    Campaign.init(folder, tmp_path / "名单.csv", "2021", force=True).close()
    assert (folder / "mail" / NOTICE).read_text(encoding="gbk") == "主题：改过\n\n{单位名称}\n"


def test_default_settings_file_parses(tmp_path):
    import tomllib

    settings = parse_settings(tomllib.loads(DEFAULTS[SETTINGS]), tmp_path / SETTINGS)
    assert settings.imap.folder == "INBOX" and settings.smtp.per_minute == 0


def test_every_settings_problem_is_reported_together(tmp_path):
    data = {
        "smtp": {"host": "smtp.x.cn", "prot": 25, "security": "tls", "per_minute": "5"},
        "imap": {"since": "3月1日"},
        "mail": {},
    }
    with pytest.raises(UsageError) as refused:
        parse_settings(data, tmp_path / SETTINGS)
    text = refused.value.text.zh
    assert "有 5 处问题" in text
    for said in (
        "没有 [mail] 这一节",
        "[smtp] 没有 prot 这一项",
        "[smtp] per_minute 应是数字",
        "security 应为 ssl、starttls 或 none，不是“tls”",
        "[imap] since：日期“3月1日”应写成 年-月-日",
    ):
        assert said in text


def test_a_broken_settings_file_says_so(tmp_path):
    folder = make_round(tmp_path)
    (folder / "mail" / SETTINGS).write_text('[smtp]\nca_file = "D:\\证书"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="单引号"):
        load_settings(folder)


def test_options_override_the_settings():
    base = override("smtp", None, host="smtp.x.cn")
    assert (base.host, base.port, base.security) == ("smtp.x.cn", 25, "none")  # office relay
    assert override("smtp", None, host="smtp.x.cn:465").security == "ssl"
    assert override("smtp", None, host="smtp.x.cn:587").security == "starttls"
    assert override("smtp", None, host="smtp.x.cn", security="ssl").port == 465
    ssl = override("smtp", None, host="smtp.x.cn", security="ssl", user="a@x.cn")
    assert override("smtp", ssl, security="starttls").port == 587
    assert override("smtp", ssl, host="smtp.x.cn").security == "ssl"  # same host: as set
    imap = override("imap", None, host="[::1]")
    assert (imap.host, imap.port, imap.security, imap.address) == ("::1", 993, "ssl", "[::1]:993")
    assert override("smtp", None) is None
    assert parse_host("mail.x.cn:2525") == ("mail.x.cn", 2525)
    with pytest.raises(UsageError):
        parse_host("mail.x.cn:abc")


def test_the_password_comes_from_the_environment_or_a_prompt(monkeypatch):
    server = override("smtp", None, host="smtp.x.cn:465", user="gk@x.cn", password_env="DX_PW")
    monkeypatch.setenv("DX_PW", "s3cret!")
    secret = password_for(server, None)
    assert secret.reveal() == "s3cret!"
    assert "s3cret" not in repr(secret) + str(secret) + repr([secret])
    monkeypatch.delenv("DX_PW")
    with pytest.raises(UsageError, match="DX_PW"):
        password_for(server, None)
    asked = override("smtp", server, password_env="")
    assert password_for(asked, lambda account: f"typed for {account}").reveal() == (
        "typed for gk@x.cn@smtp.x.cn:465"
    )
    assert password_for(override("smtp", None, host="relay"), None) is None  # no user, no login
    assert isinstance(secret, Secret)


# --- IMAP responses --------------------------------------------------------------------------

FORWARDED = [
    (
        b'1 (UID 7 RFC822.SIZE 1298 BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL '
        b'"8bit" 17 1 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "8bit" 702 ("Sat, 01 Mar '
        b'2025 00:00:00 +0000" "=?utf-8?b?57uf6K6h6KGo?=" (("x" NIL "A" "Example.cn")) NIL NIL '
        b'NIL NIL NIL "<orig@example.cn>" "<inner@example.cn>") (("text" "plain" ("charset" '
        b'"utf-8") NIL NIL "8bit" 47 1 NIL NIL NIL NIL)("application" "octet-stream" NIL NIL NIL '
        b'"base64" 14 NIL ("attachment" ("filename*" "utf-8\'\'%E5%8C%BA.xlsx")) NIL NIL) '
        b'"mixed" ("boundary" "b1") NIL NIL NIL) 23 NIL ("attachment" NIL) NIL NIL) "mixed" '
        b'("boundary" "b2") NIL NIL NIL) BODY[HEADER.FIELDS (FROM SUBJECT)] {20}',
        b"From: b@example.cn\r\n",
    ),
    b")",
    (
        b'2 (UID 9 RFC822.SIZE 335 BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL'
        b' "7bit" 2 0 NIL NIL NIL NIL)("application" "octet-stream" ("name" {11}',
        "民政局.xlsx".encode("gbk"),
    ),
    (b') NIL NIL "base64" 12 NIL ("attachment" ("filename" {11}', "民政局.xlsx".encode("gbk")),
    (b')) NIL NIL) "mixed" ("boundary" "B") NIL NIL NIL) BODY[HEADER.FIELDS (FROM)] {2}', b"\r\n"),
    b")",
]


def test_fetch_responses_with_literals_parse():
    first, second = fetch_items(FORWARDED)
    assert first["UID"] == b"7" and first["BODY[HEADER.FIELDS (FROM SUBJECT)]"] == (
        b"From: b@example.cn\r\n"
    )
    top = structure(first["BODYSTRUCTURE"])
    (wanted,) = attachments(top)
    assert wanted.part.section == "2.2" and wanted.part.size == 14
    assert wanted.part.disposition == "attachment"
    assert wanted.envelope.sender == "a@example.cn"  # the department, not the forwarder
    assert wanted.envelope.message_id == "<inner@example.cn>"
    (gbk,) = attachments(structure(second["BODYSTRUCTURE"]))
    assert gbk.part.section == "2" and gbk.part.named and gbk.envelope is None


def test_single_part_and_unopened_forward_sections():
    single = parse([b'("application" "vnd.ms-excel" ("name" "x.xls") NIL NIL "base64" 9 NIL)'])[0]
    assert structure(single).section == "1" and attachments(structure(single))[0].part.named
    opaque = parse(
        [
            b'(("text" "plain" NIL NIL NIL "7bit" 1 1)("message" "rfc822" NIL NIL NIL '
            b'"base64" 99 NIL NIL 3))'
        ]
    )[0]
    (wanted,) = attachments(structure(opaque))
    assert wanted.part.section == "2" and wanted.part.is_message
    plain = parse([b'("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 1 NIL NIL NIL NIL)'])[0]
    assert attachments(structure(plain)) == []


def test_folder_names_and_uid_sets():
    assert utf7_encode("已收报表/2026 & more") == "&XfJlNmKliGg-/2026 &- more"
    assert utf7_decode(utf7_encode("已收报表/2026 & more")) == "已收报表/2026 & more"
    assert uid_set([1, 2, 3, 7, 9, 10, 10]) == "1:3,7,9:10"


# --- records -------------------------------------------------------------------------------------


def test_a_round_made_before_mail_gets_the_mail_tables(tmp_path):
    folder = make_round(tmp_path)
    db = folder / DB_NAME
    # what a round made by version 1 holds: the objects of the first schema step only
    first = sqlite3.connect(":memory:")
    for statement in MIGRATIONS[1]:
        first.execute(statement)
    kept = {row[0] for row in first.execute("SELECT name FROM sqlite_master")}
    conn = sqlite3.connect(db)
    later = conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')"
    ).fetchall()
    for kind, name in later:
        if name not in kept:
            conn.execute(f"DROP {kind.upper()} IF EXISTS {name}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Campaign.open(folder) as r:
        version = r.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in r.conn.execute("SELECT name FROM sqlite_master")}
    assert version == SCHEMA_VERSION >= 2
    assert {"mail_sent", "mail_fetched", "mail_origin"} <= tables
    assert 2 in MIGRATIONS


def test_every_mail_interface_string_has_english_without_chinese():
    keys = [k for k in UI if k.startswith("mail.")]
    assert len(keys) > 15
    for key in keys:
        assert not re.search(r"[\u4e00-\u9fff]", UI[key].en), key


def test_a_raw_gbk_attachment_name_is_read_as_gbk():
    from disclosure_xlsx.campaign.eml import read_mail_bytes

    from .mailing import raw_gbk

    (arrival,) = read_mail_bytes(raw_gbk("a@example.cn", "财政局统计表.xlsx", XLSX), "x.eml")
    assert arrival.name == "财政局统计表.xlsx" and arrival.data == XLSX


def test_mail_folder_of_an_old_round_is_written_on_first_use(tmp_path):
    folder = make_round(tmp_path)
    (folder / "mail" / NOTICE).unlink()
    from disclosure_xlsx.mail.templates import load_text

    text = load_text(folder, "notice")
    assert (folder / "mail" / NOTICE).exists() and "附件名" in text.uses
    assert isinstance(Path(text.path), Path)
