"""How numbers and cell contents are shown in reports: 44 not 44.0, spaces made visible."""

from __future__ import annotations

import math


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
