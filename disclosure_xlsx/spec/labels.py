"""The one place where label text is normalised for comparison.

Departments retype, paste and renumber the table's labels: full-width letters and digits,
full-width and non-breaking spaces, line breaks inside a cell, '1、' for '1.'. Every module
that compares a label with the spec (the locator, fill, the spec's own indexes) goes through
these functions, so they cannot disagree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# After NFKC, full-width and non-breaking spaces are plain spaces; zero-width ones are not.
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_NUMBERING = re.compile(r"^(\d+)[、.．,，]")
_PREFIX = re.compile(
    r"^(其中[:：])?\s*([（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])?"
)
_REMARK = re.compile(r"[（(][^（）()]*[)）]$")


@lru_cache(maxsize=16384)
def normalize_text(text: str) -> str:
    """Full-width to half-width (NFKC) with every kind of space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=16384)
def norm_label(text: str) -> str:
    """Label text for comparison: no spaces, half-width, '1、' written as '1.'."""
    return _NUMBERING.sub(r"\1.", normalize_text(text)).rstrip(":")


@lru_cache(maxsize=16384)
def unit_key(name: str) -> str:
    """A department name for telling departments apart: full/half width, spaces, case and
    invisible (format) characters ignored, so '区民政局', '区 民政局' and '区民政局\u200b' are one."""
    text = normalize_text(name)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").casefold()


@lru_cache(maxsize=16384)
def short_label(label: str) -> str:
    """Strip '（一）', '1.', '一、', '其中：' prefixes and a trailing remark in brackets.

    Cached like the normalisers: a rule's message names its items by short label."""
    text = _PREFIX.sub("", label, count=1)
    while True:
        shorter = _REMARK.sub("", text)
        if shorter == text or not shorter:
            return text
        text = shorter
