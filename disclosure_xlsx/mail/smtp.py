"""Sending through an SMTP server (smtplib): SSL or STARTTLS with the certificate verified, AUTH
when a user is given, one message at a time, each recipient's refusal kept.

A connection problem before the first message (no such server, refused, a TLS failure, a wrong
password) is a :class:`~..errors.MailError`: nothing can be sent. A problem with one message (a
recipient refused, a timeout, the server breaking off) is a :class:`NotSent` for that message;
the next one is sent over a new connection. A message counts as sent only when the server
accepted it (its answer to the end of DATA). smtplib's debug output stays off, so the AUTH
exchange (base64 of the password) is never printed.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
import time
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from types import TracebackType

from ..errors import MailError
from ..text import Text
from .connection import (
    connection_error,
    hello_name,
    login_refused,
    plain_login_refused,
    server_answer,
    tls_context,
)
from .settings import Secret, Server


class NotSent(Exception):
    """One message was not accepted; ``reason`` says why (the others go on)."""

    def __init__(self, reason: Text, refused: dict[str, str] | None = None) -> None:
        super().__init__(reason.zh)
        self.reason = reason
        self.refused = refused or {}


class SmtpOutbox:
    """An SMTP connection that sends messages one by one, at most ``per_minute`` a minute."""

    via = "smtp"

    def __init__(
        self,
        server: Server,
        password: Secret | None,
        envelope_from: str,
        *,
        per_minute: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.server = server
        self._password = password
        self.envelope_from = envelope_from
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._last: float | None = None
        self._client: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        return f"SmtpOutbox({self.server.address}, user={self.server.user!r})"

    # --- the connection --------------------------------------------------------------------

    def open(self) -> None:
        """Connect, encrypt and log in; :class:`MailError` when the server cannot be used."""
        server = self.server
        if self._password is not None and server.security == "none":
            raise plain_login_refused(server)
        context = tls_context(server.ca_file) if server.security != "none" else None
        client: smtplib.SMTP | None = None
        try:
            if server.security == "ssl":
                client = smtplib.SMTP_SSL(
                    server.host,
                    server.port,
                    local_hostname=hello_name(),
                    timeout=server.timeout,
                    context=context,
                )
            else:
                client = smtplib.SMTP(
                    server.host, server.port, local_hostname=hello_name(), timeout=server.timeout
                )
            client.set_debuglevel(0)  # NOTE: a higher level would print the AUTH exchange
            client.ehlo()
            if server.security == "starttls":
                if not client.has_extn("starttls"):
                    raise MailError(
                        Text(
                            f"发信服务器 {server.address} 不支持 STARTTLS；请改用 ssl（端口 465）",
                            f"the SMTP server {server.address} does not offer STARTTLS; "
                            "use ssl (port 465)",
                        )
                    )
                client.starttls(context=context)
                client.ehlo()
            if self._password is not None and server.user is not None:
                if not client.has_extn("auth"):
                    raise MailError(
                        Text(
                            f"发信服务器 {server.address} 不提供登录（AUTH）；如果它是不需要"
                            "登录的内网转发服务器，请不填 user",
                            f"the SMTP server {server.address} offers no login (AUTH); if it "
                            "is an office relay that needs none, give no user",
                        )
                    )
                _login(client, server, self._password)
        except MailError:
            _close(client)
            raise
        except (OSError, smtplib.SMTPException) as exc:
            _close(client)
            if isinstance(exc, smtplib.SMTPResponseException):
                said = f"{exc.smtp_code} {server_answer(exc.smtp_error)}"
                raise MailError(
                    Text(
                        f"发信服务器 {server.address} 拒绝服务（{said}）",
                        f"the SMTP server {server.address} refused ({said})",
                    )
                ) from None
            raise connection_error(exc, server) from None
        self._client = client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                _close(client)

    def __enter__(self) -> SmtpOutbox:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- sending ---------------------------------------------------------------------------

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> dict[str, str]:
        """Send one message; the recipients the server refused (the others got it), or
        :class:`NotSent`. A lost connection is opened again first (:class:`MailError` when
        that fails: then nothing more can be sent)."""
        self._wait()
        if self._client is None:
            self.open()
        client = self._client
        assert client is not None
        try:
            refused = client.send_message(
                message, from_addr=self.envelope_from, to_addrs=list(recipients)
            )
        except smtplib.SMTPRecipientsRefused as exc:
            why = {a: f"{c} {server_answer(m)}" for a, (c, m) in exc.recipients.items()}
            self._reset()
            raise NotSent(
                Text(
                    f"服务器拒收：{_list(why)}",
                    f"refused by the server: {_list(why)}",
                ),
                why,
            ) from None
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused
            said = f"{exc.smtp_code} {server_answer(exc.smtp_error)}"
            self._reset()
            raise NotSent(
                Text(f"服务器拒收（{said}）", f"refused by the server ({said})")
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            # NOTE: timeouts and broken connections: whether it arrived is unknown, so it is
            # not counted as sent; the next message is sent over a new connection
            self._drop()
            reason = connection_error(exc, self.server).text
            raise NotSent(
                Text(f"未确认发出：{reason.zh}", f"not confirmed as sent: {reason.en}")
            ) from None
        finally:
            self._last = self._clock()
        return {a: f"{c} {server_answer(m)}" for a, (c, m) in refused.items()}

    def _wait(self) -> None:
        if self.interval and self._last is not None:
            left = self._last + self.interval - self._clock()
            if left > 0:
                self._sleep(left)

    def _reset(self) -> None:
        """After a refusal: RSET, so the connection can carry the next message."""
        client = self._client
        if client is None:
            return
        try:
            client.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        _close(client)


def _login(client: smtplib.SMTP, server: Server, password: Secret) -> None:
    """AUTH with the user and password; :class:`MailError` (without either) when refused.

    NOTE: smtplib encodes credentials as ASCII, and its UnicodeEncodeError would quote the
    password; a user or password beyond ASCII is sent as UTF-8 with AUTH PLAIN here instead.
    """
    assert server.user is not None
    user, secret = server.user, password.reveal()
    try:
        if user.isascii() and secret.isascii():
            client.login(user, secret)
            return
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + secret.encode()).decode()
        code, answer = client.docmd("AUTH", "PLAIN " + token)
        if code == 334:  # a server that wants the credentials after an empty challenge
            code, answer = client.docmd(token)
        if code not in (235, 503):
            raise smtplib.SMTPAuthenticationError(code, answer)
    except smtplib.SMTPAuthenticationError as exc:
        said = f"{exc.smtp_code} {server_answer(exc.smtp_error)}"
        raise login_refused(server, said) from None
    except (OSError, smtplib.SMTPException):
        raise
    except Exception as exc:  # NOTE: never let another error's text (it may quote) through
        raise MailError(
            Text(
                f"登录 {server.address} 失败（{type(exc).__name__}）",
                f"the login to {server.address} failed ({type(exc).__name__})",
            )
        ) from None


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()


def _list(why: dict[str, str]) -> str:
    return "; ".join(f"{address} {answer}" for address, answer in why.items())
