"""Build returned workbooks in tests: our template, or a table pasted from the Word report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from disclosure_xlsx.spec import Spec
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.template import template_bytes

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
        sheet = layout(spec)
        mutate(ws, {i.id: sheet.cells[i.id][0] for i in spec.items})
    wb.save(path)
    return path


#: The pasted 2014 table: title rows, a blank row, the header in row 5, items from row 6.
PASTED_FIRST_ROW = 6


def value_cell(build: Callable[..., Path], spec: Spec, item_id: str) -> str:
    """Where ``build`` (template_return or pasted_return, default column) puts an item's value."""
    if build is template_return:
        return layout(spec).a1(item_id)
    row = PASTED_FIRST_ROW + [i.id for i in spec.items].index(item_id)
    return f"C{row}"


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
        row = PASTED_FIRST_ROW + n
        rows[item.id] = row
        ws.cell(row, col, "\u3000\u3000" * item.level + item.label)
        ws.cell(row, col + 1, item.unit)
        if item.is_data:
            ws.cell(row, col + 2, (values or {}).get(item.id, 0))
    ws.cell(PASTED_FIRST_ROW + len(spec.items) + 1, col, "（注：各子栏目数总数要等于总栏目数量）")
    if mutate:
        mutate(ws, rows)
    wb.save(path)
    return path


def pasted_2021(
    path: Path,
    spec: Spec,
    values: dict[str, object] | None = None,
    single_other_row: bool = False,
    mutate: Mutate | None = None,
) -> Path:
    """The 2021 tables as pasted from the Word report: merged headers, labels over 3 columns.

    Every data cell is 0 unless ``values`` says otherwise. ``single_other_row`` writes
    （六）其他处理 as one row without its sub-rows (the 2019–2024 variant); its values are keyed
    ``other_handling.<column>``. ``mutate`` gets (sheet, {row id: sheet row}).
    """
    values = values or {}
    wb = Workbook()
    ws = wb.active
    rows: dict[str, int] = {}
    r = 1

    def put(row: int, col: int, item_id: str) -> None:
        ws.cell(row, col, values.get(item_id, 0))

    ws.cell(r, 1, "二、主动公开政府信息情况")
    r += 1
    for table in spec.tables[:4]:
        ws.cell(r, 1, table.title)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=1 + len(table.columns))
        r += 1
        ws.cell(r, 1, "信息内容")
        for k, column in enumerate(table.column_specs):
            ws.cell(r, 2 + k, column.label)
        r += 1
        for rid in table.rows:
            item = spec.row_items(table.id, rid)[0]
            ws.cell(r, 1, item.row_label)
            rows[rid] = r
            for k, column in enumerate(table.column_specs):
                put(r, 2 + k, rid if len(table.columns) == 1 else f"{rid}.{column.id}")
            r += 1
    requests = spec.table("requests")
    ws.cell(r, 1, requests.part)
    r += 1
    top = r  # three header rows, the label block A:C merged over them
    ws.cell(top, 1, requests.header[0])
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=3)
    ws.cell(top, 4, "申请人情况")
    ws.merge_cells(start_row=top, start_column=4, end_row=top, end_column=10)
    ws.cell(top + 1, 4, "自然人")
    ws.merge_cells(start_row=top + 1, start_column=4, end_row=top + 2, end_column=4)
    ws.cell(top + 1, 5, "法人或其他组织")
    ws.merge_cells(start_row=top + 1, start_column=5, end_row=top + 1, end_column=9)
    ws.cell(top + 1, 10, "总计")
    ws.merge_cells(start_row=top + 1, start_column=10, end_row=top + 2, end_column=10)
    for k, column in enumerate(requests.column_specs[1:6]):
        ws.cell(top + 2, 5 + k, column.label)
    r = top + 3
    block_start: dict[int, int] = {}
    for rid in requests.rows:
        item = spec.row_items("requests", rid)[0]
        if single_other_row and rid in ("other_no_amend", "other_no_fee", "other_other"):
            continue
        heading = not item.is_data and not (single_other_row and rid == "other_handling")
        if heading:
            block_start[item.level] = r  # a merged heading shares its row with the next one
            col = 1 + item.level
            ws.cell(r, col, item.row_label)
            continue
        col = 1 + item.level
        ws.cell(r, col, item.row_label)
        if col < 3:
            ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=3)
        rows[rid] = r
        for k, column in enumerate(requests.column_specs):
            put(r, 4 + k, f"{rid}.{column.id}")
        r += 1
    ws.cell(r, 1, "四、政府信息公开行政复议、行政诉讼情况")
    r += 1
    appeals = spec.table("appeals")
    ws.cell(r, 1, "行政复议")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
    ws.cell(r, 6, "行政诉讼")
    ws.merge_cells(start_row=r, start_column=6, end_row=r, end_column=15)
    ws.cell(r + 1, 6, "未经复议直接起诉")
    ws.merge_cells(start_row=r + 1, start_column=6, end_row=r + 1, end_column=10)
    ws.cell(r + 1, 11, "复议后起诉")
    ws.merge_cells(start_row=r + 1, start_column=11, end_row=r + 1, end_column=15)
    for k, column in enumerate(appeals.column_specs):
        if k < 5:
            ws.cell(r + 1, 1 + k, column.label)
            ws.merge_cells(start_row=r + 1, start_column=1 + k, end_row=r + 2, end_column=1 + k)
        else:
            ws.cell(r + 2, 1 + k, column.label)
    rows["cases"] = r + 3
    for k, column in enumerate(appeals.column_specs):
        put(r + 3, 1 + k, f"cases.{column.id}")
    if mutate:
        mutate(ws, rows)
    wb.save(path)
    return path


def consistent_2021() -> dict[str, float]:
    """A 2021 return whose every rule holds (cells not named are 0); also samples/clean_2021."""
    values: dict[str, float] = {
        "regulations.issued": 2,
        "normative_docs.in_force": 31,
        "licensing": 1520,
        "penalties": 87,
        "charges": 96.17,
        "cases.review_upheld": 2,
        "cases.review_pending": 1,
        "cases.review_total": 3,
        "cases.direct_corrected": 1,
        "cases.direct_total": 1,
    }
    # 自然人: 8 new + 1 carried in = 6 granted + 1 partly + 1 unable + 1 other + 0 carried out
    # 商业企业: 3 new = 2 granted + 1 carried out
    rows = {
        "new": (8, 3),
        "carried_in": (1, 0),
        "granted": (6, 2),
        "partly": (1, 0),
        "unable_not_held": (1, 0),
        "other_other": (1, 0),
        "results_total": (9, 2),
        "carried_out": (0, 1),
    }
    for rid, (natural, commercial) in rows.items():
        values[f"{rid}.natural"] = natural
        values[f"{rid}.commercial"] = commercial
        values[f"{rid}.total"] = natural + commercial
    return values


def consistent_2021_next() -> dict[str, float]:
    """The same department a year after :func:`consistent_2021`, consistent with it too: its
    上年结转 equals that return's 结转下年度, its 现行有效件数 carry on, no count jumps."""
    values = {**consistent_2021(), "regulations.issued": 0}
    for rid in ("new", "carried_in", "granted", "partly", "unable_not_held", "other_other"):
        for column in ("natural", "commercial", "total"):
            values.pop(f"{rid}.{column}", None)
    # 自然人: 9 new + 0 carried in = 7 granted + 1 partly + 1 unable + 0 carried out
    # 商业企业: 2 new + 1 carried in = 3 granted + 0 carried out
    rows = {
        "new": (9, 2),
        "carried_in": (0, 1),
        "granted": (7, 3),
        "partly": (1, 0),
        "unable_not_held": (1, 0),
        "results_total": (9, 3),
        "carried_out": (0, 0),
    }
    for rid, (natural, commercial) in rows.items():
        values[f"{rid}.natural"] = natural
        values[f"{rid}.commercial"] = commercial
        values[f"{rid}.total"] = natural + commercial
    return values
