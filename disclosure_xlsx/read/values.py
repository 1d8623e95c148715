"""The values step: a located table becomes the numbers every later step works with.

Check, repair, extract, fix and fill all read a return through :class:`ReturnValues`, so a
cell is classified once and the same way everywhere (a '251000元' in a 万元 cell is 25.1 for
the checks and for the district total alike). :meth:`ReturnValues.of` builds one from plain
numbers, so rules can be tested in memory with no workbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple

from ..spec import Item, Spec
from ..spec.layout import Stamp, a1, layout
from ..text import Text
from .cells import CellValue, classify, entered_in_yuan, reading_units
from .locate import Location, Stray


class CellRead(NamedTuple):
    """One item's cell as read from the sheet (a NamedTuple, like CellValue: one per cell)."""

    item: Item
    row: int
    col: int
    value: CellValue
    number: float | None  # what the cell counts as (元 already turned into 万元); None: unknown
    label_text: str = ""
    label_col: int = 0
    unit_raw: object = None
    unit_col: int | None = None
    formula_no_value: bool = False

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)

    @property
    def yuan(self) -> bool:
        """'251000元' typed in a 万元 cell: ``number`` is already divided by 10000."""
        return entered_in_yuan(self.value, self.item.unit)


#: A formula cell whose workbook saved no value for it.
NO_VALUE = CellValue("formula-no-value", None, None)


@dataclass(frozen=True)
class ReturnValues:
    """Every item of one returned table: where it is, what it holds, what it counts as."""

    spec: Spec
    cells: dict[str, CellRead]  # item id -> its cell, for every item found in the sheet
    missing: tuple[Item, ...] = ()  # data items not found
    strays: tuple[Stray, ...] = ()
    notes: tuple[str, ...] = ()  # variant ids the sheet shows
    unit_name: str | None = None
    sheet: str | None = None
    method: Literal["ids", "labels"] | None = None
    stamp: Stamp | None = None
    wrong_extension: Text | None = None  # the guard's note: the content is another format
    numbers: dict[str, float] = field(default_factory=dict, init=False)
    blanks: frozenset[str] = field(default=frozenset(), init=False)
    headings: dict[str, float] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        numbers: dict[str, float] = {}
        blanks: set[str] = set()
        headings: dict[str, float] = {}
        for item_id, read in self.cells.items():
            if not read.item.is_data:
                if read.number is not None:
                    headings[item_id] = read.number
                continue
            if read.value.is_blank and not read.formula_no_value:
                blanks.add(item_id)
                numbers[item_id] = 0.0  # arithmetic runs over blanks, so one finding hides none
            elif read.number is not None:
                numbers[item_id] = read.number
        object.__setattr__(self, "numbers", numbers)
        object.__setattr__(self, "blanks", frozenset(blanks))
        object.__setattr__(self, "headings", headings)

    @cached_property
    def addresses(self) -> dict[str, str]:
        """Item id -> A1 address of its value cell (built once: checks and repair share it)."""
        return {i: r.cell for i, r in self.cells.items()}

    def value(self, item_id: str) -> float | None:
        """The number an item holds; None when blank, not a number or missing."""
        return None if item_id in self.blanks else self.numbers.get(item_id)

    @classmethod
    def of(cls, spec: Spec, data: Mapping[str, object]) -> ReturnValues:
        """An in-memory return laid out as our template: ``data`` maps item ids to raw cell
        values (numbers, text, None for blank); data items not named are 0."""
        sheet = layout(spec)
        units = reading_units(spec.units)
        cells = {}
        for item in spec.items:
            raw = data.get(item.id, 0 if item.is_data else None)
            row, col = sheet.cells[item.id]
            cells[item.id] = _read(item, row, col, classify(raw, units))
        return cls(spec, cells, method="ids")


def _read(
    item: Item,
    row: int,
    col: int,
    value: CellValue,
    label_text: str = "",
    label_col: int = 0,
    unit_raw: object = None,
    unit_col: int | None = None,
    formula_no_value: bool = False,
) -> CellRead:
    number = value.number
    if number is not None and entered_in_yuan(value, item.unit):
        number = number / 10000
    return CellRead(
        item, row, col, value, number, label_text, label_col, unit_raw, unit_col, formula_no_value
    )


def read_location(location: Location) -> ReturnValues:
    """Classify every placed item's cell of a located table."""
    spec, grid = location.spec, location.grid
    units = reading_units(spec.units)
    sheet = grid.cells  # NOTE: the dict itself: this runs for every item of every return
    no_values = grid.formula_refs
    placements = location.placements
    cells: dict[str, CellRead] = {}
    missing = []
    for item in spec.items:
        p = placements.get(item.id)
        if p is None:
            if item.is_data:
                missing.append(item)
            continue
        at = (p.row, p.value_col)
        raw = sheet.get(at)
        # a formula saved without its value reads as an empty cell: only then ask which it is
        no_value = raw is None and a1(*at) in no_values
        value = NO_VALUE if no_value else classify(raw, units)
        cells[item.id] = _read(
            item,
            p.row,
            p.value_col,
            value,
            p.label_text,
            p.label_col,
            sheet.get((p.row, p.unit_col)) if p.unit_col else None,
            p.unit_col,
            no_value,
        )
    return ReturnValues(
        spec,
        cells,
        tuple(missing),
        location.strays,
        location.notes,
        location.unit_name,
        location.grid.name,
        location.method,
        location.stamp,
    )
