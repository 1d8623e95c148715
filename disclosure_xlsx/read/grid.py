"""A sheet's raw cells as a sparse grid, whatever program saved the workbook.

python-calamine reads xlsx, xlsm, xls and ods in about a millisecond and is the default. A sheet
whose cells span a huge area (see :mod:`guard`) is read by openpyxl instead, from its sparse cell
store, because calamine would allocate the whole area and abort the process. Both are handed an
open file, not a path, so they read the format the guard found in the content whatever the
extension says (both pick their parser by extension when given a path).
"""

from __future__ import annotations

import warnings
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import UnreadableError
from ..text import Text
from .guard import FileCheck

Value = str | float | int | bool | object | None


@dataclass(frozen=True)
class Grid:
    """Non-empty cells of one sheet, keyed by 1-based (row, column)."""

    name: str
    cells: dict[tuple[int, int], Value]
    #: A1 addresses of formula cells without a saved value (looked up only for empty cells,
    #: so a template's hundreds of helper formulas are not parsed to read a few cells)
    formula_refs: AbstractSet[str] = field(default_factory=frozenset)

    @cached_property
    def by_row(self) -> dict[int, dict[int, Value]]:
        """Rows in order, each a {column: value} map of its non-empty cells."""
        rows: dict[int, dict[int, Value]] = {}
        for (r, c), v in sorted(self.cells.items()):
            rows.setdefault(r, {})[c] = v
        return rows

    @classmethod
    def of_rows(
        cls, name: str, rows: dict[int, dict[int, Value]], formula_refs: AbstractSet[str]
    ) -> Grid:
        """A grid from rows already in order (as a reader gives them): no sorting needed."""
        cells = {(r, c): v for r, row in rows.items() for c, v in row.items()}
        grid = cls(name, cells, formula_refs)
        grid.__dict__["by_row"] = rows  # the cached property, filled in
        return grid

    def get(self, r: int, c: int) -> Value:
        return self.cells.get((r, c))


def parse_a1(ref: str) -> tuple[int, int]:
    """An A1 address to 1-based (row, column)."""
    col = 0
    i = 0
    while i < len(ref) and ref[i].isalpha():
        col = col * 26 + ord(ref[i].upper()) - 64
        i += 1
    return int(ref[i:]), col


def read_grids(check: FileCheck) -> list[Grid]:
    """Every sheet of the workbook as a sparse grid."""
    if check.format == "xlsx" and not check.dense_safe:
        return _read_openpyxl(check)
    return _read_calamine(check)


def _formulas(check: FileCheck, name: str) -> AbstractSet[str]:
    scan = check.sheets.get(name)
    return scan.formulas_without_value if scan else frozenset()


def _read_calamine(check: FileCheck) -> list[Grid]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        with check.path.open("rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
        grids = []
        for index, name in enumerate(wb.sheet_names):
            sheet = wb.get_sheet_by_index(index)
            r0, c0 = sheet.start or (0, 0)
            rows: dict[int, dict[int, Value]] = {}
            for r, values in enumerate(sheet.to_python(), r0 + 1):
                row: dict[int, Value] = {
                    c: v for c, v in enumerate(values, c0 + 1) if v != "" and v is not None
                }
                if row:
                    rows[r] = row
            grids.append(Grid.of_rows(name, rows, _formulas(check, name)))
        return grids
    except PasswordError:
        raise UnreadableError(
            Text(
                "工作簿设置了打开密码（已加密），请对方取消密码后重发",
                "the workbook is password-protected (encrypted); ask for it without the password",
            )
        ) from None
    except Exception as exc:  # calamine raises several error types, all meaning "cannot read"
        raise _cannot_read(exc) from None


def _cannot_read(exc: Exception) -> UnreadableError:
    """A reader's failure as a one-line reason (its own message may be long or empty)."""
    detail = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    detail = "".join(ch if ch.isprintable() else " " for ch in detail[:120])
    return UnreadableError(Text(f"无法读取工作簿：{detail}", f"cannot read the workbook: {detail}"))


def _read_openpyxl(check: FileCheck) -> list[Grid]:
    from openpyxl import load_workbook

    try:
        # NOTE: not read_only: WPS files with a wrong size header show only A1 in read-only mode.
        with check.path.open("rb") as fh, warnings.catch_warnings():
            # NOTE: openpyxl warns on stderr about features of the file it drops (extensions,
            # names it cannot place): nothing a clerk can act on, and it tears the console
            warnings.simplefilter("ignore")
            wb = load_workbook(fh, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to TypeError on damage
        raise _cannot_read(exc) from None
    grids = []
    for ws in wb.worksheets:
        cells = {
            key: cell.value
            for key, cell in ws._cells.items()  # the sparse store: never iterate the claimed range
            if cell.value is not None and cell.value != ""
        }
        grids.append(Grid(ws.title, cells, _formulas(check, ws.title)))
    return grids
