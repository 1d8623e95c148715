"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records every message it accepts.

    with SMTPServer() as server:                     # plain, no AUTH
        smtplib.SMTP(server.host, server.port).send_message(msg)
        [received] = server.messages                 # ReceivedMessage: envelope, raw, parsed

Options (keyword arguments of `SMTPServer`):

- tls: None (plain), "starttls" (offers STARTTLS) or "implicit" (SMTPS: TLS from the first byte);
  both need `ca`, a `tls.TestCA`, whose `client_context()` verifies the server.
- require_starttls: refuse mail commands until the client did STARTTLS.
- user / password: offer AUTH LOGIN and PLAIN, accept only this pair, and refuse MAIL FROM
  before a successful AUTH (`auth_required=False` accepts unauthenticated mail too).
  AUTH is offered on a TLS connection only, unless `auth_without_tls=True`.
- reject: recipient addresses the server refuses at RCPT TO with 550 (case-insensitive).
- delay: seconds the server waits before answering each DATA (a slow server).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import threading
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from .ports import LOOPBACK, free_port
from .tls import TestCA

TLSMode = Literal["starttls", "implicit"] | None


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the server accepted (after DATA)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool  # the connection was encrypted (STARTTLS or implicit TLS)
    auth_user: str | None  # who logged in with AUTH, None without AUTH
    message: EmailMessage = field(repr=False)  # `raw` parsed with email.policy.default


class _Handler:
    """aiosmtpd hooks: refuse some recipients, record what arrives, maybe take its time."""

    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.reject:
            self.server._record_refused(address)
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        self.server._record(
            ReceivedMessage(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                raw=raw,
                tls=tls,
                auth_user=session.auth_data if session.authenticated else None,
                message=email.message_from_bytes(raw, policy=email.policy.default),
            )
        )
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    def factory(self) -> SMTP:
        with warnings.catch_warnings():
            # Implicit TLS is encrypted although aiosmtpd only knows STARTTLS as TLS.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


class SMTPServer:
    """An aiosmtpd server in a thread on 127.0.0.1 and a free port. Use as a context manager."""

    def __init__(
        self,
        *,
        tls: TLSMode = None,
        ca: TestCA | None = None,
        require_starttls: bool = False,
        user: str | None = None,
        password: str | None = None,
        auth_required: bool | None = None,
        auth_without_tls: bool = False,
        reject: Iterable[str] = (),
        delay: float = 0.0,
        hostname: str = "smtp.test",
        port: int | None = None,
    ) -> None:
        if tls not in (None, "starttls", "implicit"):
            raise ValueError(f"tls must be None, 'starttls' or 'implicit', not {tls!r}")
        if tls and ca is None:
            raise ValueError("a TLS server needs ca=TestCA(...) for its certificate")
        if require_starttls and tls != "starttls":
            raise ValueError("require_starttls needs tls='starttls'")
        if (user is None) != (password is None):
            raise ValueError("give both user and password, or neither")
        self.host = LOOPBACK
        self.port = port or free_port()
        self.tls: TLSMode = tls
        self.ca = ca
        self.user = user
        self.password = password
        self.reject = frozenset(a.lower() for a in reject)
        self.delay = delay
        self._messages: list[ReceivedMessage] = []
        self._refused: list[str] = []
        self._cond = threading.Condition()

        kwargs: dict[str, Any] = {
            "hostname": self.host,
            "port": self.port,
            "server_hostname": hostname,  # without it aiosmtpd asks DNS for the machine's name
            "ready_timeout": 5.0,
        }
        if tls == "starttls":
            assert ca is not None
            kwargs["tls_context"] = ca.server_context()
            kwargs["require_starttls"] = require_starttls
        elif tls == "implicit":
            assert ca is not None
            kwargs["ssl_context"] = ca.server_context()
        if user is not None:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_required"] = True if auth_required is None else auth_required
        # aiosmtpd counts only STARTTLS as TLS; an implicit-TLS connection is encrypted too.
        kwargs["auth_require_tls"] = not (auth_without_tls or tls == "implicit")
        self._controller = _Controller(_Handler(self), **kwargs)
        self._started = False

    # -- lifecycle

    def start(self) -> SMTPServer:
        t0 = time.monotonic()
        self._controller.start()
        self._started = True
        self.start_seconds = time.monotonic() - t0
        return self

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._controller.stop()

    def __enter__(self) -> SMTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what arrived

    @property
    def messages(self) -> list[ReceivedMessage]:
        """The messages accepted so far, oldest first (a copy)."""
        with self._cond:
            return list(self._messages)

    @property
    def refused(self) -> list[str]:
        """Recipient addresses refused at RCPT TO so far."""
        with self._cond:
            return list(self._refused)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        """The messages once at least `count` arrived; TimeoutError after `timeout` s."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(f"{len(self._messages)} of {count} messages after {timeout} s")
            return list(self._messages)

    def clear(self) -> None:
        with self._cond:
            self._messages.clear()
            self._refused.clear()

    def client_context(self) -> ssl.SSLContext:
        """An SSL context for clients that trusts this server's CA (and only it)."""
        if self.ca is None:
            raise ValueError("this server has no TLS")
        return self.ca.client_context()

    def __repr__(self) -> str:
        return f"SMTPServer({self.host}:{self.port}, tls={self.tls}, user={self.user!r})"

    # -- hooks

    def _record(self, msg: ReceivedMessage) -> None:
        with self._cond:
            self._messages.append(msg)
            self._cond.notify_all()

    def _record_refused(self, address: str) -> None:
        with self._cond:
            self._refused.append(address)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.user is not None
            and self.password is not None
            and auth_data.login == self.user.encode()
            and auth_data.password == self.password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=self.user if ok else None)
