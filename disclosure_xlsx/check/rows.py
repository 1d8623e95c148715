"""A file's findings as report rows: computed once, drawn by every renderer.

The console table, the HTML report and the 校验结果 sheet of an annotated copy show the same
rows (long cell text cut, see :func:`shown_message`): one per finding, except that blank cells sharing a severity, a kind (empty or whitespace)
and a suggestion are one row whose cells are written as rectangular ranges (D35:I40).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..numbers import SHOWN_CHARS, SHOWN_MESSAGE_CHARS, clip, shown, visible
from ..read.grid import parse_a1
from ..spec.layout import a1
from ..text import UI, Text, same
from .findings import Finding, Severity

#: The columns of a report's rows, as interface-string keys (HTML and 校验结果 show these).
COLUMNS = (
    "col.cell",
    "col.item",
    "col.problem",
    "col.details",
    "col.found",
    "col.expected",
    "col.fix",
)


@dataclass(frozen=True)
class ReportRow:
    """One line of a report: what every renderer needs, already worked out."""

    findings: tuple[Finding, ...]
    cells: Text  # 'C22', 'D35:I40、C7', or '—' for file-level findings
    link: str | None  # the first cell, for a hyperlink
    item: Text
    severity: Severity
    title: Text
    message: Text
    found: str
    expected: str
    diff: str
    hint: Text | None

    @property
    def first(self) -> Finding:
        return self.findings[0]


def group_findings(findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings in order, blank cells that share a severity, a kind and a suggestion gathered
    into one group (placed where its first cell is); every other finding alone."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for n, f in enumerate(findings):
        if f.code == "blank" and f.cell:
            fix = (f.fix.kind, f.fix.value, f.fix.kind == "forced" or f.fix.text) if f.fix else None
            key: tuple[object, ...] = ("blank", f.severity, f.group, fix)
        else:
            key = ("one", n)
        groups.setdefault(key, []).append(f)
    return list(groups.values())


def report_rows(findings: Sequence[Finding]) -> list[ReportRow]:
    """The rows of one file's report, in the findings' order."""
    return [_row(group) for group in group_findings(findings)]


def group_hint(group: list[Finding]) -> Text | None:
    """The suggestion of a group: shared, or for values forced by different rules, said once."""
    first = group[0]
    if first.fix is None:
        return None
    if len({f.fix.text for f in group if f.fix}) == 1:
        return first.fix.text
    return Text(f"均可推算为 {first.fix.value}", f"each can be inferred as {first.fix.value}")


def _row(group: list[Finding]) -> ReportRow:
    first = group[0]
    hint = group_hint(group)
    if len(group) > 1:
        cells = [f.cell for f in group if f.cell]
        return ReportRow(
            tuple(group),
            Text(cell_ranges(cells), cell_ranges(cells, ", ")),
            first.cell,
            UI["items"].format(n=len(group)),
            first.severity,
            Text(*(first.title(lang) for lang in ("zh", "en"))),
            shown_message(first),
            "",
            "0",
            "",
            hint,
        )
    return ReportRow(
        (first,),
        same(first.cell or "—"),
        first.cell,
        same(clip(first.label or "")),
        first.severity,
        Text(*(first.title(lang) for lang in ("zh", "en"))),
        shown_message(first),
        clip(shown(first.found)),
        clip(shown(first.expected)),
        clip(shown(first.diff)),
        hint,
    )


def shown_message(finding: Finding) -> Text:
    """The finding's message as reports show it: a long cell text quoted in it is cut to
    :data:`~..numbers.SHOWN_CHARS` (the JSON report keeps message and value whole)."""
    return Text(*(_cut(message, finding.found) for message in finding.text))


def _cut(message: str, found: object) -> str:
    if isinstance(found, str) and len(found) > SHOWN_CHARS:
        for quoted in {visible(found), visible(found.strip()), found, found.strip()}:
            if len(quoted) > SHOWN_CHARS and quoted in message:
                message = message.replace(quoted, clip(quoted))
    return clip(message, SHOWN_MESSAGE_CHARS)


def cell_ranges(cells: list[str], sep: str = "、") -> str:
    """Cells as rectangular ranges: 'D35:I40、C7'. Rows of adjacent columns are merged with the
    rows below them that span the same columns."""
    points = sorted({parse_a1(c) for c in cells})
    runs: list[tuple[int, int, int]] = []  # (row, first col, last col)
    for row, col in points:
        if runs and runs[-1][0] == row and runs[-1][2] == col - 1:
            runs[-1] = (row, runs[-1][1], col)
        else:
            runs.append((row, col, col))
    boxes: list[list[int]] = []  # [top, bottom, left, right]
    for row, left, right in runs:
        box = next((b for b in boxes if b[1] == row - 1 and b[2] == left and b[3] == right), None)
        if box is not None:
            box[1] = row
        else:
            boxes.append([row, row, left, right])
    return sep.join(
        a1(top, left) if (top, left) == (bottom, right) else f"{a1(top, left)}:{a1(bottom, right)}"
        for top, bottom, left, right in sorted(boxes, key=lambda b: (b[0], b[2]))
    )
