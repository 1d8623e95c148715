"""Building the messages: a Chinese subject and body, and attachments whose Chinese names arrive
intact in Outlook, Foxmail, Thunderbird and the web mail of government offices.

Headers and the body are made by the standard library (``EmailMessage``, SMTP policy: CRLF,
RFC 2047 encoded words for Chinese subjects and names, the body in base64 UTF-8). Attachment
headers are written here by hand, because both forms of a Chinese file name are needed and the
library's folding cannot produce the second one (it turns ``name=`` into RFC 2231 and may even
encode the media type):

    Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;
     name="=?UTF-8?B?5Yy65ZWG5Yqh5bGALnhsc3g=?="
    Content-Disposition: attachment;
     filename*=UTF-8''%E5%8C%BA%E5%95%86%E5%8A%A1%E5%B1%80.xlsx

``filename*`` (RFC 2231) is what current clients read; ``name=`` with an RFC 2047 word is what
older Outlook and many Chinese web mail clients read instead. Each parameter is one unbroken
line (no RFC 2231 continuations, which some clients do not join), kept under the 998-character
line limit by shortening a very long name. A draft (``X-Unsent: 1``) opens in Outlook and other
clients as a new message ready to send.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import PurePosixPath
from urllib.parse import quote

#: The library's SMTP policy (CRLF, 78-column folding of the headers it makes); headers given
#: as source text, i.e. the attachment headers written here, are kept exactly as written.
POLICY = policy.SMTP.clone(refold_source="none")
#: Longest parameter line of an attachment header (RFC 5322 allows 998 characters a line).
MAX_PARAM_LINE = 900
CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
}
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# RFC 2231 attribute-char: what may stand unencoded in filename*=
_SAFE = "!#$&+-.^_`|~"


@dataclass(frozen=True)
class Attachment:
    """A file to attach: its name as the department will see it, and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Recipient:
    """One address, with the name shown for it (the department's name)."""

    name: str
    address: str


def header_text(text: str) -> str:
    """Untrusted text (a department's name, a subject it wrote) made fit for a header: control
    characters and line breaks gone, runs of spaces one space."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def new_message_id(domain: str, tag: str = "") -> str:
    """A fresh, globally unique Message-ID like ``<9f2c…e1.d001.notice@example.cn>``, short
    enough that its header line is never folded (some clients do not unfold it)."""
    safe = re.sub(r"[^A-Za-z0-9.-]", "", tag)[-32:].strip(".")
    local = f"{secrets.token_hex(8)}.{safe}" if safe else secrets.token_hex(12)
    return f"<{local}@{re.sub(r'[^A-Za-z0-9.-]', '', domain) or 'disclosure-xlsx.invalid'}>"


def domain_of(address: str) -> str:
    """The domain of an address, for Message-IDs ('' if none)."""
    return address.rpartition("@")[2].strip().strip(">").lower() if "@" in address else ""


def compose(
    *,
    sender: str | None,
    to: Sequence[Recipient],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    message_id: str,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    draft: bool = False,
    date: datetime | None = None,
) -> EmailMessage:
    """One message, ready to send (or, with ``draft``, to save as an .eml to open and send)."""
    msg = EmailMessage(policy=POLICY)
    if sender:
        msg["From"] = sender
    msg["To"] = [Address(display_name=header_text(r.name), addr_spec=r.address.strip()) for r in to]
    msg["Subject"] = header_text(subject)
    if not draft:
        msg["Date"] = format_datetime(date or datetime.now().astimezone())
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = " ".join([*references, in_reply_to])
    if draft:
        msg["X-Unsent"] = "1"  # Outlook, Thunderbird and others open it as a message to send
    msg.set_content(body.replace("\r\n", "\n"), charset="utf-8", cte="base64")
    if attachments:
        msg.make_mixed()
        for attachment in attachments:
            msg.attach(attachment_part(attachment))
    return msg


def attachment_part(attachment: Attachment) -> EmailMessage:
    """The MIME part of one attachment, its name in both forms (see the module's docstring)."""
    name = fit_name(header_text(attachment.name).replace('"', "'"))
    suffix = PurePosixPath(name).suffix.lower()
    ctype = CONTENT_TYPES.get(suffix, "application/octet-stream")
    head = (
        f'Content-Type: {ctype};\r\n name="{encoded_word(name)}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment;\r\n filename*=UTF-8''{percent(name)}\r\n"
        "\r\n"
    )
    body = base64.encodebytes(attachment.data).replace(b"\n", b"\r\n")
    part = BytesParser(policy=POLICY).parsebytes(head.encode("ascii") + body)
    assert isinstance(part, EmailMessage)
    return part


def encoded_word(name: str) -> str:
    """``name`` as one RFC 2047 encoded word (UTF-8, base64)."""
    return "=?UTF-8?B?" + base64.b64encode(name.encode("utf-8")).decode("ascii") + "?="


def percent(name: str) -> str:
    """``name`` percent-encoded for an RFC 2231 parameter value."""
    return quote(name, safe=_SAFE)


def fit_name(name: str) -> str:
    """The name, its stem shortened (the suffix kept) until both header lines fit."""
    path = PurePosixPath(name or "附件")
    stem, suffix = path.stem, path.suffix
    while stem and (
        len(percent(stem + suffix)) + 20 > MAX_PARAM_LINE
        or len(encoded_word(stem + suffix)) + 10 > MAX_PARAM_LINE
    ):
        stem = stem[:-1]
    return (stem or "附件") + suffix
