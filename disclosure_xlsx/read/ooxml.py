"""What an xlsx/xlsm package really holds, found by parsing it (see :mod:`safexml`).

The workbook part is found through ``[Content_Types].xml`` as openpyxl does, its sheets
through the workbook's relationships, and each sheet is streamed once to find its real cell
extent (rows and cells without an ``r`` attribute count on from the previous one, as Excel
reads them), its cell count and its formula cells without a cached value. The scan stops, and
the file is refused, past :data:`MAX_CELLS` cells or beyond Excel's grid: no spreadsheet
library is given a file it could choke on.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from io import BytesIO
from xml.parsers import expat

from ..errors import UnreadableError
from ..text import Text
from .safexml import Damaged, Stop, attr, damaged, local, parse, parse_member, read_part

#: A statistics table has a few hundred cells; far more is not a return (and openpyxl would
#: take gigabytes and minutes over it), so the file is refused before any library loads it.
MAX_CELLS = 200_000
#: The same bound over all sheets of one workbook.
MAX_WORKBOOK_CELLS = 1_000_000
#: Bytes any one XML part may unpack to, whatever the zip directory says.
MAX_PART_BYTES = 100 * 1024 * 1024
MAX_ROW, MAX_COL = 1_048_576, 16_384  # Excel's grid: XFD1048576

SPREADSHEET_MAIN = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
BINARY_MAIN = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
WORD_MAIN = "wordprocessingml.document"
PRESENTATION_MAIN = "presentationml"
_A1 = re.compile(r"^\$?([A-Za-z]{1,10})\$?([0-9]{1,12})$")


class FormulaRefs(AbstractSet[str]):
    """A1 addresses of formula cells saved without a value, found when first asked.

    A return's hundreds of helper formulas need not be looked at: a cell's formula matters
    only when the reader finds the cell empty, and then ``no_formula`` (True where the cell
    surely holds no formula, False where it may) usually answers without the search for
    saved values.
    """

    __slots__ = ("_find", "_no_formula", "_refs")

    def __init__(
        self,
        find: Callable[[], frozenset[str]],
        no_formula: Callable[[str], bool] | None = None,
    ) -> None:
        self._find: Callable[[], frozenset[str]] | None = find
        self._no_formula = no_formula
        self._refs: frozenset[str] | None = None

    @classmethod
    def of(cls, refs: Iterable[str]) -> FormulaRefs:
        found = frozenset(refs)
        return cls(lambda: found)

    @property
    def refs(self) -> frozenset[str]:
        if self._refs is None:
            assert self._find is not None
            self._refs, self._find = self._find(), None  # the sheet's bytes go with the finder
            self._no_formula = None
        return self._refs

    def __contains__(self, ref: object) -> bool:
        no_formula = self._no_formula if self._refs is None else None
        if no_formula is not None and isinstance(ref, str) and no_formula(ref):
            return False  # not a formula at all
        return ref in self.refs

    def __iter__(self) -> Iterator[str]:
        return iter(self.refs)

    def __len__(self) -> int:
        return len(self.refs)

    def __repr__(self) -> str:
        return f"FormulaRefs({sorted(self.refs)!r})"


@dataclass(frozen=True)
class SheetScan:
    """What the raw XML says about one worksheet of an xlsx/xlsm file."""

    cells: int
    area: int  # the bounding box of its cells: what python-calamine allocates
    formulas_without_value: AbstractSet[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Package:
    """An OOXML zip package: its main document part and what kind of document that is."""

    kind: str  # "xlsx", "xlsb", "docx", "pptx", or "" (not an office document)
    main: str | None  # the main part's name in the zip, e.g. "xl/workbook.xml"


class _Types:
    """``[Content_Types].xml``: part name -> content type overrides."""

    def __init__(self) -> None:
        self.overrides: dict[str, str] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if local(tag) == "Override":
            part = (attr(attrib, "PartName") or "").lstrip("/")
            self.overrides[part] = attr(attrib, "ContentType") or ""

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass


def package(archive: zipfile.ZipFile, names: set[str]) -> Package:
    """Find the main part the way openpyxl does (content types), else by the usual paths."""
    types = _Types()
    if "[Content_Types].xml" in names:
        parse_member(archive, "[Content_Types].xml", types, MAX_PART_BYTES)
    by_type = types.overrides.items()
    for part, ctype in by_type:
        if ctype in SPREADSHEET_MAIN and part in names:
            return Package("xlsx", part)
    for part, ctype in by_type:
        if ctype == BINARY_MAIN:
            return Package("xlsb", part)
        if WORD_MAIN in ctype:
            return Package("docx", part)
        if PRESENTATION_MAIN in ctype and ctype.endswith(".main+xml"):
            return Package("pptx", part)
    if "xl/workbook.xml" in names:
        return Package("xlsx", "xl/workbook.xml")
    if "xl/workbook.bin" in names:
        return Package("xlsb", "xl/workbook.bin")
    if any(n.startswith("word/") for n in names):
        return Package("docx", None)
    if any(n.startswith("ppt/") for n in names):
        return Package("pptx", None)
    return Package("", None)


class _Rels:
    """A ``.rels`` part: relationship id -> (type, target)."""

    def __init__(self) -> None:
        self.rels: dict[str, tuple[str, str]] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if local(tag) == "Relationship" and (attr(attrib, "TargetMode") or "") != "External":
            rid = attr(attrib, "Id") or ""
            self.rels[rid] = (attr(attrib, "Type") or "", attr(attrib, "Target") or "")

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass


class _Sheets:
    """The workbook part: its sheets' names and relationship ids, in order."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if local(tag) == "sheet":
            self.sheets.append((attr(attrib, "name") or "", attr(attrib, "id") or ""))

    def end(self, tag: str) -> None:
        if local(tag) == "sheets":
            raise Stop

    def data(self, text: str) -> None:
        pass


def _resolve(base: str, target: str) -> str:
    """A relationship target relative to the part that names it, as a zip member name."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels_name(part: str) -> str:
    """The relationships part of ``part``: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _relationships(xml: bytes | None, rels_part: str, part: str) -> dict[str, str]:
    """Relationship id -> resolved member name, for the internal relationships of ``part``."""
    if xml is None:
        return {}
    rels = _Rels()
    parse(BytesIO(xml), rels, rels_part, MAX_PART_BYTES)
    return {rid: _resolve(part, target) for rid, (_type, target) in rels.rels.items()}


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Cells:
    """Streams one worksheet: cell extent, count, formulas without a cached value.

    The extent covers where either kind of reader may place a cell. Excel counts a row or
    cell without ``r`` on from the previous one; calamine counts its own way (a row index set
    only by a row's own ``r`` and moved on at each row's end, a column set by a cell's ``r``)
    and takes only an unprefixed ``r``; and it reads on past a ``sheetData`` end that stands
    inside a formula or value. So every cell from the first ``sheetData`` start to its own
    end counts, at any depth, and where any cell lacks a plain ``r`` the extent runs to the
    furthest place calamine could count to. Refusing or routing to
    the sparse reader a few odd files is the price of never handing calamine one it aborts on.
    """

    def __init__(self, member: str, sheet: str) -> None:
        self.member = member
        self.sheet = sheet
        self.count = 0
        self.rows = (0, 0)  # min, max
        self.cols = (0, 0)
        self.row = 0  # the current row number (rows without r follow the previous one)
        self.col = 0  # the current cell's column (cells without r follow the previous one)
        self.depth = 0
        self.data_depth = 0  # the depth of the first sheetData once it starts (0: not yet)
        self.counted = False  # a cell without a plain r: calamine counts where it goes
        self.row_r = 0  # the largest row r written, in any namespace
        self.row_ends = 0
        self.missing: set[str] = set()
        self.cell: tuple[str, bool, bool, bool] | None = None  # ref, t="str", has f, v value
        self.in_v = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        name = local(tag)
        if name == "sheetData" and not self.data_depth:
            self.data_depth = self.depth
        elif not self.data_depth:
            return
        elif name == "row":
            ref = attr(attrib, "r")
            self.row = self._number(ref, "row") if ref is not None else self.row + 1
            self.row_r = max(self.row_r, self.row if ref is not None else 0)
            self.col = 0
        elif name == "c":
            self._cell(attrib)
        elif self.cell is not None and name == "f":
            ref, is_str, _f, value = self.cell
            self.cell = (ref, is_str, True, value)
        elif self.cell is not None and name == "v":
            self.in_v = True
            ref, is_str, has_f, _value = self.cell
            self.cell = (ref, is_str, has_f, is_str)  # an empty <v> of a t="str" is ""

    def _number(self, text: str, what: str) -> int:
        text = text.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 12:
            raise damaged(self.member, f"{what} r={text[:20]!r}")
        return int(text)

    def _cell(self, attrib: dict[str, str]) -> None:
        ref = attr(attrib, "r")
        if attrib.get("r") is None:
            self.counted = True  # calamine takes only an unprefixed r
        if ref is None:
            row, col = max(self.row, 1), self.col + 1
        else:
            match = _A1.match(ref.strip())
            if not match:
                raise damaged(self.member, f"c r={ref[:20]!r}")
            row, col = int(match[2]), col_index(match[1])
        if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
            raise _beyond_grid(self.sheet)
        self.row, self.col = row, col
        self.count += 1
        if self.count > MAX_CELLS:
            raise too_many_cells(Text(f"工作表“{self.sheet}”", f"sheet '{self.sheet}'"), MAX_CELLS)
        if self.count == 1:
            self.rows, self.cols = (row, row), (col, col)
        else:
            self.rows = (min(self.rows[0], row), max(self.rows[1], row))
            self.cols = (min(self.cols[0], col), max(self.cols[1], col))
        self.cell = (_a1(row, col), (attr(attrib, "t") or "") == "str", False, False)

    def end(self, tag: str) -> None:
        name = local(tag)
        if name == "v":
            self.in_v = False
        elif name == "c" and self.cell is not None:
            ref, _is_str, has_f, value = self.cell
            if has_f and not value:
                self.missing.add(ref)
            self.cell = None
        elif name == "row" and self.data_depth:
            self.row_ends += 1
        elif name == "sheetData" and self.depth == self.data_depth:
            raise Stop  # the end of the cells for every reader (one nested in a cell is not)
        self.depth -= 1

    def data(self, text: str) -> None:
        if self.in_v and self.cell is not None and text:
            ref, is_str, has_f, _value = self.cell
            self.cell = (ref, is_str, has_f, True)

    def scan(self) -> SheetScan:
        if not self.count:
            return SheetScan(0, 0, FormulaRefs.of(self.missing))
        (top, bottom), (left, right) = self.rows, self.cols
        if self.counted:  # as far as calamine's counting could go (see the class)
            top, left = 1, 1
            bottom = max(bottom, self.row_r + self.row_ends + 1)
            right = right + self.count
        area = (bottom - top + 1) * (right - left + 1)
        return SheetScan(self.count, area, FormulaRefs.of(self.missing))


def _a1(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _beyond_grid(sheet: str) -> UnreadableError:
    return UnreadableError(
        Text(
            f"文件已损坏（工作表“{sheet}”有超出 Excel 表格范围 XFD1048576 的单元格），"
            "请对方在 Excel/WPS 中打开后重新保存",
            f"the file is damaged (sheet '{sheet}' has a cell beyond Excel's grid, XFD1048576); "
            "ask for it to be opened and saved again in Excel/WPS",
        )
    )


def too_many_cells(where: Text, limit: int) -> UnreadableError:
    """The refusal of a sheet with more cells than any statistics table has."""
    return UnreadableError(
        Text(
            f"单元格过多（{where.zh}超过 {limit:,} 个单元格），不像统计表，已拒绝读取；"
            "请只提交统计表",
            f"too many cells ({where.en} has over {limit:,}), not a statistics table; refused. "
            "Send the statistics table only",
        )
    )


@dataclass(frozen=True)
class WorkbookScan:
    """Every sheet's scan, by sheet name; the scans of parts holding cells that no sheet name
    leads to; and the largest shared-strings count declared anywhere."""

    sheets: dict[str, SheetScan]
    declared_strings: int
    others: tuple[SheetScan, ...] = ()


def folded(name: str) -> str:
    """A member name as calamine looks it up: case-insensitive, '\\' read as '/'."""
    return name.replace("\\", "/").lower()


#: A declared shared-strings count, anywhere (calamine reserves room for the first it meets).
_UNIQUE_COUNT = re.compile(rb"""uniqueCount\s*=\s*["']\s*\+?0*([0-9]+)""")
#: More digits than any count a reader could reserve: huge, whatever they say.
_HUGE_DIGITS = 19


def scan_workbook(archive: zipfile.ZipFile, names: set[str], part: str) -> WorkbookScan:
    """Scan every part of the package that holds cells, and every declared shared-strings
    count; refuse what no reader should load.

    Not only the parts the workbook names: calamine finds its workbook through
    ``_rels/.rels``, looks parts up without regard to case, follows relationships marked
    external, reads ``sharedStrings.xml`` beside the workbook whatever the relationships
    say, and may take another id attribute than openpyxl. Rather than copy each of those
    rules (and miss the next), every part holding ``sheetData`` is scanned and every
    ``uniqueCount`` counts: what any reader could be led to is within the bounds.
    """
    rels_part = _rels_name(part)
    held: dict[str, bytes] = {}  # the parts read again below: the workbook's, and cells
    cells: list[str] = []
    declared = 0
    for member in sorted(names):  # each part is read once
        raw = read_part(archive, member, MAX_PART_BYTES)
        text = as_ascii_compatible(raw)
        if b"uniqueCount" in text:  # (a search in C; the regex only where it can match)
            for digits in _UNIQUE_COUNT.findall(text):  # leading zeros skipped, as calamine
                huge = len(digits) > _HUGE_DIGITS
                declared = max(declared, 10**_HUGE_DIGITS if huge else int(digits))
        if b"sheetData" in text:
            cells.append(member)
            held[member] = raw
        elif member in (part, rels_part):
            held[member] = raw
    sheets_target = _Sheets()
    parse(BytesIO(held.get(part, b"")), sheets_target, part, MAX_PART_BYTES)
    rels = _relationships(held.get(rels_part), rels_part, part)
    lookup = {folded(n): n for n in names}
    sheet_of: dict[str, str] = {}  # member -> the first sheet name it holds
    listed: list[tuple[str, str]] = []
    for name, rid in sheets_target.sheets:
        target = rels.get(rid)
        found = lookup.get(folded(target)) if target is not None else None
        if found is not None:
            sheet_of.setdefault(found, name)
            listed.append((name, found))
    by_member: dict[str, SheetScan] = {}
    running = 0
    for member in cells:
        try:
            scanned = _scan_sheet(member, sheet_of.get(member, member), held[member])
        except Damaged:
            if member in sheet_of:
                raise
            # NOTE: a part no sheet names that only mentions sheetData (a macro's variable, a
            # picture's text): calamine might yet be led to it, openpyxl will not be
            scanned = SheetScan(0, MAX_ROW * MAX_COL)
        by_member[member] = scanned
        del held[member]
        running += scanned.cells
        if running > MAX_WORKBOOK_CELLS:  # stop early: no need to scan the rest
            raise too_many_cells(Text("整个工作簿", "the workbook"), MAX_WORKBOOK_CELLS)
    scans = {name: by_member[member] for name, member in listed if member in by_member}
    others = tuple(s for m, s in by_member.items() if m not in sheet_of)
    # every sheet name is read, so a part named by many sheets counts for each of them
    total = sum(scans[name].cells for name, _m in listed if name in scans)
    if total + sum(s.cells for s in others) > MAX_WORKBOOK_CELLS:
        raise too_many_cells(Text("整个工作簿", "the workbook"), MAX_WORKBOOK_CELLS)
    return WorkbookScan(scans, declared, others)


def as_ascii_compatible(raw: bytes) -> bytes:
    """A part's bytes where markup is ASCII: UTF-16 (by its byte-order mark, or '<?' spelled
    in it, as a reader guesses it) decoded; anything else (a picture, a macro) as it is."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        little = raw[:2] == b"\xff\xfe" or (raw[:2] != b"\xfe\xff" and raw[1:2] == b"\x00")
        return raw.decode("utf-16-le" if little else "utf-16-be", "replace").encode("utf-8")
    return raw


def _scan_sheet(member: str, sheet: str, raw: bytes) -> SheetScan:
    """A sheet's scan: by :func:`quick_scan` where the XML is in the plain form every office
    suite writes, else by streaming it through the hardened parser."""
    scan = quick_scan(raw, sheet, member) if 0 < len(raw) <= QUICK_BYTES else None
    if scan is None:
        cells = _Cells(member, sheet)
        parse(BytesIO(raw), cells, member, MAX_PART_BYTES)
        scan = cells.scan()
    return scan


#: Sheets up to this size are tried by quick_scan (a statistics table is well under 1 MB).
QUICK_BYTES = 4 * 1024 * 1024
# Every element whose name starts 'row', with its r where it has one as Excel writes it
# (else b""): in one pass, how many rows there are and whether each is plain.
_ROWS = re.compile(rb'<row(\s[^>]*?(?<=\s)r="[0-9]{1,12}")?')
# Every element whose name starts 'c', with its r where r comes first, as Excel, WPS,
# LibreOffice and openpyxl write it (else two b"")...
_CELLS = re.compile(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})")?')
# ...and a cell's r wherever it stands among the attributes, for other writers.
_CELL_R = re.compile(rb'<c\s[^>]*?(?<=\s)r="([A-Z]{1,3})([0-9]{1,7})"')
# Where each plainly written cell starts, by its r (for FormulaRefs, when asked).
_CELL_AT = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"')
# A cell whose first child is a formula, r written anywhere (for FormulaRefs, when asked).
_CELL_F = re.compile(rb'<c\s[^>]*?(?<=\s)r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*<f')
# A prefixed row, cell, formula or value element (the prefix's colon, then the local name).
_PREFIXED = re.compile(rb":(?:row|c|f|v)[\s/>]")


def _tags(data: bytes, name: bytes) -> int:
    """How many elements named ``name`` the sheet data opens, counted in C: in sheet data no
    other element's name starts with 'c', 'f' or 'row' (a cell's inline text is escaped)."""
    return data.count(name)


class _NotPlain(Exception):
    """Markup the quick scan does not read: a comment, CDATA, instruction or DTD."""


def _plain(head: bytes) -> bool:
    """Whether expat parses ``head`` (the part up to and including the end of the cells,
    what every reader reads) as well-formed markup holding no comment, CDATA section,
    processing instruction (the XML declaration is none) or DTD: the counts below assume
    markup is what it looks like. The handlers run only on such rare markup, so the pass
    stays in C; a DTD stops it at its start, before any declaration in it is read. The
    document's end is not asked for: what follows the cells is no reader's business here,
    and ``head`` ends with a whole tag, so no token in it is left unchecked."""
    parser = expat.ParserCreate(namespace_separator="}")  # as the parser: prefixes bound

    def not_plain(*_args: object) -> None:
        raise _NotPlain

    parser.CommentHandler = not_plain
    parser.StartCdataSectionHandler = not_plain
    parser.ProcessingInstructionHandler = not_plain
    parser.StartDoctypeDeclHandler = not_plain
    if hasattr(parser, "SetReparseDeferralEnabled"):  # expat >= 2.6: check every byte now
        parser.SetReparseDeferralEnabled(False)
    try:
        parser.Parse(head, False)
    except (expat.ExpatError, _NotPlain, LookupError, ValueError):  # an odd encoding
        return False
    return True


def quick_scan(xml: bytes, sheet: str, member: str = "sheet.xml") -> SheetScan | None:
    """The same scan as the parser's, by counting in C, for XML in plain form; None where the
    XML is not plainly written (then the parser decides).

    Plain means: exactly one ``<sheetData`` and one ``</sheetData>`` in the part (so no other
    spelling of either, and no copy of the cells hidden in a processing instruction that a
    reader skips); up to the end of the cells well-formed (expat), with no DTD, comment,
    CDATA or processing instruction besides the XML declaration, and no single quotes (so an
    attribute value cannot hide a ``r="…"``); no prefixed row, cell, formula or value
    elements; and every row and cell carries an ``r`` written as Excel does.
    Under those conditions the counts and ranges below are those the parser finds; anything
    else (damage, a crafted attribute) goes to the parser, never to a guess. Formula cells
    without a saved value are found when first asked (see :class:`FormulaRefs`).
    """
    start = xml.find(b"<sheetData")
    if start < 0 or xml.find(b"sheetData") != start + 1:
        return None
    # The next mention must close the cells, and none may follow: one pass over the part.
    end = xml.find(b"sheetData", start + 10) - 2
    if end < start or xml[end : end + 12] != b"</sheetData>" or b"sheetData" in xml[end + 12 :]:
        return None
    head = xml[:end]  # what the parser reads: it stops at the end of the cells
    if b"'" in head:
        return None
    data = xml[start:end]
    if _PREFIXED.search(data) or not _plain(xml[: end + 12]):
        return None
    # Well-formed, so each match below is a start tag (no '<' in text or attribute values)
    # with one r at most (no attribute twice): a row or cell without a plain r is the
    # only way the parser could place one elsewhere.
    if b"" in _ROWS.findall(data):
        return None
    cells = _CELLS.findall(data)
    n_cells = len(cells)
    plain = (b"", b"") not in cells  # every cell's r first: a cell is found by its r
    if not plain:
        cells = _CELL_R.findall(data)  # r among the other attributes, or a cell without
        if len(cells) != n_cells:
            return None
    if n_cells > MAX_CELLS:
        raise too_many_cells(Text(f"工作表“{sheet}”", f"sheet '{sheet}'"), MAX_CELLS)
    area = 0
    if cells:
        distinct = {r for _, r in cells}  # a few distinct rows, many cells
        # B02 is B2 to the parser; a cell written twice must be looked at twice
        plain = plain and not any(r[:1] == b"0" for r in distinct) and len(set(cells)) == n_cells
        numbers = [int(r) for r in distinct]
        columns = [col_index(c.decode()) for c in {c for c, _ in cells}]
        low, high = min(numbers), max(numbers)
        if low < 1 or high > MAX_ROW or max(columns) > MAX_COL:
            raise _beyond_grid(sheet)
        area = (high - low + 1) * (max(columns) - min(columns) + 1)
    return SheetScan(
        n_cells,
        area,
        FormulaRefs(
            lambda: _formulas_without_value(xml, sheet, member),
            _FormulaCells(data, plain).no_formula,
        ),
    )


def _canonical(ref: bytes) -> str:
    """An A1 address as the parser spells it (:func:`_a1`): 'A01' is A1."""
    letters = ref.rstrip(b"0123456789")
    return _a1(int(ref[len(letters) :]), col_index(letters.decode()))


def _no_formula_in(data: bytes, at: int) -> bool:
    """Whether the cell whose start tag is at ``at`` in well-formed ``data`` surely holds no
    formula; False wherever unsure."""
    close = data.find(b">", at)
    if close < 0 or data.count(b'"', at, close) % 2:
        return False  # a '>' inside an attribute value
    if data[close - 1 : close] == b"/":
        return True  # <c …/>: no content
    end = data.find(b"</c>", close)
    return end >= 0 and b"<f" not in data[close:end]


class _FormulaCells:
    """Whether a cell surely holds no formula (False wherever unsure: then the full search
    decides).

    Where every cell is written ``<c r="A1"…`` once (``plain``), the cell is found by its r:
    the reader asks in row order, so each search goes on from the last cell found and all
    of them together read the sheet about once; once a cell is not found at all, a map of
    every cell answers the rest. Elsewhere, by the list of every cell whose
    first child is a formula, made when first asked; where that list does not account for
    every formula element, one is written another way and only the full search knows.
    """

    def __init__(self, data: bytes, plain: bool) -> None:
        self._data = data
        self._plain = plain
        self._cursor = 0
        self._where: dict[bytes, int] | None = None  # r -> where its cell starts, if made
        self._cells: frozenset[bytes] | bool | None = False  # False: not made yet

    def no_formula(self, ref: str) -> bool:
        if self._plain:
            key = ref.encode("ascii", "replace")
            if self._where is not None:
                at = self._where.get(key, -1)
            else:
                needle = b'<c r="' + key + b'"'
                at = self._data.find(needle, self._cursor)
                if at < 0 and self._cursor:  # asked out of order: the part before
                    at = self._data.find(needle, 0, self._cursor + len(needle) - 1)
                if at < 0:  # a cell not written costs a whole pass: map every cell once
                    self._where = {m[1]: m.start() for m in _CELL_AT.finditer(self._data)}
            if at < 0:
                return True  # no such cell
            self._cursor = at
            return _no_formula_in(self._data, at)
        if self._cells is False:
            self._cells = _formula_cells(self._data)
        cells = self._cells
        return isinstance(cells, frozenset) and ref.encode("ascii", "replace") not in cells


def _formula_cells(data: bytes) -> frozenset[bytes] | None:
    """The cells :class:`_FormulaCells` knows, or None where it cannot know them all."""
    flagged = _CELL_F.findall(data)
    if any(r.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")[:1] == b"0" for r in flagged):
        return None  # a row written with leading zeros: asked refs would not match it
    found = frozenset(flagged)
    return found if len(found) == _tags(data, b"<f") else None


def _formulas_without_value(xml: bytes, sheet: str, member: str) -> frozenset[str]:
    """Formula cells with no saved value, by the parser over the same bytes: asked only when
    an empty cell may hold a formula (a department's own formula saved without its value),
    so rare enough that no second, faster reading of the rules is worth its disagreements."""
    cells = _Cells(member, sheet)
    parse(BytesIO(xml), cells, member, MAX_PART_BYTES)
    return frozenset(cells.missing)
