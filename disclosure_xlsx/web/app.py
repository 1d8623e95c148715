"""The application: routes of both kinds of page, our two static files, the middleware, and
error pages that say as little as they must (404 for anything not found or not allowed)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..campaign import Campaign
from ..campaign.tokens import session_secret
from . import clerk, department
from .jobs import Flashes, PageError
from .security import (
    MAX_REQUEST_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_FILES,
    SESSION_SECONDS,
    SecurityHeaders,
    Throttle,
)
from .views import HERE, lang_of, render

#: The only files served as they are: ours, from the package, by exact name.
STATIC = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
ERRORS = {400: "web.error.400", 403: "web.error.403", 404: "web.error.404", 413: "web.error.413"}


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise PageError(404)
    return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name])


async def error_page(request: Request, exc: Exception) -> Response:
    """Our page for a refused request; an unknown method is answered like an unknown page."""
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    if code == 405:
        code = 404
    key = ERRORS.get(code, "web.error.400")
    text = exc.text if isinstance(exc, PageError) and exc.text is not None else None
    lang = lang_of(request)
    return render(
        request,
        "error.html",
        {
            "message": key,
            "detail": text(lang) if text else None,
            "mb": MAX_UPLOAD_BYTES // 1024 // 1024,
            "files": MAX_UPLOAD_FILES,
            "total_mb": MAX_REQUEST_BYTES // 1024 // 1024,
        },
        code,
    )


def create_app(folder: str | Path, *, allowed_hosts: Iterable[str] | None = None) -> Starlette:
    """The web application of the round in ``folder`` (checked now: not a round raises).

    ``allowed_hosts``: the Host names the server answers to (guards against DNS rebinding);
    None for any.
    """
    folder = Path(folder)
    with Campaign.open(folder):
        pass
    app = Starlette(
        routes=[
            *clerk.routes,
            *department.routes,
            Route("/static/{name:str}", static, methods=["GET"]),
        ],
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts or ["*"])),
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(folder),
                session_cookie="dx_session",
                max_age=SESSION_SECONDS,
                same_site="lax",
            ),
        ],
        exception_handlers={HTTPException: error_page},
    )
    app.state.folder = folder
    app.state.flashes = Flashes()
    app.state.throttle = Throttle()
    return app
