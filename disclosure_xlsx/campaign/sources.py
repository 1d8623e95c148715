"""The inputs of `collect` as arrivals: files, folders (recursively), saved e-mails, archives.

A folder is searched for workbooks, .eml and .zip files (Office lock files ``~$…``, hidden
files and Thumbs.db are passed over silently; anything else is named as not taken). Everything
given that holds no return becomes one :class:`~.arrival.Skipped` line; nothing raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..read.guard import SUFFIXES
from ..text import Text
from .archive import UNSUPPORTED, not_a_workbook, unpack, unsupported
from .arrival import INSIDE, Arrival, Skipped
from .eml import read_mail, read_mail_bytes

_QUIET = ("thumbs.db", "desktop.ini", ".ds_store")


def arrivals(
    paths: Iterable[str | Path],
    sender: str | None = None,
    received_at: datetime | None = None,
) -> Iterator[Arrival | Skipped]:
    """Every return in ``paths``, in the order given (a folder's files sorted by path).

    ``sender`` and ``received_at`` apply to files given directly (a mail's own sender and
    date win for its attachments)."""
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith(("~$", ".")) or child.name.lower() in _QUIET:
                    continue
                yield from _file(child, sender, received_at)
        elif path.exists():
            yield from _file(path, sender, received_at)
        else:
            yield Skipped(str(path), Text("文件不存在", "no such file"))


def _file(
    path: Path, sender: str | None, received_at: datetime | None
) -> Iterator[Arrival | Skipped]:
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        yield Arrival(path.name, str(path), path=path, sender=sender, received_at=received_at)
    elif suffix == ".eml":
        for item in read_mail(path):
            if isinstance(item, Arrival):
                item = replace(
                    item,
                    sender=item.sender or sender,
                    received_at=item.received_at or received_at,
                )
            yield item
    elif suffix == ".zip":
        yield from unpack(path, str(path), sender, received_at)
    elif suffix in UNSUPPORTED:
        yield unsupported(str(path))
    else:
        yield Skipped(str(path), not_a_workbook())


#: The source of an uploaded file: "web › 商务局.xlsx".
UPLOAD = "web"
_NAME_NOISE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def upload_name(name: str) -> str:
    """The name of an uploaded file as data: its last path part (either slash), without
    control and text-direction characters, at most 120 characters. Never used as a path: the
    stored copy is named by :func:`~.collect.store_content`."""
    base = _NAME_NOISE.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if len(base) > 120:
        suffix = PurePosixPath(base).suffix[:10]
        base = base[: 120 - len(suffix)] + suffix
    return base if base.strip(".") else "upload"


def uploaded(
    name: str, data: bytes, sender: str | None = None, received_at: datetime | None = None
) -> Iterator[Arrival | Skipped]:
    """An uploaded file (its name and bytes) as arrivals: a workbook, or the workbooks of a
    saved e-mail or a .zip, exactly as :func:`arrivals` takes the same file from disk."""
    name = upload_name(name)
    source = f"{UPLOAD}{INSIDE}{name}"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in SUFFIXES:
        yield Arrival(name, source, data=data, sender=sender, received_at=received_at)
    elif suffix == ".eml":
        for item in read_mail_bytes(data, source):
            if isinstance(item, Arrival):
                item = replace(
                    item,
                    sender=item.sender or sender,
                    received_at=item.received_at or received_at,
                )
            yield item
    elif suffix == ".zip":
        yield from unpack(data, source, sender, received_at)
    elif suffix in UNSUPPORTED:
        yield unsupported(source)
    else:
        yield Skipped(source, not_a_workbook())
