"""Build what the e-mail tests need: a round with its mail settings filled in, and mails as
departments' clients write them (Foxmail with GBK headers, forwards, zips, big attachments)."""

from __future__ import annotations

import base64
import os
import shutil
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from disclosure_xlsx.campaign import Campaign

from .rounds import CST, write_roster

ROSTER = [
    ["单位名称", "联系人", "邮箱", "电话"],
    ["区商务局", "张敏", "shangwu@example.cn", "0631-5201001"],
    ["区教育和体育局", "李强", "jiaoti@example.cn", "0631-5201002"],
    ["区民政局", "王芳", "minzheng@example.cn", ""],
    ["区司法局", "赵磊", "sifa@example.cn", ""],
    ["区财政局", "刘洋", "", ""],
]
OFFICE = {"unit": "环翠区政务公开办", "name": "王老师", "phone": "0631-5200000"}
WHEN = datetime(2026, 3, 20, 9, 30, tzinfo=CST)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_settings(folder: Path, **sections: dict[str, object]) -> Path:
    """mail/设置.toml with the given sections, the office filled in unless given."""
    sections = {"office": OFFICE, **sections}
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
        lines.append("")
    path = folder / "mail" / "设置.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def make_round(
    base: Path, rows: list[list[str]] | None = None, deadline: str = "2026-03-31"
) -> Path:
    """A 2021 round in base/round with the office's contact filled in."""
    roster = write_roster(base / "名单.csv", rows or ROSTER)
    folder = base / "round"
    with Campaign.init(
        folder, roster, "2021", title="环翠区 2025 年度政府信息公开统计", deadline=deadline
    ):
        pass
    write_settings(folder)
    return folder


def copy_round(folder: Path, target: Path) -> Path:
    shutil.copytree(folder, target)
    return target


def mail(
    sender: str,
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    *,
    subject: str = "报送统计表",
    when: datetime = WHEN,
    in_reply_to: str | None = None,
    name: str = "经办人",
) -> EmailMessage:
    """A department's mail as current clients write it (RFC 2231 names, a Message-ID)."""
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = "gongkai@example.cn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content("附件是我单位的统计表，请查收。")
    for filename, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return msg


def forward(sender: str, inner: EmailMessage, when: datetime = WHEN) -> EmailMessage:
    """A mail forwarding ``inner`` as an attachment (message/rfc822)."""
    msg = mail(sender, subject="转发：" + str(inner["Subject"]), when=when)
    msg.add_attachment(inner)
    return msg


def _gbk_word(text: str) -> str:
    return "=?GBK?B?" + base64.b64encode(text.encode("gbk")).decode("ascii") + "?="


def foxmail(sender: str, who: str, filename: str, data: bytes, when: datetime = WHEN) -> bytes:
    """A mail as Foxmail writes it on Chinese Windows: every header with Chinese in GBK encoded
    words (also the attachment's name, inside the quotes), a GBK body."""
    boundary = "----=_NextPart_5E6F7A3B_0A1B2C3D_4E5F6A7B"
    body = base64.encodebytes("附件是统计表，请查收。\r\n".encode("gbk")).decode("ascii")
    attached = base64.encodebytes(data).decode("ascii")
    lines = [
        f"From: {_gbk_word(who)} <{sender}>",
        "To: gongkai@example.cn",
        f"Subject: {_gbk_word('报送统计表（' + who + '）')}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{int(when.timestamp())}{os.getpid()}@foxmail.com>",
        "X-Mailer: Foxmail 7.2.25.228[cn]",
        "Mime-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"',
        "",
        "This is a multi-part message in MIME format.",
        "",
        f"--{boundary}",
        'Content-Type: text/plain;\r\n\tcharset="GBK"',
        "Content-Transfer-Encoding: base64",
        "",
        body,
        f"--{boundary}",
        f'Content-Type: application/octet-stream;\r\n\tname="{_gbk_word(filename)}"',
        "Content-Transfer-Encoding: base64",
        f'Content-Disposition: attachment;\r\n\tfilename="{_gbk_word(filename)}"',
        "",
        attached,
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def raw_gbk(sender: str, filename: str, data: bytes, when: datetime = WHEN) -> bytes:
    """An old client's mail: the attachment's name as raw GBK bytes in the header."""
    head = (
        f"From: {sender}\r\nTo: gongkai@example.cn\r\nSubject: report\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: <raw-{os.getpid()}@example.cn>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--B\r\n"
        'Content-Type: application/octet-stream; name="'
    ).encode("ascii")
    name = filename.encode("gbk")
    return (
        head
        + name
        + b'"\r\nContent-Disposition: attachment; filename="'
        + name
        + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(data).replace(b"\n", b"\r\n")
        + b"--B--\r\n"
    )


def deliver_big(account: object, megabytes: int, sender: str, name: str = "大文件.xlsx") -> Path:
    """A mail with an attachment of ``megabytes`` MB written straight into the account's Maildir
    in pieces (never whole in memory)."""
    maildir = account.folder_path("INBOX")  # type: ignore[attr-defined]
    tmp = maildir / "tmp" / f"{int(time.time())}.big{os.getpid()}.test"
    word = "=?UTF-8?B?" + base64.b64encode(name.encode()).decode() + "?="
    head = (
        f"From: {sender}\r\nTo: gongkai@example.cn\r\nSubject: big\r\n"
        f"Date: {format_datetime(WHEN)}\r\nMessage-ID: <big-{os.getpid()}@example.cn>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nbig one\r\n--B\r\n"
        f'Content-Type: application/octet-stream; name="{word}"\r\n'
        f'Content-Disposition: attachment; filename="{word}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode("ascii")
    line = b"A" * 76 + b"\r\n"  # 57 zero bytes a line
    lines = megabytes * 1024 * 1024 // 57
    block = line * 10_000
    with tmp.open("wb") as fh:
        fh.write(head)
        for _ in range(lines // 10_000):
            fh.write(block)
        fh.write(line * (lines % 10_000))
        fh.write(b"--B--\r\n")
    account.server._own(tmp)  # type: ignore[attr-defined]
    final = maildir / "new" / tmp.name
    os.rename(tmp, final)
    return final
