"""How our sheets print: a legible size, rows tall enough for their text, sections kept whole.

"Fit to one page wide" shrinks a wide sheet until it is unreadable (the 2021 table's 15 columns
came out at 6 pt). Instead the scale is computed here from the column widths and kept at or
above :data:`MIN_POINTS`; rows that wrap get the height their text needs (Excel and LibreOffice
do not grow a row for wrapped text on their own when printing a file they did not lay out);
and a manual page break goes before a section (a part of the report, a numbered heading) that
would not fit on the rest of the page, so a heading never sits alone at the foot of a page.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

#: Printed text is never smaller than this.
MIN_POINTS = 9.0
FONT_POINTS = 11.0  # openpyxl's default font (Calibri 11)
LINE_POINTS = 15.0  # a row of one line of 11 pt text
INCH_CM = 2.54
PIXELS_PER_CHAR = 9.5
#: A4 in cm, and margins in inches (as the page setup stores them).
A4 = (21.0, 29.7)
SIDE_MARGIN = 0.4
TOP_MARGIN = 0.4


def column_pixels(width: float) -> float:
    """A column width (characters of the default font) in pixels at 96 dpi, as LibreOffice
    prints it (measured: about 9.5 px a character; Excel's 7 px is narrower, so a scale that
    fits LibreOffice's page fits Excel's too)."""
    return width * PIXELS_PER_CHAR


def text_width(text: str) -> int:
    """Display width in character cells: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines(text: object, width: float, indent: int = 0) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide."""
    if text is None or text == "":
        return 1
    room = max(width - 1 - indent, 4)
    return sum(max(1, math.ceil(text_width(part) / room)) for part in str(text).split("\n"))


def scale(widths: Iterable[float], orientation: str) -> int:
    """The print scale (percent) that fits the columns on the page's width, but never so small
    that text prints below MIN_POINTS (then the sheet is printed wider than one page)."""
    paper = A4[1] if orientation == "landscape" else A4[0]
    printable = (paper - 2 * SIDE_MARGIN * INCH_CM) / INCH_CM * 96
    fit = printable / sum(column_pixels(w) for w in widths)
    floor = MIN_POINTS / FONT_POINTS
    return int(min(1.0, max(fit, floor)) * 100)


def set_up(ws: Worksheet, widths: Sequence[float], orientation: str) -> int:
    """A4 in ``orientation`` at a legible scale, centred; returns the scale."""
    percent = scale(widths, orientation)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    # NOTE: an explicit scale, not "fit to page": fitting ignores manual page breaks, and the
    # widths are measured as the widest renderer draws them, so nothing spills sideways.
    ws.page_setup.scale = percent
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = ws.page_margins.bottom = TOP_MARGIN
    return percent


def row_height(ws: Worksheet, row: int) -> float:
    """A row's printed height in points (hidden rows print nothing)."""
    dims = ws.row_dimensions[row]
    if dims.hidden:
        return 0.0
    return LINE_POINTS if dims.height is None else float(dims.height)


def keep_sections(
    ws: Worksheet,
    sections: Sequence[tuple[int, int]],
    percent: int,
    orientation: str,
    repeated: float = 0.0,
) -> list[int]:
    """Manual page breaks so that each section (first row, last row) starts on a page where it
    fits whole, where it fits on a page at all; ``repeated`` is the height of the rows printed
    on top of every page. Returns the rows that start a new page."""
    paper = A4[0] if orientation == "landscape" else A4[1]
    page = (paper - 2 * TOP_MARGIN * INCH_CM) / INCH_CM * 72 / (percent / 100) - repeated
    page *= 0.95  # head room for the renderers' rounding of row heights
    breaks: list[int] = []
    used = sum(row_height(ws, r) for r in range(1, sections[0][0])) if sections else 0.0
    for first, last in sections:
        height = sum(row_height(ws, r) for r in range(first, last + 1))
        if used + height > page and used > 0:
            breaks.append(first)
            used = 0.0
        used += height
        while used > page:  # a section taller than a page breaks inside, where the page ends
            used -= page
    for row in breaks:
        ws.row_breaks.append(Break(id=row - 1))
    return breaks


__all__ = ["RowBreak", "keep_sections", "lines", "scale", "set_up", "text_width"]
