"""`campaign send` and `campaign reply` against a real SMTP server on 127.0.0.1 (aiosmtpd):
STARTTLS with a certificate made for the test, AUTH, SSL, an unauthenticated relay, a refused
recipient, a slow server; drafts; what is recorded; the password kept out of everything."""

from __future__ import annotations

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from disclosure_xlsx.campaign import Campaign
from disclosure_xlsx.cli import app
from disclosure_xlsx.mail import load_settings, override, send_notices, sent_log
from disclosure_xlsx.mail.settings import Secret
from disclosure_xlsx.spec import load_spec
from tests.servers.ports import free_port

from .mailing import ROSTER, copy_round, make_round, write_settings
from .rounds import fill_template
from .workbooks import consistent_2021

runner = CliRunner(env={"COLUMNS": "200"})
PASSWORD = "Pw-7f3a9c-秘"  # not ASCII on purpose: it must survive, and never show
NAMED = [row[0] for row in ROSTER[1:] if row[2]]  # departments with an address


@pytest.fixture(scope="module")
def blank_round(tmp_path_factory):
    return make_round(tmp_path_factory.mktemp("mailround"))


@pytest.fixture
def folder(blank_round, tmp_path):
    return copy_round(blank_round, tmp_path / "round")


def smtp_settings(folder: Path, server, **extra: object) -> None:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "security": server.tls or "none",
        "from": "环翠区政务公开办 <gongkai@example.cn>",
    }
    if server.ca is not None:
        values["ca_file"] = str(server.ca.ca_path)
    if server.user:
        values["user"] = server.user
    values.update(extra)
    write_settings(folder, smtp=values)


def cli(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    result = runner.invoke(app, ["campaign", *args], env=env, input=input)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def records(folder: Path) -> list[tuple[str, str, str]]:
    with Campaign.open(folder) as r:
        return [(s.department_id, s.kind, s.result) for s in sent_log(r.conn)]


def test_send_over_starttls_with_auth(make_smtp_server, folder):
    server = make_smtp_server(
        tls="starttls", require_starttls=True, user="clerk", password=PASSWORD
    )
    smtp_settings(folder, server, password_env="DX_PW")
    result = cli("send", str(folder), env={"DX_PW": PASSWORD})
    assert result.exit_code == 1, result.stderr  # 区财政局 has no address
    assert "未发 区财政局（通知）：名单中没有这个单位的邮箱" in result.stdout
    assert "已发送 区商务局（通知）→ shangwu@example.cn" in result.stdout
    assert "已发送 4，草稿 0，失败 0，未发 0，无邮箱 1，此前已发（未重发）0" in result.stdout
    received = server.wait_for(4)
    assert [m.rcpt_tos for m in received] == [
        (f"{n}@example.cn",) for n in ("shangwu", "jiaoti", "minzheng", "sifa")
    ]
    assert all(m.tls and m.auth_user == "clerk" for m in received)
    assert {m.mail_from for m in received} == {"gongkai@example.cn"}
    first = received[0].message
    assert first["Subject"] == "【环翠区 2025 年度政府信息公开统计】请报送统计表（区商务局）"
    assert first["To"].addresses[0].display_name == "区商务局"
    assert (
        "如有疑问，请联系环翠区政务公开办王老师，电话 0631-5200000。"
        in first.get_body().get_content()
    )
    assert "请勿修改表格结构" in first.get_body().get_content()
    (attachment,) = first.iter_attachments()
    assert attachment.get_filename() == "区商务局_政府信息公开工作年度报告统计表.xlsx"
    assert attachment.get_content() == (folder / "templates" / "区商务局.xlsx").read_bytes()
    with Campaign.open(folder) as r:
        log = sent_log(r.conn)
    assert [(s.department_id, s.result, s.via) for s in log] == [
        (d, "sent", "smtp") for d in ("d001", "d002", "d003", "d004")
    ]
    assert [s.message_id for s in log] == [m.message["Message-ID"] for m in received]

    again = cli("send", str(folder), env={"DX_PW": PASSWORD})
    assert "此前已发（未重发）4" in again.stdout and len(server.messages) == 4
    one = cli("send", str(folder), "--again", "--only", "商务局", env={"DX_PW": PASSWORD})
    assert one.exit_code == 0, one.stdout
    assert len(server.wait_for(5)) == 5 and server.messages[4].rcpt_tos == ("shangwu@example.cn",)


def test_a_refused_recipient_is_one_line_and_the_rest_go_on(make_smtp_server, folder):
    server = make_smtp_server(reject={"sifa@example.cn"})
    smtp_settings(folder, server)
    result = cli("send", str(folder), "--only", "区商务局,区司法局", "--only", "民政局")
    assert result.exit_code == 1
    assert (
        "未发出 区司法局（通知）：服务器拒收：sifa@example.cn 550 5.1.1 <sifa@example.cn>: "
        "Recipient address rejected: User unknown"
    ) in result.stdout
    assert [m.rcpt_tos for m in server.messages] == [
        ("shangwu@example.cn",),
        ("minzheng@example.cn",),
    ]
    assert records(folder) == [
        ("d001", "notice", "sent"),
        ("d003", "notice", "sent"),
        ("d004", "notice", "failed"),
    ]
    retry = cli("send", str(folder), "--only", "d004")  # only the one not sent is tried again
    assert retry.exit_code == 1 and len(server.messages) == 2
    assert records(folder)[-1] == ("d004", "notice", "failed")


def test_an_unauthenticated_office_relay_and_implicit_ssl(make_smtp_server, folder, tls_ca):
    relay = make_smtp_server()
    write_settings(folder)  # no [smtp] at all: options only
    result = cli(
        "send",
        str(folder),
        "--smtp",
        f"127.0.0.1:{relay.port}",
        "--from",
        "gk@example.cn",
        "--only",
        "区商务局",
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    (received,) = relay.messages
    assert received.auth_user is None and not received.tls
    assert received.message["From"] == "gk@example.cn"

    smtps = make_smtp_server(tls="implicit", user="clerk", password=PASSWORD)
    result = cli(
        "send",
        str(folder),
        "--smtp",
        f"127.0.0.1:{smtps.port}",
        "--ssl",
        "--user",
        "clerk",
        "--ca-file",
        str(tls_ca.ca_path),
        "--from",
        "gk@example.cn",
        "--only",
        "区民政局",
        input=PASSWORD + "\n",  # asked for, not echoed
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "clerk@127.0.0.1" in result.stdout and PASSWORD not in result.stdout
    assert smtps.messages[0].tls and smtps.messages[0].auth_user == "clerk"


def _bad(kind: str, make_smtp_server, folder: Path) -> tuple[list[str], str]:
    if kind == "unreachable":
        write_settings(
            folder,
            smtp={
                "host": "127.0.0.1",
                "port": free_port(),
                "security": "none",
                "from": "gk@example.cn",
            },
        )
        return [], "拒绝连接（端口不对，或服务没有开）"
    if kind == "wrong password":
        server = make_smtp_server(tls="starttls", user="clerk", password="right")
        smtp_settings(folder, server)
        return [], "不接受用户名 clerk 和这个密码（服务器回答：535"
    if kind == "tls":
        server = make_smtp_server(tls="starttls", user="clerk", password=PASSWORD)
        smtp_settings(folder, server, ca_file="")  # the test CA is not trusted
        return [], "无法验证发信服务器 127.0.0.1"
    if kind == "no starttls":
        server = make_smtp_server()
        smtp_settings(folder, server, security="starttls", port=server.port)
        return [], "不支持 STARTTLS"
    server = make_smtp_server(user="clerk", password=PASSWORD, auth_without_tls=True)
    smtp_settings(folder, server)
    return [], "为保护密码，不在未加密的连接上登录"


@pytest.mark.parametrize(
    "kind", ["unreachable", "wrong password", "tls", "no starttls", "plain login"]
)
def test_a_server_that_cannot_be_used_is_one_line_and_nothing_is_recorded(
    kind, make_smtp_server, folder
):
    extra, said = _bad(kind, make_smtp_server, folder)
    result = runner.invoke(
        app,
        ["--debug", "campaign", "send", str(folder), *extra, "--password-env", "DX_PW"],
        env={"DX_PW": PASSWORD},
    )
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert said in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert PASSWORD not in result.stdout + result.stderr
    assert records(folder) == []


def test_a_slow_server_fails_each_letter_without_counting_it_sent(make_smtp_server, folder):
    server = make_smtp_server(delay=1.0)
    smtp_settings(folder, server)
    with Campaign.open(folder) as r:
        settings = load_settings(folder)
        slow = replace(settings.smtp.server, timeout=0.3)
        result = send_notices(r, settings, server=slow, only=["区商务局", "区民政局"])
    assert [d.outcome for d in result.deliveries] == ["failed", "failed"]
    assert all("未确认发出" in d.reason.zh and "没有回应" in d.reason.zh for d in result.deliveries)
    assert [(d, res) for d, _k, res in records(folder)] == [("d001", "failed"), ("d003", "failed")]


def test_rate_limit(make_smtp_server, folder):
    server = make_smtp_server()
    smtp_settings(folder, server)
    start = time.monotonic()
    result = cli("send", str(folder), "--per-minute", "200", "--only", "d001,d002,d003")
    assert result.exit_code == 0
    assert time.monotonic() - start >= 2 * 60 / 200 - 0.01  # two gaps of 0.3 s
    assert len(server.messages) == 3


def test_drafts_open_ready_to_send_and_are_written_whole_or_not_at_all(folder, tmp_path):
    out = tmp_path / "草稿"
    result = cli("send", str(folder), "--drafts", str(out))
    assert result.exit_code == 1  # 区财政局: no address
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "通知_d001_区商务局.eml",
        "通知_d002_区教育和体育局.eml",
        "通知_d003_区民政局.eml",
        "通知_d004_区司法局.eml",
    ]
    draft = BytesParser(policy=policy.default).parsebytes((out / names[0]).read_bytes())
    assert draft["X-Unsent"] == "1" and draft["Date"] is None
    assert draft["From"] is None  # the mail client fills in its own account
    (attachment,) = draft.iter_attachments()
    assert attachment.get_content() == (folder / "templates" / "区商务局.xlsx").read_bytes()
    assert records(folder) == [(d, "notice", "draft") for d in ("d001", "d002", "d003", "d004")]
    assert "已写出草稿" in result.stdout

    again = cli("send", str(folder), "--drafts", str(out))
    assert "此前已发（未重发）4" in again.stdout
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    refused = cli("send", str(folder), "--drafts", str(out), "--again")
    assert refused.exit_code == 2 and "已存在" in refused.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert len(records(folder)) == 4


def test_drafts_or_a_server_not_both(folder, tmp_path):
    result = cli("send", str(folder), "--drafts", str(tmp_path / "d"), "--smtp", "relay")
    assert result.exit_code == 2 and "--drafts 和 --smtp 只能选一个" in result.stderr
    result = cli("send", str(folder), "--smtp", "relay", "--ssl", "--starttls")
    assert result.exit_code == 2 and "--ssl 和 --starttls 只能选一个" in result.stderr
    result = cli("send", str(folder))  # no [smtp] host in the settings
    assert result.exit_code == 2 and "可用 --drafts 文件夹 生成草稿" in result.stderr


def test_the_office_contact_must_be_filled_in_before_anything_is_sent(make_smtp_server, folder):
    server = make_smtp_server()
    write_settings(
        folder,
        office={},
        smtp={
            "host": server.host,
            "port": server.port,
            "security": "none",
            "from": "gk@example.cn",
        },
    )
    result = cli("send", str(folder))
    assert result.exit_code == 2
    assert "请填写 mail/设置.toml 的 [office] phone" in result.stderr
    assert server.messages == [] and records(folder) == []


def test_the_password_is_never_stored_or_shown(make_smtp_server, folder, tmp_path):
    server = make_smtp_server(tls="starttls", user="clerk", password=PASSWORD)
    smtp_settings(folder, server)
    ok = runner.invoke(
        app, ["--debug", "campaign", "send", str(folder), "--only", "d001"], input=PASSWORD + "\n"
    )
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    with Campaign.open(folder) as r:
        settings = load_settings(folder)
        outbox_server = override("smtp", settings.smtp.server)
        secret = Secret(PASSWORD)
        result = send_notices(
            r,
            settings,
            server=outbox_server,
            password=secret,
            only=["d002"],
            progress=lambda d: None,
        )
        assert PASSWORD not in repr(result) + repr(secret)
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and PASSWORD.encode("utf-16-le") not in data, path
    assert PASSWORD not in ok.stdout + ok.stderr
    # wrong password with --debug: still one line, no traceback, no password
    bad = runner.invoke(
        app,
        ["--debug", "campaign", "send", str(folder), "--again", "--only", "d001"],
        input="not-" + PASSWORD + "\n",
    )
    assert bad.exit_code == 2 and "not-" + PASSWORD not in bad.stdout + bad.stderr


def test_ctrl_c_while_a_letter_is_on_its_way(make_smtp_server, folder):
    """SIGINT during the second letter: the first is recorded sent, the second not counted
    as sent (the server may still take it), the rest not tried; a re-run sends those two."""
    server = make_smtp_server(delay=1.5)
    smtp_settings(folder, server)
    exe = shutil.which("disclosure-xlsx", path=os.path.dirname(sys.executable))
    assert exe
    child = subprocess.Popen(
        [exe, "campaign", "send", str(folder), "--only", "d001,d002,d003"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server.wait_for(1, timeout=20)
    time.sleep(0.5)  # the first is recorded; the second waits for the slow server's answer
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130, (out, err)
    assert "已中断" in err and "Traceback" not in err
    rows = (
        sqlite3.connect(folder / "campaign.sqlite")
        .execute("SELECT department_id, result, error FROM mail_sent ORDER BY id")
        .fetchall()
    )
    assert [(d, r) for d, r, _e in rows] == [("d001", "sent"), ("d002", "failed")]
    assert "未确认发出" in rows[1][2]
    server.wait_for(2, timeout=10)  # the server did take it after all: not counted as sent
    rerun = cli("send", str(folder), "--only", "d001,d002,d003")
    assert rerun.exit_code == 0 and "此前已发（未重发）1" in rerun.stdout
    assert [m.rcpt_tos[0][:6] for m in server.wait_for(4)] == [
        "shangw",
        "jiaoti",
        "jiaoti",
        "minzhe",
    ]


# --- reply --------------------------------------------------------------------------------------


def test_replies_and_reminders_as_drafts(folder, tmp_path):
    """Without mail: returns collected from files, replies written as drafts; one reply per
    version, one reminder per department."""
    spec = load_spec("2021")
    templates = folder / "templates"
    good = fill_template(
        templates / "区商务局.xlsx", tmp_path / "商务局.xlsx", spec, consistent_2021()
    )
    wrong = {**consistent_2021(), "new.natural": 11}
    bad = fill_template(templates / "区教育和体育局.xlsx", tmp_path / "教体局.xlsx", spec, wrong)
    broken = tmp_path / "民政局统计表.xlsx"
    broken.write_bytes(b"not a workbook at all")
    with Campaign.open(folder) as r:
        r.collect([good, bad])
        r.collect([broken], sender="minzheng@example.cn")
    out = tmp_path / "退回"
    result = cli("reply", str(folder), "--drafts", str(out))  # the deadline 2026-03-31 is past
    assert result.exit_code == 1, result.stdout + result.stderr  # 区财政局: no address
    assert sorted(p.name for p in out.iterdir()) == [
        "催报_d004_区司法局.eml",
        "退回_d002_区教育和体育局.eml",
        "退回_d003_区民政局.eml",
    ]
    assert "未发 区财政局（催报）：名单中没有这个单位的邮箱" in result.stdout
    parse = BytesParser(policy=policy.default).parsebytes
    reply = parse((out / "退回_d002_区教育和体育局.eml").read_bytes())
    assert reply["To"].addresses[0].addr_spec == "jiaoti@example.cn"  # roster: no sender known
    assert reply["Subject"] == "【环翠区 2025 年度政府信息公开统计】请修改统计表（区教育和体育局）"
    assert reply["In-Reply-To"] is None  # it did not come by mail
    body = reply.get_body().get_content()
    assert "校验发现错误 2 处、提示 0 处" in body
    assert "    1. H32（一、本年新收政府信息公开申请数量·总计）【合计不符】" in body
    assert "       建议：最可能出错的是 B32：只改这一格（改为 8）即可使各项校验都成立" in body
    (copy,) = reply.iter_attachments()
    assert copy.get_filename() == "教体局_批注.xlsx"
    book = load_workbook(io.BytesIO(copy.get_content()))
    assert book.sheetnames[0] == "校验结果"
    unreadable = parse((out / "退回_d003_区民政局.eml").read_bytes())
    assert unreadable["To"].addresses[0].addr_spec == "minzheng@example.cn"
    (template,) = unreadable.iter_attachments()
    assert template.get_content() == (templates / "区民政局.xlsx").read_bytes()
    assert "文件无法校验，附上模板请重填" in result.stdout
    says = unreadable.get_body().get_content()  # the body tells what is attached, as it is
    assert "空白统计表" in says and "标注了问题的表格" not in says
    assert "标注了问题的表格" in body and "空白统计表" not in body
    reminder = parse((out / "催报_d004_区司法局.eml").read_bytes())
    assert "截止日期 2026年3月31日 已过" in reminder.get_body().get_content()

    shutil.rmtree(out)
    assert "此前已发（未重发）3" in cli("reply", str(folder), "--drafts", str(out)).stdout
    still = {**wrong, "new.commercial": 9}
    newer = fill_template(templates / "区教育和体育局.xlsx", tmp_path / "教体局2.xlsx", spec, still)
    with Campaign.open(folder) as r:
        r.collect([newer])
    result = cli("reply", str(folder), "--drafts", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["退回_d002_区教育和体育局.eml"]
    assert "此前已发（未重发）2" in result.stdout  # 民政局's reply and 司法局's reminder


def test_a_template_that_cannot_be_read_fails_its_letter_only(folder, tmp_path):
    (folder / "templates" / "区民政局.xlsx").unlink()
    result = cli("send", str(folder), "--drafts", str(tmp_path / "草稿"))
    assert result.exit_code == 1
    assert "✗ 未发出 区民政局（通知）：" in result.stdout and "无法读取模板" in result.stdout
    assert "草稿 3，失败 1" in result.stdout
    assert [d for d, _k, _r in records(folder)] == ["d001", "d002", "d004"]
