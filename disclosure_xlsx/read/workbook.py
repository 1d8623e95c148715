"""One returned workbook, read: guard -> grids -> locate -> values.

Both validation (which turns a failure into a finding) and :func:`read_values` (which raises)
walk this one path, so they can never read a file differently.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UnreadableError
from ..numbers import plain_number
from ..text import Text
from .grid import read_grids
from .guard import check_file
from .locate import locate
from .values import ReturnValues, read_location


def read_return(path: Path, year: str | None = None) -> ReturnValues:
    """Read the statistics table of one workbook.

    Raises :class:`~..errors.UnreadableError` for a file that is not a readable workbook and
    :class:`~..errors.NotThisTable` when no sheet holds a known table.
    """
    check = check_file(path)
    grids = read_grids(check)
    if not any(g.cells for g in grids):
        raise UnreadableError(
            Text("工作簿是空的（没有任何内容）", "the workbook is empty (no content at all)")
        )
    values = read_location(locate(grids, year))
    return (
        replace(values, wrong_extension=check.wrong_extension) if check.wrong_extension else values
    )


@dataclass(frozen=True)
class TableValues:
    """Every data item of one returned table: its number, or None where the cell is blank."""

    path: str
    year: str
    unit_name: str | None
    values: dict[str, int | float | None]
    unreadable: dict[str, object]  # item id -> raw cell that is not a number
    missing: tuple[str, ...]  # items not found in the sheet


def read_values(path: str | Path, year: str | None = None) -> TableValues:
    """The table's numbers by item id; raises when there is no table to read.

    Numbers and numbers stored as text give their number (元 in a 万元 cell as 万元), blanks
    give None, and anything else is left out and listed in ``unreadable``, so a caller never
    mistakes an unreadable cell for 0.
    """
    path = Path(path)
    read = read_return(path, year)
    values: dict[str, int | float | None] = {}
    unreadable: dict[str, object] = {}
    for item in read.spec.data_items():
        cell = read.cells.get(item.id)
        if cell is None:
            continue
        if cell.value.is_blank:
            values[item.id] = None
        elif cell.number is None:
            unreadable[item.id] = cell.value.raw
        else:
            values[item.id] = plain_number(cell.number)
    return TableValues(
        str(path),
        read.spec.year,
        read.unit_name,
        values,
        unreadable,
        tuple(i.id for i in read.missing),
    )
