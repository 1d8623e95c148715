"""Refuse bad files early and cheaply, before any spreadsheet library touches them.

Two traps were measured here: python-calamine aborts the whole process (a Rust allocation
failure, not an exception) on a sheet whose cells span up to XFD1048576, and openpyxl spins for
minutes on a zip bomb. So for zip-based files we read the zip directory and scan each worksheet's
XML for its real cell extent; a huge extent routes the file to the sparse openpyxl reader.
The same scan finds formula cells with no cached value, which no reader reports.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableError

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
#: Above this many cells in a sheet's bounding box, calamine would allocate a dense grid.
MAX_DENSE_CELLS = 2_000_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ROW_REF = re.compile(rb'<row [^>]*?r="([0-9]{1,7})"')
_COL_REF = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
# A formula cell and what follows its formula. Its cached value is missing when there is no <v>,
# or an empty one (openpyxl writes `<v />`) on a cell that is not typed as a string
# (LibreOffice writes `t="str"` with `<v></v>` for a formula that yields "").
_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)>\s*<f(?:[^>/]*/>|[^>]*>[^<]*</f>)\s*(<v>[^<]|<v\s*/>|<v></v>)?'
)
_SHEET = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_ALT = re.compile(rb'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


@dataclass(frozen=True)
class SheetScan:
    """What the raw XML says about one worksheet of an xlsx/xlsm file."""

    cells: int
    area: int
    formulas_without_value: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class FileCheck:
    """A file that passed the guard: its format and, for xlsx/xlsm, per-sheet scans."""

    path: Path
    format: str  # "xlsx" (also xlsm), "xls", "ods"
    sheets: dict[str, SheetScan] = field(default_factory=dict)

    @property
    def dense_safe(self) -> bool:
        return all(s.area <= MAX_DENSE_CELLS for s in self.sheets.values())


def check_file(path: Path) -> FileCheck:
    """Raise :class:`UnreadableError` with a one-line Chinese reason, or describe the file."""
    if not path.exists():
        raise UnreadableError("文件不存在")
    if path.is_dir():
        raise UnreadableError("这是文件夹，不是工作簿")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableError("空文件（0 字节）")
    if size > MAX_FILE_BYTES:
        raise UnreadableError(f"文件过大（{size // 1024 // 1024} MB），不像统计表")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(_OLE):
        if suffix in (".xlsx", ".xlsm"):
            if b"EncryptedPackage" in path.read_bytes():
                raise UnreadableError("工作簿设置了打开密码（已加密），请对方取消密码后重发")
            return FileCheck(path, "xls")  # an .xls saved under an .xlsx name
        return FileCheck(path, "xls")
    if head.startswith(_ZIP):
        return _check_zip(path)
    if suffix in SUFFIXES:
        raise UnreadableError(
            "文件内容不是 Excel/WPS/LibreOffice 工作簿（可能已损坏或只是改了扩展名）"
        )
    raise UnreadableError("不是工作簿文件（支持 .xlsx .xlsm .xls .ods）")


def _check_zip(path: Path) -> FileCheck:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            unpacked = sum(i.file_size for i in infos)
            if unpacked > MAX_UNPACKED_BYTES or any(
                i.compress_size
                and i.file_size / i.compress_size > MAX_RATIO
                and i.file_size > 10_000_000
                for i in infos
            ):
                raise UnreadableError("压缩内容异常（解压后过大，疑似压缩炸弹），已拒绝读取")
            names = {i.filename for i in infos}
            if "content.xml" in names and "mimetype" in names:
                return FileCheck(path, "ods")
            if "xl/workbook.xml" not in names:
                raise UnreadableError("压缩包里没有工作簿内容（不是 xlsx 文件）")
            return FileCheck(path, "xlsx", _scan_sheets(archive))
    except zipfile.BadZipFile:
        raise UnreadableError("文件已损坏或不完整（压缩结构错误），请对方重新发送") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise UnreadableError(f"文件无法解压（{type(exc).__name__}）") from None


def _scan_sheets(archive: zipfile.ZipFile) -> dict[str, SheetScan]:
    workbook = archive.read("xl/workbook.xml")
    try:
        rels_xml = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        rels_xml = b""
    rels = dict(_REL.findall(rels_xml))
    rels.update({rid: target for target, rid in _REL_ALT.findall(rels_xml)})
    scans: dict[str, SheetScan] = {}
    for raw_name, rid in _SHEET.findall(workbook):
        target = rels.get(rid, b"").decode()
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        try:
            xml = archive.read(member)
        except KeyError:
            continue
        name = _unescape(raw_name.decode("utf-8", "replace"))
        scans[name] = _scan(xml)
    return scans


def _scan(xml: bytes) -> SheetScan:
    # Rows and column letters repeat: take the distinct ones, not one int per cell.
    rows = [int(r) for r in set(_ROW_REF.findall(xml))]
    cols = [_col_index(c) for c in set(_COL_REF.findall(xml))]
    area = (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1) if rows and cols else 0
    missing = set()
    if b"<f" in xml:
        for ref, attrs, value in _FORMULA.findall(xml):
            cached = value.startswith(b"<v>") and value != b"<v></v>"
            empty_string = bool(value) and b't="str"' in attrs
            if not cached and not empty_string:
                missing.add(ref.decode())
    return SheetScan(xml.count(b"<c "), area, frozenset(missing))


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )
