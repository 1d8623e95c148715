"""CSV files as Excel and WPS save them on Chinese Windows: UTF-8 (with or without BOM), UTF-16
with BOM or GBK; and the one-line message for a file that is not a CSV at all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import UsageError
from ..text import Text


def decode_csv(path: Path, raw: bytes) -> str:
    """The text of a CSV file's bytes; a workbook or other binary file is a usage error (a
    clerk's 名单.xlsx is the likely mistake, and the csv module would only say 'new-line
    character seen in unquoted field')."""
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UsageError(
            Text(
                f"{path}：这是 Excel 工作簿，不是 CSV；请在 Excel 中“另存为”CSV UTF-8（逗号分隔）",
                f"{path}: this is an Excel workbook, not a CSV; save it as CSV UTF-8 first",
            )
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")  # GBK's superset; never fails


def not_csv(path: Path, detail: str = "") -> UsageError:
    """A file the csv reader cannot take: named, with the reader's reason if it gave one."""
    more = f"（{detail}）" if detail else ""
    more_en = f" ({detail})" if detail else ""
    return UsageError(
        Text(
            f"{path}：不是可读的 CSV 文件{more}；请在 Excel 中“另存为”CSV UTF-8（逗号分隔）",
            f"{path}: not a readable CSV file{more_en}; save it as CSV UTF-8 first",
        )
    )


def read_csv_text(path: Path) -> str:
    """A CSV file's text (see :func:`decode_csv`); an unreadable file is a usage error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            Text(f"{path}：无法读取文件（{exc.strerror}）", f"{path}: cannot read ({exc.strerror})")
        ) from None
    return decode_csv(path, raw)


def csv_rows(path: Path, text: str, delimiter: str = ",") -> list[list[str]]:
    """Every row of a CSV text, or a usage error naming ``path`` (never the csv module's own)."""
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise not_csv(path, str(exc)[:80]) from None
