"""Turn a located table into findings: cell by cell, then rule by rule.

Every finding is collected; nothing stops at the first. Arithmetic rules run even where cells
are blank (a blank counts as 0 there), so one finding does not hide another; a rule is skipped
only where one of its cells holds no number at all (not a number, formula without value, missing).
"""

from __future__ import annotations

from dataclasses import replace

from .findings import Finding, make
from .grid import a1
from .locate import Location, label_keys, norm_label
from .repair import Fix, Sheet, Suggestions, suggest
from .rules import RULE_KINDS, evaluate, finding_code
from .spec import Item, short_label
from .values import (
    YUAN,
    CellValue,
    classify,
    entered_in_yuan,
    normalize_text,
    plain_number,
    reading_units,
    visible,
)


def check_location(location: Location, blank_as_zero: bool = False) -> list[Finding]:
    spec = location.spec
    units = reading_units(spec.units)
    findings: list[Finding] = []
    numbers: dict[str, float] = {}
    cells: dict[str, str] = {}
    blanks: set[str] = set()
    headings: dict[str, float] = {}
    for item in spec.items:
        p = location.placements.get(item.id)
        if p is None:
            if item.is_data:
                findings.append(make("missing-item", item=item.id, label=item.label))
            continue
        cell = a1(p.row, p.value_col)
        cells[item.id] = cell
        base = {"item": item.id, "label": item.label, "row": p.row}
        if _reports_row_label(spec, item) and norm_label(p.label_text) not in label_keys(item):
            findings.append(
                make(
                    "label-changed",
                    **base,
                    cell=a1(p.row, p.label_col),
                    found=p.label_text,
                    expected=item.row_label or item.label,
                )
            )
        raw = location.grid.get(p.row, p.value_col)
        if (p.row, p.value_col) in location.grid.formulas_without_value:
            findings.append(make("formula-no-value", **base, cell=cell, found=None))
            continue
        value = classify(raw, units)
        if not item.is_data:
            if not value.is_blank:
                findings.append(
                    make("heading-filled", **base, cell=cell, found=raw, raw=visible(raw))
                )
                if value.number is not None:
                    headings[item.id] = value.number
            continue
        findings.extend(_unit_finding(location, item, p.row, p.unit_col))
        number = _value_findings(findings, item, value, cell, base, blank_as_zero)
        if value.is_blank:
            blanks.add(item.id)
        if number is not None:
            numbers[item.id] = number
    hints = suggest(Sheet(spec, numbers, frozenset(blanks), cells, headings))
    findings = [_with_fix(f, hints) for f in findings]
    findings.extend(_rule_findings(location, numbers, cells, hints))
    for variant_id in location.notes:
        variant = next(v for v in spec.variants if v.id == variant_id)
        findings.append(
            make("format-variant", zh={"detail": variant.desc}, en={"detail": variant.desc_en})
        )
    for stray in location.strays:
        findings.append(
            make(
                "unexpected-row",
                cell=a1(stray.row, stray.col),
                row=stray.row,
                found=stray.text,
                raw=stray.text.strip(),
            )
        )
    return sorted(findings, key=lambda f: (f.row, f.code != "blank"))


def _reports_row_label(spec, item: Item) -> bool:
    """Whether this item reports its row's label: once per row, and only where rows have labels."""
    table = spec.table(item.table)
    return table.row_labels and item.column == table.columns[0]


def _with_fix(finding: Finding, hints: Suggestions) -> Finding:
    """Attach a forced value to a blank cell and a move to a number typed on a heading."""
    fix = None
    if finding.code == "blank":
        fix = hints.forced.get(finding.item or "")
    elif finding.code == "heading-filled":
        fix = hints.moves.get(finding.item or "")
    return replace(finding, fix=fix) if fix else finding


def _unit_finding(location: Location, item: Item, row: int, unit_col: int | None) -> list[Finding]:
    if unit_col is None:
        return []
    raw = location.grid.get(row, unit_col)
    found = normalize_text(str(raw)) if raw is not None else ""
    if not found or found == item.unit:
        return []
    return [
        make(
            "unit-mismatch",
            item=item.id,
            label=item.label,
            cell=a1(row, unit_col),
            row=row,
            found=raw,
            expected=item.unit,
        )
    ]


def _value_findings(
    findings: list[Finding],
    item: Item,
    value: CellValue,
    cell: str,
    base: dict,
    blank_as_zero: bool,
) -> float | None:
    """Append the findings of one value cell; return the number it counts as (None: unknown)."""
    raw = value.raw
    if value.is_blank:
        how_zh = "空单元格" if value.kind == "empty" else "只有空格"
        how_en = "empty cell" if value.kind == "empty" else "whitespace only"
        findings.append(
            make(
                "blank",
                **base,
                cell=cell,
                found=raw,
                expected=0,
                severity="warning" if blank_as_zero else "error",
                zh={"how": how_zh},
                en={"how": how_en},
                blank=value.kind,
                fix=_blank_fix(cell, item.id, value.kind, blank_as_zero),
            )
        )
        return 0.0
    if value.kind == "not-a-number":
        findings.append(make("not-a-number", **base, cell=cell, found=_json(raw), raw=visible(raw)))
        return None
    number = value.number
    assert number is not None
    if value.kind == "text-number":
        if entered_in_yuan(value, item.unit):
            number = number / 10000
            findings.append(
                make(
                    "implausible",
                    **base,
                    cell=cell,
                    found=raw,
                    expected=plain_number(number),
                    zh={"detail": f"“{raw}”按元填写，本项单位是万元，应为 {plain_number(number)}"},
                    en={
                        "detail": f"'{raw}' is in yuan; this item is in 万元: {plain_number(number)}"
                    },
                    fix=Fix(
                        "unit",
                        cell,
                        item.id,
                        plain_number(number),
                        f"改为 {plain_number(number)}（万元）",
                        f"enter {plain_number(number)} (万元)",
                    ),
                )
            )
        else:
            findings.append(
                make(
                    "number-as-text",
                    **base,
                    cell=cell,
                    found=raw,
                    expected=plain_number(number),
                    raw=visible(raw),
                    number=plain_number(number),
                    fix=Fix(
                        "clean",
                        cell,
                        item.id,
                        plain_number(number),
                        f"改为数字 {plain_number(number)}",
                        f"store as the number {plain_number(number)}",
                    ),
                )
            )
    if number < 0:
        findings.append(
            make(
                "negative",
                **base,
                cell=cell,
                found=plain_number(number),
                number=plain_number(number),
            )
        )
    if item.value_type == "count" and not float(number).is_integer():
        findings.append(
            make(
                "not-integer",
                **base,
                cell=cell,
                found=plain_number(number),
                expected=round(number),
                unit=item.unit,
                number=plain_number(number),
            )
        )
    limit = item.max_value
    if limit is not None and number > limit and value.unit_suffix != YUAN:
        findings.append(
            make(
                "implausible",
                **base,
                cell=cell,
                found=plain_number(number),
                expected=plain_number(number / 10000),
                zh={
                    "detail": f"{plain_number(number)} 万元 偏大，是否按元填写？若是应为 {plain_number(number / 10000)}"
                },
                en={
                    "detail": f"{plain_number(number)} 万元 is large; entered in yuan? then {plain_number(number / 10000)}"
                },
                fix=Fix(
                    "unit",
                    cell,
                    item.id,
                    plain_number(number / 10000),
                    f"若按元填写，应改为 {plain_number(number / 10000)}（万元）",
                    f"if entered in yuan, enter {plain_number(number / 10000)} (万元)",
                ),
            )
        )
    return number


def _blank_fix(cell: str, item_id: str, kind: str, blank_as_zero: bool) -> Fix | None:
    """Whitespace-only cells are emptied; with --blank-as-zero every blank becomes 0."""
    if blank_as_zero:
        return Fix("clean", cell, item_id, 0, "按 0 填写", "enter 0")
    if kind == "whitespace":
        return Fix(
            "clean", cell, item_id, None, "清除空格（留空待填）", "remove the spaces (left empty)"
        )
    return None


def _rule_findings(
    location: Location, numbers: dict[str, float], cells: dict[str, str], hints: Suggestions
) -> list[Finding]:
    spec = location.spec
    out: list[Finding] = []

    def name(item_id: str) -> str:
        return f"{spec.item(item_id).short_label} {cells.get(item_id, '')}".rstrip()

    for rule in spec.rules:
        if any(i not in numbers for i in rule.items()):
            continue
        breach = evaluate(rule, numbers)
        if breach is None:
            continue
        kind = RULE_KINDS[rule.kind]
        term = _term_namer(spec, rule.items())
        zh, en = kind.describe(
            breach, lambda i, a=breach.anchor, t=term: name(i) if i == a else t(i)
        )
        code = finding_code(rule)
        anchor = spec.item(breach.anchor)
        fields = {"detail": f"{zh}（{rule.desc}）"} if code == "implausible" else {"arithmetic": zh}
        fields_en = (
            {"detail": f"{en} ({rule.desc_en})"} if code == "implausible" else {"arithmetic": en}
        )
        p = location.placements[breach.anchor]
        out.append(
            make(
                code,
                severity=rule.severity,
                item=anchor.id,
                label=anchor.label,
                cell=cells[breach.anchor],
                related=tuple(cells[i] for i in breach.related),
                found=breach.found,
                expected=breach.expected,
                diff=breach.diff,
                row=p.row,
                zh=fields,
                en=fields_en,
                fix=hints.by_rule.get(rule.index) if rule.severity == "error" else None,
                **fields,
            )
        )
    return out


def _term_namer(spec, item_ids: tuple[str, ...]):
    """How to name the other terms of a rule: in a row of a matrix only the column matters
    (自然人 5 + 商业企业 0 …), in a column only the row; elsewhere the short label."""
    items = [spec.item(i) for i in item_ids]
    table = spec.table(items[0].table)
    if table.is_matrix and len(table.columns) > 1:
        if len({i.row for i in items}) == 1:
            return lambda i: table.column(spec.item(i).column).label
        if len({i.column for i in items}) == 1:
            return lambda i: short_label(spec.item(i).row_label)
    return lambda i: spec.item(i).short_label


def _json(raw: object) -> object:
    return raw if isinstance(raw, (str, int, float, bool)) or raw is None else str(raw)
