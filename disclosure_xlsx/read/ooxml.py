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
from functools import partial
from io import BytesIO
from xml.parsers import expat

from ..errors import UnreadableError
from ..text import Text
from .safexml import Stop, attr, damaged, local, parse, parse_member

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
    dimension: str | None = None  # the <dimension ref> as written (not trusted, not used)


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


def _relationships(archive: zipfile.ZipFile, names: set[str], part: str) -> dict[str, str]:
    """Relationship id -> resolved member name, for the internal relationships of ``part``."""
    rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels_part not in names:
        return {}
    rels = _Rels()
    parse_member(archive, rels_part, rels, MAX_PART_BYTES)
    out = {rid: _resolve(part, target) for rid, (_type, target) in rels.rels.items()}
    for rtype, target in rels.rels.values():
        if rtype.endswith("/sharedStrings"):
            out["sharedStrings"] = _resolve(part, target)
    return out


class _Strings:
    """The shared strings part's declared counts (python-calamine reserves ``uniqueCount``)."""

    def __init__(self) -> None:
        self.declared = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if local(tag) == "sst":
            for name in ("uniqueCount", "count"):
                value = attr(attrib, name) or ""
                if value.strip().isdigit():
                    self.declared = max(self.declared, int(value.strip()[:20]))
        raise Stop

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Cells:
    """Streams one worksheet: cell extent, count, formulas without a cached value."""

    def __init__(self, member: str, sheet: str) -> None:
        self.member = member
        self.sheet = sheet
        self.count = 0
        self.rows = (0, 0)  # min, max
        self.cols = (0, 0)
        self.row = 0  # the current row number (rows without r follow the previous one)
        self.col = 0  # the current cell's column (cells without r follow the previous one)
        self.in_data = False
        self.dimension: str | None = None
        self.missing: set[str] = set()
        self.cell: tuple[str, bool, bool, bool] | None = None  # ref, t="str", has f, v value
        self.in_v = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = local(tag)
        if name == "sheetData":
            self.in_data = True
        elif not self.in_data:
            if name == "dimension":
                self.dimension = (attr(attrib, "ref") or "")[:40]
        elif name == "row":
            ref = attr(attrib, "r")
            self.row = self._number(ref, "row") if ref is not None else self.row + 1
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
        if not text.isdigit() or len(text) > 12:
            raise damaged(self.member, f"{what} r={text[:20]!r}")
        return int(text)

    def _cell(self, attrib: dict[str, str]) -> None:
        ref = attr(attrib, "r")
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
        is_str = (attr(attrib, "t") or "") == "str"
        self.cell = (_a1(row, col), is_str, False, False)

    def end(self, tag: str) -> None:
        name = local(tag)
        if name == "v":
            self.in_v = False
        elif name == "c" and self.cell is not None:
            ref, _is_str, has_f, value = self.cell
            if has_f and not value:
                self.missing.add(ref)
            self.cell = None
        elif name == "sheetData":
            raise Stop

    def data(self, text: str) -> None:
        if self.in_v and self.cell is not None and text:
            ref, is_str, has_f, _value = self.cell
            self.cell = (ref, is_str, has_f, True)

    def scan(self) -> SheetScan:
        area = (
            (self.rows[1] - self.rows[0] + 1) * (self.cols[1] - self.cols[0] + 1)
            if self.count
            else 0
        )
        return SheetScan(self.count, area, FormulaRefs.of(self.missing), self.dimension)


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
    """Every sheet's scan, by sheet name, and the shared strings' declared count."""

    sheets: dict[str, SheetScan]
    declared_strings: int


def scan_workbook(archive: zipfile.ZipFile, names: set[str], part: str) -> WorkbookScan:
    """Stream the workbook part and each of its sheets; refuse what no reader should load."""
    sheets_target = _Sheets()
    parse_member(archive, part, sheets_target, MAX_PART_BYTES)
    rels = _relationships(archive, names, part)
    strings = _Strings()
    if rels.get("sharedStrings") in names:
        parse_member(archive, rels["sharedStrings"], strings, MAX_PART_BYTES)
    scans: dict[str, SheetScan] = {}
    by_member: dict[str, SheetScan] = {}  # sheets sharing one part: parse it once
    total = 0
    for name, rid in sheets_target.sheets:
        member = rels.get(rid)
        if member is None or member not in names:
            continue
        if member not in by_member:
            by_member[member] = _scan_sheet(archive, member, name)
        scans[name] = by_member[member]
        total += scans[name].cells
        if total > MAX_WORKBOOK_CELLS:
            raise too_many_cells(Text("整个工作簿", "the workbook"), MAX_WORKBOOK_CELLS)
    return WorkbookScan(scans, strings.declared)


def _scan_sheet(archive: zipfile.ZipFile, member: str, sheet: str) -> SheetScan:
    """A sheet's scan: by :func:`quick_scan` where the XML is in the plain form every office
    suite writes, else by streaming it through the hardened parser."""
    try:
        with archive.open(member) as stream:
            xml = stream.read(QUICK_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        xml = b""  # the parser below says what is wrong
    scan = quick_scan(xml, sheet, member) if 0 < len(xml) <= QUICK_BYTES else None
    if scan is None:
        cells = _Cells(member, sheet)
        parse_member(archive, member, cells, MAX_PART_BYTES)
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
# A cell whose first child is a formula, r written anywhere (for FormulaRefs, when asked).
_CELL_F = re.compile(rb'<c\s[^>]*?(?<=\s)r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*<f')
# A prefixed row, cell, formula or value element (the prefix's colon, then the local name).
_PREFIXED = re.compile(rb":(?:row|c|f|v)[\s/>]")
# A formula cell (r first, as Excel, WPS, LibreOffice and openpyxl write it), its other
# attributes, and what follows its formula: a cached value, an empty one, or none.
_FORMULA_CELL = re.compile(
    rb'<c\sr="([A-Z]{1,3}[0-9]{1,7})"([^>]*)>\s*<f(?:[^>/]*/>|[^>]*>[^<]*</f>)\s*(<v>[^<]|<v\s*/>|<v></v>)?'
)
_DIMENSION = re.compile(rb'<dimension\s+ref="([^"]{0,40})')


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
    except (expat.ExpatError, _NotPlain):
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
    dimension = _DIMENSION.search(xml[:start])
    area = 0
    if cells:
        distinct = {r for _, r in cells}  # a few distinct rows, many cells
        plain = plain and not any(r[:1] == b"0" for r in distinct)  # B02 is B2 to the parser
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
            lambda: _formulas_without_value(xml, data, sheet, member),
            partial(_no_formula_at, data) if plain else _FormulaCells(data).no_formula,
        ),
        dimension[1].decode("ascii", "replace") if dimension else None,
    )


def _canonical(ref: bytes) -> str:
    """An A1 address as the parser spells it (:func:`_a1`): 'A01' is A1."""
    letters = ref.rstrip(b"0123456789")
    return _a1(int(ref[len(letters) :]), col_index(letters.decode()))


def _no_formula_at(data: bytes, ref: str) -> bool:
    """Whether no cell at ``ref`` holds a formula, found by its r where every cell of the
    well-formed ``data`` is written ``<c r="A1"…`` (r first, no leading zeros): a few
    searches in C instead of a regex over all cells. False wherever unsure."""
    needle = b'<c r="' + ref.encode("ascii", "replace") + b'"'
    at = data.find(needle)
    while at >= 0:
        close = data.find(b">", at)
        if close < 0 or data.count(b'"', at, close) % 2:
            return False  # a '>' inside an attribute value
        if data[close - 1 : close] != b"/":
            end = data.find(b"</c>", close)
            if end < 0 or b"<f" in data[close:end]:
                return False
        at = data.find(needle, close)
    return True


class _FormulaCells:
    """Every cell whose first child is a formula, found when first asked (A1 as written:
    bytes); where that list does not account for every formula element in the cells, one is
    written another way and only the full search knows."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data
        self._cells: frozenset[bytes] | None = None

    def no_formula(self, ref: str) -> bool:
        if self._data is not None:
            self._cells, self._data = _formula_cells(self._data), None
        return self._cells is not None and ref.encode("ascii", "replace") not in self._cells


def _formula_cells(data: bytes) -> frozenset[bytes] | None:
    """The cells :class:`_FormulaCells` knows, or None where it cannot know them all."""
    formulas = _tags(data, b"<f")
    flagged = _CELL_F.findall(data)
    if any(ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")[:1] == b"0" for ref in flagged):
        return None  # a row written with leading zeros: asked refs would not match it
    found = frozenset(flagged)
    return found if len(found) == formulas else None


def _formulas_without_value(xml: bytes, data: bytes, sheet: str, member: str) -> frozenset[str]:
    """Formula cells with no saved value, by one regex where every formula cell is written
    as office suites write it, else by the parser over the same bytes."""
    formulas = _FORMULA_CELL.findall(data)
    if len(formulas) == _tags(data, b"<f"):
        return frozenset(
            _canonical(ref)
            for ref, attrs, value in formulas
            if not (value.startswith(b"<v>") or (value and b't="str"' in attrs))
        )
    cells = _Cells(member, sheet)
    parse(BytesIO(xml), cells, member, MAX_PART_BYTES)
    return frozenset(cells.missing)
