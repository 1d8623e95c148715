"""The round's mail settings (``mail/设置.toml``), options that override them, and the password.

The clerk fills the file once: the office's contact person (named in every notice), the
sending server (``[smtp]``) and the receiving one (``[imap]``). A command-line option wins over
the file, so ``--smtp HOST`` tries another server without editing it. Every key is checked
when the file is read: a misspelt key, a wrong type or an unknown ``security`` is one line
naming the file and the key, before anything is sent.

The password is never in the file, never an option value, never stored or logged: it comes
from an environment variable named by ``password_env`` / ``--password-env``, or from a prompt
that does not echo, and lives only in a :class:`Secret` until the login.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ..campaign.mailfiles import SETTINGS
from ..errors import UsageError
from ..text import Text
from .files import mail_file, read_text_file

Security = Literal["ssl", "starttls", "none"]
SECURITIES: tuple[Security, ...] = ("ssl", "starttls", "none")
Protocol = Literal["smtp", "imap"]
DEFAULT_PORTS: dict[Protocol, dict[Security, int]] = {
    "smtp": {"ssl": 465, "starttls": 587, "none": 25},
    "imap": {"ssl": 993, "starttls": 143, "none": 143},
}
#: Seconds to wait for a server's answer before giving up on it.
TIMEOUT = 30.0


class Secret:
    """A password: shown as *** by repr and str, so no log line or traceback can hold it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The password itself, for the login and nothing else."""
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__


@dataclass(frozen=True)
class Server:
    """Where and how to connect to one mail server (the password is asked for separately)."""

    protocol: Protocol
    host: str
    port: int
    security: Security
    user: str | None = None
    ca_file: Path | None = None
    password_env: str | None = None
    timeout: float = TIMEOUT

    @property
    def address(self) -> str:
        """host:port, as shown in messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class Office:
    """Who the departments call with questions: named in every notice, reply and reminder."""

    unit: str = ""
    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    """``[smtp]``: the server that sends, and how fast."""

    server: Server | None  # None: no host given (drafts only)
    sender: str = ""  # the From address, "Name <addr>" or "addr"
    per_minute: int = 0


@dataclass(frozen=True)
class ImapSettings:
    """``[imap]``: the mailbox the returns arrive in."""

    server: Server | None
    folder: str = "INBOX"
    since: date | None = None
    move_to: str | None = None


@dataclass(frozen=True)
class MailSettings:
    """The whole settings file."""

    path: Path
    office: Office
    smtp: SmtpSettings
    imap: ImapSettings


_KEYS: dict[str, dict[str, type]] = {
    "office": {"unit": str, "name": str, "phone": str},
    "smtp": {
        "host": str,
        "port": int,
        "security": str,
        "user": str,
        "from": str,
        "per_minute": int,
        "password_env": str,
        "ca_file": str,
    },
    "imap": {
        "host": str,
        "port": int,
        "security": str,
        "user": str,
        "folder": str,
        "since": str,
        "move_to": str,
        "password_env": str,
        "ca_file": str,
    },
}


def load_settings(folder: Path) -> MailSettings:
    """The settings of the round in ``folder`` (the default file is written when missing)."""
    path = mail_file(folder, SETTINGS)
    text = read_text_file(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            Text(
                f"{path}：格式有误（{exc}）；Windows 路径请用单引号括起",
                f"{path}: not valid TOML ({exc}); put Windows paths in single quotes",
            )
        ) from None
    return parse_settings(data, path)


def parse_settings(data: Mapping[str, Any], path: Path) -> MailSettings:
    """Settings from the parsed TOML; every problem is reported together."""
    problems: list[Text] = []
    for section, value in data.items():
        if section not in _KEYS:
            problems.append(
                Text(
                    f"没有 [{section}] 这一节（可用：{'、'.join(_KEYS)}）",
                    f"unknown section [{section}] (known: {', '.join(_KEYS)})",
                )
            )
        elif not isinstance(value, dict):
            problems.append(Text(f"{section} 应是一节 [{section}]", f"{section} must be a section"))
    sections: dict[str, dict[str, Any]] = {}
    for section, keys in _KEYS.items():
        given = data.get(section, {})
        given = given if isinstance(given, dict) else {}
        out: dict[str, Any] = {}
        for key, value in given.items():
            if key not in keys:
                problems.append(
                    Text(
                        f"[{section}] 没有 {key} 这一项（可用：{'、'.join(keys)}）",
                        f"[{section}] has no key {key} (known: {', '.join(keys)})",
                    )
                )
            elif not isinstance(value, keys[key]) or isinstance(value, bool):
                kind = Text("数字", "a number") if keys[key] is int else Text("文字", "text")
                problems.append(
                    Text(
                        f"[{section}] {key} 应是{kind.zh}",
                        f"[{section}] {key} must be {kind.en}",
                    )
                )
            else:
                out[key] = value.strip() if isinstance(value, str) else value
        sections[section] = out
    office = Office(**{k: sections["office"].get(k, "") for k in ("unit", "name", "phone")})
    smtp, imap = sections["smtp"], sections["imap"]
    smtp_server = _server("smtp", smtp, path, problems)
    imap_server = _server("imap", imap, path, problems)
    per_minute = int(smtp.get("per_minute", 0))
    if per_minute < 0:
        problems.append(Text("[smtp] per_minute 不能是负数", "[smtp] per_minute must be >= 0"))
    since = None
    if imap.get("since"):
        try:
            since = parse_date(imap["since"])
        except UsageError as exc:
            problems.append(Text("[imap] since：", "[imap] since: ") + exc.text)
    if problems:
        head = Text(f"{path} 有 {len(problems)} 处问题：", f"{path} has {len(problems)} problems:")
        raise UsageError(head + "\n  " + _join(problems))
    return MailSettings(
        path,
        office,
        SmtpSettings(smtp_server, smtp.get("from", ""), per_minute),
        ImapSettings(
            imap_server, imap.get("folder") or "INBOX", since, imap.get("move_to") or None
        ),
    )


def _join(parts: list[Text]) -> Text:
    return Text("\n  ".join(p.zh for p in parts), "\n  ".join(p.en for p in parts))


def _server(
    protocol: Protocol, values: dict[str, Any], path: Path, problems: list[Text]
) -> Server | None:
    given = values.get("security") or "ssl"
    security = next((s for s in SECURITIES if s == given), None)
    if security is None:
        problems.append(
            Text(
                f"[{protocol}] security 应为 ssl、starttls 或 none，不是“{given}”",
                f"[{protocol}] security must be ssl, starttls or none, not '{given}'",
            )
        )
        security = "ssl"
    port = int(values.get("port", 0))
    if not 0 <= port <= 65535:
        problems.append(Text(f"[{protocol}] port 不对", f"[{protocol}] port is out of range"))
        port = 0
    host = values.get("host", "")
    if not host:
        return None
    ca_file = values.get("ca_file") or None
    return Server(
        protocol,
        host,
        port or DEFAULT_PORTS[protocol][security],
        security,
        values.get("user") or None,
        (path.parent / ca_file) if ca_file else None,
        values.get("password_env") or None,
    )


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            Text(f"日期“{text}”应写成 年-月-日，如 2026-03-01", f"'{text}' must be YYYY-MM-DD")
        ) from None


def parse_host(text: str) -> tuple[str, int | None]:
    """HOST[:PORT] (an IPv6 address in brackets: [::1]:25)."""
    text = text.strip()
    port: int | None = None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif text.count(":") == 1:
        host, _, number = text.partition(":")
        port = _port(number, text)
    else:
        host = text
    if not host or any(c.isspace() for c in host):
        raise UsageError(Text(f"服务器“{text}”写法不对", f"server '{text}' is not HOST[:PORT]"))
    return host, port


def _port(number: str, text: str) -> int:
    if not number.isdigit() or not 0 < int(number) < 65536:
        raise UsageError(
            Text(f"服务器“{text}”的端口不对", f"server '{text}': the port is not a port number")
        )
    return int(number)


def override(
    protocol: Protocol,
    server: Server | None,
    *,
    host: str | None = None,
    user: str | None = None,
    security: Security | None = None,
    ca_file: Path | None = None,
    password_env: str | None = None,
) -> Server | None:
    """The server of the settings with command-line options applied (``host``: HOST[:PORT]).

    Another host than the file's, given without ``security``, is an IMAP server over SSL, or
    an SMTP server over SSL on port 465, STARTTLS on 587 and unencrypted on any other port
    (an office relay on 25, the default); without a port, the security's default port.
    """
    if host is not None:
        name, port = parse_host(host)
        same = server is not None and server.host == name
        if security is None:
            if server is not None and same:
                security = server.security
            elif protocol == "imap":
                security = "ssl"
            else:
                security = "ssl" if port == 465 else "starttls" if port == 587 else "none"
        if port is None:
            keep = server is not None and same and server.security == security
            port = server.port if server is not None and keep else DEFAULT_PORTS[protocol][security]
        base = server or Server(protocol, name, port, security)
        server = replace(base, host=name, port=port, security=security)
    if server is None:
        return None
    if security is not None and security != server.security:
        default = server.port == DEFAULT_PORTS[protocol][server.security]
        port = DEFAULT_PORTS[protocol][security] if default else server.port
        server = replace(server, security=security, port=port)
    if user is not None:
        server = replace(server, user=user.strip() or None)
    if ca_file is not None:
        server = replace(server, ca_file=ca_file)
    if password_env is not None:
        server = replace(server, password_env=password_env.strip() or None)
    return server


def password_for(server: Server, prompt: Callable[[str], str] | None) -> Secret | None:
    """The password for ``server``'s user: from the environment variable it names, else
    asked for with ``prompt`` (which must not echo); None when there is no user to log in."""
    if server.user is None:
        return None
    if server.password_env:
        value = os.environ.get(server.password_env)
        if not value:
            raise UsageError(
                Text(
                    f"环境变量 {server.password_env} 没有设置（应存放 {server.user} 的密码）",
                    f"the environment variable {server.password_env} is not set "
                    f"(it should hold the password of {server.user})",
                )
            )
        return Secret(value)
    if prompt is None:
        raise UsageError(
            Text(
                f"需要 {server.user} 的密码：请用 --password-env 指定存放密码的环境变量",
                f"the password of {server.user} is needed: name an environment variable "
                "holding it with --password-env",
            )
        )
    return Secret(prompt(f"{server.user}@{server.address}"))
