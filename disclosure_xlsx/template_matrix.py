"""The template of a matrix spec (the 2021 national format): tables stacked on one sheet.

One sheet keeps what the 2014 template has (one marker, one 单位名称, one print job) and matches
how the tables sit one below the other in the annual report. Layout, per table: the part title
(二、三、四), the table title, header rows with merged group cells (法人或其他组织, 行政诉讼 ·
未经复议直接起诉), a hidden row of column ids, then one row per table row: label in column A,
values from column B. Column ids (hidden row) and row ids (hidden column) let the reader find
every cell by id, so inserted rows and columns do not throw it off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from .locate_matrix import COLUMN_IDS
from .rules import RULE_KINDS
from .spec import Spec, Table
from .template import (
    BORDER,
    ERROR_FILL,
    HEADING_FILL,
    WARNING_FILL,
    add_unit_validation,
    defined_name,
    fit_one_page_wide,
    style_value_cell,
    write_title_block,
)

LABEL_COL, FIRST_VALUE_COL = 1, 2
FIRST_ROW = 5

_HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class MatrixLayout:
    """Where everything goes; computed once, used by the writer and by ``layout``."""

    width: int  # number of value columns of the widest table
    value_cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # item -> (row, col)
    row_of: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, row id) -> row
    blocks: list[tuple[Table, int, int, int]] = field(
        default_factory=list
    )  # table, title, header, ids
    part_rows: dict[int, str] = field(default_factory=dict)
    last_row: int = 0

    @property
    def check_col(self) -> int:
        return FIRST_VALUE_COL + self.width

    @property
    def id_col(self) -> int:
        return self.check_col + 1


def plan(spec: Spec) -> MatrixLayout:
    out = MatrixLayout(width=max(len(t.columns) for t in spec.tables))
    row, part = FIRST_ROW, None
    for table in spec.tables:
        if table.part and table.part != part:
            out.part_rows[row] = table.part
            part = table.part
            row += 1
        title_row = row
        if table.title:
            row += 1
        header_row = row
        row += _depth(table)
        ids_row = row
        row += 1
        out.blocks.append((table, title_row if table.title else 0, header_row, ids_row))
        for rid in table.rows:
            out.row_of[(table.id, rid)] = row
            row += 1
        row += 1  # a blank row between tables
    for item in spec.items:
        table = spec.table(item.table)
        col = FIRST_VALUE_COL + table.columns.index(item.column)
        out.value_cells[item.id] = (out.row_of[(item.table, item.row)], col)
    out.last_row = row
    return out


def _depth(table: Table) -> int:
    return 1 + max(len(c.group) for c in table.column_specs)


def value_cells(spec: Spec) -> dict[str, str]:
    """Item id -> A1 address of its value cell (data items only)."""
    layout = plan(spec)
    return {
        i.id: f"{get_column_letter(layout.value_cells[i.id][1])}{layout.value_cells[i.id][0]}"
        for i in spec.data_items()
    }


def write(wb: Workbook, ws: Worksheet, spec: Spec, unit_name: str, sheet_title: str) -> None:
    """Write the whole sheet (everything but protection and workbook properties)."""
    layout = plan(spec)
    _head(ws, spec, unit_name, layout)
    for row, text in layout.part_rows.items():
        _banner(ws, row, text, layout, size=12)
    for table, title_row, header_row, ids_row in layout.blocks:
        if title_row:
            _banner(ws, title_row, table.title, layout, size=11)
        _header(ws, table, header_row, ids_row, layout)
        _rows(ws, spec, table, layout)
    note_row = layout.last_row
    ws.merge_cells(
        start_row=note_row, start_column=1, end_row=note_row, end_column=layout.check_col
    )
    ws.cell(note_row, 1, spec.note)
    _validation(ws, spec, layout)
    _live_checks(ws, spec, layout)
    _ids(wb, ws, spec, layout, sheet_title)
    _print(ws, layout)


def _head(ws: Worksheet, spec: Spec, unit_name: str, layout: MatrixLayout) -> None:
    last = get_column_letter(layout.check_col)
    ws.column_dimensions["A"].width = 46
    for col in range(FIRST_VALUE_COL, layout.check_col):
        ws.column_dimensions[get_column_letter(col)].width = 10
    ws.column_dimensions[last].width = 30
    id_letter = get_column_letter(layout.id_col)
    ws.column_dimensions[id_letter].width = 24
    ws.column_dimensions[id_letter].hidden = True
    write_title_block(ws, spec, unit_name, last)


def _banner(ws: Worksheet, row: int, text: str, layout: MatrixLayout, size: int) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=layout.check_col)
    cell = ws.cell(row, 1, text)
    cell.font = Font(bold=True, size=size)


def _header(ws: Worksheet, table: Table, top: int, ids_row: int, layout: MatrixLayout) -> None:
    depth = _depth(table)
    bottom = top + depth - 1
    for r in range(top, bottom + 1):
        for c in range(1, FIRST_VALUE_COL + len(table.columns) + 1):
            cell = ws.cell(r, c)
            cell.border, cell.fill, cell.alignment = BORDER, _HEADER_FILL, _CENTER
            cell.font = Font(bold=True)
    ws.cell(top, LABEL_COL, table.header[0] if table.header else None)
    if depth > 1:
        ws.merge_cells(start_row=top, start_column=1, end_row=bottom, end_column=1)
    check = ws.cell(top, FIRST_VALUE_COL + len(table.columns), "校验")
    if depth > 1:
        ws.merge_cells(
            start_row=top, start_column=check.column, end_row=bottom, end_column=check.column
        )
    columns = table.column_specs
    for level in range(depth):
        k = 0
        while k < len(columns):
            col = FIRST_VALUE_COL + k
            group = columns[k].group
            if len(group) > level:  # a merged group cell spanning the columns that share it
                end = k
                while (
                    end + 1 < len(columns)
                    and columns[end + 1].group[: level + 1] == group[: level + 1]
                ):
                    end += 1
                ws.cell(top + level, col, group[level])
                if end > k:
                    ws.merge_cells(
                        start_row=top + level,
                        start_column=col,
                        end_row=top + level,
                        end_column=FIRST_VALUE_COL + end,
                    )
                k = end + 1
                continue
            if len(group) == level:  # the leaf label, merged down to the last header row
                ws.cell(top + level, col, columns[k].label)
                if top + level < bottom:
                    ws.merge_cells(
                        start_row=top + level, start_column=col, end_row=bottom, end_column=col
                    )
            k += 1
    for k, column in enumerate(columns):
        ws.cell(ids_row, FIRST_VALUE_COL + k, column.id)
    ws.cell(ids_row, layout.id_col, f"{COLUMN_IDS}{table.id}")
    ws.row_dimensions[ids_row].hidden = True


def _rows(ws: Worksheet, spec: Spec, table: Table, layout: MatrixLayout) -> None:
    check_col = FIRST_VALUE_COL + len(table.columns)
    for rid in table.rows:
        row = layout.row_of[(table.id, rid)]
        items = spec.row_items(table.id, rid)
        first = items[0]
        label = ws.cell(row, LABEL_COL, first.row_label)
        label.alignment = Alignment(indent=first.level * 2, wrap_text=True, vertical="center")
        label.border = BORDER
        check = ws.cell(row, check_col)
        check.border = BORDER
        check.font = Font(color="C00000")
        for item in items:
            style_value_cell(ws.cell(*layout.value_cells[item.id]), item)
        if not first.is_data:
            label.font = Font(bold=True)
            label.fill = check.fill = HEADING_FILL
        if len(first.row_label) > 24:
            ws.row_dimensions[row].height = 15 * (1 + len(first.row_label) // 24)
        ws.cell(row, layout.id_col, rid)


def _a1(layout: MatrixLayout, item_id: str, absolute: bool = False) -> str:
    row, col = layout.value_cells[item_id]
    letter = get_column_letter(col)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def _validation(ws: Worksheet, spec: Spec, layout: MatrixLayout) -> None:
    add_unit_validation(ws, spec, {i.id: _a1(layout, i.id) for i in spec.data_items()})


def _live_checks(ws: Worksheet, spec: Spec, layout: MatrixLayout) -> None:
    """Per row, the messages of the rules anchored on it, each naming its column."""
    messages: dict[tuple[int, int], list[str]] = {}
    for rule in spec.rules:
        check = RULE_KINDS[rule.kind].excel(rule, lambda i: _a1(layout, i, absolute=True))
        anchor = spec.item(check.anchor)
        table = spec.table(anchor.table)
        name = table.column(anchor.column).full_label if len(table.columns) > 1 else ""
        prefix = f'"{name}："&' if name else ""
        if rule.severity == "warning":
            prefix = '"请核实："&' + prefix
        row = layout.value_cells[check.anchor][0]
        key = (row, FIRST_VALUE_COL + len(table.columns))
        messages.setdefault(key, []).append(f'IF({check.bad},{prefix}{check.message}&"；","")')
        fill = WARNING_FILL if rule.severity == "warning" else ERROR_FILL
        ws.conditional_formatting.add(
            _a1(layout, check.anchor), FormulaRule(formula=[check.bad], fill=fill)
        )
    for (row, col), parts in messages.items():
        ws.cell(row, col, "=" + "&".join(parts))


def _ids(wb: Workbook, ws: Worksheet, spec: Spec, layout: MatrixLayout, title: str) -> None:
    ws.cell(1, layout.id_col, spec.marker)
    sheet = quote_sheetname(title)
    for item in spec.data_items():
        name = defined_name(item.id)
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{sheet}!{_a1(layout, item.id, absolute=True)}"
        )
    wb.defined_names["dx_spec"] = DefinedName("dx_spec", attr_text=f'"{spec.marker}"')


def _print(ws: Worksheet, layout: MatrixLayout) -> None:
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.print_area = f"A1:{get_column_letter(layout.check_col)}{layout.last_row}"
    fit_one_page_wide(ws, "landscape")
