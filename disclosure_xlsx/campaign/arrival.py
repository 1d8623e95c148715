"""What `collect` takes in: a file that arrived (on disk, or bytes out of a mail or an
archive), or something that could not be taken, with the reason in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..text import Text

#: Separates a container from what was found in it: "mail.eml › 商务局.xlsx".
INSIDE = " › "


@dataclass(frozen=True)
class Arrival:
    """One returned file: its name as sent, where it came from, and its content."""

    name: str
    source: str
    path: Path | None = None
    data: bytes | None = None
    sender: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class Skipped:
    """An input that holds no return (not a workbook, a mail without attachments, ...)."""

    source: str
    reason: Text
