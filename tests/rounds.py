"""Build what a collection round receives: rosters, filled templates, saved e-mails, archives."""

from __future__ import annotations

import base64
import csv
import zipfile
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from openpyxl import load_workbook

from disclosure_xlsx.spec import Spec
from disclosure_xlsx.spec.layout import layout

CST = timezone(timedelta(hours=8))


def write_roster(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    """A roster CSV as Excel saves it; the first row is the header."""
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def fill_template(
    src: Path, dst: Path, spec: Spec, values: dict[str, object], unit_name: str | None = None
) -> Path:
    """A department's template filled in as in Excel: every data cell, 0 unless given."""
    wb = load_workbook(src)
    ws = wb.active
    cells = layout(spec).value_cells
    for item in spec.data_items():
        ws[cells[item.id]] = values.get(item.id, 0)
    if unit_name is not None:
        ws[layout(spec).unit_name_cell] = unit_name
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def scaled(values: dict[str, float], k: int) -> dict[str, float]:
    """Every number times k: the rules are linear, so a consistent return stays consistent."""
    return {key: round(v * k, 6) for key, v in values.items()}


def message(
    sender: str,
    sent: datetime,
    attachments: list[tuple[str, bytes]] | None = None,
    subject: str = "统计表",
) -> EmailMessage:
    """A mail with attachments, their names in RFC 2231 form (what EmailMessage writes)."""
    msg = EmailMessage()
    msg["From"] = f"经办人 <{sender}>"
    msg["To"] = "gongkai@example.cn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent)
    msg.set_content("附件是我单位的统计表，请查收。")
    for name, data in attachments or []:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def rfc2047_mail(sender: str, sent: datetime, name: str, data: bytes) -> bytes:
    """A mail as many Chinese clients write it: the attachment's name as an RFC 2047 encoded
    word inside the quotes (not RFC 2231), and a GBK body."""
    word = "=?UTF-8?B?" + base64.b64encode(name.encode("utf-8")).decode() + "?="
    body = base64.encodebytes(data).decode()
    return (
        f"From: {sender}\r\n"
        "To: gongkai@example.cn\r\n"
        "Subject: =?UTF-8?B?" + base64.b64encode("统计表".encode()).decode() + "?=\r\n"
        f"Date: {format_datetime(sent)}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        "--XYZ\r\n"
        "Content-Type: text/plain; charset=gbk\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes("请查收。".encode("gbk")).decode()
        + "--XYZ\r\n"
        f'Content-Type: application/vnd.ms-excel; name="{word}"\r\n'
        f'Content-Disposition: attachment; filename="{word}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + body + "--XYZ--\r\n"
    ).encode("ascii")


def forwarded(sender: str, sent: datetime, inner: EmailMessage) -> EmailMessage:
    """A mail forwarding ``inner`` as an attachment (a message/rfc822 part)."""
    msg = EmailMessage()
    msg["From"] = f"转发人 <{sender}>"
    msg["To"] = "gongkai@example.cn"
    msg["Subject"] = "转发：统计表"
    msg["Date"] = format_datetime(sent)
    msg.set_content("转发一下。")
    msg.add_attachment(inner)
    return msg


def save_mail(path: Path, msg: EmailMessage) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes())
    return path


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path
