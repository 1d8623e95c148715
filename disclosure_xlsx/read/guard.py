"""Refuse bad files early and cheaply, before any spreadsheet library touches them.

Every workbook comes from outside, and the libraries that read them trust it: python-calamine
aborts the whole process (a Rust allocation failure, not an exception) on a sheet whose cells
span a huge area or whose shared strings declare a huge count, and openpyxl takes gigabytes and
minutes over a sheet of millions of cells or a zip bomb. So the guard finds out what the file
is by its content (:mod:`sniff`), checks a zip's directory for bombs, duplicate and oversized
members, and *parses* what the readers will read (:mod:`ooxml`, :mod:`odf`, :mod:`biff`): the
real cell extent and count of every sheet. A file beyond the bounds is refused with a one-line
reason; a sheet too wide for calamine's dense grid is routed to openpyxl's sparse store.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableError
from ..text import Text
from . import sniff
from .biff import scan_biff
from .odf import MIMETYPES, scan_ods
from .ooxml import SheetScan, folded, package, scan_workbook
from .safexml import read_member

#: Extensions a folder scan takes as workbooks (others are looked into, see ``check.validate``).
SUFFIXES = tuple(sniff.WORKBOOK_SUFFIXES)
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 10_000
#: Above this many cells in a sheet's bounding box, calamine would allocate a dense grid.
MAX_DENSE_CELLS = 2_000_000
#: python-calamine reserves room for the shared strings' declared count up front.
MAX_DECLARED_STRINGS = 1_000_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"

_ENCRYPTED = Text(
    "工作簿设置了打开密码（已加密），请对方取消密码后重发",
    "the workbook is password-protected (encrypted); ask for it without the password",
)
_DAMAGED_ZIP = Text(
    "文件已损坏或不完整（压缩结构错误），请对方重新发送",
    "the file is damaged or incomplete (broken zip structure); ask for it again",
)
_BOMB = Text(
    "压缩内容异常（解压后过大，疑似压缩炸弹），已拒绝读取",
    "abnormal compressed content (unpacks far too large, like a zip bomb); refused",
)


@dataclass(frozen=True)
class FileCheck:
    """A file that passed the guard: its format by content, and per-sheet scans."""

    path: Path
    format: str  # "xlsx" (also xlsm, xltx), "xls" (also WPS .et), "ods"
    sheets: dict[str, SheetScan] = field(default_factory=dict)
    declared_strings: int = 0  # the largest shared-strings count declared anywhere (xlsx)
    main: str = "xl/workbook.xml"  # the workbook part (xlsx), found through content types
    wrong_extension: Text | None = None  # set when the extension does not match the content
    others: tuple[SheetScan, ...] = ()  # parts holding cells no sheet name leads to (xlsx)

    @property
    def dense_safe(self) -> bool:
        """Whether python-calamine may read it (else openpyxl's sparse reader must)."""
        if self.format != "xlsx":
            return True  # the guard refused what calamine cannot take and nothing else can
        return (
            all(s.area <= MAX_DENSE_CELLS for s in (*self.sheets.values(), *self.others))
            and self.declared_strings <= MAX_DECLARED_STRINGS
            and self.main == "xl/workbook.xml"  # calamine looks there only
        )


def check_file(path: Path) -> FileCheck:
    """Raise :class:`UnreadableError` with a one-line reason, or describe the file."""
    try:
        if not path.exists():
            raise UnreadableError(Text("文件不存在", "the file does not exist"))
        if path.is_dir():
            raise UnreadableError(
                Text("这是文件夹，不是工作簿", "this is a folder, not a workbook")
            )
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError as exc:
        raise UnreadableError(
            Text(f"无法打开文件（{exc.strerror}）", f"cannot open the file ({exc.strerror})")
        ) from None
    if size == 0:
        raise UnreadableError(Text("空文件（0 字节）", "an empty file (0 bytes)"))
    if size > MAX_FILE_BYTES:
        mb = size // 1024 // 1024
        raise UnreadableError(
            Text(f"文件过大（{mb} MB），不像统计表", f"too large ({mb} MB) for a statistics table")
        )
    if head.startswith(_OLE):
        fmt = _check_ole(path)
        return FileCheck(path, fmt, wrong_extension=sniff.extension_note(path, fmt))
    if head.startswith(_ZIP):
        check = _check_zip(path)
        note = sniff.extension_note(path, check.format)
        return FileCheck(
            path, check.format, check.sheets, check.declared_strings, check.main, note, check.others
        )
    reason = sniff.other_content(head)
    if reason is not None:
        raise UnreadableError(reason)
    if path.suffix.lower() in SUFFIXES:
        raise UnreadableError(
            Text(
                "文件内容不是 Excel/WPS/LibreOffice 工作簿（可能已损坏或只是改了扩展名）",
                "the content is not an Excel/WPS/LibreOffice workbook (damaged, or only renamed)",
            )
        )
    raise UnreadableError(
        Text(
            "不是工作簿文件（支持 .xlsx .xlsm .xls .et .ods）",
            "not a workbook (.xlsx .xlsm .xls .et .ods are read)",
        )
    )


def _check_ole(path: Path) -> str:
    """An OLE compound file: an Excel/WPS workbook, or say what else it is."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
            book = next((s for s in ("Workbook", "Book", "WORKBOOK", "BOOK") if s in streams), None)
            if book is None:
                raise UnreadableError(_ole_other(streams))
            data = ole.openstream(book).read()
    except UnreadableError:
        raise
    except Exception:  # olefile raises many types on hostile bytes; all mean "damaged"
        if b"EncryptedPackage" in path.read_bytes():
            raise UnreadableError(_ENCRYPTED) from None
        raise UnreadableError(
            Text(
                "文件已损坏（OLE 结构错误），请对方在 Excel/WPS 中打开后重新保存",
                "the file is damaged (broken OLE structure); ask for it to be saved again",
            )
        ) from None
    for sheet in scan_biff(data):
        if max(sheet.area, sheet.declared) > MAX_DENSE_CELLS:
            raise UnreadableError(
                Text(
                    "工作表声明或使用的范围过大，文件可能已损坏；请在 Excel/WPS 中打开后另存为 .xlsx",
                    "a sheet declares or spans a huge range; the file may be damaged. "
                    "Open it in Excel/WPS and save it as .xlsx",
                )
            )
    return "xls"


def _ole_other(streams: set[str]) -> Text:
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        return _ENCRYPTED
    if "WordDocument" in streams:
        return sniff.OFFICE_KINDS["doc"]
    if "PowerPoint Document" in streams:
        return sniff.OFFICE_KINDS["ppt"]
    if any(s.startswith("__substg1.0_") for s in streams):
        return sniff.OFFICE_KINDS["msg"]
    return Text(
        "这是 Office 格式的文件，但不是 Excel 工作簿",
        "this is an Office file, but not an Excel workbook",
    )


@dataclass(frozen=True)
class _Zip:
    format: str
    sheets: dict[str, SheetScan]
    declared_strings: int = 0
    main: str = "xl/workbook.xml"
    others: tuple[SheetScan, ...] = ()


def _check_zip(path: Path) -> _Zip:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_directory(infos)
            names = {i.filename for i in infos}
            mimetype = read_member(archive, "mimetype", 200).decode("ascii", "replace").strip()
            odf = MIMETYPES.get(mimetype)
            if odf == "ods":
                return _Zip("ods", _dense_only(scan_ods(archive)))
            if odf:
                raise UnreadableError(sniff.OFFICE_KINDS[odf])
            found = package(archive, names)
            if found.kind == "xlsx" and found.main:
                scan = scan_workbook(archive, names, found.main)
                return _Zip("xlsx", scan.sheets, scan.declared_strings, found.main, scan.others)
            if found.kind:
                raise UnreadableError(sniff.OFFICE_KINDS[found.kind])
            books = sum(n.lower().endswith(SUFFIXES) for n in names)
            reason = sniff.archive("ZIP")
            if books:
                reason += Text(f"（其中有 {books} 个工作簿）", f" ({books} workbooks inside)")
            raise UnreadableError(reason)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise UnreadableError(_DAMAGED_ZIP) from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
        raise UnreadableError(
            Text(
                f"文件无法解压（{type(exc).__name__}）",
                f"the file cannot be unpacked ({type(exc).__name__})",
            )
        ) from None


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """Bombs, duplicate members (readers disagree on which one counts), absurd member counts."""
    if len(infos) > MAX_MEMBERS:
        raise UnreadableError(_BOMB)
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES or any(
        i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 10_000_000
        for i in infos
    ):
        raise UnreadableError(_BOMB)
    names = [folded(i.filename) for i in infos]  # as calamine looks them up
    if len(set(names)) != len(names):
        raise UnreadableError(
            Text(
                "文件已损坏（压缩包里有同名的重复部件），请对方在 Excel/WPS 中打开后重新保存",
                "the file is damaged (the zip holds duplicate parts); ask for it to be saved again",
            )
        )


def _dense_only(sheets: dict[str, SheetScan]) -> dict[str, SheetScan]:
    """ODS has no sparse reader here: a table too wide for a dense grid is refused."""
    for name, scan in sheets.items():
        if scan.area > MAX_DENSE_CELLS:
            raise UnreadableError(
                Text(
                    f"工作表“{name}”的内容范围过大（{scan.area:,} 个单元格），不像统计表，已拒绝读取",
                    f"sheet '{name}' spans a huge range ({scan.area:,} cells), "
                    "not a statistics table; refused",
                )
            )
    return sheets
