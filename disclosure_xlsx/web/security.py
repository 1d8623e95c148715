"""What keeps the pages safe on an office network: sessions, CSRF, upload limits, headers.

- The clerk signs in with a password (checked against its scrypt hash); the signed session
  cookie (HttpOnly, SameSite=Lax, signed with a key derived from the round's key) then holds
  the password's fingerprint, so a new password ends every session.
- Every form carries the session's CSRF token and every POST is refused (403) without it, or
  when the browser says it comes from another origin.
- Uploads are limited while they stream: the request's total bytes, the number of files, the
  size of each file (a larger file is named as not taken, never read).
- Every response gets a strict Content-Security-Policy (our own script and style only, no
  inline script, no frames, forms only to us), no-sniff, no referrer, no caching.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from typing import Any

from starlette.datastructures import FormData, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Largest file one upload may hold (a return is rarely over 1 MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Most files one upload may hold.
MAX_UPLOAD_FILES = 50
#: Largest request body; counted while it streams in.
MAX_REQUEST_BYTES = 100 * 1024 * 1024
#: Non-file form fields: few and short.
MAX_FIELDS, MAX_FIELD_BYTES = 20, 64 * 1024
#: How long a signed-in session lasts.
SESSION_SECONDS = 12 * 3600
#: Wrong passwords from one client before it must wait.
MAX_FAILURES, FAILURE_WINDOW = 5, 60.0

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: The HTML report (render/html.py) is one self-contained page with an inline stylesheet.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # NOTE: department pages carry their token in the path, so no address goes to other sites;
    # "no-referrer" would also make Chromium send "Origin: null" with our own forms
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: the headers above on every response (a response may bring its own
    Content-Security-Policy, as the HTML report does)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CSP
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, sending)


class TooLarge(HTTPException):
    """The request is over :data:`MAX_REQUEST_BYTES`."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """The posted form, its size counted while it streams (nothing unbounded is held: files
    are spooled to temporary files by the parser, at most ``max_files`` of them)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_REQUEST_BYTES):
        raise TooLarge
    seen = 0
    receive = request.receive

    async def counting() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_REQUEST_BYTES:
                raise TooLarge
        return message

    counted = Request(request.scope, counting)
    return await counted.form(
        max_files=max_files, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES
    )


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    session: dict[str, Any] = request.session
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site (Origin header)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def check_csrf(request: Request, form: FormData) -> None:
    """Refuse (403) a form without the session's token, or posted from another origin."""
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if not (
        isinstance(sent, str)
        and isinstance(expected, str)
        and hmac.compare_digest(sent.encode(), expected.encode())
        and same_origin(request)
    ):
        raise HTTPException(status_code=403)


def check_origin(request: Request) -> None:
    """Refuse (403) a POST another site sent, before reading its body."""
    if not same_origin(request):
        raise HTTPException(status_code=403)


class Throttle:
    """Wrong passwords per client: after :data:`MAX_FAILURES` within :data:`FAILURE_WINDOW`
    seconds, further tries are refused until the window has passed."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        now = time.monotonic()
        times = self.failures.setdefault(client, deque())
        while times and now - times[0] > FAILURE_WINDOW:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        return len(self._recent(client)) >= MAX_FAILURES

    def failed(self, client: str) -> None:
        self._recent(client).append(time.monotonic())
        if len(self.failures) > 10_000:  # NOTE: bounded memory, whatever the clients
            self.failures.clear()

    def passed(self, client: str) -> None:
        self.failures.pop(client, None)
