"""User-facing words in Chinese (default) and English, kept in one table."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

_TEXT: dict[str, tuple[str, str]] = {
    "heading": ("标题行", "heading"),
    "count": ("非负整数", "non-negative integer"),
    "decimal": ("非负数", "non-negative number"),
    "error": ("错误", "error"),
    "warning": ("提示", "warning"),
}


def t(key: str | None, lang: Lang = "zh", **fields: object) -> str:
    """The text for ``key`` in ``lang``; unknown keys come back unchanged."""
    if key is None:
        return ""
    zh, en = _TEXT.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text
