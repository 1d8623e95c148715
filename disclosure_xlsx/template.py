"""Write the official statistics sheet of a spec as a workbook that guards itself.

Layout (one sheet, 统计表): title, year, 单位名称 line, header 统计指标 | 单位 | 统计数 | 校验,
one row per item, the note. Value cells are the only unlocked cells besides 单位名称; each has
in-cell validation by unit; a check column and conditional formats show broken rules live.
Column E (hidden) holds the item ids and, in E1, the spec marker: the reader finds items by
these ids, never by row numbers, so inserted rows do not throw it off.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .rules import RULE_KINDS
from .spec import Item, Spec

SHEET_TITLE = "统计表"
ID_HEADER = "item_id"
LABEL_COL, UNIT_COL, VALUE_COL, CHECK_COL, ID_COL = 1, 2, 3, 4, 5
UNIT_NAME_CELL = "B3"
FIRST_ITEM_ROW = 5
#: Fixed time stamp for workbook properties and zip entries: same spec, same bytes.
FIXED_TIME = datetime(2014, 1, 1, 0, 0, 0)

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class TemplateLayout:
    """Where things are in a generated template (used by tests and by `fill`)."""

    value_cells: dict[str, str]  # item id -> A1 address of its value cell
    unit_name_cell: str


def layout(spec: Spec) -> TemplateLayout:
    """Addresses of every item's value cell in a template generated from ``spec``."""
    if spec.is_matrix:
        from .template_matrix import value_cells

        return TemplateLayout(value_cells(spec), UNIT_NAME_CELL)
    col = get_column_letter(VALUE_COL)
    cells = {
        item.id: f"{col}{FIRST_ITEM_ROW + n}" for n, item in enumerate(spec.items) if item.is_data
    }
    return TemplateLayout(cells, UNIT_NAME_CELL)


def build_workbook(
    spec: Spec,
    unit_name: str = "",
    password: str | None = None,
    values: Mapping[str, float | int] | None = None,
) -> Workbook:
    """The template as an openpyxl workbook, not yet saved; ``values`` pre-fills items (fill)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    if spec.is_matrix:
        from . import template_matrix

        template_matrix.write(wb, ws, spec, unit_name, SHEET_TITLE)
    else:
        last_row = FIRST_ITEM_ROW + len(spec.items)
        _write_head(ws, spec, unit_name)
        rows = _write_items(ws, spec)
        _write_note(ws, spec, last_row)
        _add_validation(ws, spec, rows)
        _add_live_checks(ws, spec, rows)
        _add_ids(wb, ws, spec, rows)
        _set_print(ws, last_row)
    cells = layout(spec).value_cells
    for item_id, value in (values or {}).items():
        ws[cells[item_id]] = value
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
) -> bytes:
    """The template as .xlsx bytes; identical for identical arguments."""
    from openpyxl.writer.excel import ExcelWriter

    wb = build_workbook(spec, unit_name, password, values)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # NOTE: ExcelWriter, not save_workbook: the latter stamps "modified" with the clock.
        ExcelWriter(wb, archive).write_data()
    return _fix_zip_times(raw.getvalue())


def write_template(
    spec: Spec, output: Path, unit_name: str = "", password: str | None = None
) -> Path:
    """Write the template to ``output`` (the caller decides about overwriting)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(template_bytes(spec, unit_name, password))
    return output


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


def _write_head(ws: Worksheet, spec: Spec, unit_name: str) -> None:
    ws.column_dimensions["A"].width = 64
    ws.column_dimensions["B"].width = 7
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 26
    ws.column_dimensions["E"].width = 24
    ws.column_dimensions["E"].hidden = True
    write_title_block(ws, spec, unit_name, get_column_letter(CHECK_COL))
    header_row = FIRST_ITEM_ROW - 1
    for col, text in enumerate([*spec.tables[0].header, "校验"], start=LABEL_COL):
        c = ws.cell(header_row, col, text)
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center")
        c.border = BORDER
        c.fill = HEADING_FILL


def write_title_block(ws: Worksheet, spec: Spec, unit_name: str, last: str) -> None:
    """Rows 1-3 of every template: title, subtitle, and the editable 单位名称 cell (B3),
    each merged across to column ``last``."""
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
    cell = ws[UNIT_NAME_CELL]
    cell.value = unit_name or None
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


def _write_items(ws: Worksheet, spec: Spec) -> dict[str, int]:
    rows: dict[str, int] = {}
    for n, item in enumerate(spec.items):
        row = FIRST_ITEM_ROW + n
        rows[item.id] = row
        label = ws.cell(row, LABEL_COL, item.label)
        label.alignment = Alignment(
            horizontal="left", indent=item.level * 2, wrap_text=True, vertical="center"
        )
        unit = ws.cell(row, UNIT_COL, item.unit)
        unit.alignment = Alignment(horizontal="center", vertical="center")
        value = ws.cell(row, VALUE_COL)
        check = ws.cell(row, CHECK_COL)
        check.font = Font(color="C00000")
        for c in (label, unit, check):
            c.border = BORDER
        style_value_cell(value, item)
        if not item.is_data:
            label.font = Font(bold=True)
            for c in (label, unit, check):
                c.fill = HEADING_FILL
        if len(item.label) > 40:
            ws.row_dimensions[row].height = 30
    return rows


def _write_note(ws: Worksheet, spec: Spec, row: int) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=CHECK_COL)
    ws.cell(row, 1, spec.note)


def _add_validation(ws: Worksheet, spec: Spec, rows: dict[str, int]) -> None:
    col = get_column_letter(VALUE_COL)
    add_unit_validation(ws, spec, {i.id: f"{col}{rows[i.id]}" for i in spec.data_items()})


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
        dv.sqref = " ".join(refs)  # type: ignore[assignment]
        ws.add_data_validation(dv)


def _add_live_checks(ws: Worksheet, spec: Spec, rows: dict[str, int]) -> None:
    """Per anchor row, a message formula in the check column and a red/yellow value cell."""
    col = get_column_letter(VALUE_COL)

    def ref(item_id: str) -> str:
        return f"${col}${rows[item_id]}"

    messages: dict[str, list[str]] = {}
    for rule in spec.rules:
        check = RULE_KINDS[rule.kind].excel(rule, ref)
        prefix = '"请核实："&' if rule.severity == "warning" else ""
        messages.setdefault(check.anchor, []).append(
            f'IF({check.bad},{prefix}{check.message}&"；","")'
        )
        fill = WARNING_FILL if rule.severity == "warning" else ERROR_FILL
        ws.conditional_formatting.add(
            f"{col}{rows[check.anchor]}", FormulaRule(formula=[check.bad], fill=fill)
        )
    check_col = get_column_letter(CHECK_COL)
    for item_id, parts in messages.items():
        ws[f"{check_col}{rows[item_id]}"] = "=" + "&".join(parts)


def _add_ids(wb: Workbook, ws: Worksheet, spec: Spec, rows: dict[str, int]) -> None:
    id_col = get_column_letter(ID_COL)
    ws[f"{id_col}1"] = spec.marker
    ws[f"{id_col}{FIRST_ITEM_ROW - 1}"] = ID_HEADER
    sheet = quote_sheetname(SHEET_TITLE)
    value_col = get_column_letter(VALUE_COL)
    for item in spec.items:
        ws[f"{id_col}{rows[item.id]}"] = item.id
        if item.is_data:
            name = defined_name(item.id)
            wb.defined_names[name] = DefinedName(
                name, attr_text=f"{sheet}!${value_col}${rows[item.id]}"
            )
    wb.defined_names["dx_spec"] = DefinedName("dx_spec", attr_text=f'"{spec.marker}"')


def defined_name(item_id: str) -> str:
    """The workbook name of an item's value cell (dots are not allowed everywhere)."""
    return "dx_" + re.sub(r"[^A-Za-z0-9_]", "_", item_id)


def _set_print(ws: Worksheet, last_row: int) -> None:
    ws.freeze_panes = f"A{FIRST_ITEM_ROW}"
    ws.print_title_rows = f"{FIRST_ITEM_ROW - 1}:{FIRST_ITEM_ROW - 1}"
    ws.print_area = f"A1:{get_column_letter(CHECK_COL)}{last_row}"
    fit_one_page_wide(ws, "portrait", margin=0.5)


def fit_one_page_wide(ws: Worksheet, orientation: str, margin: float = 0.4) -> None:
    """A4, as many pages down as needed but one page wide, centred: how these sheets print."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = margin
