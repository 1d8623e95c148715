"""Shared formulas: one formula text for a column of cells that differ only by their row.

The template's hidden helper cells (see :mod:`.formulas`) repeat the same long formula down
each value column; written out cell by cell they were four fifths of the sheet's XML, which
every reader (and every department's mail box) then carried. OOXML lets a run of such cells
share one text (``<f t="shared" ref="G6:G91" si="0">…</f>`` on the first, ``<f t="shared"
si="0"/>`` on the others), which Excel, WPS and LibreOffice write themselves and read back as
the same formulas. openpyxl cannot write them, so the writer plans the runs and this module
rewrites the saved sheet XML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..spec.layout import a1, col_letter


@dataclass(frozen=True)
class Run:
    """Cells of one column, consecutive rows, whose formulas are the first one's, moved down."""

    col: int
    first: int
    last: int


def runs(cells: Iterable[tuple[int, int, object]]) -> list[Run]:
    """Group (row, col, shape) into runs: same column, consecutive rows, same shape (a key
    that is equal exactly when the formulas differ only by the row of relative references)."""
    out: list[Run] = []
    previous: tuple[int, int, object] | None = None
    for row, col, shape in sorted(cells, key=lambda c: (c[1], c[0])):
        if previous is not None and (col, shape) == previous[1:] and row == previous[0] + 1:
            last = out[-1]
            out[-1] = Run(last.col, last.first, row)
        else:
            out.append(Run(col, row, row))
        previous = (row, col, shape)
    return [r for r in out if r.last > r.first]


_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)><f>([^<]*)</f>')


def share(xml: bytes, planned: list[Run]) -> bytes:
    """The sheet XML with each planned run written as one shared formula."""
    role: dict[bytes, tuple[int, Run | None]] = {}
    for si, run in enumerate(planned):
        role[a1(run.first, run.col).encode()] = (si, run)
        for row in range(run.first + 1, run.last + 1):
            role[a1(row, run.col).encode()] = (si, None)

    def rewrite(match: re.Match[bytes]) -> bytes:
        ref, attrs, text = match.group(1), match.group(2), match.group(3)
        if ref not in role:
            return match.group(0)
        si, run = role[ref]
        if run is None:
            return b'<c r="%s"%s><f t="shared" si="%d"/>' % (ref, attrs, si)
        span = f"{a1(run.first, run.col)}:{col_letter(run.col)}{run.last}".encode()
        return b'<c r="%s"%s><f t="shared" ref="%s" si="%d">%s</f>' % (ref, attrs, span, si, text)

    return _CELL.sub(rewrite, xml)
