"""Results as values: one FileReport per input file, one Report per run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..spec.labels import unit_key
from ..spec.layout import Stamp
from ..text import Lang, Text
from .findings import FINDING_FIELDS, Finding
from .rows import cell_ranges, group_findings, group_hint

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
    stamp: Stamp | None = None  # the collection round and department of a stamped template

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
            "findings": [_group_dict(g, lang) for g in group_findings(self.findings)],
        }


@dataclass(frozen=True)
class Skipped:
    """A file met in a folder, glob or list that was not checked, and why (a lock file, a
    Word document in the returns folder): listed, so nothing is left out silently."""

    path: str
    reason: Text

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason(lang)}


@dataclass(frozen=True)
class Report:
    """A batch: the files in the order given, and a summary.

    ``skipped`` lists files a folder scan passed over, each with the reason (an annotated or
    corrected copy this tool wrote); ``planned`` is set when the batch was interrupted: how
    many files it was to check (``files`` holds those checked)."""

    files: Sequence[FileReport]  # a tuple, or a ReportStore (on disk) for a large batch
    skipped: tuple[Skipped, ...] = ()
    planned: int | None = None

    @property
    def interrupted(self) -> bool:
        return self.planned is not None

    def duplicates(self) -> list[tuple[str, tuple[str, ...]]]:
        """Departments that sent more than one return in this batch: (单位名称 as first read,
        the paths). Names are compared ignoring spaces, full/half width, case and invisible
        characters (:func:`~..spec.labels.unit_key`)."""
        groups: dict[str, list[tuple[str, str]]] = {}  # names and paths, not whole reports
        for f in self.files:
            if f.unit_name and (key := unit_key(f.unit_name)):
                groups.setdefault(key, []).append((f.unit_name, f.path))
        return [
            (same[0][0], tuple(path for _name, path in same))
            for same in groups.values()
            if len(same) > 1
        ]

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(("ok", "invalid", "unreadable", "errors", "warnings"), 0)
        for f in self.files:  # one pass: the files may be read back from disk
            counts[f.status] += 1
            counts["errors"] += f.errors
            counts["warnings"] += f.warnings
        return {
            "files": len(self.files),
            **counts,
            "skipped": len(self.skipped),
            "duplicates": len(self.duplicates()),
        }

    def failed(self, strict: bool = False) -> bool:
        """True when a file has an error (or, with ``strict``, a warning) or is unreadable, or
        when one department sent two returns (the batch needs a person either way)."""
        return bool(self.duplicates()) or any(
            f.status != "ok" or (strict and f.warnings) for f in self.files
        )

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "files": [f.to_dict(lang) for f in self.files],
            **self.envelope(lang),
        }

    def envelope(self, lang: Lang = "zh") -> dict[str, Any]:
        """Everything of :meth:`to_dict` after ``files`` (a writer streams the files first)."""
        return {
            "summary": self.summary(),
            "skipped": [s.to_dict(lang) for s in self.skipped],
            "duplicates": [
                {"unit_name": name, "paths": list(paths)} for name, paths in self.duplicates()
            ],
            "interrupted": (
                {"checked": len(self.files), "planned": self.planned} if self.interrupted else None
            ),
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


def _group_dict(group: list[Finding], lang: Lang) -> dict[str, Any]:
    """One finding as JSON; blank cells sharing a message and suggestion as one entry whose
    ``cell`` lists rectangular ranges ("D35:I40 C7") and ``related`` every cell."""
    first = group[0]
    out = first.to_dict(lang)
    out["count"] = len(group)
    if len(group) > 1:
        cells = [f.cell for f in group if f.cell]
        out.update(item=None, label=None, found=None, related=cells)
        hint = group_hint(group)
        if out["fix"] is not None and hint is not None:
            out["fix"] = {**out["fix"], "cell": None, "reason": hint(lang)}
        out["cell"] = cell_ranges(cells, " ")
    return out
