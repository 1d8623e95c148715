"""The round's printable workbooks: the status list, and the 明细 and 说明 sheets of the total.

Text that came from departments (names, file names, 单位名称) is always written as text, never
as a formula: openpyxl reads a string starting with '=' as a formula, so :func:`put_text`
sets the cell's type to string after assigning (it is then written as an inline string, which
Excel, WPS and LibreOffice show as typed). Sheets print landscape, one page wide, with their
header rows repeated on every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from ..spec.layout import col_letter
from ..text import Lang, Text
from ..write import paper
from ..write.template import FIXED_TIME, workbook_bytes
from .status import STATES, Status

if TYPE_CHECKING:
    import pandas as pd

    from .total import Total

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="EDEDED")
STATE_FILL = {
    "ok": PatternFill("solid", fgColor="C6EFCE"),
    "invalid": PatternFill("solid", fgColor="FFC7CE"),
    "unreadable": PatternFill("solid", fgColor="FFC7CE"),
    "missing": PatternFill("solid", fgColor="FFEB9C"),
}
WRAP = Alignment(vertical="top", wrap_text=True)


def put_text(cell: Cell, text: str | None) -> Cell:
    """Write text as text, even when it starts with = + - @ (never as a formula)."""
    cell.value = text
    if text is not None:
        cell.data_type = "s"
    return cell


def _row(ws: Worksheet, row: int, values: Sequence[object], head: bool = False) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col)
        if isinstance(value, str):
            put_text(cell, value)
        else:
            cell.value = value
        cell.border = BORDER
        cell.alignment = WRAP
        if head:
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL


def _plain_row(ws: Worksheet, row: int, values: Sequence[object]) -> None:
    """A row without cell styles (a large matrix: styling 20 000 cells one by one is slow in
    openpyxl; the sheet prints its grid lines instead)."""
    for col, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = ws.cell(row, col)
        if isinstance(value, str):
            put_text(cell, value)
        else:
            cell.value = value


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[col_letter(col)].width = width


def _fixed(wb: Workbook, title: str) -> None:
    props = wb.properties
    props.creator = props.lastModifiedBy = "disclosure-xlsx"
    props.title = title
    props.created = props.modified = FIXED_TIME


STATUS_HEAD = (
    Text("序号", "No."),
    Text("单位名称", "Department"),
    Text("联系人", "Contact"),
    Text("邮箱", "E-mail"),
    Text("电话", "Phone"),
    Text("状态", "State"),
    Text("版本数", "Versions"),
    Text("最近收到", "Last received"),
    Text("错误", "Errors"),
    Text("提示", "Warnings"),
    Text("逾期", "Overdue"),
    Text("当前文件", "Current file"),
)
UNMATCHED_HEAD = (Text("序号", "No."), Text("文件", "File"), Text("原因", "Reason"))


def status_workbook(
    status: Status, contacts: dict[str, tuple[str, str]], lang: Lang = "zh"
) -> bytes:
    """The status as a list to print or forward: one row per department, then the unmatched
    returns; ``contacts`` gives each department's (contact, phone)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "收集情况" if lang == "zh" else "Status"
    info = status.round
    deadline = info.deadline or ("未定" if lang == "zh" else "none")
    put_text(ws.cell(1, 1), info.title).font = Font(bold=True, size=14)
    put_text(
        ws.cell(2, 1),
        Text(
            f"{info.year} 年度格式　截止日期 {deadline}　{status.summary.line().zh}",
            f"{info.year} format, deadline {deadline}; {status.summary.line().en}",
        )(lang),
    )
    _row(ws, 4, [t(lang) for t in STATUS_HEAD], head=True)
    yes, no = ("是", "") if lang == "zh" else ("yes", "")
    for n, d in enumerate(status.departments, start=1):
        contact, phone = contacts.get(d.id, ("", ""))
        _row(
            ws,
            4 + n,
            [
                n,
                d.name,
                contact,
                d.email or "",
                phone,
                STATES[d.state](lang),
                d.versions,
                (d.received_at or "").replace("T", " ")[:16],
                d.errors,
                d.warnings,
                yes if d.overdue else no,
                d.file or "",
            ],
        )
        ws.cell(4 + n, 6).fill = STATE_FILL[d.state]
    last = 4 + len(status.departments)
    if status.unmatched:
        top = last + 2
        put_text(
            ws.cell(top, 1), "未匹配的文件" if lang == "zh" else "Unmatched returns"
        ).font = Font(bold=True)
        _row(ws, top + 1, [t(lang) for t in UNMATCHED_HEAD], head=True)
        for n, u in enumerate(status.unmatched, start=1):
            _row(ws, top + 1 + n, [n, u.file, u.reason(lang)])
            ws.merge_cells(
                start_row=top + 1 + n, start_column=3, end_row=top + 1 + n, end_column=12
            )
        ws.merge_cells(start_row=top + 1, start_column=3, end_row=top + 1, end_column=12)
        last = top + 1 + len(status.unmatched)
    widths = (5, 18, 8, 18, 11, 11, 6, 13, 6, 6, 6, 25)
    _widths(ws, widths)
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    ws.print_area = f"A1:L{last}"
    paper.set_up(ws, widths, "landscape")
    _fixed(wb, info.title)
    return workbook_bytes(wb)


def detail_sheet(wb: Workbook, total: Total, frame: pd.DataFrame) -> None:
    """明细: items × departments (the current file and its state above each column), with the
    total of the departments included first."""
    ws = wb.create_sheet("明细")
    spec = total.spec
    parts = total.parts
    put_text(ws.cell(1, 1), "明细：各单位当前版本的数（合计只含计入汇总的单位）").font = Font(
        bold=True
    )
    _row(
        ws, 2, ["项目编号", "项目", "单位", "合计", *(p.department.name for p in parts)], head=True
    )
    files = [p.record.file.rsplit("/", 1)[-1] if p.record else "" for p in parts]
    _row(ws, 3, ["", "文件", "", "", *files])
    ws.row_dimensions[3].height = 45  # file names wrap onto three lines
    _row(
        ws,
        4,
        ["", "状态", "", "", *(p.state_text() for p in parts)],
    )
    for col, p in enumerate(parts, start=5):
        ws.cell(4, col).fill = STATE_FILL[p.state]
    columns = [p.department.id for p in parts]
    matrix = frame[columns].astype(object).where(frame[columns].notna(), None)
    by_item = dict(zip(matrix.index, matrix.to_numpy().tolist(), strict=True))
    for n, item in enumerate(spec.data_items(), start=5):
        summed = item.id not in spec.no_total
        cells: list[object] = [item.id, item.label, item.unit or ""]
        cells.append(total.values.get(item.id) if summed else "不汇总")
        cells.extend(None if v is None else _plain(v) for v in by_item[item.id])
        _plain_row(ws, n, cells)
    ws.print_options.gridLines = True
    widths = (22, 46, 6, 10, *(14 for _ in parts))
    _widths(ws, widths)
    ws.freeze_panes = "E5"
    ws.print_title_rows = "2:4"
    ws.print_title_cols = "A:D"
    # NOTE: 80 departments do not fit one page wide: a legible scale, pages to the right
    paper.set_up(ws, widths, "landscape")


def notes_sheet(wb: Workbook, total: Total) -> None:
    """说明: the departments included and excluded, and why."""
    ws = wb.create_sheet("说明")
    info = total.info
    row = 1
    put_text(ws.cell(row, 1), f"汇总说明：{info.title}").font = Font(bold=True, size=14)
    row += 1
    put_text(
        ws.cell(row, 1),
        f"{info.year} 年度格式；各单位的当前版本（最近收到的一份）逐项相加。"
        + (
            "已交但有错误的单位也计入（--include-invalid）。"
            if total.include_invalid
            else "只计入校验通过的单位。"
        ),
    )
    row += 2
    included = [p for p in total.parts if p.included]
    excluded = [p for p in total.parts if not p.included]
    put_text(ws.cell(row, 1), f"计入汇总的单位（{len(included)} 个）").font = Font(bold=True)
    row += 1
    _row(ws, row, ["序号", "单位名称", "当前文件", "状态", "收到时间", "备注"], head=True)
    for n, p in enumerate(included, start=1):
        assert p.record is not None
        note = p.note.zh if p.note else ""
        _row(
            ws,
            row + n,
            [
                n,
                p.department.name,
                p.record.file,
                STATES[p.state].zh,
                p.record.received_at.replace("T", " ")[:16],
                note,
            ],
        )
    row += len(included) + 2
    put_text(ws.cell(row, 1), f"未计入的单位（{len(excluded)} 个）").font = Font(bold=True)
    row += 1
    _row(ws, row, ["序号", "单位名称", "当前文件", "状态", "原因"], head=True)
    for n, p in enumerate(excluded, start=1):
        _row(
            ws,
            row + n,
            [
                n,
                p.department.name,
                p.record.file if p.record else "",
                STATES[p.state].zh,
                p.reason.zh if p.reason else "",
            ],
        )
    row += len(excluded) + 2
    not_summed = [i for i in total.spec.data_items() if i.id in total.spec.no_total]
    if not_summed:
        put_text(ws.cell(row, 1), "不汇总的项目（规格中声明，汇总表中留空）").font = Font(bold=True)
        for n, item in enumerate(not_summed, start=1):
            _row(ws, row + n, [n, item.label, item.id])
    widths = (5, 22, 32, 12, 14, 45)
    _widths(ws, widths)
    paper.set_up(ws, widths, "landscape")


def _plain(value: float) -> int | float:
    from ..numbers import plain_number

    return plain_number(float(value))
