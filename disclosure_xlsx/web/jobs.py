"""Running library calls for a request: each opens the round in a worker thread (SQLite
connections stay in the thread that made them), checks who is asking, calls, and closes.

A request that is not the clerk's (no valid session) or not a live department link gets 404,
the same answer as an address that does not exist, so nothing tells a guesser what is there.
"""

from __future__ import annotations

import hmac
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..campaign import Campaign, Department
from ..campaign import tokens as links
from ..errors import DisclosureError
from ..text import Text

T = TypeVar("T")
#: Upload results kept for the page the browser is sent to after an upload.
FLASH_KEPT = 500


class PageError(HTTPException):
    """A request we refuse, with the reason in both languages for the error page."""

    def __init__(self, status_code: int, text: Text | None = None) -> None:
        super().__init__(status_code=status_code)
        self.text = text


def not_found() -> PageError:
    return PageError(404)


def folder_of(request: Request) -> Path:
    folder: Path = request.app.state.folder
    return folder


def _call(folder: Path, fn: Callable[[Campaign], T]) -> T:
    try:
        with Campaign.open(folder) as campaign:
            return fn(campaign)
    except DisclosureError as exc:
        raise PageError(400, exc.text) from None


async def round_job(request: Request, fn: Callable[[Campaign], T]) -> T:
    """``fn(campaign)`` in a worker thread, for anyone (the sign-in page)."""
    return await run_in_threadpool(_call, folder_of(request), fn)


def is_clerk(campaign: Campaign, signed: object) -> bool:
    """Whether a session's mark is the current password's fingerprint."""
    fingerprint = links.clerk_fingerprint(campaign)
    return (
        fingerprint is not None
        and isinstance(signed, str)
        and hmac.compare_digest(fingerprint.encode(), signed.encode())
    )


async def clerk_job(request: Request, fn: Callable[[Campaign], T]) -> T:
    """``fn(campaign)`` for the signed-in clerk; 404 for anyone else."""
    signed = request.session.get("clerk")

    def job(campaign: Campaign) -> T:
        if not is_clerk(campaign, signed):
            raise not_found()
        return fn(campaign)

    return await round_job(request, job)


async def department_job(
    request: Request, token: str, fn: Callable[[Campaign, Department], T]
) -> T:
    """``fn(campaign, department)`` for a live department link; 404 for any other token."""

    def job(campaign: Campaign) -> T:
        department = links.verify(campaign, token)
        if department is None:
            raise not_found()
        return fn(campaign, department)

    return await round_job(request, job)


@dataclass(frozen=True)
class Flash:
    """What an upload did, kept for the page shown next (owner: 'clerk' or a department id)."""

    owner: str
    data: Any


class Flashes:
    """The last :data:`FLASH_KEPT` upload results, by a random key (in memory only)."""

    def __init__(self) -> None:
        self.kept: OrderedDict[str, Flash] = OrderedDict()

    def put(self, owner: str, data: Any) -> str:
        key = secrets.token_urlsafe(12)
        self.kept[key] = Flash(owner, data)
        while len(self.kept) > FLASH_KEPT:
            self.kept.popitem(last=False)
        return key

    def get(self, owner: str, key: str | None) -> Any:
        flash = self.kept.get(key or "")
        return flash.data if flash is not None and flash.owner == owner else None
