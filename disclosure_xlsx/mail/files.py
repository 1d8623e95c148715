"""The round's ``mail/`` folder as the e-mail commands read it: the clerk's own files.

The files are made by ``campaign init`` (:mod:`disclosure_xlsx.campaign.mailfiles`); a round
made before they existed gets the missing ones written on first use. A clerk edits them in
Notepad, WPS or anything else, so they are read as UTF-8 (with or without a BOM) or, failing
that, GBK, and with any line ends.
"""

from __future__ import annotations

from pathlib import Path

from ..campaign.mailfiles import mail_folder, write_mail_files
from ..errors import UsageError
from ..text import Text


def ensure_mail_files(folder: Path) -> list[Path]:
    """Write the default files the round's ``mail/`` folder lacks; those written."""
    return write_mail_files(folder)


def read_text_file(path: Path) -> str:
    """A text file the clerk edited: UTF-8 (BOM or not) or GBK, lines ending in '\\n'."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            Text(f"{path}：无法读取（{reason}）", f"{path}: cannot be read ({reason})")
        ) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise UsageError(
            Text(f"{path}：编码无法识别，请存为 UTF-8", f"{path}: unknown encoding; save as UTF-8")
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def mail_file(folder: Path, name: str) -> Path:
    """One of the round's mail files (written with its default text if missing)."""
    path = mail_folder(folder) / name
    if not path.exists():
        ensure_mail_files(folder)
    return path
