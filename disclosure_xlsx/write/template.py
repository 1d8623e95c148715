"""Write the official statistics sheet of a spec as a workbook that guards itself.

One writer for every format, drawing the spec's :class:`~..spec.layout.Layout`: title block,
then each table (part and title banners, merged header rows, a hidden row of column ids, one
row per table row with a live 校验 cell), then the note. Value cells are the only unlocked cells
besides 单位名称; each has in-cell validation by unit; the 校验 column and conditional formats
show broken rules live, from the same rule kinds the Python checks use. Hidden ids (row ids in
a hidden column whose first cell holds the spec marker, column ids in a hidden row) and
``dx_<item>`` names let the reader find every cell by id, never by row number.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..read.cells import reading_units
from ..spec import Item, Spec
from ..spec.layout import (
    COLUMN_IDS,
    ID_HEADER,
    LABEL_COL,
    STAMP_ROW,
    Block,
    Layout,
    Stamp,
    a1,
    col_letter,
    layout,
)
from ..spec.rules import RULE_KINDS
from . import formulas, paper, shared
from .editable import put_text

SHEET_TITLE = "统计表"
#: Fixed time stamp for workbook properties and zip entries: same spec, same bytes.
FIXED_TIME = datetime(2014, 1, 1, 0, 0, 0)

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
UNLOCKED = Protection(locked=False)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
ID_WIDTH = 24


def build_workbook(
    spec: Spec,
    unit_name: str = "",
    password: str | None = None,
    values: Mapping[str, float | int] | None = None,
    stamp: Stamp | None = None,
) -> Workbook:
    """The template as an openpyxl workbook, not yet saved; ``values`` pre-fills items (fill),
    ``stamp`` marks it as one department's template in a collection round (hidden)."""
    sheet = layout(spec)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    _widths(ws, spec, sheet)
    _title_block(ws, spec, unit_name, col_letter(sheet.check_col))
    for block in sheet.blocks:
        _block(ws, spec, sheet, block)
    ws.merge_cells(
        start_row=sheet.note_row, start_column=1, end_row=sheet.note_row, end_column=sheet.check_col
    )
    ws.cell(sheet.note_row, 1, spec.note)
    add_unit_validation(ws, spec, sheet.value_cells)
    _live_checks(ws, spec, sheet)
    _ids(wb, ws, spec, sheet)
    if stamp is not None:
        ws.cell(STAMP_ROW, sheet.id_col, stamp.text)
    _print(ws, spec, sheet)
    for item_id, value in (values or {}).items():
        ws[sheet.a1(item_id)] = value
    ws.protection.sheet = True
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    if password:
        ws.protection.password = password
    props = wb.properties
    props.creator = "disclosure-xlsx"
    props.title = f"{spec.title}{spec.subtitle}"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.lastModifiedBy = "disclosure-xlsx"
    return wb


def template_bytes(
    spec: Spec,
    unit_name: str = "",
    password: str | None = None,
    values: Mapping[str, float | int] | None = None,
    stamp: Stamp | None = None,
) -> bytes:
    """The template as .xlsx bytes; identical for identical arguments. The helper columns
    are written as shared formulas (see :mod:`.shared`)."""
    raw = workbook_bytes(build_workbook(spec, unit_name, password, values, stamp))
    planned = shared.runs(_helper_shapes(spec))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = shared.share(data, planned)
            dst.writestr(info, data)
    return out.getvalue()


def _helper_shapes(spec: Spec) -> list[tuple[int, int, object]]:
    """(row, col, shape) of every helper cell: the formulas of two cells of one helper column
    differ only by their row exactly when their shapes are equal (the third helper divides
    元 by 10000 in a 万元 cell only)."""
    sheet = layout(spec)
    return [
        (*sheet.helper(item.id, k), (k, k == HELPERS - 1 and item.unit == "万元"))
        for item in spec.data_items()
        for k in range(HELPERS)
    ]


def workbook_bytes(wb: Workbook) -> bytes:
    """A workbook as .xlsx bytes with fixed zip time stamps (same workbook, same bytes)."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # NOTE: ExcelWriter, not save_workbook: the latter stamps "modified" with the clock.
        ExcelWriter(wb, archive).write_data()
    return _fix_zip_times(raw.getvalue())


def write_template(
    spec: Spec, output: Path, unit_name: str = "", password: str | None = None
) -> Path:
    """Write the template to ``output``, whole or not at all (the caller decides about
    overwriting: see :func:`..outputs.check_output`)."""
    from ..outputs import write_bytes

    return write_bytes(output, template_bytes(spec, unit_name, password))


def _fix_zip_times(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _widths(ws: Worksheet, spec: Spec, sheet: Layout) -> None:
    page = spec.page
    dims = ws.column_dimensions
    dims[col_letter(LABEL_COL)].width = page.label_width
    for col in range(LABEL_COL + 1, sheet.check_col):
        dims[col_letter(col)].width = page.value_width
    for block in sheet.blocks:
        if block.unit_col:
            dims[col_letter(block.unit_col)].width = page.unit_width
    dims[col_letter(sheet.check_col)].width = page.check_width
    dims[col_letter(sheet.id_col)].width = ID_WIDTH
    dims[col_letter(sheet.id_col)].hidden = True


def _title_block(ws: Worksheet, spec: Spec, unit_name: str, last: str) -> None:
    """Rows 1-3: title, subtitle, and the editable 单位名称 cell (B3), each merged across."""
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws["A1"] = spec.title
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"] = spec.subtitle
    ws["A2"].alignment = Alignment(horizontal="center")
    ws["A3"] = "单位名称："
    ws["A3"].alignment = Alignment(horizontal="right")
    ws.merge_cells(f"B3:{last}3")
    cell = ws[layout(spec).unit_name_cell]
    put_text(cell, unit_name or None)  # a name starting with '=' stays text, not a formula
    cell.protection = UNLOCKED
    cell.border = Border(bottom=THIN)


def style_value_cell(cell: Cell, item: Item) -> None:
    """A value cell: open for input with its number format, or shaded and locked on a heading."""
    cell.border = BORDER
    if item.is_data:
        cell.protection = UNLOCKED
        cell.fill = INPUT_FILL
        cell.number_format = "0.00" if item.value_type == "decimal" else "0"
    else:
        cell.fill = HEADING_FILL


def _banner(ws: Worksheet, row: int, text: str, last_col: int, size: int) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.cell(row, 1, text).font = Font(bold=True, size=size)


def _block(ws: Worksheet, spec: Spec, sheet: Layout, block: Block) -> None:
    table = block.table
    if block.part_row:
        _banner(ws, block.part_row, table.part, sheet.check_col, 12)
    if block.title_row:
        _banner(ws, block.title_row, table.title, sheet.check_col, 11)
    _header(ws, sheet, block)
    for rid, row in block.rows:
        items = spec.row_items(table.id, rid)
        first = items[0]
        label = ws.cell(row, LABEL_COL, first.row_label)
        label.alignment = Alignment(
            horizontal="left", indent=first.level * 2, wrap_text=True, vertical="center"
        )
        edges = [label, ws.cell(row, block.check_col)]
        if block.unit_col:
            unit = ws.cell(row, block.unit_col, first.unit)
            unit.alignment = Alignment(horizontal="center", vertical="center")
            edges.append(unit)
        edges[1].font = Font(color="C00000")
        for cell in edges:
            cell.border = BORDER
            if not first.is_data:
                cell.fill = HEADING_FILL
        if not first.is_data:
            label.font = Font(bold=True)
        for item in items:
            style_value_cell(ws.cell(*sheet.cells[item.id]), item)
        n = paper.lines(first.row_label, spec.page.label_width, indent=first.level * 2)
        if n > 1:
            ws.row_dimensions[row].height = paper.LINE_POINTS * n
        ws.cell(row, sheet.id_col, rid)


def _header(ws: Worksheet, sheet: Layout, block: Block) -> None:
    """Header rows: the label header, the unit header, the column labels under their merged
    groups, and 校验, each merged down to the last header row; then the hidden column ids."""
    table = block.table
    top, bottom = block.header_top, block.header_bottom
    for r in range(top, bottom + 1):
        for c in range(LABEL_COL, block.check_col + 1):
            cell = ws.cell(r, c)
            cell.border, cell.fill, cell.alignment = BORDER, HEADER_FILL, CENTER
            cell.font = Font(bold=True)

    def tall(col: int, text: str | None) -> None:
        ws.cell(top, col, text)
        if bottom > top:
            ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)

    tall(LABEL_COL, table.header[0] if table.header else None)
    if block.unit_col:
        tall(block.unit_col, table.header[1] if len(table.header) > 2 else "单位")
    tall(block.check_col, "校验")
    columns = table.column_specs
    for level in range(block.header_depth):
        k = 0
        while k < len(columns):
            col = block.value_cols[k]
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
                        end_column=block.value_cols[end],
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
    _header_heights(ws, block)
    if block.ids_row:
        for col, column in zip(block.value_cols, columns, strict=True):
            ws.cell(block.ids_row, col, column.id)
        ws.cell(block.ids_row, sheet.id_col, f"{COLUMN_IDS}{table.id}")
        ws.row_dimensions[block.ids_row].hidden = True
    else:  # a table with a unit column: its header row is tagged (version-1 ids)
        ws.cell(top, sheet.id_col, ID_HEADER)


def _header_heights(ws: Worksheet, block: Block) -> None:
    """Header rows tall enough for their wrapped texts (a merged cell shares its rows)."""
    merged = {
        (r.min_row, r.min_col): (r.max_row - r.min_row + 1, r.max_col)
        for r in ws.merged_cells.ranges
        if block.header_top <= r.min_row <= block.header_bottom
    }
    need: dict[int, float] = {}
    for r in range(block.header_top, block.header_bottom + 1):
        for c in range(LABEL_COL, block.check_col + 1):
            text = ws.cell(r, c).value
            if text is None:
                continue
            rows, last = merged.get((r, c), (1, c))
            width = sum(_width(ws, col) for col in range(c, last + 1))
            per_row = paper.lines(text, width) * paper.LINE_POINTS / rows
            for rr in range(r, r + rows):
                need[rr] = max(need.get(rr, paper.LINE_POINTS), per_row)
    for r, height in need.items():
        if height > paper.LINE_POINTS:
            ws.row_dimensions[r].height = math.ceil(height)


def _width(ws: Worksheet, col: int) -> float:
    width = ws.column_dimensions[col_letter(col)].width
    return float(width) if width else 8.43


def add_unit_validation(ws: Worksheet, spec: Spec, cells: Mapping[str, str]) -> None:
    """One in-cell validation per unit over the value cells (item id -> A1): whole or decimal
    number >= 0, with a Chinese prompt and error naming the unit."""
    by_unit: dict[str, list[str]] = {}
    for item in spec.data_items():
        assert item.unit is not None
        by_unit.setdefault(item.unit, []).append(cells[item.id])
    for unit, refs in by_unit.items():
        decimal = spec.units[unit] == "decimal"
        kind = "非负数，可有小数" if decimal else "非负整数"
        dv = DataValidation(
            type="decimal" if decimal else "whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            errorStyle="stop",
            promptTitle=f"单位：{unit}",
            prompt=f"请填写{kind}（单位：{unit}）。没有发生请填 0，不要留空。",
            errorTitle="填写有误",
            error=f"此处只能填写{kind}，单位为“{unit}”。不要填写文字、单位或空格。",
        )
        dv.sqref = " ".join(refs)
        ws.add_data_validation(dv)


HELPERS = 3  # hidden helper cells per value cell (write/formulas.py)


def _helpers(ws: Worksheet, spec: Spec, sheet: Layout) -> None:
    """Three hidden helper cells per value cell that read it as the Python reader does."""
    units = reading_units(spec.units)
    for item in spec.data_items():
        cell = sheet.a1(item.id)
        h1, h2, h3 = (a1(*sheet.helper(item.id, k)) for k in range(HELPERS))
        ws[h1] = "=" + formulas.cleaned(cell)
        ws[h2] = "=" + formulas.stripped(h1, units)
        ws[h3] = "=" + formulas.number(h1, h2, item.unit == "万元")
    for col in sheet.helper_cols(HELPERS):
        ws.column_dimensions[col_letter(col)].hidden = True


def _number_ref(sheet: Layout, item_id: str) -> str:
    """The absolute reference of the helper holding the number an item's cell counts as."""
    row, col = sheet.helper(item_id, HELPERS - 1)
    return f"${col_letter(col)}${row}"


def _live_checks(ws: Worksheet, spec: Spec, sheet: Layout) -> None:
    """Per row, the messages of the rules anchored on it (naming the column in a matrix), and
    a red (error) or yellow (warning) anchor cell while the rule is broken. Each rule reads the
    helpers, so it agrees with the Python checks, and says nothing while one of its cells holds
    no number (as the Python checks skip such a rule)."""
    _helpers(ws, spec, sheet)
    messages: dict[tuple[int, int], list[str]] = {}

    def add(anchor_id: str, bad: str, message: str, refs: list[str], warning: bool) -> None:
        anchor = spec.item(anchor_id)
        table = spec.table(anchor.table)
        name = table.column(anchor.column).full_label if len(table.columns) > 1 else ""
        prefix = f'"{name}："&' if name else ""
        if warning:
            prefix = '"请核实："&' + prefix
        known = f"COUNT({','.join(refs)})={len(refs)}"
        row = sheet.cells[anchor_id][0]
        key = (row, sheet.block(table.id).check_col)
        messages.setdefault(key, []).append(f'IF(AND({known},{bad}),{prefix}{message}&"；","")')
        fill = WARNING_FILL if warning else ERROR_FILL
        ws.conditional_formatting.add(
            sheet.a1(anchor_id), FormulaRule(formula=[f"AND({known},{bad})"], fill=fill)
        )

    for rule in spec.rules:
        check = RULE_KINDS[rule.kind].excel(rule, lambda i: _number_ref(sheet, i))
        refs = [_number_ref(sheet, i) for i in dict.fromkeys(rule.items())]
        add(check.anchor, check.bad, check.message, refs, rule.severity == "warning")
    for item in spec.data_items():  # a 万元 amount that looks entered in 元
        if item.max_value is None:
            continue
        number, h1 = _number_ref(sheet, item.id), a1(*sheet.helper(item.id, 0))
        yuan = formulas.yuan_suffix(h1)
        add(item.id, yuan, f'"按元填写，应为 "&{number}&" 万元"', [number], True)
        big = f"AND(NOT({yuan}),{number}>{item.max_value:g})"
        add(item.id, big, '"金额偏大，是否按元填写？"', [number], True)
    for (row, col), parts in messages.items():
        ws.cell(row, col, "=" + "&".join(parts))


def _ids(wb: Workbook, ws: Worksheet, spec: Spec, sheet: Layout) -> None:
    ws.cell(1, sheet.id_col, spec.marker)
    title = quote_sheetname(SHEET_TITLE)
    for item in spec.data_items():
        name = defined_name(item.id)
        wb.defined_names[name] = DefinedName(name, attr_text=f"{title}!{sheet.ref(item.id)}")
    wb.defined_names["dx_spec"] = DefinedName("dx_spec", attr_text=f'"{spec.marker}"')


def defined_name(item_id: str) -> str:
    """The workbook name of an item's value cell (dots are not allowed everywhere)."""
    return "dx_" + re.sub(r"[^A-Za-z0-9_]", "_", item_id)


def _print(ws: Worksheet, spec: Spec, sheet: Layout) -> None:
    """A legible scale (never below 9 pt), each section of the report starting on a page where
    it fits; one table: its header frozen and repeated on every page; several: the label
    column frozen."""
    repeated = 0.0
    if len(sheet.blocks) == 1:
        block = sheet.blocks[0]
        ws.freeze_panes = f"A{block.first_row}"
        ws.print_title_rows = f"{block.header_top}:{block.header_bottom}"
        repeated = sum(paper.row_height(ws, r) for r in range(block.header_top, block.first_row))
    else:
        ws.freeze_panes = f"{col_letter(LABEL_COL + 1)}{spec.page.first_row}"
    ws.print_area = f"A1:{col_letter(sheet.check_col)}{sheet.note_row}"
    for r in range(1, sheet.note_row + 1):  # every renderer then draws the heights we count
        if ws.row_dimensions[r].height is None:
            ws.row_dimensions[r].height = paper.LINE_POINTS
    widths = [_width(ws, c) for c in range(LABEL_COL, sheet.check_col + 1)]
    percent = paper.set_up(ws, widths, spec.page.orientation)
    paper.keep_sections(ws, _sections(spec, sheet), percent, spec.page.orientation, repeated)


def _sections(spec: Spec, sheet: Layout) -> list[tuple[int, int]]:
    """(first row, last row) of each part that must not be split from its heading: a part of
    the report (二、三、四) where tables have parts, else each top-level heading's rows."""
    if any(b.part_row for b in sheet.blocks):
        starts = [b.part_row for b in sheet.blocks if b.part_row]
        ends = [s - 1 for s in starts[1:]] + [sheet.note_row]
        return list(zip(starts, ends, strict=True))
    rows = [(row, spec.row_items(b.table.id, rid)[0]) for b in sheet.blocks for rid, row in b.rows]
    starts = [row for row, item in rows if item.level == 0]
    ends = [s - 1 for s in starts[1:]] + [sheet.note_row]
    return list(zip(starts, ends, strict=True))
