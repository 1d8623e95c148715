"""Where every part of a spec's table sits on a sheet: one layout for every format.

The template writer puts things here and the reader finds them here (by the hidden ids it
writes, never by row numbers). Every table is laid out the same way, one below the other:

    part banner (二、三、…, once per part)   title banner (第二十条第（一）项)
    header rows: label header | [unit header] | column labels under merged groups | 校验
    hidden row of column ids (tables without a unit column)
    one row per table row: label | [unit] | values | live check      … hidden row id →

A table with a unit column has one value column, and its header row names it: that is the
2014 layout, and workbooks returned since 2014 carry exactly those (version-1) ids. The spec's
``[layout]`` says where the first table starts, the gap between tables, widths and paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from .model import Spec, Table

LABEL_COL = 1
UNIT_NAME_CELL = "B3"
#: In the hidden id column: the tag of a table's column-id row, and the header row's tag.
COLUMN_IDS = "@columns:"
ID_HEADER = "item_id"
#: In the hidden id column, row 2 of a template sent out in a collection round: whose it is.
STAMP_PREFIX = "disclosure-xlsx-round:"
STAMP_ROW = 2


@dataclass(frozen=True)
class Stamp:
    """Which collection round and which department a template was made for."""

    round_id: str
    department_id: str

    @property
    def text(self) -> str:
        return f"{STAMP_PREFIX}{self.round_id}:{self.department_id}"

    @classmethod
    def parse(cls, text: str) -> Stamp | None:
        """The stamp in a cell's text, or None when the text is not a well-formed stamp."""
        if not text.startswith(STAMP_PREFIX):
            return None
        round_id, _, department_id = text[len(STAMP_PREFIX) :].partition(":")
        if not round_id or not department_id or len(text) > 200:
            return None
        return cls(round_id, department_id)


def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=1 << 16)
def a1(row: int, col: int) -> str:
    """1-based (row, column) to an A1 address (cached: reports ask for the same cells a lot)."""
    return f"{col_letter(col)}{row}"


@dataclass(frozen=True)
class Block:
    """One table's place on the sheet."""

    table: Table
    part_row: int  # 0: no part banner above this table
    title_row: int  # 0: no title banner
    header_top: int
    header_depth: int
    ids_row: int  # 0: a table with a unit column (its header row names its one value column)
    unit_col: int  # 0: no unit column
    value_cols: tuple[int, ...]  # sheet column of each table column, in order
    check_col: int
    rows: tuple[tuple[str, int], ...]  # (row id, sheet row) in printed order

    @property
    def header_bottom(self) -> int:
        return self.header_top + self.header_depth - 1

    @property
    def first_row(self) -> int:
        return self.rows[0][1] if self.rows else self.header_bottom + 1

    @property
    def last_row(self) -> int:
        return self.rows[-1][1] if self.rows else self.header_bottom

    @property
    def top(self) -> int:
        """The first sheet row of the block, banners included."""
        return min(r for r in (self.part_row, self.title_row, self.header_top) if r)


@dataclass(frozen=True, eq=False)
class Layout:
    """The whole sheet of one spec: blocks, and the cell of every item."""

    spec: Spec
    blocks: tuple[Block, ...]
    cells: dict[str, tuple[int, int]]  # item id -> (row, col) of its value cell
    check_col: int  # the rightmost check column (title and note span up to it)
    id_col: int  # the hidden column of row ids (and the spec marker in row 1)
    note_row: int
    unit_name_cell: str = UNIT_NAME_CELL
    _rows: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    def a1(self, item_id: str) -> str:
        return a1(*self.cells[item_id])

    def ref(self, item_id: str) -> str:
        """An absolute reference such as $C$22, for formulas."""
        row, col = self.cells[item_id]
        return f"${col_letter(col)}${row}"

    @property
    def value_cells(self) -> dict[str, str]:
        """Item id -> A1 address of its value cell, for data items."""
        return {i.id: self.a1(i.id) for i in self.spec.data_items()}

    @property
    def helper_span(self) -> int:
        """Columns between the label column and the check column: one helper block's width."""
        return self.check_col - LABEL_COL

    def helper(self, item_id: str, k: int) -> tuple[int, int]:
        """(row, col) of an item's k-th hidden helper cell (see write/formulas.py): blocks of
        helper columns right of the id column, mirroring the value columns."""
        row, col = self.cells[item_id]
        return row, self.id_col + 1 + k * self.helper_span + (col - LABEL_COL - 1)

    def helper_cols(self, helpers: int) -> range:
        return range(self.id_col + 1, self.id_col + 1 + helpers * self.helper_span)

    def row_of(self, table_id: str, row_id: str) -> int:
        return self._rows[(table_id, row_id)]

    def block(self, table_id: str) -> Block:
        return next(b for b in self.blocks if b.table.id == table_id)


def header_depth(table: Table) -> int:
    return 1 + max((len(c.group) for c in table.column_specs), default=0)


@cache
def layout(spec: Spec) -> Layout:
    """Compute once per spec where everything goes."""
    page = spec.page
    row, part = page.first_row, ""
    blocks: list[Block] = []
    rows: dict[tuple[str, str], int] = {}
    for table in spec.tables:
        part_row = title_row = 0
        if table.part and table.part != part:
            part_row, part = row, table.part
            row += 1
        if table.title:
            title_row = row
            row += 1
        depth = header_depth(table)
        header_top = row
        row += depth
        ids_row = 0
        if not table.unit_column:
            ids_row = row
            row += 1
        unit_col = LABEL_COL + 1 if table.unit_column else 0
        first_value = (unit_col or LABEL_COL) + 1
        value_cols = tuple(range(first_value, first_value + len(table.columns)))
        placed = []
        for rid in table.rows:
            placed.append((rid, row))
            rows[(table.id, rid)] = row
            row += 1
        blocks.append(
            Block(
                table,
                part_row,
                title_row,
                header_top,
                depth,
                ids_row,
                unit_col,
                value_cols,
                value_cols[-1] + 1,
                tuple(placed),
            )
        )
        row += page.gap
    check_col = max(b.check_col for b in blocks)
    cells: dict[str, tuple[int, int]] = {}
    by_table = {b.table.id: b for b in blocks}
    for item in spec.items:
        block = by_table[item.table]
        col = block.value_cols[block.table.columns.index(item.column)]
        cells[item.id] = (rows[(item.table, item.row)], col)
    return Layout(spec, tuple(blocks), cells, check_col, check_col + 1, row, _rows=rows)
