"""Findings from the spec's rules: every rule evaluated over the numbers a return holds.

Arithmetic runs over blanks (as 0) so one finding does not hide another; a rule is skipped only
where one of its cells holds no number at all (not a number, a formula without value, missing).
"""

from __future__ import annotations

from collections.abc import Callable

from ..read.values import ReturnValues
from ..spec import Spec
from ..spec.labels import short_label
from ..spec.rules import RULE_KINDS, Say, evaluate, finding_code
from ..text import Text
from . import findings as F
from .findings import At, Finding
from .repair import Suggestions


def rule_findings(values: ReturnValues, hints: Suggestions) -> list[Finding]:
    spec, numbers, cells = values.spec, values.numbers, values.addresses
    out: list[Finding] = []

    def name(item_id: str) -> str:
        return f"{spec.item(item_id).short_label} {cells.get(item_id, '')}".rstrip()

    for rule in spec.rules:
        if any(i not in numbers for i in rule.items()):
            continue
        breach = evaluate(rule, numbers)
        if breach is None:
            continue
        term = _term_namer(spec, rule.items())
        anchor_id = breach.anchor

        def named(item_id: str, term: Callable[[str], str] = term, anchor: str = anchor_id) -> str:
            return name(item_id) if item_id == anchor else term(item_id)

        arithmetic = RULE_KINDS[rule.kind].describe(breach, Say(named, values.blanks))
        code = finding_code(rule)
        if code == "implausible":
            arithmetic = arithmetic + Text(f"（{rule.desc.zh}）", f" ({rule.desc.en})")
        anchor = spec.item(breach.anchor)
        out.append(
            F.rule_breach(
                code,
                At(anchor, cells[breach.anchor], values.cells[breach.anchor].row),
                severity=rule.severity,
                related=tuple(cells[i] for i in breach.related),
                found=None if breach.anchor in values.blanks else breach.found,
                expected=breach.expected,
                diff=breach.diff,
                arithmetic=arithmetic,
                fix=hints.by_rule.get(rule.index) if rule.severity == "error" else None,
            )
        )
    return out


def _term_namer(spec: Spec, item_ids: tuple[str, ...]) -> Callable[[str], str]:
    """How to name the other terms of a rule: in a row of a matrix only the column matters
    (自然人 5 + 商业企业 0 …), in a column only the row; elsewhere the short label."""
    items = [spec.item(i) for i in item_ids]
    table = spec.table(items[0].table)
    if len(table.columns) > 1:
        if len({i.row for i in items}) == 1:
            return lambda i: table.column(spec.item(i).column).label
        if len({i.column for i in items}) == 1:
            return lambda i: short_label(spec.item(i).row_label)
    return lambda i: spec.item(i).short_label
