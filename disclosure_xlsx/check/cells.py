"""Findings about single cells and the table's structure, from the values step.

Structure: items missing, rows that are not items, labels reworded, units changed. Cells:
blank, not a number, number stored as text, negative, fractional counts, 万元 amounts that look
entered in 元, numbers typed on headings, formulas without a saved value.
"""

from __future__ import annotations

from functools import cache

from ..numbers import plain_number, shown, visible
from ..read.values import CellRead, ReturnValues
from ..spec import Item, Spec
from ..spec.labels import norm_label, normalize_text
from ..spec.layout import a1
from ..text import Text
from . import findings as F
from .findings import At, Finding, Severity
from .repair import Fix


def structure_findings(values: ReturnValues) -> list[Finding]:
    """Missing items, label changes, unit mismatches, rows that are not items."""
    out = [F.missing_item(item) for item in values.missing]
    row_labels = _row_label_keys(values.spec)
    for read in values.cells.values():
        item = read.item
        keys = row_labels.get(item.id)
        if keys is not None and norm_label(read.label_text) not in keys:
            at = At(item, a1(read.row, read.label_col), read.row)
            out.append(F.label_changed(at, read.label_text, item.row_label or item.label))
        if read.unit_col is not None and item.is_data:
            found = normalize_text(str(read.unit_raw)) if read.unit_raw is not None else ""
            if found and found != item.unit:
                at = At(item, a1(read.row, read.unit_col), read.row)
                out.append(F.unit_mismatch(at, read.unit_raw, item.unit))
    out.extend(F.unexpected_row(a1(s.row, s.col), s.row, s.text) for s in values.strays)
    return out


def label_keys(item: Item) -> frozenset[str]:
    """The normalised official (row) label and aliases of an item."""
    return frozenset(norm_label(t) for t in (item.row_label or item.label, *item.aliases))


def _reports_row_label(spec: Spec, item: Item) -> bool:
    """Whether this item reports its row's label: once per row, and only where rows have labels."""
    table = spec.table(item.table)
    return table.row_labels and item.column == table.columns[0]


@cache
def _row_label_keys(spec: Spec) -> dict[str, frozenset[str]]:
    """Item id -> its label keys, for the items that report their row's label; once per spec."""
    return {i.id: label_keys(i) for i in spec.items if _reports_row_label(spec, i)}


def cell_findings(values: ReturnValues, blank_as_zero: bool = False) -> list[Finding]:
    """Every finding about what one cell holds."""
    out: list[Finding] = []
    for read in values.cells.values():
        item, value, number = read.item, read.value, read.number
        if (
            value.kind == "number"  # typed as a number: most cells; they need no more checks
            and number is not None
            and number >= 0
            and item.is_data
            and (item.value_type != "count" or float(number).is_integer())
            and (item.max_value is None or number <= item.max_value)
        ):
            continue
        at = At(item, read.cell, read.row)
        if read.formula_no_value:
            out.append(F.formula_no_value(at))
        elif not item.is_data:
            if not value.is_blank:
                raw = value.raw
                out.append(F.heading_filled(at, raw, shown(raw), None))
        else:
            out.extend(_value_findings(read, at, blank_as_zero))
    return out


def _value_findings(read: CellRead, at: At, blank_as_zero: bool) -> list[Finding]:
    value, item, cell = read.value, read.item, read.cell
    raw = value.raw
    if value.is_blank:
        severity: Severity = "warning" if blank_as_zero else "error"
        whitespace = value.kind == "whitespace"
        fix = _blank_fix(cell, item.id, whitespace, blank_as_zero)
        return [F.blank(at, whitespace=whitespace, severity=severity, found=raw, fix=fix)]
    if read.number is None:
        return [F.not_a_number(at, raw, shown(raw))]
    out: list[Finding] = []
    number = read.number
    number_shown = plain_number(number)
    if read.yuan:
        detail = Text(
            f"“{raw}”按元填写，本项单位是万元，应为 {number_shown}",
            f"'{raw}' is in yuan; this item is in 万元: {number_shown}",
        )
        fix = Fix(
            "unit",
            cell,
            item.id,
            number_shown,
            Text(f"改为 {number_shown}（万元）", f"enter {number_shown} (万元)"),
        )
        out.append(F.implausible(at, raw, number_shown, detail, fix))
    elif value.kind == "text-number":
        fix = Fix(
            "clean",
            cell,
            item.id,
            number_shown,
            Text(f"改为数字 {number_shown}", f"store as the number {number_shown}"),
        )
        out.append(F.number_as_text(at, raw, visible(raw), number_shown, fix))
    if number < 0:
        out.append(F.negative(at, number_shown))
    if item.value_type == "count" and not float(number).is_integer():
        out.append(F.not_integer(at, number_shown, item.unit))
    limit = item.max_value
    if limit is not None and number > limit and not read.yuan:
        smaller = plain_number(number / 10000)
        detail = Text(
            f"{number_shown} 万元 偏大，是否按元填写？若是应为 {smaller}",
            f"{number_shown} 万元 is large; entered in yuan? then {smaller}",
        )
        fix = Fix(
            "unit",
            cell,
            item.id,
            smaller,
            Text(
                f"若按元填写，应改为 {smaller}（万元）",
                f"if entered in yuan, enter {smaller} (万元)",
            ),
        )
        out.append(F.implausible(at, number_shown, smaller, detail, fix))
    return out


def _blank_fix(cell: str, item_id: str, whitespace: bool, blank_as_zero: bool) -> Fix | None:
    """Whitespace-only cells are emptied; with --blank-as-zero every blank becomes 0."""
    if blank_as_zero:
        return Fix("clean", cell, item_id, 0, Text("按 0 填写", "enter 0"))
    if whitespace:
        return Fix(
            "clean",
            cell,
            item_id,
            None,
            Text(
                "清除空格；数仍须由填报单位填写（没有发生填 0）",
                "remove the spaces; the department still has to enter the number (0 if none)",
            ),
        )
    return None
