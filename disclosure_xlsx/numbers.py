"""How numbers and cell contents are shown in reports: 44 not 44.0, spaces made visible, and
text from files made harmless to show (:func:`clean`) and short (:func:`clip`).

Every renderer (console, HTML, annotated copies) shows file text through these; the JSON report
keeps the text whole and as found.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

#: Longest cell text shown in a report before it is cut with "…" (the JSON keeps it whole).
SHOWN_CHARS = 200
#: Longest message shown: a message quoting a long cell is cut where the cell text is, and
#: anything longer still is cut here.
SHOWN_MESSAGE_CHARS = 1000

# C0 controls but tab and newline, and DEL: shown as their symbols (ESC as ␛), so a terminal
# never acts on them (clearing the screen, hyperlinks) and a clerk sees they are there.
_C0 = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# C1 controls (a terminal may read 0x9b as ESC [) and the characters that reverse the order in
# which text is shown (a name reading "局.xlsx" stored as "xslx.局"): removed.
_HIDDEN = re.compile(r"[\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _symbol(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def clean(text: str) -> str:
    """File text safe to print or put in a page: control characters shown as symbols (␛),
    C1 controls and text-direction overrides removed; tab and newline kept."""
    return _HIDDEN.sub("", _C0.sub(_symbol, text))


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with "…" where it was cut."""
    return text if len(text) <= limit else text[:limit] + "…"


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
