"""What an OpenDocument spreadsheet (.ods/.ots) really holds: each table's cell extent.

python-calamine expands repeated rows and cells (``number-rows-repeated``) into a dense grid,
so a few bytes of content.xml can ask for billions of cells. The content is streamed once (see
:mod:`safexml`) and the repeats are multiplied out arithmetically, never materialised.
"""

from __future__ import annotations

import zipfile

from ..text import Text
from .ooxml import MAX_CELLS, MAX_PART_BYTES, SheetScan, too_many_cells
from .safexml import attr, damaged, local, parse_member

MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.spreadsheet-template": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.text-template": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.presentation-template": "odp",
}
_REPEAT_LIMIT = 10_000_000  # larger repeat counts are damage, not formatting


class _Tables:
    def __init__(self) -> None:
        self.tables: dict[str, SheetScan] = {}
        self.name = ""
        self.row = 0  # next row index (0-based)
        self.rows_rep = 1
        self.col = 0
        self.cell: tuple[int, bool] | None = None  # columns repeated, has content
        self.count = 0
        self.extent: tuple[int, int, int, int] | None = None  # r0, r1, c0, c1

    def _repeat(self, attrib: dict[str, str], name: str) -> int:
        text = (attr(attrib, name) or "1").strip()
        if not text.isdigit() or int(text[:12]) > _REPEAT_LIMIT:
            raise damaged("content.xml", f"{name}={text[:20]!r}")
        return max(int(text), 1)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = local(tag)
        if name == "table" and self.cell is None:
            self.name, self.row, self.count, self.extent = attr(attrib, "name") or "", 0, 0, None
        elif name == "table-row":
            self.rows_rep = self._repeat(attrib, "number-rows-repeated")
            self.col = 0
        elif name in ("table-cell", "covered-table-cell"):
            content = attr(attrib, "value-type") is not None
            self.cell = (self._repeat(attrib, "number-columns-repeated"), content)
        elif self.cell is not None:
            self.cell = (self.cell[0], True)  # text:p and the like: the cell shows something

    def end(self, tag: str) -> None:
        name = local(tag)
        if name in ("table-cell", "covered-table-cell") and self.cell is not None:
            reps, content = self.cell
            if content:
                self._add(reps)
            self.col += reps
            self.cell = None
        elif name == "table-row":
            self.row += self.rows_rep
        elif name == "table" and self.cell is None:
            r0, r1, c0, c1 = self.extent or (0, -1, 0, -1)
            area = (r1 - r0 + 1) * (c1 - c0 + 1)
            self.tables[self.name] = SheetScan(self.count, area)

    def _add(self, reps: int) -> None:
        self.count += reps * self.rows_rep
        if self.count > MAX_CELLS:
            raise too_many_cells(Text(f"工作表“{self.name}”", f"sheet '{self.name}'"), MAX_CELLS)
        r0, r1 = self.row, self.row + self.rows_rep - 1
        c0, c1 = self.col, self.col + reps - 1
        if self.extent:
            r0, c0 = min(r0, self.extent[0]), min(c0, self.extent[2])
            r1, c1 = max(r1, self.extent[1]), max(c1, self.extent[3])
        self.extent = (r0, r1, c0, c1)

    def data(self, text: str) -> None:
        if self.cell is not None and text.strip():
            self.cell = (self.cell[0], True)


def scan_ods(archive: zipfile.ZipFile) -> dict[str, SheetScan]:
    """Each table's cell count and extent, repeats multiplied out."""
    tables = _Tables()
    parse_member(archive, "content.xml", tables, MAX_PART_BYTES)
    return tables.tables
