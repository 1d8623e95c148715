"""Findings from the spec's rules: every rule evaluated over the numbers a return holds.

Arithmetic runs over blanks (as 0) so one finding does not hide another; a rule is skipped only
where one of its cells holds no number at all (not a number, a formula without value, missing).
The rules are evaluated once, compiled (:mod:`..spec.system`); only those that broke are
described, since a typical return breaks none or one or two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from ..read.values import ReturnValues
from ..spec import Spec
from ..spec.labels import short_label
from ..spec.rules import Say, finding_code
from ..spec.system import CompiledRule, rule_system
from ..text import Text
from . import findings as F
from .findings import At, Finding
from .repair import Suggestions


def rule_findings(
    values: ReturnValues, hints: Suggestions, broken: Sequence[CompiledRule] | None = None
) -> list[Finding]:
    """A finding for every broken rule, in spec order; ``broken``: the rules already found
    broken over ``values.numbers``, if known."""
    spec, numbers, cells = values.spec, values.numbers, values.addresses
    if broken is None:
        broken = rule_system(spec).broken(numbers)
    out: list[Finding] = []

    def name(item_id: str) -> str:
        return f"{spec.item(item_id).short_label} {cells.get(item_id, '')}".rstrip()

    for compiled in broken:
        rule = compiled.rule
        breach = compiled.kind.check(rule, numbers)
        if breach is None:  # never: check asks the same compiled test first
            continue
        term = _term_namer(spec, compiled)
        anchor_id = breach.anchor

        def named(item_id: str, term: Callable[[str], str] = term, anchor: str = anchor_id) -> str:
            return name(item_id) if item_id == anchor else term(item_id)

        arithmetic = compiled.kind.describe(breach, Say(named, values.blanks))
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


@cache
def _term_namer(spec: Spec, compiled: CompiledRule) -> Callable[[str], str]:
    """How to name the other terms of a rule: in a row of a matrix only the column matters
    (自然人 5 + 商业企业 0 …), in a column only the row; elsewhere the short label.
    Once per rule: the names depend on the spec alone."""
    items = [spec.item(i) for i in compiled.items]
    table = spec.table(items[0].table)
    if len(table.columns) > 1:
        if len({i.row for i in items}) == 1:
            labels = {i.id: table.column(i.column).label for i in items}
            return labels.__getitem__
        if len({i.column for i in items}) == 1:
            labels = {i.id: short_label(i.row_label) for i in items}
            return labels.__getitem__
    labels = {i.id: i.short_label for i in items}
    return labels.__getitem__
