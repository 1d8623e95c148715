"""Reading IMAP FETCH responses: the message's structure (BODYSTRUCTURE), and from it which parts
to download.

The structure tells, before any content is downloaded, each part's media type, parameters
(the attachment's name), encoding and size, and for a forwarded message (``message/rfc822``)
its own envelope (sender, date, Message-ID) and structure. :func:`attachments` walks it and
lists the parts that may hold a return (a part with a file name, or a forwarded message the
server did not open), each with the sender and date of the message it belongs to, so that
only those parts are fetched (``BODY.PEEK[n.MIME]`` and ``BODY.PEEK[n]``), and one too large
is refused by its size without being downloaded.

imaplib hands responses over as lines and literals (``{123}`` followed by the bytes); they
are parsed here into nested lists of bytes, None and lists (RFC 3501, section 9).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime

Value = bytes | None | list["Value"]
Chunk = bytes | tuple[bytes, bytes]

_SPECIALS = b' ()"{'


class ResponseError(ValueError):
    """A response that does not parse (a server bug, or a line cut short)."""


def tokens(data: Sequence[object]) -> Iterator[tuple[str, bytes]]:
    """The tokens of imaplib's response pieces: ("(", b""), (")", b""), ("atom", …),
    ("string", …) for quoted strings and literals, ("nil", b"")."""
    for chunk in data:
        if isinstance(chunk, tuple):
            head, literal = chunk[0], chunk[1]
        elif isinstance(chunk, bytes):
            head, literal = chunk, None
        else:
            continue
        yield from _line_tokens(head, literal)


def _line_tokens(line: bytes, literal: bytes | None) -> Iterator[tuple[str, bytes]]:
    i, n = 0, len(line)
    while i < n:
        c = line[i : i + 1]
        if c in (b" ", b"\r", b"\n"):
            i += 1
        elif c == b"(":
            yield "(", b""
            i += 1
        elif c == b")":
            yield ")", b""
            i += 1
        elif c == b'"':
            out = bytearray()
            i += 1
            while i < n and line[i : i + 1] != b'"':
                if line[i : i + 1] == b"\\" and i + 1 < n:
                    i += 1
                out += line[i : i + 1]
                i += 1
            if i >= n:
                raise ResponseError("unterminated quoted string")
            yield "string", bytes(out)
            i += 1
        elif c == b"{":
            end = line.find(b"}", i)
            if end < 0 or literal is None or line[end + 1 :].strip():
                raise ResponseError("a literal without its bytes")
            yield "string", literal
            literal = None
            i = end + 1
        else:
            start = i
            depth = 0
            while i < n:
                ch = line[i : i + 1]
                if ch == b"[":
                    depth += 1
                elif ch == b"]":
                    depth -= 1
                elif depth == 0 and ch in (b" ", b"(", b")"):
                    break
                i += 1
            atom = line[start:i]
            yield ("nil", b"") if atom.upper() == b"NIL" else ("atom", atom)


def parse(data: Sequence[object]) -> list[Value]:
    """The response pieces as one list of values (atoms and strings as bytes, NIL as None)."""
    stack: list[list[Value]] = [[]]
    for kind, value in tokens(data):
        if kind == "(":
            stack.append([])
        elif kind == ")":
            if len(stack) == 1:
                raise ResponseError("unbalanced parenthesis")
            done = stack.pop()
            stack[-1].append(done)
        elif kind == "nil":
            stack[-1].append(None)
        else:
            stack[-1].append(value)
    if len(stack) != 1:
        raise ResponseError("unbalanced parenthesis")
    return stack[0]


def fetch_items(data: Sequence[object]) -> list[dict[str, Value]]:
    """Each message of a FETCH response as {item name (upper case): value}."""
    out = []
    values = parse(data)
    for value in values:
        if isinstance(value, list):
            items: dict[str, Value] = {}
            for k in range(0, len(value) - 1, 2):
                key = value[k]
                if isinstance(key, bytes):
                    items[key.decode("ascii", "replace").upper()] = value[k + 1]
            out.append(items)
    return out


def text(value: Value) -> str:
    """A string value as text (UTF-8, else Latin-1 so no byte is lost); '' for NIL."""
    if not isinstance(value, bytes):
        return ""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def number(value: Value) -> int:
    try:
        return int(value) if isinstance(value, bytes) else 0
    except ValueError:
        return 0


@dataclass(frozen=True)
class Envelope:
    """What a forwarded message's envelope says about it."""

    sender: str | None
    date: datetime | None
    subject: str
    message_id: str | None
    in_reply_to: str | None


@dataclass(frozen=True)
class Part:
    """One part of a message's structure."""

    section: str  # "1", "2.1", … ("" for a multipart at the top)
    type: str  # "application"
    subtype: str  # "vnd.ms-excel"
    params: dict[str, str]
    disposition: str | None
    disposition_params: dict[str, str]
    encoding: str
    size: int  # octets of the encoded body
    parts: tuple[Part, ...] = ()  # a multipart's parts, or a forwarded message's body
    envelope: Envelope | None = None  # a forwarded message's

    @property
    def named(self) -> bool:
        """The part has a file name (in either header, in any of its encoded forms)."""
        keys = [*self.params, *self.disposition_params]
        return any(k.startswith(("name", "filename")) for k in keys)

    @property
    def is_message(self) -> bool:
        return (self.type, self.subtype) == ("message", "rfc822")


def structure(value: Value, prefix: str = "", in_message: bool = False) -> Part:
    """A BODYSTRUCTURE value as a tree of parts with their section numbers."""
    if not isinstance(value, list) or not value:
        raise ResponseError("not a body structure")
    if isinstance(value[0], list):  # multipart: parts, then the subtype and extensions
        children = [v for v in value if isinstance(v, list)]
        rest = value[len(children) :]
        parts = tuple(
            structure(child, f"{prefix}.{n}" if prefix else str(n))
            for n, child in enumerate(children, start=1)
        )
        subtype = text(rest[0]).lower() if rest else "mixed"
        return Part(prefix, "multipart", subtype, {}, None, {}, "", 0, parts)
    section = (f"{prefix}.1" if in_message else prefix) if prefix else "1"
    kind, subtype = text(value[0]).lower(), text(value[1]).lower()
    params = _params(value[2] if len(value) > 2 else None)
    encoding = text(value[5]).lower() if len(value) > 5 else ""
    size = number(value[6]) if len(value) > 6 else 0
    extension = 7
    envelope = None
    inner: tuple[Part, ...] = ()
    if (kind, subtype) == ("message", "rfc822") and len(value) > 9:
        envelope = _envelope(value[7])
        if isinstance(value[8], list) and value[8]:
            inner = (structure(value[8], section, in_message=True),)
        extension = 10
    elif kind == "text":
        extension = 8
    disposition: str | None = None
    disposition_params: dict[str, str] = {}
    # extension data: md5, then the disposition (type, params)
    given: Value = value[extension + 1] if len(value) > extension + 1 else None
    if isinstance(given, list) and given:
        disposition = text(given[0]).lower()
        disposition_params = _params(given[1] if len(given) > 1 else None)
    return Part(
        section,
        kind,
        subtype,
        params,
        disposition,
        disposition_params,
        encoding,
        size,
        inner,
        envelope,
    )


def _params(value: Value) -> dict[str, str]:
    if not isinstance(value, list):
        return {}
    return {
        text(value[k]).lower(): text(value[k + 1])
        for k in range(0, len(value) - 1, 2)
        if isinstance(value[k], bytes)
    }


def _envelope(value: Value) -> Envelope | None:
    if not isinstance(value, list) or len(value) < 10:
        return None
    sender = None
    addresses = value[2]
    if isinstance(addresses, list):
        for address in addresses:
            if isinstance(address, list) and len(address) >= 4:
                box, host = text(address[2]), text(address[3])
                if box and host:
                    sender = f"{box}@{host}".strip().lower()
                    break
    when = None
    raw_date = text(value[0])
    if raw_date:
        try:
            when = parsedate_to_datetime(raw_date)
        except (TypeError, ValueError, IndexError):
            when = None
    subject = decoded(text(value[1]))
    return Envelope(sender, when, subject, text(value[9]) or None, text(value[8]) or None)


def decoded(header: str) -> str:
    """A header value with its RFC 2047 encoded words decoded (as it was, if they are broken)."""
    try:
        return str(make_header(decode_header(header)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return header


@dataclass(frozen=True)
class Wanted:
    """A part to download, with the message it belongs to (the mail itself, or a forwarded
    message inside it: then *its* sender and date count)."""

    part: Part
    envelope: Envelope | None  # None: the mail itself


def attachments(top: Part, envelope: Envelope | None = None) -> list[Wanted]:
    """The parts that may hold a return, in order: named parts, and forwarded messages whose
    structure the server did not give."""
    out: list[Wanted] = []
    if top.type == "multipart":
        for part in top.parts:
            out.extend(attachments(part, envelope))
    elif top.is_message and top.parts:
        out.extend(attachments(top.parts[0], top.envelope or envelope))
    elif top.named or top.is_message:
        out.append(Wanted(top, envelope))
    return out
