"""Open a returned workbook for writing a changed copy, keeping the department's layout.

The input file is only ever read: xlsx/xlsm are loaded with openpyxl; xls/ods are first
converted to xlsx by LibreOffice in a temporary folder. Copies are always written as .xlsx
(.xlsm when the input had macros), never over the input, and carry the mark of a report
output (:mod:`..read.own`) so a later folder scan does not count them as returns.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..errors import DisclosureError, UsageError
from ..outputs import check_output, sanitize_text, write_bytes
from ..read.own import DEFINED_NAME, PROPERTY, mark_value
from ..text import Text
from .office import convert


def open_copy(path: Path) -> Workbook:
    """The workbook as an editable openpyxl object (formulas kept, not their values)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return load_workbook(path, keep_vba=suffix == ".xlsm", rich_text=True)
        if suffix in (".xls", ".ods"):
            with tempfile.TemporaryDirectory(prefix="dx-copy-") as tmp:
                return load_workbook(convert(path, "xlsx", Path(tmp)), rich_text=True)
    except DisclosureError:
        raise
    except Exception as exc:
        raise DisclosureError(
            Text(
                f"{path}：无法打开并修改（{type(exc).__name__}）",
                f"{path}: cannot open it for a changed copy ({type(exc).__name__})",
            )
        ) from None
    raise DisclosureError(
        Text(
            f"{path}：不支持的文件类型 {path.suffix}",
            f"{path}: unsupported file type {path.suffix}",
        )
    )


def copy_suffix(path: Path) -> str:
    return ".xlsm" if path.suffix.lower() == ".xlsm" else ".xlsx"


def check_target(source: Path, target: Path, force: bool) -> None:
    """Refuse to write over the input, over an existing file (without force), or as .xls."""
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(
            Text(f"{target}：输出文件须为 .xlsx", f"{target}: the output must be an .xlsx file")
        )
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
