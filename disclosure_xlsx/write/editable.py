"""Open a returned workbook for writing a changed copy, keeping the department's layout.

The input file is only ever read: xlsx/xlsm are loaded with openpyxl; xls/ods are first
converted to xlsx by LibreOffice in a temporary folder. Copies are always written as .xlsx
(.xlsm when the input had macros), never over the input, and carry the mark of a report
output (:mod:`..read.own`) so a later folder scan does not count them as returns.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..errors import DisclosureError
from ..outputs import check_output, check_suffix, sanitize_text, write_bytes
from ..read.guard import check_file
from ..read.own import DEFINED_NAME, PROPERTY, mark_value
from ..text import Text
from .office import convert


def open_copy(path: Path) -> Workbook:
    """The workbook as an editable openpyxl object (formulas kept, not their values).

    The format is the content's (the guard's), not the extension's: an .xls renamed .xlsx or
    a WPS .et opens as what it is. The bytes are read once and handed over in memory, so a
    damaged zip cannot leave a file handle behind for openpyxl to trip over at exit.
    """
    check = check_file(path)
    try:
        with warnings.catch_warnings():  # openpyxl's notes on what it drops: none for a clerk
            warnings.simplefilter("ignore")
            if check.format == "xlsx":
                data = path.read_bytes()
                return load_workbook(io.BytesIO(data), keep_vba=_has_macros(data), rich_text=True)
            with tempfile.TemporaryDirectory(prefix="dx-copy-") as tmp:
                named = Path(tmp) / f"source.{check.format}"  # LibreOffice goes by the extension
                shutil.copyfile(path, named)
                return load_workbook(convert(named, "xlsx", Path(tmp) / "out"), rich_text=True)
    except DisclosureError:
        raise
    except Exception as exc:
        raise DisclosureError(
            Text(
                f"{path}：无法打开并修改（{type(exc).__name__}）",
                f"{path}: cannot open it for a changed copy ({type(exc).__name__})",
            )
        ) from None


def _has_macros(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(n.lower().endswith("vbaproject.bin") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def copy_suffix(path: Path) -> str:
    """.xlsm for a workbook that keeps macros, else .xlsx (copies are always Office Open XML)."""
    return ".xlsm" if path.suffix.lower() in (".xlsm", ".xltm") else ".xlsx"


def check_target(source: Path, target: Path, force: bool) -> None:
    """Refuse to write over the input, over an existing file (without force), or as .xls."""
    check_suffix(target, (".xlsx", ".xlsm"))
    check_output(target, [source], force=force)


def writable(ws: Worksheet, cell: str) -> bool:
    """False for the covered cells of a merged range (openpyxl cannot write them)."""
    return not isinstance(ws[cell], MergedCell)


def put_text(cell: Cell, value: object) -> Cell:
    """Store ``value`` in ``cell`` as what it is: numbers as numbers, and text as text, even
    when it starts with '=' (text from a workbook or a roster is never made a formula), with
    the control characters a workbook cannot hold shown as symbols."""
    if isinstance(value, str):
        cell.value = sanitize_text(value)
        if cell.value and str(cell.value).startswith("="):
            cell.data_type = "s"  # openpyxl took it for a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value
    return cell


def mark_output(wb: Workbook, kind: str, source: Path) -> None:
    """Mark ``wb`` as a report output of ``kind`` made from ``source`` (see :mod:`..read.own`):
    the custom property, a hidden defined name, and the same time as ``modified``."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    wb.properties.modified = now
    props = wb.custom_doc_props
    if PROPERTY in props.names:
        del props[PROPERTY]
    stamp = now.isoformat(timespec="seconds") + "Z"
    props.append(StringProperty(name=PROPERTY, value=mark_value(kind, source, stamp)))
    wb.defined_names[DEFINED_NAME] = DefinedName(DEFINED_NAME, attr_text=f'"{kind}"', hidden=True)


def save(
    wb: Workbook,
    target: Path,
    *,
    mark: tuple[str, Path] | None = None,
    exclusive: bool = False,
) -> None:
    """Save whole or not at all (see :mod:`..outputs`); ``mark`` = (kind, source) marks the
    copy as a report output; ``exclusive`` never replaces an existing file."""
    if mark is not None:
        mark_output(wb, *mark)
    else:
        wb.properties.modified = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    # NOTE: built in memory, then written: an interrupted zip writer on a real file leaves an
    # "Exception ignored" traceback when it is collected; a BytesIO one closes quietly.
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    write_bytes(target, data.getvalue(), exclusive=exclusive)
