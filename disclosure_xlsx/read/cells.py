"""Classify a raw cell: blank, number, number stored as text, or not a number.

Real returns hold '\\u300044', '44条', '４４', '1,234', ' 12 ', '无', '—' and '/': these are read
as numbers but flagged, so the clerk knows the cell needs cleaning. '见附件', '约10', '10-12'
are not numbers, and neither are NaN, infinities or numbers beyond what a count can be. The
raw value is always kept for the report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import lru_cache
from typing import Literal, NamedTuple

from ..spec.labels import normalize_text

ValueKind = Literal[
    "empty", "whitespace", "number", "text-number", "not-a-number", "formula-no-value"
]

#: Text that departments write for "nothing happened"; read as 0.
ZERO_WORDS = frozenset(
    {"无", "没有", "—", "－", "-", "--", "——", "/", "／", "\\", "空", "暂无", "nil", "n/a", "na"}
)
#: A unit typed after a number in a 万元 cell that means the amount was entered in 元.
YUAN = "元"
#: Larger magnitudes are not a count or an amount anyone reports (and lose integer precision).
MAX_MAGNITUDE = 1e15
_NUMBER = re.compile(r"^[+-]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})$")


class CellValue(NamedTuple):
    """A cell as read: its kind, the number it stands for (if any), and the raw value.

    A NamedTuple rather than a frozen dataclass: one is made for every cell of every return,
    and a frozen dataclass takes four times as long to build.
    """

    kind: ValueKind
    number: float | None
    raw: object
    unit_suffix: str | None = None  # a unit typed after the number: '44条', '251000元'

    @property
    def is_blank(self) -> bool:
        return self.kind in ("empty", "whitespace")


def _finite(value: float) -> bool:
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def classify(raw: object, units: frozenset[str] = frozenset()) -> CellValue:
    """Read one value cell; ``units`` are unit words a number may be followed by."""
    # NOTE: a float first: calamine reads every number as one, and nearly every value cell of
    # a return holds a number. The general path below gives the same answer, more slowly.
    if type(raw) is float:
        if _finite(raw):
            return CellValue("number", raw, raw)
        return CellValue("not-a-number", None, raw)
    if raw is None or raw == "":
        return CellValue("empty", None, raw)
    if isinstance(raw, (bool, date, datetime, time)):
        return CellValue("not-a-number", None, raw)
    if isinstance(raw, int):
        if abs(raw) > MAX_MAGNITUDE:
            return CellValue("not-a-number", None, raw)
        return CellValue("number", float(raw), raw)
    if isinstance(raw, float):
        if not _finite(raw):
            return CellValue("not-a-number", None, raw)
        return CellValue("number", raw, raw)
    text = normalize_text(str(raw))
    if not text:
        return CellValue("whitespace", None, raw)
    if text.lower() in ZERO_WORDS:
        return CellValue("text-number", 0.0, raw)
    suffix = None
    for unit in _longest_first(units):
        if text.endswith(unit) and len(text) > len(unit):
            text, suffix = text[: -len(unit)], unit
            break
    text = text.replace(",", "")
    if _NUMBER.match(text):
        number = float(text)
        if _finite(number):
            return CellValue("text-number", number, raw, suffix)
    return CellValue("not-a-number", None, raw)


@lru_cache(maxsize=64)
def _longest_first(units: frozenset[str]) -> tuple[str, ...]:
    """Units to strip, longest first, so '万元' is tried before '元'; sorted once per set."""
    return tuple(sorted(units, key=len, reverse=True))


def reading_units(spec_units: Iterable[str]) -> frozenset[str]:
    """The unit words a value cell may carry after its number: the spec's units, and 元."""
    return frozenset(spec_units) | {YUAN}


def entered_in_yuan(cell: CellValue, unit: str | None) -> bool:
    """A 万元 item whose cell says '251000元': the number must be divided by 10000."""
    return unit == "万元" and cell.unit_suffix == YUAN
