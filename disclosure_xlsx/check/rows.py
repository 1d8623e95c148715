"""A file's findings as report rows: computed once, drawn by every renderer.

The console table, the HTML report and the 校验结果 sheet of an annotated copy show the same
rows (long cell text cut, see :func:`shown_message`): one per finding, except that blank cells sharing a severity, a kind (empty or whitespace)
and a suggestion are one row whose cells are written as rectangular ranges (D35:I40).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..numbers import SHOWN_CHARS, SHOWN_MESSAGE_CHARS, clip, shown, visible
from ..read.grid import parse_a1
from ..spec.layout import a1
from ..text import Text, same
from .findings import Finding, Severity
from .report import FileReport


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


def report_rows(file: FileReport) -> list[ReportRow]:
    """The rows of one file's report, in the findings' order (a group where its first cell is)."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    order: list[tuple[object, ...]] = []
    for n, f in enumerate(file.findings):
        if f.code == "blank" and f.cell:
            key: tuple[object, ...] = ("blank", f.severity, f.group, f.fix.text if f.fix else None)
        else:
            key = ("one", n)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(f)
    return [_row(groups[key]) for key in order]


def _row(group: list[Finding]) -> ReportRow:
    first = group[0]
    hint = first.fix.text if first.fix else None
    if len(group) > 1:
        cells = [f.cell for f in group if f.cell]
        return ReportRow(
            tuple(group),
            Text(cell_ranges(cells), cell_ranges(cells, ", ")),
            first.cell,
            Text(f"{len(group)} 项", f"{len(group)} items"),
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
