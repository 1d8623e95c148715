"""CSV files as Excel and WPS save them on Chinese Windows: UTF-8 (with or without BOM) or GBK."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..text import Text


def read_csv_text(path: Path) -> str:
    """A CSV file's text as Excel and WPS save it on Chinese Windows: UTF-8 (with BOM) or GBK."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            Text(f"{path}：无法读取文件（{exc.strerror}）", f"{path}: cannot read ({exc.strerror})")
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")  # GBK's superset; never fails
