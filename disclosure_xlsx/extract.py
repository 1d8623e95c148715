"""Read the numbers out of a returned workbook, by item id (for aggregation and round trips).

The same path as validation (guard -> grid -> locate), then each value cell classified:
numbers and numbers-as-text give their number, blanks give None, anything else is left out
and listed, so a caller never mistakes an unreadable cell for 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableError
from .grid import read_grids
from .guard import check_file
from .locate import NotThisTable, locate
from .values import classify, entered_in_yuan, plain_number, reading_units


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
    """The table's numbers by item id; raises UnreadableError when there is no table to read."""
    path = Path(path)
    grids = read_grids(check_file(path))
    try:
        location = locate(grids, year)
    except NotThisTable as exc:
        raise UnreadableError(f"{path}：{exc}") from None
    spec = location.spec
    units = reading_units(spec.units)
    values: dict[str, int | float | None] = {}
    unreadable: dict[str, object] = {}
    missing = []
    for item in spec.data_items():
        p = location.placements.get(item.id)
        if p is None:
            missing.append(item.id)
            continue
        cell = classify(location.grid.get(p.row, p.value_col), units)
        if cell.is_blank:
            values[item.id] = None
        elif cell.number is None:
            unreadable[item.id] = cell.raw
        elif entered_in_yuan(cell, item.unit):
            values[item.id] = plain_number(cell.number / 10000)  # as validation reads it
        else:
            values[item.id] = plain_number(cell.number)
    return TableValues(str(path), spec.year, location.unit_name, values, unreadable, tuple(missing))
