"""What a binary Excel workbook (.xls, WPS .et/.ett) really holds: each sheet's cell extent.

python-calamine reserves rows x columns from a sheet's DIMENSIONS record and allocates the
extent of its cells, so a damaged or hostile .xls can make it abort the process. The BIFF
records of the workbook stream are walked once (a few milliseconds) to find both; nothing is
decoded beyond the row and column fields.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from ..text import Text
from .ooxml import MAX_CELLS, too_many_cells

_BOF, _EOF, _DIMENSIONS = 0x0809, 0x000A, 0x0200
#: Records that start with (row, column) of one cell.
_CELL = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x0201, 0x00D6})
_MULTI = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first column ... last column


@dataclass(frozen=True)
class BiffSheet:
    """One sheet's cell count, cell extent and declared (DIMENSIONS) area."""

    cells: int
    area: int
    declared: int


def scan_biff(stream: bytes) -> list[BiffSheet]:
    """Every substream that holds cells or a DIMENSIONS record (worksheets), in order."""
    sheets: list[BiffSheet] = []
    stack: list[list[Any]] = []  # per open BOF: [cells, declared, extent]
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rtype, size = struct.unpack_from("<HH", stream, pos)
        data = stream[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if rtype == _BOF:
            stack.append([0, 0, None])
            continue
        if not stack:
            continue
        top = stack[-1]
        if rtype == _EOF:
            stack.pop()
            if top[0] or top[1]:
                sheets.append(BiffSheet(top[0], _area(top[2]), top[1]))
        elif rtype == _DIMENSIONS:
            top[1] = _declared(data)
        elif rtype in _CELL and len(data) >= 4:
            row, col = struct.unpack_from("<HH", data)
            top[2], top[0] = _add(top[2], row, col, col), top[0] + 1
        elif rtype in _MULTI and len(data) >= 6:
            row, first = struct.unpack_from("<HH", data)
            (last,) = struct.unpack_from("<H", data, len(data) - 2)
            top[2] = _add(top[2], row, first, max(first, last))
            top[0] += max(last - first, 0) + 1
        if top[0] > MAX_CELLS:
            raise too_many_cells(Text("工作表", "a sheet"), MAX_CELLS)
    sheets.extend(BiffSheet(t[0], _area(t[2]), t[1]) for t in stack if t[0] or t[1])
    return sheets


def _add(extent: list[int] | None, row: int, c0: int, c1: int) -> list[int]:
    if extent is None:
        return [row, row, c0, c1]
    return [min(extent[0], row), max(extent[1], row), min(extent[2], c0), max(extent[3], c1)]


def _area(extent: list[int] | None) -> int:
    return 0 if extent is None else (extent[1] - extent[0] + 1) * (extent[3] - extent[2] + 1)


def _declared(data: bytes) -> int:
    if len(data) >= 14:  # BIFF8: first row, last row + 1 (32 bit), first col, last col + 1
        r0, r1, c0, c1 = struct.unpack_from("<IIHH", data)
    elif len(data) >= 8:  # BIFF5
        r0, r1, c0, c1 = struct.unpack_from("<HHHH", data)
    else:
        return 0
    return int(max(r1 - r0, 0) * max(c1 - c0, 0))
