"""A round run through mail from end to end, on real servers on 127.0.0.1: `init` → `send`
(SMTP with STARTTLS and AUTH) → the departments' answers delivered into Dovecot → `fetch` →
`status` → `reply` (a threaded reply with the annotated copy, a reminder) → the corrected
returns → `fetch` → `total`."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from disclosure_xlsx.cli import app
from disclosure_xlsx.spec import load_spec

from .mailing import OFFICE, forward, mail, write_settings
from .rounds import fill_template, scaled, write_roster
from .workbooks import consistent_2021

runner = CliRunner(env={"COLUMNS": "200"})
ROSTER = [
    ["单位名称", "联系人", "邮箱"],
    ["区商务局", "张敏", "shangwu@example.cn"],
    ["区教育和体育局", "李强", "jiaoti@example.cn"],
    ["区民政局", "王芳", "minzheng@example.cn"],
    ["区司法局", "赵磊", "sifa@example.cn"],
]
ADDRESS = {row[0]: row[2] for row in ROSTER[1:]}


def cli(*args: str, env: dict[str, str]):
    result = runner.invoke(app, ["campaign", *args], env=env)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_a_round_through_mail(tmp_path, make_smtp_server, imap_server, tls_ca):
    spec = load_spec("2021")
    smtp = make_smtp_server(tls="starttls", require_starttls=True, user="gk", password="smtp-pw")
    env = {"DX_SMTP": "smtp-pw", "DX_IMAP": imap_server.password}
    folder = tmp_path / "2025年度"
    roster = write_roster(tmp_path / "名单.csv", ROSTER)

    # init: the round, its templates and mail/ with the texts and the settings to fill in once
    made = cli(
        "init", str(folder), "--roster", str(roster), "--year", "2021",
        "--title", "环翠区 2025 年度政府信息公开统计", "--deadline", "2000-01-31",
        env=env,
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    write_settings(
        folder,
        office=OFFICE,
        smtp={
            "host": smtp.host, "port": smtp.port, "security": "starttls", "user": "gk",
            "from": "环翠区政务公开办 <gk@example.cn>", "password_env": "DX_SMTP",
            "ca_file": str(tls_ca.ca_path),
        },
        imap={
            "host": imap_server.host, "port": imap_server.ssl_port, "user": imap_server.user,
            "password_env": "DX_IMAP", "ca_file": str(tls_ca.ca_path),
        },
    )  # fmt: skip

    # send: one notice per department, its stamped template attached
    sent = cli("send", str(folder), env=env)
    assert sent.exit_code == 0, sent.stdout + sent.stderr
    notices = {m.rcpt_tos[0]: m.message for m in smtp.wait_for(4)}
    assert set(notices) == set(ADDRESS.values())

    def template_from(address: str, name: str) -> object:
        (attachment,) = notices[address].iter_attachments()
        path = tmp_path / "received" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(attachment.get_content())
        return path

    def filled(department: str, values: dict[str, float], name: str) -> bytes:
        blank = template_from(ADDRESS[department], f"blank-{name}")
        return fill_template(blank, tmp_path / "filled" / name, spec, values).read_bytes()

    # the departments answer: by reply, one with an error, one forwarded by a colleague
    good = {d: scaled(consistent_2021(), k) for k, d in enumerate(ADDRESS, start=1)}
    wrong = {**good["区教育和体育局"], "new.natural": good["区教育和体育局"]["new.natural"] + 5}
    answers = [
        mail(
            "shangwu@example.cn",
            [("商务局统计表.xlsx", filled("区商务局", good["区商务局"], "商务局.xlsx"))],
            subject="回复：" + str(notices["shangwu@example.cn"]["Subject"]),
            in_reply_to=notices["shangwu@example.cn"]["Message-ID"],
        ),
        mail(
            "jiaoti@example.cn",
            [("教体局.xlsx", filled("区教育和体育局", wrong, "教体局.xlsx"))],
            subject="教体局报表",
            in_reply_to=notices["jiaoti@example.cn"]["Message-ID"],
        ),
        forward(
            "office@example.com",
            mail(
                "minzheng@example.cn",
                [("民政局.xlsx", filled("区民政局", good["区民政局"], "民政局.xlsx"))],
            ),
        ),
    ]
    for answer in answers:
        imap_server.deliver(answer.as_bytes())
    # the clerk had a copy of one notice in the inbox too (Cc to self): a blank template, not a return
    imap_server.deliver(smtp.messages[0].raw)

    fetched = cli("fetch", str(folder), env=env)
    assert fetched.exit_code == 1, fetched.stdout + fetched.stderr  # 教体局's has errors
    assert (
        "新邮件 4 封：有附件 3，无附件 0，已收过 1；收到 3 份（未匹配 0），重复 0，未收 0"
        in fetched.stdout
    )

    status = cli("status", str(folder), "--format", "json", env=env)
    states = {d["name"]: d["state"] for d in json.loads(status.stdout)["departments"]}
    assert states == {
        "区商务局": "ok",
        "区教育和体育局": "invalid",
        "区民政局": "ok",
        "区司法局": "missing",
    }

    # reply: to 教体局 in its thread with the annotated copy; a reminder to 司法局
    replied = cli("reply", str(folder), env=env)
    assert replied.exit_code == 0, replied.stdout + replied.stderr
    assert "已发送 2，草稿 0，失败 0" in replied.stdout
    messages = smtp.wait_for(6)[4:]
    letters = {m.rcpt_tos[0]: m.message for m in messages}
    reply = letters["jiaoti@example.cn"]
    theirs = answers[1]["Message-ID"]
    assert reply["Subject"] == "Re: 教体局报表"
    assert reply["In-Reply-To"] == theirs
    assert reply["References"].split() == [notices["jiaoti@example.cn"]["Message-ID"], theirs]
    body = reply.get_body().get_content()
    assert "校验发现错误 2 处" in body and "    1. H32" in body and "建议：" in body
    (copy,) = reply.iter_attachments()
    assert copy.get_filename() == "教体局_批注.xlsx"
    assert load_workbook(io.BytesIO(copy.get_content())).sheetnames[0] == "校验结果"
    reminder = letters["sifa@example.cn"]
    assert reminder["Subject"] == "【环翠区 2025 年度政府信息公开统计】催报统计表（区司法局）"
    (template,) = reminder.iter_attachments()
    assert template.get_content() == (folder / "templates" / "区司法局.xlsx").read_bytes()
    again = cli("reply", str(folder), env=env)
    assert again.exit_code == 0 and "没有要发的邮件" in again.stdout
    assert len(smtp.messages) == 6

    # the corrected return, in reply to ours, and the late one
    imap_server.deliver(
        mail(
            "jiaoti@example.cn",
            [
                (
                    "教体局_修改.xlsx",
                    filled("区教育和体育局", good["区教育和体育局"], "教体局2.xlsx"),
                )
            ],
            subject="Re: 教体局报表",
            in_reply_to=reply["Message-ID"],
        ).as_bytes()
    )
    imap_server.deliver(
        mail(
            "sifa@example.cn",
            [("司法局.xlsx", filled("区司法局", good["区司法局"], "司法局.xlsx"))],
            in_reply_to=reminder["Message-ID"],
        ).as_bytes()
    )
    second = cli("fetch", str(folder), env=env)
    assert second.exit_code == 0, second.stdout + second.stderr
    assert "新邮件 2 封" in second.stdout and "收到 2 份" in second.stdout

    total = cli("total", str(folder), "-o", str(tmp_path / "汇总.xlsx"), env=env)
    assert total.exit_code == 0, total.stdout + total.stderr
    assert "计入汇总 4 个单位" in total.stdout
    done = cli("status", str(folder), env=env)
    assert done.exit_code == 0 and "已交 4/4，通过 4" in done.stdout
    assert cli("reply", str(folder), env=env).exit_code == 0  # nothing left to say
    assert len(smtp.messages) == 6
