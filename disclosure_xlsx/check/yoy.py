"""Year over year: one department's return against its return of the year before.

The relations are declared in the spec (``[[year_rules]]``): in the 2021 format, 上年结转 of this
year must equal last year's 结转下年度继续办理 in every applicant column (`carry-over-mismatch`,
an error), and 现行有效件数 is usually last year's plus 本年制发 minus 本年废止 (`in-force-drift`,
a warning: departments revise such counts). One more holds for every count of any format: a
change by more than a factor of :data:`LARGE_FACTOR` and by more than :data:`LARGE_MIN` is
worth a look (`large-change`, a warning).

:func:`compare` works on plain numbers, so the collection round can compare the values it
stored without reading last year's workbook again; :func:`compare_years` takes two reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..errors import NotThisTable, UnreadableError, UsageError
from ..numbers import plain_number
from ..read import ReturnValues, read_return
from ..read.grid import parse_a1
from ..spec import Spec
from ..text import Text
from . import findings as F
from .findings import At, Finding
from .report import FileReport
from .validate import examine_file

#: A count that changes by more than this factor ...
LARGE_FACTOR = 5
#: ... and by more than this much is reported as `large-change`.
LARGE_MIN = 20

Numbers = Mapping[str, float | None]


def numbers(values: ReturnValues) -> dict[str, float | None]:
    """Every data item's number; None where blank, not a number or not in the sheet."""
    return {i.id: values.value(i.id) for i in values.spec.data_items()}


def compare_years(current: ReturnValues, previous: ReturnValues) -> list[Finding]:
    """Findings of this year's return against last year's (both of one template year)."""
    if current.spec.year != previous.spec.year:
        raise UsageError(
            Text(
                f"上年的表是 {previous.spec.year} 年度格式，今年的是 {current.spec.year} 年度格式，无法对比",
                f"last year's return is in the {previous.spec.year} format and this one in the "
                f"{current.spec.year} format; they cannot be compared",
            )
        )
    return compare(current.spec, numbers(current), numbers(previous), current.addresses)


def compare(
    spec: Spec, current: Numbers, previous: Numbers, cells: Mapping[str, str] | None = None
) -> list[Finding]:
    """Findings of this year's numbers against last year's, by item id; ``cells`` gives this
    year's A1 address of each item. Items blank in either year are not compared."""
    cells = cells or {}

    def at(item_id: str) -> At:
        cell = cells.get(item_id)
        return At(spec.item(item_id), cell, parse_a1(cell)[0] if cell else 0)

    out: list[Finding] = []
    reported: set[str] = set()
    for rule in spec.year_rules:
        now, last = current.get(rule.this), previous.get(rule.last)
        terms = [current.get(i) for i in (*rule.plus, *rule.minus)]
        if now is None or last is None or any(t is None for t in terms):
            continue
        if rule.kind == "carry-over":
            if now != last:
                label = spec.item(rule.last).label
                out.append(F.carry_over_mismatch(at(rule.this), _n(now), _n(last), label))
                reported.add(rule.this)
            continue
        expected = last + sum(current.get(i) or 0 for i in rule.plus)
        expected -= sum(current.get(i) or 0 for i in rule.minus)
        if abs(now - expected) > 1e-9:
            out.append(
                F.in_force_drift(
                    at(rule.this),
                    _n(now),
                    _n(expected),
                    _arithmetic(spec, rule.this, now, last, rule.plus, rule.minus, current),
                )
            )
            reported.add(rule.this)
    for item in spec.data_items():
        if item.value_type != "count" or item.id in reported:
            continue
        now, last = current.get(item.id), previous.get(item.id)
        if now is None or last is None:
            continue
        low, high = sorted((now, last))
        if high - low > LARGE_MIN and high > LARGE_FACTOR * low:
            out.append(F.large_change(at(item.id), _n(now), _n(last)))
    return sorted(out, key=lambda f: f.row)


def _n(value: float) -> int | float:
    return plain_number(value)


def _arithmetic(
    spec: Spec,
    this: str,
    now: float,
    last: float,
    plus: tuple[str, ...],
    minus: tuple[str, ...],
    current: Numbers,
) -> Text:
    expected = (
        last + sum(current.get(i) or 0 for i in plus) - sum(current.get(i) or 0 for i in minus)
    )
    terms = "".join(f" + {spec.item(i).label} {_n(current.get(i) or 0)}" for i in plus)
    terms += "".join(f" − {spec.item(i).label} {_n(current.get(i) or 0)}" for i in minus)
    label = spec.item(this).label
    return Text(
        f"{label} 为 {_n(now)}，按上年 {_n(last)}{terms} 应为 {_n(expected)}",
        f"{label} is {_n(now)}; last year's {_n(last)}{terms} = {_n(expected)}",
    )


def with_findings(report: FileReport, extra: list[Finding]) -> FileReport:
    """The report with more findings (in sheet order) and its status worked out again."""
    if not extra:
        return report
    findings = tuple(sorted((*report.findings, *extra), key=lambda f: f.row))
    status = report.status
    if status != "unreadable":
        status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
    return replace(report, findings=findings, status=status)


def read_previous(path: Path) -> ReturnValues:
    """Last year's return, read; a file that cannot be read is a usage error naming it."""
    try:
        return read_return(Path(path))
    except (UnreadableError, NotThisTable) as exc:
        raise UsageError(
            Text(
                f"{path}（上年的表）：{exc.text.zh}", f"{path} (last year's return): {exc.text.en}"
            )
        ) from None


def validate_against(
    path: Path, previous: Path, *, blank_as_zero: bool = False, year: str | None = None
) -> FileReport:
    """Check one workbook, and compare it with last year's return of the same department
    (`validate FILE --previous LAST_YEAR_FILE`)."""
    examined = examine_file(path, blank_as_zero=blank_as_zero, year=year)
    if examined.values is None:
        return examined.report
    return with_findings(examined.report, compare_years(examined.values, read_previous(previous)))
