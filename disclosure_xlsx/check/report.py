"""Results as values: one FileReport per input file, one Report per run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..text import Lang, Text
from .findings import FINDING_FIELDS, Finding

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = "disclosure-xlsx/report/1"
Status = Literal["ok", "invalid", "unreadable"]


@dataclass(frozen=True)
class FileReport:
    """Everything found in one returned workbook."""

    path: str
    status: Status
    template: str | None
    sheet: str | None
    unit_name: str | None
    findings: tuple[Finding, ...]
    method: str | None = None  # "ids" (our template) or "labels" (pasted/other layouts)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "template": self.template,
            "sheet": self.sheet,
            "unit_name": self.unit_name,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_dict(lang) for f in self.findings],
        }


@dataclass(frozen=True)
class Skipped:
    """A file met in a folder, glob or list that was not checked, and why (a lock file, a
    Word document in the returns folder): listed, so nothing is left out silently."""

    path: str
    reason: Text

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {"path": self.path, "status": "skipped", "reason": self.reason(lang)}


@dataclass(frozen=True)
class Report:
    """A batch: the files in the order given, the files skipped, and a summary."""

    files: tuple[FileReport, ...]
    skipped: tuple[Skipped, ...] = ()

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "ok": sum(f.status == "ok" for f in self.files),
            "invalid": sum(f.status == "invalid" for f in self.files),
            "unreadable": sum(f.status == "unreadable" for f in self.files),
            "skipped": len(self.skipped),
            "errors": sum(f.errors for f in self.files),
            "warnings": sum(f.warnings for f in self.files),
        }

    def failed(self, strict: bool = False) -> bool:
        """True when a file has an error (or, with ``strict``, a warning) or is unreadable."""
        return any(f.status != "ok" or (strict and f.warnings) for f in self.files)

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "files": [f.to_dict(lang) for f in self.files],
            "skipped": [s.to_dict(lang) for s in self.skipped],
            "summary": self.summary(),
        }

    def to_dataframe(self, lang: Lang = "zh") -> pd.DataFrame:
        """One row per finding, with the file's path and unit name (pandas imported on demand)."""
        import pandas as pd

        columns = ["path", "unit_name", *FINDING_FIELDS]
        rows = [
            {
                "path": f.path,
                "unit_name": f.unit_name,
                **finding.to_dict(lang),
                "fix": finding.fix.reason(lang) if finding.fix else None,  # text, not a dict
            }
            for f in self.files
            for finding in f.findings
        ]
        return pd.DataFrame(rows, columns=columns)
