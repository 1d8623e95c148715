"""A recorded return's report as a :class:`~..check.report.FileReport` again, for the renderers
(the HTML report, the annotated copy, the web page's rows).

The round stores each report as JSON, where blank cells are already gathered into ranges; the
renderers need the findings themselves. So the stored file (under received/, never changed) is
checked again, exactly as ``collect`` checked it, and the findings that depend on the round
rather than on the file (the stamp's and last year's, see :data:`ROUND_CODES`) are taken from
the stored JSON: they are never gathered, and it holds both languages of each. The result's
``to_dict`` equals the stored report (a test keeps it so); its ``path`` is the file's path.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..check.findings import Finding, wrong_template
from ..check.report import FileReport
from ..check.validate import examine_file
from ..check.yoy import with_findings
from ..read.grid import parse_a1
from ..text import Text

#: Findings the round adds to a file's own (matching and year over year).
ROUND_CODES = frozenset(
    {"stamp-foreign", "stamp-mismatch", "carry-over-mismatch", "in-force-drift", "large-change"}
)


def rebuild(
    folder: Path, year: str, stored: dict[str, Any], file: str, *, round_findings: bool = True
) -> FileReport:
    """The report of the return stored at ``folder/file``; ``stored`` is its recorded JSON
    (``{"zh": report, "en": report}``), ``year`` the round's template year. Without
    ``round_findings``, only what the file itself shows (no stamp or year-over-year findings,
    which name departments and last year's numbers)."""
    path = folder / file
    report = examine_file(path).report
    zh, en = stored["zh"], stored["en"]
    if report.template is not None and report.template != year:
        findings = [f for f in zh["findings"] if f["code"] == "wrong-template"]
        reason = (
            Text(*(f["message"] for f in (findings[0], en["findings"][0]))) if findings else None
        )
        report = replace(
            report,
            status="invalid",
            findings=(wrong_template(reason or Text(zh["status"], en["status"])),),
        )
    extra = [
        _finding(a, b)
        for a, b in zip(zh["findings"], en["findings"], strict=True)
        if a["code"] in ROUND_CODES and round_findings
    ]
    return with_findings(report, extra)


def _finding(zh: dict[str, Any], en: dict[str, Any]) -> Finding:
    cell = zh["cell"]
    return Finding(
        code=zh["code"],
        severity=zh["severity"],
        item=zh["item"],
        label=zh["label"],
        cell=cell,
        related=tuple(zh["related"]),
        found=zh["found"],
        expected=zh["expected"],
        text=Text(zh["message"], en["message"]),
        row=parse_a1(cell)[0] if cell else 0,
    )
