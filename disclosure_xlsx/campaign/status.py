"""Who has returned what: one row per department, the unmatched returns, and a summary.

Plain values built from the round's records; the console view, the printable list and the
JSON of `campaign status --format json` are drawn from them. ``to_dict`` is the JSON contract
(schema ``disclosure-xlsx/campaign-status/1``, documented in the README and pinned by a test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ..text import Lang, Text
from .roster import Department
from .store import ReturnRecord

SCHEMA = "disclosure-xlsx/campaign-status/1"
State = Literal["missing", "ok", "invalid", "unreadable"]
STATES: dict[State, Text] = {
    "missing": Text("未交", "missing"),
    "ok": Text("已交-通过", "returned, ok"),
    "invalid": Text("已交-有错误", "returned, has errors"),
    "unreadable": Text("无法读取", "unreadable"),
}


@dataclass(frozen=True)
class RoundInfo:
    """The round itself, as ``init`` made it."""

    id: str
    title: str
    year: str
    deadline: str | None  # YYYY-MM-DD
    previous: str | None  # last year's round folder, relative to this one
    created_at: str


@dataclass(frozen=True)
class DepartmentStatus:
    """One department: its current return (the newest) and how many it sent."""

    id: str
    name: str
    email: str | None
    state: State
    versions: int
    received_at: str | None
    file: str | None
    errors: int
    warnings: int
    overdue: bool

    def state_text(self, lang: Lang = "zh") -> str:
        """未交 / 已交-通过 / 已交-有错误 / 无法读取"""
        return STATES[self.state](lang)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "state": self.state,
            "versions": self.versions,
            "received_at": self.received_at,
            "file": self.file,
            "errors": self.errors,
            "warnings": self.warnings,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class Unmatched:
    """A return no department could be found for (until someone assigns it)."""

    id: int
    file: str
    name: str
    source: str
    reason: Text

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {"file": self.file, "reason": self.reason(lang)}


@dataclass(frozen=True)
class Summary:
    """The counts of the summary line."""

    departments: int
    returned: int
    ok: int
    invalid: int
    unreadable: int
    missing: int

    def to_dict(self) -> dict[str, int]:
        return {
            "departments": self.departments,
            "returned": self.returned,
            "ok": self.ok,
            "invalid": self.invalid,
            "unreadable": self.unreadable,
            "missing": self.missing,
        }

    def line(self) -> Text:
        """已交 37/52，通过 30，有错误 5，无法读取 2，未交 15"""
        s = self
        return Text(
            f"已交 {s.returned}/{s.departments}，通过 {s.ok}，有错误 {s.invalid}，"
            f"无法读取 {s.unreadable}，未交 {s.missing}",
            f"returned {s.returned}/{s.departments}: {s.ok} ok, {s.invalid} with errors, "
            f"{s.unreadable} unreadable, {s.missing} missing",
        )


@dataclass(frozen=True)
class Status:
    """The whole picture of a round at one moment."""

    round: RoundInfo
    departments: tuple[DepartmentStatus, ...]
    unmatched: tuple[Unmatched, ...]

    @property
    def summary(self) -> Summary:
        states = [d.state for d in self.departments]
        return Summary(
            departments=len(states),
            returned=sum(s != "missing" for s in states),
            ok=states.count("ok"),
            invalid=states.count("invalid"),
            unreadable=states.count("unreadable"),
            missing=states.count("missing"),
        )

    @property
    def complete(self) -> bool:
        """Every department has a current return that passed, and nothing is unmatched."""
        return all(d.state == "ok" for d in self.departments) and not self.unmatched

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        r = self.round
        return {
            "schema": SCHEMA,
            "campaign": {
                "id": r.id,
                "title": r.title,
                "year": r.year,
                "deadline": r.deadline,
                "departments": len(self.departments),
            },
            "departments": [d.to_dict() for d in self.departments],
            "unmatched": [u.to_dict(lang) for u in self.unmatched],
            "summary": self.summary.to_dict(),
        }


def build_status(
    info: RoundInfo,
    departments: Sequence[Department],
    returns: Sequence[ReturnRecord],
    today: date,
) -> Status:
    """The status from the records; ``returns`` in arrival order (oldest first).

    A department is overdue when the deadline has passed and it still owes a return that
    passes: it has none, or its current one has errors or cannot be read.
    """
    by_department: dict[str, list[ReturnRecord]] = {}
    unmatched: list[Unmatched] = []
    for record in returns:
        if record.department_id is None:
            reason = record.reason or Text("未匹配", "unmatched")
            unmatched.append(Unmatched(record.id, record.file, record.name, record.source, reason))
        else:
            by_department.setdefault(record.department_id, []).append(record)
    late = info.deadline is not None and today > date.fromisoformat(info.deadline)
    rows = []
    for d in departments:
        history = by_department.get(d.id, [])
        current = history[-1] if history else None
        state: State = current.status if current else "missing"
        rows.append(
            DepartmentStatus(
                id=d.id,
                name=d.name,
                email=d.email or None,
                state=state,
                versions=len(history),
                received_at=current.received_at if current else None,
                file=current.file if current else None,
                errors=current.errors if current else 0,
                warnings=current.warnings if current else 0,
                overdue=late and state != "ok",
            )
        )
    return Status(info, tuple(rows), tuple(unmatched))
