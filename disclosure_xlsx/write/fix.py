"""Write a corrected copy of a returned workbook from the fixes the validation suggested.

Always applied: numbers stored as text become numbers, whitespace-only cells are emptied (or 0
with blank_as_zero) and blanks the rules determine are filled. With apply_suggestions, typo
repairs, moved heading values and 元 -> 万元 conversions are applied too. Localisation guesses
and "cannot tell" answers are never applied: they need a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..check.repair import AUTOMATIC, Fix
from ..check.report import FileReport
from ..check.validate import validate_file
from ..errors import DisclosureError
from ..outputs import fit_name
from ..read.grid import parse_a1
from ..spec import load_spec
from ..text import Lang, Text
from .editable import check_target, copy_suffix, open_copy, save, writable

#: Where two fixes touch one cell, the higher rank wins (a move beats emptying the cell).
_RANK = {"clean": 0, "forced": 1, "unit": 2, "typo": 3, "move": 4}
SUGGESTED = frozenset({"typo", "move", "unit"})


@dataclass(frozen=True)
class Change:
    """One cell changed in the copy."""

    cell: str
    item: str | None
    label: str | None
    before: object
    after: object
    text: Text
    kind: str

    def reason(self, lang: Lang = "zh") -> str:
        return self.text(lang)


@dataclass(frozen=True)
class FixResult:
    source: Path
    output: Path
    changes: tuple[Change, ...]
    skipped: tuple[str, ...]  # cells that could not be written (covered by a merged range)
    before: FileReport
    after: FileReport


def default_output(path: Path) -> Path:
    """'<name>_修正.xlsx' next to the input (within the file system's 255 bytes)."""
    return path.with_name(fit_name(path.stem, f"_修正{copy_suffix(path)}"))


def fix_file(
    path: str | Path,
    output: str | Path | None = None,
    *,
    blank_as_zero: bool = False,
    apply_suggestions: bool = False,
    force: bool = False,
    year: str | None = None,
) -> FixResult:
    """Validate ``path``, write the corrected copy to ``output``, and validate the copy."""
    source = Path(path)
    target = Path(output) if output else default_output(source)
    check_target(source, target, force)
    before = validate_file(source, blank_as_zero=blank_as_zero, year=year)
    if before.status == "unreadable" or before.sheet is None:
        reason = before.findings[0].text if before.findings else Text("无法读取", "unreadable")
        raise DisclosureError(Text(f"{source}：", f"{source}: ") + reason)
    plan = _plan(before, apply_suggestions)
    wb = open_copy(source)
    ws = wb[before.sheet]
    spec = load_spec(before.template or "2014")
    # a cell's own finding names its item; a cell without one (a typo's part) is the fix's item
    owners = {f.cell: (f.item, f.label) for f in before.findings if f.cell and f.item}
    changes: list[Change] = []
    skipped: list[str] = []
    for cell, (value, fix) in plan.items():
        if not writable(ws, cell):
            skipped.append(f"{cell}")
            continue
        old = ws[cell].value
        if old == value and type(old) is type(value):
            continue
        ws[cell].value = value
        if isinstance(value, (int, float)) and ws[cell].number_format == "@":
            ws[cell].number_format = "General"  # a text-formatted cell would keep numbers as text
        item, label = owners.get(cell) or (
            fix.item,
            spec.item(fix.item).label if fix.item else None,
        )
        changes.append(
            Change(
                cell,
                item,
                label,
                old,
                value,
                fix.text,
                fix.kind,
            )
        )
    # marked, so a later folder scan passes over it; never over a file that appeared meanwhile
    save(wb, target, mark=("corrected", source), exclusive=not force)
    after = validate_file(target, blank_as_zero=blank_as_zero, year=year)
    return FixResult(source, target, tuple(changes), tuple(skipped), before, after)


def _plan(report: FileReport, apply_suggestions: bool) -> dict[str, tuple[object, Fix]]:
    """Cell -> (new value, the fix that asks for it), one winner per cell."""
    plan: dict[str, tuple[object, Fix]] = {}

    def put(cell: str, value: object, fix: Fix) -> None:
        current = plan.get(cell)
        if current is None or _RANK[fix.kind] > _RANK[current[1].kind]:
            plan[cell] = (value, fix)

    for finding in report.findings:
        fix = finding.fix
        if fix is None or fix.cell is None:
            continue
        if fix.kind in AUTOMATIC or (apply_suggestions and fix.kind in SUGGESTED):
            put(fix.cell, fix.value, fix)
            for cell in fix.clear:
                put(cell, None, fix)
    return dict(sorted(plan.items(), key=lambda kv: parse_a1(kv[0])))
