"""Returns out of saved e-mails (.eml): the attachments, with who sent them and when.

Parsed by the standard library's ``email`` package with ``policy.default``, which decodes
attachment names in both forms mail clients use for Chinese names: RFC 2231
(``filename*=utf-8''%E5%95%86...``) and RFC 2047 encoded words inside the quotes
(``filename="=?UTF-8?B?...?="``). A forwarded mail (a ``message/rfc822`` part, or an attached
``.eml``) is opened too, and its attachments keep *its* sender: the department, not whoever
forwarded it. Parts are limited in size, number and nesting depth, and .zip attachments are
unpacked with the workbook guard's limits (:mod:`.archive`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from pathlib import Path, PurePosixPath

from ..read.guard import MAX_FILE_BYTES, MAX_UNPACKED_BYTES, SUFFIXES
from ..text import Text
from .archive import UNSUPPORTED, not_a_workbook, too_large, unpack, unsupported
from .arrival import INSIDE, Arrival, Skipped

MAX_MAIL_BYTES = MAX_UNPACKED_BYTES
MAX_PARTS = 500
MAX_DEPTH = 8


def read_mail(path: Path) -> Iterator[Arrival | Skipped]:
    """Every return attached to a saved e-mail; a mail with none is one :class:`Skipped`."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_MAIL_BYTES:
            yield Skipped(source, too_large())
            return
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        yield Skipped(source, Text(f"无法读取（{reason}）", f"cannot be read ({reason})"))
        return
    yield from read_mail_bytes(raw, source)


def read_mail_bytes(raw: bytes, source: str) -> Iterator[Arrival | Skipped]:
    """Every return attached to an e-mail given as bytes."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        yield Skipped(source, Text("不是电子邮件（.eml）", "not an e-mail (.eml)"))
        return
    budget = [MAX_PARTS]
    found = False
    for item in _message(message, source, None, None, 0, budget):
        found = True
        yield item
    if not found:
        yield Skipped(source, Text("邮件里没有附件", "the e-mail has no attachment"))


def read_part_bytes(
    raw: bytes, source: str, sender: str | None, sent: datetime | None
) -> Iterator[Arrival | Skipped]:
    """The returns in one MIME part given as its header and body bytes (what an IMAP client
    fetches as ``BODY[n.MIME]`` and ``BODY[n]``): a workbook, a .zip, an attached .eml or a
    forwarded message, with the limits of a whole mail. Yields nothing for a part that is no
    attachment (a body text, an inline picture)."""
    part = BytesParser(policy=policy.default).parsebytes(raw)
    yield from _part(part, source, sender, sent, 0, [MAX_PARTS])


def _message(
    message: Message,
    source: str,
    sender: str | None,
    sent: datetime | None,
    depth: int,
    budget: list[int],
) -> Iterator[Arrival | Skipped]:
    """One message: its own sender and date (else those of the mail it is inside)."""
    sender = sender_of(message) or sender
    sent = date_of(message) or sent
    yield from _part(message, source, sender, sent, depth, budget)


def _part(
    part: Message,
    source: str,
    sender: str | None,
    sent: datetime | None,
    depth: int,
    budget: list[int],
) -> Iterator[Arrival | Skipped]:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        if budget[0] == -1 or depth == MAX_DEPTH + 1:
            yield Skipped(
                source,
                Text(
                    "邮件层次或部件过多，其余部分未读", "too many parts or levels; the rest skipped"
                ),
            )
        return
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload(0) if part.is_multipart() else None
        if isinstance(inner, Message):
            yield from _message(inner, source, sender, sent, depth + 1, budget)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _part(sub, source, sender, sent, depth + 1, budget)
        return
    name = attachment_name(part)
    if not name:
        return  # the body, or an inline part without a name
    suffix = PurePosixPath(name).suffix.lower()
    if part.get_content_maintype() == "image" and suffix not in SUFFIXES:
        return  # signatures and pasted screenshots
    where = f"{source}{INSIDE}{name}"
    encoded = part.get_payload()
    if isinstance(encoded, str) and len(encoded) * 3 // 4 > MAX_FILE_BYTES + 4096:
        yield Skipped(where, too_large())
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        yield Skipped(where, Text("附件无法解码", "the attachment cannot be decoded"))
        return
    if len(data) > MAX_FILE_BYTES:
        yield Skipped(where, too_large())
    elif suffix in SUFFIXES:
        yield Arrival(name, where, data=data, sender=sender, received_at=sent)
    elif suffix == ".zip":
        yield from unpack(data, where, sender, sent)
    elif suffix == ".eml":
        inner = BytesParser(policy=policy.default).parsebytes(data)
        yield from _message(inner, where, sender, sent, depth + 1, budget)
    elif suffix in UNSUPPORTED:
        yield unsupported(where)
    else:
        yield Skipped(where, not_a_workbook())


def attachment_name(part: Message) -> str | None:
    """The attachment's file name, decoded, without any folder a client put in front."""
    try:
        name = part.get_filename()
    except (ValueError, LookupError, TypeError):
        return None
    if not name:
        return None
    if "\ufffd" in name:  # raw 8-bit bytes in the header, which the parser replaced
        name = _raw_name(part) or name
    if any("\udc80" <= ch <= "\udcff" for ch in name):  # raw 8-bit bytes in the header
        raw = name.encode("utf-8", errors="surrogateescape")
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    name = " ".join(name.split())
    return name.replace("\\", "/").rsplit("/", 1)[-1] or None


def _raw_name(part: Message) -> str | None:
    """The file name from a header holding raw 8-bit bytes (old clients write GBK there):
    the header as it arrived, decoded as UTF-8 or else GBK, then parsed."""
    for header, value in part.raw_items():
        key = header.lower()
        if key not in ("content-disposition", "content-type") or value.isascii():
            continue
        raw = value.encode("ascii", errors="surrogateescape")
        for encoding in ("utf-8", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes almost anything
            continue
        try:
            params = policy.default.header_factory(header, text).params
        except (ValueError, LookupError, TypeError, AttributeError):
            continue
        found = params.get("filename" if key == "content-disposition" else "name")
        if isinstance(found, str) and found:
            return found
    return None


def sender_of(message: Message) -> str | None:
    """The From address (lower case), or None when absent or unreadable."""
    try:
        header = message["From"]
        addresses = getattr(header, "addresses", ())
        for address in addresses:
            if address.addr_spec and "@" in address.addr_spec:
                return str(address.addr_spec).strip().lower()
    except (ValueError, LookupError, TypeError, IndexError, AttributeError):
        return None
    return None


def date_of(message: Message) -> datetime | None:
    """When the message was sent (its Date header), or None."""
    try:
        header = message["Date"]
        value = getattr(header, "datetime", None)
    except (ValueError, LookupError, TypeError, IndexError, AttributeError, OverflowError):
        return None
    return value if isinstance(value, datetime) else None
