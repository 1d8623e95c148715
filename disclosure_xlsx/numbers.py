"""How numbers and cell contents are shown in reports: 44 not 44.0, spaces made visible."""

from __future__ import annotations

import math
from datetime import date, datetime, time


def plain_number(value: float) -> int | float:
    """44.0 -> 44; other floats rounded to 6 places, so reports show what a clerk typed."""
    if not math.isfinite(value):
        return value
    return int(value) if float(value).is_integer() else round(value, 6)


def visible(raw: object) -> str:
    """Text with full-width and non-breaking spaces shown as □, so 'blank' cells can be seen."""
    return str(raw).replace("\u3000", "□").replace("\u00a0", "□")


def shown(value: object) -> str:
    """A found/expected value as report text: nothing for None, 44 for 44.0, spaces as □."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return visible(value) if isinstance(value, str) else str(value)


def plain(value: object) -> object:
    """A cell value as reports carry it: 44.0 -> 44, other floats rounded to 6 places,
    non-finite numbers and dates as text, so JSON stays strict and shows what a clerk sees."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return plain_number(value) if math.isfinite(value) else str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return str(value)
