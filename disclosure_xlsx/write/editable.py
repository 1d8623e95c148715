"""Open a returned workbook for writing a changed copy, keeping the department's layout.

The input file is only ever read: xlsx/xlsm are loaded with openpyxl; xls/ods are first
converted to xlsx by LibreOffice in a temporary folder. Copies are always written as .xlsx
(.xlsm when the input had macros), never over the input.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import DisclosureError, UsageError
from ..outputs import check_output, writing
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


def save(wb: Workbook, target: Path) -> None:
    """Save whole or not at all (see :mod:`..outputs`)."""
    with writing(target) as fh:
        wb.save(fh)
