"""Annotated copies to send back: problem cells coloured and commented, and a first sheet
校验结果 listing every finding with a link to its cell.

A renderer of the report like the console and JSON ones, but its output is a workbook a
department opens in Excel, WPS or LibreOffice. The input is only read (see editable.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from .editable import copy_suffix, open_copy, save, writable
from .errors import DisclosureError
from .findings import Finding
from .i18n import Lang
from .report import FileReport, Report
from .template import fit_one_page_wide
from .values import visible

SUMMARY_SHEET = "校验结果"
AUTHOR = "disclosure-xlsx"
FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),  # Excel's own "bad" red
    "warning": PatternFill("solid", fgColor="FFEB9C"),  # and its "neutral" yellow
}
_HEAD = {
    "zh": ("序号", "单元格", "项目", "问题", "说明", "填报值", "应为", "建议"),
    "en": ("No.", "Cell", "Item", "Problem", "Details", "Found", "Expected", "Suggestion"),
}
_WIDTHS = (6, 10, 40, 16, 60, 12, 12, 50)


@dataclass(frozen=True)
class Annotated:
    """One annotated copy written (``output``), or why it could not be (``error``)."""

    source: str
    output: Path | None
    error: str | None = None


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
            out.append(Annotated(file.path, None, str(exc)))
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
        raise DisclosureError(f"{file.path}：没有找到统计表，无法批注")
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
        line += f"\n→ {'建议' if lang == 'zh' else 'suggestion'}：{f.fix.reason(lang)}"
    return line


def _write_summary(ws: Worksheet, file: FileReport, lang: Lang) -> None:
    zh = lang == "zh"
    who = file.unit_name or Path(file.path).name
    ws["A1"] = f"校验结果：{who}" if zh else f"Check results: {who}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (
        f"错误 {file.errors} 处，提示 {file.warnings} 处。点击单元格地址可跳到该格；"
        "红色为错误（必须改），黄色为提示（请核实）。"
        if zh
        else f"{file.errors} errors, {file.warnings} warnings. Click a cell address to jump to it."
    )
    for col, (name, width) in enumerate(zip(_HEAD[lang], _WIDTHS, strict=True), start=1):
        ws.cell(4, col, name).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, f in enumerate(file.findings, start=1):
        row = 4 + n
        values = (
            n,
            f.cell or "—",
            f.label or "",
            f.title(lang),
            f.message(lang),
            _shown(f.found),
            _shown(f.expected),
            f.fix.reason(lang) if f.fix else "",
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            cell.alignment = wrap
        if f.cell:
            link = ws.cell(row, 2)
            # an internal link (location), not an external target, so no relationship part
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{file.sheet}'!{f.cell}")
            link.font = Font(color="0563C1", underline="single")
        ws.cell(row, 4).fill = FILLS[f.severity]
    ws.freeze_panes = "A5"
    # printed to hand over or file: landscape, one page wide, the header row on every page
    fit_one_page_wide(ws, "landscape")
    ws.print_title_rows = "4:4"


def _shown(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return visible(value)
    return value
