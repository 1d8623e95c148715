"""The template's live checks say what `validate` says.

Filled templates are recalculated by LibreOffice headless (the formulas have no saved values,
so LibreOffice computes them), and every check cell is compared with what the Python checks
predict for the same sheet: numbers stored as text, words for nothing, blanks, cells that hold
no number, every rule kind, and 万元 amounts entered in 元.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from disclosure_xlsx.numbers import plain_number
from disclosure_xlsx.read import read_return
from disclosure_xlsx.spec import Spec, load_spec
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.spec.rules import evaluate
from disclosure_xlsx.write.office import convert_many
from disclosure_xlsx.write.template import template_bytes

from .workbooks import consistent_2021

SCENARIOS_2014: dict[str, dict[str, object]] = {
    "clean with text numbers": {
        "requests_received": "4件",
        "received_online": "\u30004",
        "requests_closed": "４",
        "closed_on_time": 4,
        "requests_answered": "4",
        "answer_disclosed": "4 ",
        "received_fax": "无",
        "closed_extended": "—",
    },
    "sum over text and blanks": {
        "requests_received": 9,
        "received_in_person": 2,
        "received_online": "4件",
        "received_letter": "\u30001",
        "received_fax": None,
        "received_other": "/",
    },
    "part exceeds whole": {"press_conferences": 2, "press_conferences_leaders": "3次"},
    "channels below the largest": {"proactive_total": 5, "channel_website": "\u300044"},
    "channels above the sum": {"proactive_total": 50, "channel_website": 44},
    "blank total, channel typed": {"proactive_total": None, "channel_website": "44条"},
    "same quantity twice": {
        "reading_rooms": 2,
        "reading_rooms_city": 2,
        "capacity_reading_rooms": 1,
    },
    "warnings": {"requests_closed": 3, "closed_on_time": 3, "fees": 1.5},
    "a cell that is no number silences its rules": {"staff": 3, "staff_parttime": "见附件"},
    "yuan in a 万元 cell": {"budget": "251000元", "fees": 5000},
    "signs and commas": {"websites": "1,002", "websites_city": "+1,000", "websites_county": 2},
}


def _scenarios_2021() -> dict[str, dict[str, object]]:
    base = consistent_2021()
    return {
        "consistent": base,
        "balance broken": {**base, "carried_out.natural": 2, "carried_out.total": 3},
        "row total left at 0": {**base, "granted.total": 0},
        "text numbers and a word for nothing": {
            **base,
            "new.natural": "8件",
            "carried_in.natural": "１",
            "partly.commercial": "无",
        },
        "appeals": {**base, "cases.review_total": "4", "cases.after_pending": 2},
        "charges in yuan": {**base, "charges": "961700元"},
        "no number": {**base, "granted.research": "见附件", "granted.total": 9},
    }


def _predict(spec: Spec, path: Path) -> dict[int, str]:
    """Sheet row -> the text its check cell should show, from the Python reader and rules."""
    values = read_return(path)
    numbers, sheet = values.numbers, layout(spec)
    out: dict[int, str] = {}

    def say(anchor: str, text: str, warning: bool) -> None:
        item = spec.item(anchor)
        table = spec.table(item.table)
        prefix = f"{table.column(item.column).full_label}：" if len(table.columns) > 1 else ""
        row = sheet.cells[anchor][0]
        out[row] = out.get(row, "") + ("请核实：" if warning else "") + prefix + text + "；"

    def n(value: float) -> str:
        return str(plain_number(value))

    for rule in spec.rules:
        if any(i not in numbers for i in rule.items()):
            continue
        breach = evaluate(rule, numbers)
        if breach is None:
            continue
        v = {i: numbers[i] for i in rule.items()}
        if rule.kind == "sum":
            text = f"合计应为 {n(sum(v[p] for p in rule.many('parts')))}"
        elif rule.kind == "part-of":
            text = f"不应超过 {n(v[rule.one('whole')])}"
        elif rule.kind == "channels":
            parts = [v[p] for p in rule.many("parts")]
            text = f"应在 {n(max(parts))} 至 {n(sum(parts))} 之间"
        elif rule.kind == "same-as":
            text = f"应等于 {n(v[rule.one('other')])}"
        elif rule.kind == "at-most":
            text = f"一般不超过 {n(v[rule.one('limit')])}"
        elif rule.kind == "requires":
            text = "相关项目为0，请核实"
        else:  # balance
            left = sum(v[i] for i in rule.many("left"))
            text = f"收支不平：{n(left)}≠{n(sum(v[i] for i in rule.many('right')))}"
        say(breach.anchor, text, rule.severity == "warning")
    for item in spec.data_items():
        read = values.cells.get(item.id)
        if item.max_value is None or read is None or read.number is None:
            continue
        if read.yuan:
            say(item.id, f"按元填写，应为 {n(read.number)} 万元", True)
        elif read.number > item.max_value:
            say(item.id, "金额偏大，是否按元填写？", True)
    return out


@pytest.mark.parametrize("year", ["2014", "2021"])
def test_live_checks_agree_with_validate(year, tmp_path, soffice):
    spec = load_spec(year)
    sheet = layout(spec)
    scenarios = SCENARIOS_2014 if year == "2014" else _scenarios_2021()
    sources = []
    for n, (name, values) in enumerate(scenarios.items()):
        path = tmp_path / f"s{n}.xlsx"
        filled = {item.id: values.get(item.id, 0) for item in spec.data_items()}
        # written by our writer as sent out (shared helper formulas and all), not re-saved
        path.write_bytes(template_bytes(spec, name, values=filled))  # type: ignore[arg-type]
        sources.append((name, path))
    computed = convert_many([p for _, p in sources], "xlsx", tmp_path / "lo", tmp_path / "prof")
    kinds = set()
    for (name, path), recalculated in zip(sources, computed, strict=True):
        ws = load_workbook(recalculated, data_only=True).active
        shown = {}
        for block in sheet.blocks:
            for _rid, row in block.rows:
                text = ws.cell(row, block.check_col).value
                if text:
                    shown[row] = text
        predicted = _predict(spec, path)
        assert shown == predicted, name
        kinds.update(text.split(" ")[0] for text in predicted.values())
    assert len(kinds) >= (6 if year == "2014" else 3)  # the scenarios do break rules
