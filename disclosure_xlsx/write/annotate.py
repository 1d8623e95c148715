"""Annotated copies to send back: problem cells coloured and commented, and a first sheet
校验结果 listing the report's rows with a link to each cell.

A renderer of the report like the console and HTML ones (it draws the same report rows), but
its output is a workbook a department opens in Excel, WPS or LibreOffice. The input is only
read (see editable.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..check.findings import Finding
from ..check.report import FileReport, Report
from ..check.rows import report_rows
from ..errors import DisclosureError
from ..spec.layout import col_letter
from ..text import Lang, Text, ui
from . import paper
from .editable import copy_suffix, open_copy, save, writable
from .template import BORDER, HEADER_FILL

SUMMARY_SHEET = "校验结果"
AUTHOR = "disclosure-xlsx"
FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),  # Excel's own "bad" red
    "warning": PatternFill("solid", fgColor="FFEB9C"),  # and its "neutral" yellow
}
_HEAD = (
    "col.no",
    "col.cell",
    "col.item",
    "col.problem",
    "col.details",
    "col.found",
    "col.expected",
    "col.fix",
)
_WIDTHS = (5, 10, 20, 11, 40, 8, 8, 30)


@dataclass(frozen=True)
class Annotated:
    """One annotated copy written (``output``), or why it could not be (``error``)."""

    source: str
    output: Path | None
    error: Text | None = None


def annotate(report: Report, folder: str | Path, lang: Lang = "zh") -> list[Annotated]:
    """Write an annotated copy of every readable file with findings into ``folder``."""
    folder = Path(folder)
    used: set[Path] = set()
    out = []
    for file in report.files:
        if not file.findings or file.sheet is None:
            continue
        target = _target(Path(file.path), folder, used)
        try:
            out.append(Annotated(file.path, annotate_file(file, target, lang)))
        except DisclosureError as exc:
            out.append(Annotated(file.path, None, exc.text))
    return out


def _target(source: Path, folder: Path, used: set[Path]) -> Path:
    """'<name>_校验.xlsx', numbered when two inputs share a name; never the input itself."""
    suffix = copy_suffix(source)
    target = folder / f"{source.stem}_校验{suffix}"
    n = 2
    while target in used or target.resolve() == source.resolve():
        target = folder / f"{source.stem}_校验{n}{suffix}"
        n += 1
    used.add(target)
    return target


def annotate_file(file: FileReport, target: Path, lang: Lang = "zh") -> Path:
    """Colour and comment each problem cell, add the 校验结果 sheet, save as ``target``."""
    if file.sheet is None:
        raise DisclosureError(
            Text(f"{file.path}：没有找到统计表，无法批注", f"{file.path}: no table to annotate")
        )
    wb = open_copy(Path(file.path))
    ws = wb[file.sheet]
    by_cell: dict[str, list[Finding]] = defaultdict(list)
    for f in file.findings:
        if f.cell:
            by_cell[f.cell].append(f)
    for cell, findings in by_cell.items():
        if not writable(ws, cell):
            continue
        worst = "error" if any(f.severity == "error" for f in findings) else "warning"
        ws[cell].fill = FILLS[worst]
        text = "\n".join(_comment_line(f, lang) for f in findings)
        comment = Comment(text, AUTHOR)
        comment.width = 320
        comment.height = min(60 + 18 * text.count("\n") + len(text) // 2, 400)
        ws[cell].comment = comment
    if SUMMARY_SHEET in wb.sheetnames:  # a copy annotated before: replace its list
        del wb[SUMMARY_SHEET]
    summary = wb.create_sheet(SUMMARY_SHEET, 0)
    _write_summary(summary, file, lang)
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is summary
    save(wb, target)
    return target


def _comment_line(f: Finding, lang: Lang) -> str:
    line = f"【{f.title(lang)}】{f.message(lang)}"
    if f.fix:
        line += f"\n→ {ui('suggestion', lang)}：{f.fix.reason(lang)}"
    return line


def _write_summary(ws: Worksheet, file: FileReport, lang: Lang) -> None:
    """The report's rows as a sheet that prints legibly on A4 landscape: wrapped text, rows as
    tall as their text, numbers right-aligned, the header repeated on every page."""
    who = file.unit_name or Path(file.path).name
    last = col_letter(len(_HEAD))
    ws["A1"] = ui("annot.title", lang, who=who)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ui("annot.intro", lang, errors=file.errors, warnings=file.warnings)
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = paper.LINE_POINTS * paper.lines(ws["A2"].value, sum(_WIDTHS))
    for col, (key, width) in enumerate(zip(_HEAD, _WIDTHS, strict=True), start=1):
        head = ws.cell(4, col, ui(key, lang))
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        head.border = BORDER
        ws.column_dimensions[col_letter(col)].width = width
    for n, row in enumerate(report_rows(file.findings), start=1):
        r = 4 + n
        values: tuple[object, ...] = (
            n,
            row.cells(lang),
            row.item(lang),
            row.title(lang),
            row.message(lang),
            _number_or_text(row.found),
            _number_or_text(row.expected),
            row.hint(lang) if row.hint else "",
        )
        height = 1
        for col, (value, width) in enumerate(zip(values, _WIDTHS, strict=True), start=1):
            cell = ws.cell(r, col)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text from a workbook stays text, even =HYPERLINK(...)
            numeric = isinstance(value, (int, float)) and col > 1
            cell.alignment = Alignment(
                wrap_text=True, vertical="top", horizontal="right" if numeric else "left"
            )
            cell.border = BORDER
            height = max(height, paper.lines(value, width))
        ws.row_dimensions[r].height = paper.LINE_POINTS * height
        if row.link:
            link = ws.cell(r, 2)
            # an internal link (location), not an external target, so no relationship part
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{file.sheet}'!{row.link}")
            link.font = Font(color="0563C1", underline="single")
        ws.cell(r, 4).fill = FILLS[row.severity]
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    paper.set_up(ws, _WIDTHS, "landscape")


def _number_or_text(shown: str) -> object:
    """A found/expected value: a number when it is one (so it aligns right), else its text."""
    try:
        number = float(shown)
    except ValueError:
        return shown
    if not math.isfinite(number):
        return shown
    return int(number) if number.is_integer() and "." not in shown else number
