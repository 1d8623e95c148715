"""Spreadsheet formulas that read a value cell exactly as the Python reader does.

The template's live checks must say what `validate` says. Excel's SUM skips text and a
comparison with text gives #VALUE!, while the reader takes '4件', '　44', '４４', '1,234' and '无'
as numbers (see :mod:`..read.cells`). So every value cell gets three hidden helper cells:

1. the cell's text cleaned as ``normalize_text`` does (full-width to half-width, every kind of
   space removed), or the cell's number itself (a date is not a number);
2. that text without a trailing unit word and without thousands separators;
3. the number the reader sees: 0 for a blank or a word for nothing (无, —, /), the parsed
   number (元 in a 万元 cell divided by 10000), or "" for anything that is not a number.

The rules' live checks read the third helper, and are silent while one of their cells holds no
number (as the Python checks skip such a rule). Only IF, AND, OR, ISNUMBER, CELL, ASC, CHAR,
SUBSTITUTE, LEFT, RIGHT, MID, LEN, LOWER, VALUE and IFERROR are used: Excel, WPS and
LibreOffice all compute them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..read.cells import YUAN, ZERO_WORDS

#: Characters ``normalize_text`` removes that NFKC (ASC) leaves: whitespace of every kind.
_SPACES = (
    '" "',
    '"\u3000"',  # the characters themselves: UNICHAR is not in every office suite's file format
    '"\u00a0"',
    "CHAR(9)",
    "CHAR(10)",
    "CHAR(13)",
    '"\u200b"',
    '"\u200c"',
    '"\u200d"',
    '"\u2060"',
    '"\ufeff"',
)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def cleaned(cell: str) -> str:
    """Helper 1: the cell's number, or its text cleaned of spaces and full-width forms."""
    text = f'ASC({cell}&"")'
    for space in _SPACES:
        text = f'SUBSTITUTE({text},{space},"")'
    return f'IF(ISNUMBER({cell}),IF(LEFT(CELL("format",{cell}),1)="D","#date",{cell}),{text})'


def stripped(h1: str, units: Iterable[str]) -> str:
    """Helper 2: helper 1 without a trailing unit word (longest first) and without commas."""
    text = h1
    for unit in sorted(units, key=lambda u: (len(u), u)):  # the last wrapped is tested first
        n = len(unit)
        text = (
            f"IF(AND(LEN({h1})>{n},RIGHT({h1},{n})={_quote(unit)}),LEFT({h1},LEN({h1})-{n}),{text})"
        )
    return f'IF(ISNUMBER({h1}),{h1},SUBSTITUTE({text},",",""))'


def number(h1: str, h2: str, in_wan_yuan: bool) -> str:
    """Helper 3: the number the reader sees, or "" when the cell holds no number."""
    zero = ",".join(f"LOWER({h1})={_quote(w)}" for w in sorted(ZERO_WORDS))
    rest = f'IF(OR(LEFT({h2},1)="+",LEFT({h2},1)="-"),MID({h2},2,99),{h2})'
    digits = rest
    for d in "0123456789":
        digits = f'SUBSTITUTE({digits},"{d}","")'
    well_formed = f'AND(OR({digits}="",{digits}="."),LEN({rest})>LEN({digits}))'
    value = f"VALUE({h2})"
    if in_wan_yuan:
        yuan = f'AND(RIGHT({h1},1)="{YUAN}",NOT(RIGHT({h1},2)="万{YUAN}"),LEN({h1})>1)'
        value = f"IF({yuan},{value}/10000,{value})"
    return (
        f'IF(ISNUMBER({h2}),{h2},IF({h1}="",0,IF(OR({zero}),0,'
        f'IF({well_formed},IFERROR({value},""),""))))'
    )


def yuan_suffix(h1: str) -> str:
    """TRUE where the cell says '251000元' (read as 元 in a 万元 cell)."""
    return f'AND(NOT(ISNUMBER({h1})),RIGHT({h1},1)="{YUAN}",NOT(RIGHT({h1},2)="万{YUAN}"))'
