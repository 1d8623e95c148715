"""The inputs of `collect` as arrivals: files, folders (recursively), saved e-mails, archives.

A folder is searched for workbooks, .eml and .zip files (Office lock files ``~$…``, hidden
files and Thumbs.db are passed over silently; anything else is named as not taken). Everything
given that holds no return becomes one :class:`~.arrival.Skipped` line; nothing raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..read.guard import SUFFIXES
from ..text import Text
from .archive import UNSUPPORTED, not_a_workbook, unpack, unsupported
from .arrival import Arrival, Skipped
from .eml import read_mail

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
