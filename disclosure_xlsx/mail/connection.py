"""What SMTP and IMAP share: the TLS context (certificates verified, always) and the one-line
messages for a server that cannot be used.

Verification is never switched off. A server with a certificate of the office's own
authority is trusted by giving that authority's certificate (``ca_file``), which is added to
the system's. Every message names the server and says what to check; none holds a password
(the exceptions it is made from carry only the server's answer).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from pathlib import Path

from ..errors import MailError, UsageError
from ..numbers import clean, clip
from ..text import Text
from .settings import Server


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A client context that verifies the server's certificate and name: the system's
    authorities, plus ``ca_file`` when given."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
            raise UsageError(
                Text(
                    f"证书文件 {ca_file} 无法使用（{reason}）",
                    f"the certificate file {ca_file} cannot be used ({reason})",
                )
            ) from None
    return context


def hello_name() -> str:
    """This machine's name for EHLO, without asking DNS (which can hang on office networks)."""
    name = socket.gethostname().strip()
    return name if name and name.isascii() and " " not in name else "localhost"


def server_answer(answer: object) -> str:
    """A server's reply text, decoded, made safe to show and short."""
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    return clip(clean(" ".join(text.split())), 200)


def connection_error(exc: BaseException, server: Server) -> MailError:
    """Why ``server`` cannot be reached or used, as one line in both languages."""
    where = server.address
    kind = (
        Text("发信服务器", "the SMTP server")
        if server.protocol == "smtp"
        else Text("收信服务器", "the IMAP server")
    )
    if isinstance(exc, socket.gaierror):
        return MailError(
            Text(
                f"找不到{kind.zh} {server.host}（名字写错了，或这台电脑连不上它所在的网络）",
                f"{kind.en} {server.host} cannot be found (a typo, or this computer is not on "
                "its network)",
            )
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailError(
            Text(
                f"{kind.zh} {where} 拒绝连接（端口不对，或服务没有开）",
                f"{kind.en} {where} refused the connection (wrong port, or no service there)",
            )
        )
    if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in str(exc):
        return MailError(
            Text(
                f"{kind.zh} {where} 在 {server.timeout:.0f} 秒内没有回应（网络不通，或被防火墙挡住）",
                f"{kind.en} {where} did not answer within {server.timeout:.0f} s "
                "(no route, or a firewall)",
            )
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or exc.reason or "verify failed"
        return MailError(
            Text(
                f"无法验证{kind.zh} {where} 的证书（{reason}）；如果服务器用的是单位自建的证书，"
                "请在 mail/设置.toml 的 ca_file 填写该证书文件（或用 --ca-file）",
                f"the certificate of {kind.en} {where} cannot be verified ({reason}); if the "
                "server uses a certificate of the office's own, give it as ca_file in "
                "mail/设置.toml (or --ca-file)",
            )
        )
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or exc.__class__.__name__
        return MailError(
            Text(
                f"与{kind.zh} {where} 建立加密连接失败（{reason}）；请检查加密方式"
                "（ssl / starttls / none）与端口是否对应",
                f"the TLS handshake with {kind.en} {where} failed ({reason}); check that "
                "the security (ssl / starttls / none) matches the port",
            )
        )
    if isinstance(exc, ConnectionError | EOFError | smtplib.SMTPServerDisconnected):
        return MailError(
            Text(
                f"{kind.zh} {where} 断开了连接",
                f"{kind.en} {where} closed the connection",
            )
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or exc.__class__.__name__
        return MailError(
            Text(
                f"无法连接{kind.zh} {where}（{reason}）",
                f"cannot reach {kind.en} {where} ({reason})",
            )
        )
    reason = server_answer(exc)
    return MailError(
        Text(f"{kind.zh} {where} 出错：{reason}", f"{kind.en} {where} failed: {reason}")
    )


def login_refused(server: Server, answer: object) -> MailError:
    """A wrong user name or password."""
    said = server_answer(answer)
    return MailError(
        Text(
            f"{server.address} 不接受用户名 {server.user} 和这个密码（服务器回答：{said}）",
            f"{server.address} refused the user {server.user} with this password "
            f"(the server said: {said})",
        )
    )


def plain_login_refused(server: Server) -> MailError:
    """A login asked for over a connection that is not encrypted."""
    return MailError(
        Text(
            f"为保护密码，不在未加密的连接上登录 {server.address}：请把 security 设为 ssl 或 "
            "starttls（命令行 --ssl 或 --starttls），或者不填 user，不登录",
            f"a password is never sent over an unencrypted connection to {server.address}: "
            "use security ssl or starttls (--ssl or --starttls), or no user",
        )
    )
