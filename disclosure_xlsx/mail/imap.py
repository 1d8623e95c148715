"""Reading a mailbox over IMAP (imaplib): SSL by default, the certificate verified, nothing changed.

The folder is opened read-only (EXAMINE) unless messages are to be moved, and every fetch is a
``BODY.PEEK``, so the clerk's unread mail stays unread. Messages are found by UID in windows
(``UID SEARCH UID a:b``), so a mailbox of any size costs bounded memory; their structure and
a few headers are fetched a hundred at a time, and only the parts wanted are downloaded,
one at a time. ``bytes_received`` counts what came over the wire (the tests hold us to
"refused by size before download" with it).

Moving (``--move-to``) uses MOVE where the server has it, else COPY, then ``\\Deleted`` and
``UID EXPUNGE`` of exactly those messages where the server has UIDPLUS; without UIDPLUS the
messages are only copied (a plain EXPUNGE would also remove other mail the clerk marked
deleted), and the result says so.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr, parsedate_to_datetime
from types import TracebackType
from typing import Any

from ..errors import MailError, UsageError
from ..text import Text
from .bodystructure import Part, ResponseError, decoded, fetch_items, number, structure
from .compose import header_text
from .connection import (
    connection_error,
    login_refused,
    plain_login_refused,
    server_answer,
    tls_context,
)
from .settings import Secret, Server

#: UIDs searched at once, and messages whose structure is fetched at once.
SEARCH_WINDOW = 20_000
BATCH = 100
HEADER_FIELDS = "FROM DATE SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES"
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class _Counting:
    """Counts the bytes imaplib reads from the server."""

    received = 0

    def read(self, size: int) -> bytes:
        data: bytes = super().read(size)  # type: ignore[misc]
        self.received += len(data)
        return data

    def readline(self) -> bytes:
        data: bytes = super().readline()  # type: ignore[misc]
        self.received += len(data)
        return data


class _IMAP(_Counting, imaplib.IMAP4):
    pass


class _IMAPS(_Counting, imaplib.IMAP4_SSL):
    pass


def utf7_encode(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3): 已收报表 -> &XfJU5WKlaGg-"""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append(
                "&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-"
            )
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def utf7_decode(name: str) -> str:
    """The reverse of :func:`utf7_encode` (a malformed name is returned as it is)."""
    out, i = [], 0
    while i < len(name):
        if name[i] == "&":
            end = name.find("-", i)
            if end < 0:
                return name
            chunk = name[i + 1 : end]
            if not chunk:
                out.append("&")
            else:
                b64 = chunk.replace(",", "/")
                try:
                    out.append(base64.b64decode(b64 + "=" * (-len(b64) % 4)).decode("utf-16-be"))
                except (ValueError, UnicodeDecodeError):
                    return name
            i = end + 1
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def _quoted(folder: str) -> str:
    encoded = utf7_encode(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: Sequence[int]) -> str:
    """1,2,3,7,9,10 -> 1:3,7,9:10"""
    ranges: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0] if ordered else 0
    for uid in [*ordered[1:], 0]:
        if uid == prev + 1:
            prev = uid
            continue
        ranges.append(str(start) if start == prev else f"{start}:{prev}")
        start = prev = uid
    return ",".join(ranges)


@dataclass(frozen=True)
class Envelope:
    """One message as the structure fetch sees it: no content downloaded yet."""

    uid: int
    size: int
    structure: Part | None  # None: the server gave none we could read
    headers: bytes  # From, Date, Subject, Message-ID, In-Reply-To, References

    def heading(self) -> Heading:
        """The few headers fetched, read (see :class:`Heading`)."""
        return Heading.parse(self.headers)


@dataclass(frozen=True)
class Heading:
    """From, Date, Subject, Message-ID and the thread of one message.

    Read with the email package's compat32 parser and its plain helpers: a mailbox of
    thousands is read in a fraction of the time the full header objects take, and a subject
    in GBK encoded words or raw GBK bytes (Foxmail, older clients) is decoded all the same.
    """

    sender: str | None
    date: datetime | None
    subject: str
    message_id: str | None
    references: tuple[str, ...]

    @classmethod
    def parse(cls, raw: bytes) -> Heading:
        fields = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        address = parseaddr(_text(fields.get("From", "")))[1].strip().lower()
        try:
            when: datetime | None = parsedate_to_datetime(_text(fields.get("Date", "")))
        except (TypeError, ValueError, IndexError):
            when = None
        thread = _text(fields.get("References", "")).split()
        thread += [m for m in _text(fields.get("In-Reply-To", "")).split() if m not in thread]
        return cls(
            address if "@" in address else None,
            when,
            header_text(decoded(_text(fields.get("Subject", "")))),
            _text(fields.get("Message-ID", "")).strip() or None,
            tuple(thread),
        )


def _text(value: object) -> str:
    """A compat32 header value as text: raw 8-bit bytes (kept by the parser as surrogates)
    read as UTF-8, else GBK."""
    text = str(value or "")
    if text.isascii():
        return text
    raw = text.encode("utf-8", errors="surrogateescape")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return text  # pragma: no cover - gb18030 decodes almost anything


class Mailbox:
    """One folder of an IMAP account, for reading (and, if asked, moving) messages."""

    def __init__(
        self,
        server: Server,
        password: Secret | None,
        folder: str = "INBOX",
        *,
        writable: bool = False,
    ) -> None:
        if server.user is None:
            raise UsageError(
                Text(
                    "收信需要用户名：请在 mail/设置.toml 的 [imap] 填写 user（或用 --user）",
                    "reading mail needs a user: give user in [imap] of mail/设置.toml (or --user)",
                )
            )
        self.server = server
        self._password = password
        self.folder = folder
        self.writable = writable
        self._client: imaplib.IMAP4 | None = None
        self.uidvalidity = 0
        self.capabilities: frozenset[str] = frozenset()
        self.exists = 0
        self.uidnext = 0

    def __repr__(self) -> str:
        return f"Mailbox({self.server.user}@{self.server.address}/{self.folder})"

    @property
    def key(self) -> str:
        """user@host:port/folder: what the round's records know this mailbox by."""
        return f"{self.server.user}@{self.server.address}/{self.folder}"

    @property
    def bytes_received(self) -> int:
        client = self._client
        return int(getattr(client, "received", 0)) if client is not None else self._received

    _received = 0

    # --- the connection --------------------------------------------------------------------

    def open(self) -> None:
        """Connect, log in and open the folder; :class:`MailError` when that cannot be done."""
        server = self.server
        if server.security == "none" and self._password is not None:
            raise plain_login_refused(server)
        client: imaplib.IMAP4 | None = None
        try:
            if server.security == "ssl":
                client = _IMAPS(
                    server.host,
                    server.port,
                    ssl_context=tls_context(server.ca_file),
                    timeout=server.timeout,
                )
            else:
                client = _IMAP(server.host, server.port, timeout=server.timeout)
                if server.security == "starttls":
                    if "STARTTLS" not in client.capabilities:
                        raise MailError(
                            Text(
                                f"收信服务器 {server.address} 不支持 STARTTLS；请改用 ssl（端口 993）",
                                f"the IMAP server {server.address} does not offer STARTTLS; "
                                "use ssl (port 993)",
                            )
                        )
                    client.starttls(ssl_context=tls_context(server.ca_file))
            self._client = client
            self._login(client)
            self.capabilities = _capabilities(client)
            self._select(client)
        except MailError:
            self._drop()
            raise
        except UsageError:
            self._drop()
            raise
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            self._drop()
            raise connection_error(exc, server) from None

    def _login(self, client: imaplib.IMAP4) -> None:
        server = self.server
        assert server.user is not None
        password = self._password.reveal() if self._password is not None else ""
        try:
            if password.isascii() and server.user.isascii():
                client.login(server.user, password)
            else:  # NOTE: LOGIN takes ASCII only; AUTHENTICATE PLAIN carries UTF-8
                secret = f"\0{server.user}\0{password}".encode()
                client.authenticate("PLAIN", lambda _challenge: secret)
        except imaplib.IMAP4.abort as exc:
            raise connection_error(exc, server) from None
        except imaplib.IMAP4.error as exc:
            raise login_refused(server, exc.args[0] if exc.args else "") from None
        except OSError:
            raise
        except Exception as exc:  # NOTE: never let another error's text (it may quote) through
            raise MailError(
                Text(
                    f"登录 {server.address} 失败（{type(exc).__name__}）",
                    f"the login to {server.address} failed ({type(exc).__name__})",
                )
            ) from None

    def _select(self, client: imaplib.IMAP4) -> None:
        status, data = client.select(_quoted(self.folder), readonly=not self.writable)
        if status != "OK":
            folders = "、".join(self.folders()) or "—"
            raise MailError(
                Text(
                    f"邮箱里没有文件夹“{self.folder}”（有：{folders}）",
                    f"the mailbox has no folder '{self.folder}' (there are: {folders})",
                )
            )
        self.exists = number(data[0]) if data and isinstance(data[0], bytes) else 0
        self.uidvalidity = _code(client, "UIDVALIDITY")
        self.uidnext = _code(client, "UIDNEXT")

    def folders(self) -> list[str]:
        """The account's folder names (decoded)."""
        client = self._client
        if client is None:
            return []
        try:
            _status, data = client.list()
        except (OSError, imaplib.IMAP4.error):
            return []
        names = []
        for line in data or []:
            if isinstance(line, bytes):
                name = line.rsplit(b" ", 1)[-1].strip().strip(b'"').decode("ascii", "replace")
                names.append(utf7_decode(name))
        return names

    def close(self) -> None:
        client = self._client
        if client is None:
            return
        try:
            if client.state == "SELECTED":
                client.close()
            client.logout()
        except (OSError, imaplib.IMAP4.error, EOFError):
            pass
        self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            self._received = int(getattr(client, "received", 0))
            with contextlib.suppress(OSError, imaplib.IMAP4.error, AttributeError):
                client.shutdown()

    def __enter__(self) -> Mailbox:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------

    def _call(self, *args: str) -> list[Any]:
        client = self._client
        if client is None:
            raise connection_error(ConnectionError("closed"), self.server)
        try:
            status, data = client.uid(*args)
        except (OSError, imaplib.IMAP4.abort, EOFError) as exc:
            self._drop()
            raise connection_error(exc, self.server) from None
        except imaplib.IMAP4.error as exc:
            said = server_answer(exc.args[0] if exc.args else "")
            raise MailError(
                Text(
                    f"收信服务器 {self.server.address} 拒绝了请求（{said}）",
                    f"the IMAP server {self.server.address} refused a command ({said})",
                )
            ) from None
        if status != "OK":
            said = server_answer(data[-1] if data else "")
            raise MailError(
                Text(
                    f"收信服务器 {self.server.address} 拒绝了请求（{said}）",
                    f"the IMAP server {self.server.address} refused a command ({said})",
                )
            )
        return list(data or [])

    def first_uid(self) -> int:
        """The UID of the folder's first message (1 if it is empty)."""
        client = self._client
        if client is None or not self.exists:
            return 1
        try:
            status, data = client.fetch("1", "(UID)")
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            raise connection_error(exc, self.server) from None
        for item in fetch_items(data or []) if status == "OK" else []:
            return max(number(item.get("UID")), 1)
        return 1

    def search(self, since: date | None = None) -> Iterator[int]:
        """The UIDs of the folder's messages (received on or after ``since``), ascending,
        searched window by window so no answer grows with the mailbox."""
        if not self.exists:
            return
        low = self.first_uid()
        high = self.uidnext - 1 if self.uidnext > 1 else None
        criteria = f" SINCE {since.day}-{_MONTHS[since.month - 1]}-{since.year}" if since else ""
        if high is None:  # no UIDNEXT: one search
            data = self._call("SEARCH", f"UID {low}:*{criteria}")
            yield from sorted(_uids(data))
            return
        while low <= high:
            top = min(low + SEARCH_WINDOW - 1, high)
            data = self._call("SEARCH", f"UID {low}:{top}{criteria}")
            yield from sorted(u for u in _uids(data) if low <= u <= top)
            low = top + 1

    def envelopes(self, uids: Sequence[int]) -> list[Envelope]:
        """Size, structure and a few headers of each message (no content)."""
        if not uids:
            return []
        data = self._call(
            "FETCH",
            uid_set(uids),
            f"(UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})])",
        )
        out = []
        try:
            items = fetch_items(data)
        except ResponseError:
            items = []
        for item in items:
            uid = number(item.get("UID"))
            if uid not in uids:
                continue  # an unsolicited update about another message
            head = next((v for k, v in item.items() if k.startswith("BODY[HEADER")), b"")
            try:
                shape = structure(item.get("BODYSTRUCTURE"))
            except (ResponseError, IndexError):
                shape = None
            out.append(
                Envelope(
                    uid,
                    number(item.get("RFC822.SIZE")),
                    shape,
                    head if isinstance(head, bytes) else b"",
                )
            )
        return out

    def part(self, uid: int, section: str, *, body: bool = True) -> bytes:
        """One part as its MIME header and (with ``body``) its encoded content, ready for the
        email parser; a forwarded message's header is its own message header."""
        items = f"BODY.PEEK[{section}.MIME]" + (f" BODY.PEEK[{section}]" if body else "")
        data = self._call("FETCH", str(uid), f"({items})")
        try:
            fetched = [i for i in fetch_items(data) if number(i.get("UID")) in (uid, 0)]
        except ResponseError as exc:
            raise MailError(
                Text(
                    f"收信服务器的回答无法解析（{exc}）",
                    f"cannot parse the server's answer ({exc})",
                )
            ) from None
        head = b""
        content = b""
        for item in fetched:
            for key, value in item.items():
                if key == f"BODY[{section}.MIME]" and isinstance(value, bytes):
                    head = value
                elif key == f"BODY[{section}]" and isinstance(value, bytes):
                    content = value
        if not head.endswith(b"\r\n\r\n") and not head.endswith(b"\n\n"):
            head = head.rstrip(b"\r\n") + b"\r\n\r\n"
        return head + content

    def whole(self, uid: int) -> bytes:
        """A whole message (only for one whose structure could not be read)."""
        data = self._call("FETCH", str(uid), "(BODY.PEEK[])")
        for item in fetch_items(data):
            value = item.get("BODY[]")
            if isinstance(value, bytes):
                return value
        return b""

    # --- moving ----------------------------------------------------------------------------

    def ensure_folder(self, folder: str) -> bool:
        """Create ``folder`` if the account lacks it; True if it was created."""
        if folder in self.folders():
            return False
        client = self._client
        assert client is not None
        try:
            status, data = client.create(_quoted(folder))
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            raise connection_error(exc, self.server) from None
        if status != "OK":
            said = server_answer(data[-1] if data else "")
            raise MailError(
                Text(
                    f"无法在邮箱里建立文件夹“{folder}”（{said}）",
                    f"cannot create the folder '{folder}' ({said})",
                )
            )
        return True

    def move(self, uids: Sequence[int], folder: str) -> bool:
        """Move messages to ``folder``; False when they could only be copied (see above)."""
        client = self._client
        assert client is not None
        target = _quoted(folder)
        if "MOVE" in self.capabilities:
            self._call("MOVE", uid_set(uids), target)
            return True
        self._call("COPY", uid_set(uids), target)
        if "UIDPLUS" not in self.capabilities:
            return False
        self._call("STORE", uid_set(uids), "+FLAGS.SILENT", r"(\Deleted)")
        self._call("EXPUNGE", uid_set(uids))
        return True


def _capabilities(client: imaplib.IMAP4) -> frozenset[str]:
    """What the server offers once logged in (imaplib keeps the list from before the login,
    which often lacks MOVE and UIDPLUS)."""
    try:
        status, data = client.capability()
    except imaplib.IMAP4.error:
        return frozenset(client.capabilities)
    words: set[str] = set(client.capabilities)
    for line in data or [] if status == "OK" else []:
        if isinstance(line, bytes):
            words.update(line.decode("ascii", "replace").upper().split())
    return frozenset(words)


def _code(client: imaplib.IMAP4, name: str) -> int:
    try:
        _typ, data = client.response(name)
    except imaplib.IMAP4.error:
        return 0
    for value in data or []:
        if isinstance(value, bytes) and value.strip().isdigit():
            return int(value)
    return 0


def _uids(data: list[Any]) -> list[int]:
    out: list[int] = []
    for line in data:
        if isinstance(line, bytes):
            out.extend(int(x) for x in line.split() if x.isdigit())
    return out
