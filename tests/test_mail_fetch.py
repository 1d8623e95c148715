"""`campaign fetch` against a real Dovecot on 127.0.0.1: mails as departments' clients write them
delivered into its Maildir, fetched twice (nothing taken twice), a mailbox of 5,000, a 200 MB
attachment refused before download, moving, and servers that cannot be used."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from disclosure_xlsx.campaign import Campaign
from disclosure_xlsx.cli import app
from disclosure_xlsx.mail import Listener, fetch_returns, override
from disclosure_xlsx.mail.settings import Secret
from disclosure_xlsx.spec import load_spec
from tests.servers.imap import simple_message
from tests.servers.ports import free_port

from .mailing import (
    WHEN,
    copy_round,
    deliver_big,
    forward,
    foxmail,
    mail,
    make_round,
    raw_gbk,
    write_settings,
)
from .rounds import fill_template, scaled
from .workbooks import consistent_2021

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A round, and each department's template filled in (d002's with an error)."""
    base = tmp_path_factory.mktemp("fetchround")
    folder = make_round(base)
    spec = load_spec("2021")
    names = ["区商务局", "区教育和体育局", "区民政局", "区司法局", "区财政局"]
    books = {}
    for n, name in enumerate(names, start=1):
        values = scaled(consistent_2021(), n)
        if n == 2:
            values["new.natural"] += 3
        path = fill_template(
            folder / "templates" / f"{name}.xlsx", base / f"{n}.xlsx", spec, values
        )
        books[f"d00{n}"] = path.read_bytes()
    fixed = scaled(consistent_2021(), 2)
    path = fill_template(
        folder / "templates" / "区教育和体育局.xlsx", base / "2ok.xlsx", spec, fixed
    )
    books["d002ok"] = path.read_bytes()
    return folder, books


@pytest.fixture
def folder(prepared, tmp_path):
    return copy_round(prepared[0], tmp_path / "round")


@pytest.fixture
def books(prepared):
    return prepared[1]


def imap_settings(round_folder, account, **extra):
    values = {
        "host": account.host,
        "port": account.ssl_port,
        "security": "ssl",
        "user": account.user,
        "ca_file": str(account.ca.ca_path),
        "password_env": "DX_IMAP",
        **extra,
    }
    write_settings(round_folder, imap=values)
    return {"DX_IMAP": account.password}


def server_of(account):
    return override(
        "imap",
        None,
        host=f"127.0.0.1:{account.ssl_port}",
        user=account.user,
        ca_file=account.ca.ca_path,
    )


class Counting(Listener):
    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.outcomes = []
        self.messages = []

    def start(self, total):
        self.total = total

    def advance(self, n=1):
        self.done += n

    def outcome(self, outcome):
        self.outcomes.append(outcome)

    def message(self, message):
        self.messages.append(message)


def deliver_the_mix(account, books):
    """Foxmail with GBK headers, a forward, two workbooks, no attachment (twice), a zip, a rar,
    an old client's raw GBK name from an address not on the roster."""
    account.deliver(
        foxmail("shangwu@example.cn", "区商务局 张敏", "商务局2025年报表.xlsx", books["d001"])
    )
    inner = mail("minzheng@example.cn", [("民政局.xlsx", books["d003"])], subject="民政局报表")
    account.deliver(forward("boss@example.com", inner).as_bytes())
    account.deliver(
        mail(
            "jiaoti@example.cn",
            [("教体局.xlsx", books["d002"]), ("教体局-修改.xlsx", books["d002ok"])],
        ).as_bytes()
    )
    account.deliver(mail("sifa@example.cn", subject="表格稍后发").as_bytes())
    account.deliver(simple_message(1))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("司法局统计表.xlsx", books["d004"])
    account.deliver(mail("sifa@example.cn", [("司法局.zip", packed.getvalue())]).as_bytes())
    account.deliver(mail("sifa@example.cn", [("司法局.rar", b"Rar!\x1a\x07\x00junk")]).as_bytes())
    account.deliver(raw_gbk("caizheng@qq.com", "财政局统计表.xlsx", books["d005"]))


def test_fetch_takes_every_return_once(imap_server, folder, books):
    deliver_the_mix(imap_server, books)
    env = imap_settings(folder, imap_server)
    result = runner.invoke(app, ["campaign", "fetch", str(folder)], env=env)
    out = result.stdout
    assert result.exit_code == 1, out + result.stderr  # errors, a rar, a mail without attachment
    assert "Traceback" not in out + result.stderr
    lines = [line for line in out.splitlines() if line.strip()]
    assert (
        "✓ 收到 INBOX #1 › 商务局2025年报表.xlsx → 区商务局（按模板标识）  通过（错误 0，提示 0）"
        in lines
    )
    assert "✓ 收到 INBOX #2 › 民政局.xlsx → 区民政局（按模板标识）  通过（错误 0，提示 0）" in lines
    assert any(ln.startswith("✗ 收到 INBOX #3 › 教体局.xlsx → 区教育和体育局") for ln in lines)
    assert (
        "✓ 收到 INBOX #3 › 教体局-修改.xlsx → 区教育和体育局（按模板标识）  通过（错误 0，提示 0）"
        in lines
    )
    assert "! 邮件 #4 “表格稍后发” <sifa@example.cn>：区司法局的邮件没有附件" in lines
    assert "✓ 收到 INBOX #6 › 司法局.zip › 司法局统计表.xlsx → 区司法局（按模板标识）" in out
    assert "– 未收 INBOX #7 › 司法局.rar：.rar 压缩包不支持，请对方直接发送工作簿或 .zip" in lines
    assert "✓ 收到 INBOX #8 › 财政局统计表.xlsx → 区财政局（按模板标识）" in out
    assert "发件人 caizheng@qq.com 不在名单中" in out
    assert "boss@example.com" not in out  # the forward's returns are the department's
    assert "新邮件 8 封：有附件 6，无附件 2，已收过 0；收到 6 份（未匹配 0），重复 0，未收 1" in out

    with Campaign.open(folder) as r:
        senders = {rec.name: rec.sender for rec in r.returns()}
        origins = dict(
            r.conn.execute(
                "SELECT r.name, o.message_id FROM mail_origin o "
                "JOIN returns r ON r.id = o.return_id"
            ).fetchall()
        )
        fetched = r.conn.execute("SELECT uid, result FROM mail_fetched ORDER BY uid").fetchall()
    assert senders == {
        "商务局2025年报表.xlsx": "shangwu@example.cn",
        "民政局.xlsx": "minzheng@example.cn",  # not the forwarder
        "教体局.xlsx": "jiaoti@example.cn",
        "教体局-修改.xlsx": "jiaoti@example.cn",
        "司法局统计表.xlsx": "sifa@example.cn",
        "财政局统计表.xlsx": "caizheng@qq.com",
    }
    assert origins["民政局.xlsx"].endswith("@example.cn>")  # the forwarded message's own id
    assert [tuple(row) for row in fetched] == [
        (1, "taken"),
        (2, "taken"),
        (3, "taken"),
        (4, "empty"),
        (5, "empty"),
        (6, "taken"),
        (7, "skipped"),
        (8, "taken"),
    ]
    with imap_server.connect() as client:  # PEEK: the clerk's mail is still unread
        client.select("INBOX", readonly=True)
        assert client.uid("SEARCH", None, "UNSEEN")[1] == [b"1 2 3 4 5 6 7 8"]

    again = runner.invoke(app, ["campaign", "fetch", str(folder)], env=env)
    assert again.exit_code == 0, again.stdout
    assert "新邮件 0 封" in again.stdout
    imap_server.deliver(
        mail("sifa@example.cn", [("司法局v2.xlsx", books["d004"] + b"")]).as_bytes()
    )
    third = runner.invoke(app, ["campaign", "fetch", str(folder)], env=env)
    assert "新邮件 1 封" in third.stdout and "重复 1" in third.stdout  # same bytes as the zip's
    with Campaign.open(folder) as r:
        assert len(r.returns()) == 6


def test_forwarded_return_keeps_the_department_and_threads_on_its_message(
    imap_server, folder, books
):
    inner = mail("minzheng@example.cn", [("民政局.xlsx", books["d003"])], subject="民政局报表")
    imap_server.deliver(forward("boss@example.com", inner).as_bytes())
    with Campaign.open(folder) as r:
        report = fetch_returns(r, server_of(imap_server), Secret(imap_server.password))
        (record,) = r.returns()
        origin = r.conn.execute("SELECT message_id, subject FROM mail_origin").fetchone()
    assert record.sender == "minzheng@example.cn" and record.department_id == "d003"
    assert tuple(origin) == (inner["Message-ID"], "民政局报表")
    assert report.line().en.startswith("new messages: 1 (1 with attachments")


def test_a_200_mb_attachment_is_refused_before_it_is_downloaded(imap_server, folder, books):
    deliver_big(imap_server, 200, "shangwu@example.cn")
    imap_server.deliver(mail("minzheng@example.cn", [("民政局.xlsx", books["d003"])]).as_bytes())
    with Campaign.open(folder) as r:
        report = fetch_returns(r, server_of(imap_server), Secret(imap_server.password))
    (skipped,) = [o for o in report.outcomes if o.action == "skipped"]
    (taken,) = [o for o in report.outcomes if o.action != "skipped"]
    assert skipped.source.endswith(" › 大文件.xlsx")
    assert skipped.note.zh == "文件过大（超过 50 MB），未收"
    assert taken.action == "recorded" and taken.department == "d003"
    assert report.bytes_received < 200_000  # of 270 MB in the mailbox


def test_a_mailbox_of_5000_messages_in_bounded_memory(imap_server, folder, books):
    imap_server.fill(5000)
    imap_server.deliver(mail("shangwu@example.cn", [("商务局.xlsx", books["d001"])]).as_bytes())
    counting = Counting()
    tracemalloc.start()
    try:
        with Campaign.open(folder) as r:
            report = fetch_returns(
                r, server_of(imap_server), Secret(imap_server.password), listener=counting
            )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counting.total == counting.done == 5001  # what the progress bar shows
    assert report.looked_at == 5001 and report.empty == 5000
    assert [o.department for o in report.outcomes] == ["d001"]
    assert peak < 40 * 1024 * 1024, peak
    with Campaign.open(folder) as r:
        again = fetch_returns(r, server_of(imap_server), Secret(imap_server.password))
    assert again.looked_at == 0


def test_move_to_moves_only_what_was_taken(imap_server, folder, books):
    imap_server.deliver(mail("shangwu@example.cn", [("商务局.xlsx", books["d001"])]).as_bytes())
    imap_server.deliver(mail("sifa@example.cn", subject="稍后发").as_bytes())
    env = imap_settings(folder, imap_server)
    result = runner.invoke(
        app, ["campaign", "fetch", str(folder), "--move-to", "已收报表"], env=env
    )
    assert result.exit_code == 1  # 司法局's mail without attachment
    assert "已在邮箱里新建文件夹“已收报表”" in result.stdout
    assert "已把收下的 1 封邮件移到“已收报表”" in result.stdout
    with imap_server.connect() as client:
        assert client.select("INBOX", readonly=True)[1] == [b"1"]
        assert client.select('"&XfJlNmKliGg-"', readonly=True)[1] == [b"1"]
    with Campaign.open(folder) as r:
        moved = r.conn.execute("SELECT uid, moved_to FROM mail_fetched ORDER BY uid").fetchall()
    assert [tuple(m) for m in moved] == [(1, "已收报表"), (2, None)]
    other = runner.invoke(app, ["campaign", "fetch", str(folder), "--folder", "已收报表"], env=env)
    assert "已收过 1" in other.stdout and "收到 0 份" in other.stdout  # same Message-ID


def test_since_and_the_folder_come_from_the_settings(imap_server, folder, books):
    old = WHEN - timedelta(days=40)
    imap_server.deliver(
        mail("shangwu@example.cn", [("旧.xlsx", books["d001"])], when=old).as_bytes(), date=old
    )
    imap_server.deliver(
        mail("minzheng@example.cn", [("新.xlsx", books["d003"])]).as_bytes(),
        folder="报表",
        date=WHEN,
    )
    env = imap_settings(folder, imap_server, folder="报表", since="2026-03-01")
    result = runner.invoke(app, ["campaign", "fetch", str(folder)], env=env)
    assert "新邮件 1 封" in result.stdout and "新.xlsx" in result.stdout
    result = runner.invoke(
        app,
        ["campaign", "fetch", str(folder), "--folder", "INBOX", "--since", "2026-03-01"],
        env=env,
    )
    assert "新邮件 0 封" in result.stdout
    assert datetime  # the INTERNALDATE decides, as IMAP's SINCE does


@pytest.mark.parametrize("problem", ["password", "tls", "unreachable", "folder", "plain"])
def test_a_server_that_cannot_be_used_is_one_line(problem, imap_server, folder):
    imap_server.deliver(simple_message(1))
    env = imap_settings(folder, imap_server)
    args = ["campaign", "fetch", str(folder)]
    said = {
        "password": f"不接受用户名 {imap_server.user} 和这个密码",
        "tls": "无法验证收信服务器 127.0.0.1",
        "unreachable": "拒绝连接",
        "folder": "邮箱里没有文件夹“归档”（有：INBOX）",
        "plain": "为保护密码，不在未加密的连接上登录",
    }[problem]
    if problem == "password":
        env = {"DX_IMAP": "wrong-" + imap_server.password}
    elif problem == "tls":
        imap_settings(folder, imap_server, ca_file="")
    elif problem == "unreachable":
        args += ["--imap", f"127.0.0.1:{free_port()}"]
    elif problem == "folder":
        args += ["--folder", "归档"]
    else:
        imap_settings(folder, imap_server, security="none", port=imap_server.port)
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert imap_server.password not in result.stdout + result.stderr
    with Campaign.open(folder) as r:
        assert r.conn.execute("SELECT COUNT(*) FROM mail_fetched").fetchone()[0] == 0


def test_starttls_on_the_plain_port(imap_server, folder, books):
    imap_server.deliver(mail("shangwu@example.cn", [("商务局.xlsx", books["d001"])]).as_bytes())
    env = imap_settings(folder, imap_server, security="starttls", port=imap_server.port)
    result = runner.invoke(app, ["campaign", "fetch", str(folder)], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "收到 1 份" in result.stdout


def test_ctrl_c_during_a_fetch_leaves_the_message_for_the_next(imap_server, folder, books):
    """Interrupted after a message's return is recorded but before the message is: the next
    fetch looks at it again, finds the return taken already, and records the message."""
    from disclosure_xlsx.errors import Interrupted

    imap_server.deliver(mail("shangwu@example.cn", [("商务局.xlsx", books["d001"])]).as_bytes())

    class Stop(Listener):
        def outcome(self, outcome):
            raise Interrupted

    with Campaign.open(folder) as r, pytest.raises(Interrupted):
        fetch_returns(r, server_of(imap_server), Secret(imap_server.password), listener=Stop())
    with Campaign.open(folder) as r:
        assert len(r.returns()) == 1
        assert r.conn.execute("SELECT COUNT(*) FROM mail_fetched").fetchone()[0] == 0
        report = fetch_returns(r, server_of(imap_server), Secret(imap_server.password))
        assert [o.action for o in report.outcomes] == ["duplicate"]
        assert r.conn.execute("SELECT result FROM mail_fetched").fetchone()[0] == "taken"
        assert r.conn.execute("SELECT COUNT(*) FROM mail_origin").fetchone()[0] == 1
