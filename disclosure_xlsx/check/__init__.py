"""Checking a return: findings (cells, structure, rules), suggestions, and the report.

``check_values`` turns the values step's :class:`~..read.values.ReturnValues` into findings;
``validate`` walks files through read and check into a :class:`~.report.Report`.
"""

from __future__ import annotations

from dataclasses import replace

from ..read.values import ReturnValues
from ..spec import Spec, Variant
from ..spec.system import rule_system
from .arithmetic import rule_findings
from .cells import cell_findings, structure_findings
from .findings import Finding, format_variant
from .repair import Sheet, Suggestions, suggest


def check_values(values: ReturnValues, blank_as_zero: bool = False) -> list[Finding]:
    """Every finding of one located table, in sheet order, each with its suggestion."""
    broken = rule_system(values.spec).broken(values.numbers)  # one pass, shared below
    hints = suggest(
        Sheet(values.spec, values.numbers, values.blanks, values.addresses, values.headings),
        broken,
    )
    findings = [
        _with_fix(f, hints)
        for f in (*structure_findings(values), *cell_findings(values, blank_as_zero))
    ]
    findings.extend(rule_findings(values, hints, broken))
    findings.extend(format_variant(_variant(values.spec, v).desc) for v in values.notes)
    return sorted(findings, key=lambda f: (f.row, f.code != "blank"))


def _variant(spec: Spec, variant_id: str) -> Variant:
    return next(v for v in spec.variants if v.id == variant_id)


def _with_fix(finding: Finding, hints: Suggestions) -> Finding:
    """Attach a forced value to a blank cell and a move to a number typed on a heading."""
    fix = None
    if finding.code == "blank":
        fix = hints.forced.get(finding.item or "")
    elif finding.code == "heading-filled":
        fix = hints.moves.get(finding.item or "")
    return replace(finding, fix=fix) if fix else finding
