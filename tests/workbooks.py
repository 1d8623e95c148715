"""Build returned workbooks in tests: our template, or a table pasted from the Word report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from disclosure_xlsx.spec import Spec
from disclosure_xlsx.template import layout, template_bytes

Mutate = Callable[[Worksheet, dict[str, int]], None]  # sheet, item id -> row


def template_return(
    path: Path,
    spec: Spec,
    values: dict[str, object] | None = None,
    unit_name: str = "测试局",
    mutate: Mutate | None = None,
) -> Path:
    """Our template, every data cell 0 unless ``values`` says otherwise."""
    path.write_bytes(template_bytes(spec, unit_name))
    wb = load_workbook(path)
    ws = wb.active
    cells = layout(spec).value_cells
    for item in spec.data_items():
        ws[cells[item.id]] = (values or {}).get(item.id, 0)
    if mutate:
        rows = {i.id: 5 + n for n, i in enumerate(spec.items)}
        mutate(ws, rows)
    wb.save(path)
    return path


def pasted_return(
    path: Path,
    spec: Spec,
    values: dict[str, object] | None = None,
    unit_name: str = "测试局",
    col: int = 1,
    mutate: Mutate | None = None,
) -> Path:
    """The table as a department pastes it from the Word report: title rows, typed indentation."""
    wb = Workbook()
    ws = wb.active
    ws.cell(1, col, spec.title)
    ws.cell(2, col, "（2014 年度）")
    ws.cell(3, col, f"单位名称：{unit_name}")
    for offset, text in enumerate(["统\u3000计\u3000指\u3000标", "单位", "统计数"]):
        ws.cell(5, col + offset, text)  # a blank row 4 before the header
    rows: dict[str, int] = {}
    for n, item in enumerate(spec.items):
        row = 6 + n
        rows[item.id] = row
        ws.cell(row, col, "\u3000\u3000" * item.level + item.label)
        ws.cell(row, col + 1, item.unit)
        if item.is_data:
            ws.cell(row, col + 2, (values or {}).get(item.id, 0))
    ws.cell(6 + len(spec.items) + 1, col, "（注：各子栏目数总数要等于总栏目数量）")
    if mutate:
        mutate(ws, rows)
    wb.save(path)
    return path
