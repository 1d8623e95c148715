"""Taking one return in: store it unchanged, check it, find its department, record it.

The order is what makes an interruption harmless. The content is written first, into
``received/<first 16 hex digits of its SHA-256>/<name as sent>`` (a temporary file renamed into
place, then made read-only); then it is checked and matched, outside any lock; then one short
``BEGIN IMMEDIATE`` transaction records it. Stopped anywhere before the commit, the round is as
it was, except perhaps for a content file nothing refers to yet, which the next collect of the
same content finds and reuses. Identical content is one return: a resubmission of the same
bytes is reported as a duplicate, not recorded twice (the table's ``sha256`` is unique, so two
processes taking the same file at once cannot both record it).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Literal

from ..check.findings import Finding, wrong_template
from ..check.report import FileReport
from ..check.validate import examine_file
from ..check.yoy import compare, numbers, with_findings
from ..errors import OutputError, check_interrupted
from ..outputs import writing
from ..read import ReturnValues
from ..read.guard import MAX_FILE_BYTES
from ..spec import Spec
from ..text import Text
from ..write.roster import safe_filename
from .archive import too_large
from .arrival import Arrival, Skipped
from .match import Clues, match
from .roster import Department
from .status import RoundInfo
from .store import MatchedBy, ReturnRecord, ReturnStatus, dump_json, transaction

RECEIVED = "received"
Action = Literal["recorded", "duplicate", "skipped"]
PreviousNumbers = Mapping[str, Mapping[str, float | None]]  # department key -> item -> number


@dataclass(frozen=True)
class Outcome:
    """What happened to one input: recorded (matched or not), a duplicate, or not taken."""

    source: str
    action: Action
    file: str | None = None  # received/…, relative to the round's folder
    department: str | None = None
    department_name: str | None = None
    matched_by: MatchedBy | None = None
    status: ReturnStatus | None = None
    errors: int = 0
    warnings: int = 0
    note: Text | None = None  # why not taken, duplicate of what, or why unmatched
    return_id: int | None = None

    @property
    def unmatched(self) -> bool:
        return self.action == "recorded" and self.department is None

    @property
    def needs_attention(self) -> bool:
        """Not taken, unmatched, or a return with errors."""
        return (
            self.action == "skipped"
            or self.unmatched
            or (self.action == "recorded" and self.status != "ok")
        )


@dataclass(frozen=True)
class CollectResult:
    """Every input of one collect, in order, and notes about the round (last year's round
    not found)."""

    outcomes: tuple[Outcome, ...]
    notes: tuple[Text, ...] = ()

    def count(self, action: Action) -> int:
        return sum(o.action == action for o in self.outcomes)

    @property
    def unmatched(self) -> int:
        return sum(o.unmatched for o in self.outcomes)

    @property
    def needs_attention(self) -> bool:
        return any(o.needs_attention for o in self.outcomes)

    def line(self) -> Text:
        """收到 5 份（未匹配 1），重复 1，未收 2"""
        rec, dup, skip = (self.count(a) for a in ("recorded", "duplicate", "skipped"))
        return Text(
            f"收到 {rec} 份（未匹配 {self.unmatched}），重复 {dup}，未收 {skip}",
            f"recorded {rec} ({self.unmatched} unmatched), {dup} duplicates, {skip} not taken",
        )


class Intake:
    """Takes returns into a round batch after batch (made by :meth:`.Campaign.intake`): the
    e-mail fetch takes each message's attachments as one batch, and records the message only
    once they are recorded."""

    def __init__(self, collector: Collector, notes: Sequence[Text]) -> None:
        self.collector = collector
        self.notes = tuple(notes)

    def take(
        self,
        items: Iterable[Arrival | Skipped],
        progress: Callable[[Outcome], None] | None = None,
    ) -> CollectResult:
        """Store, check, match and record each item (one transaction each), in order: one
        outcome per item."""
        now = datetime.now().astimezone()
        outcomes: list[Outcome] = []
        for outcome in self.collector.run(items, now):
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
        return CollectResult(tuple(outcomes), self.notes)


def unreadable_reason(why: Text) -> Text:
    """Why an unmatched return could not be matched, when it could not even be read."""
    return (
        Text("无法读取：", "cannot be read: ")
        + why
        + Text(
            "；发件人和文件名也对不上名单，请确认是哪个单位后请其重发",
            "; neither the sender nor the file name is on the roster: find out who sent it "
            "and ask for it again",
        )
    )


def content_of(arrival: Arrival) -> bytes | Text:
    """The bytes of an arrival, or why they cannot be taken."""
    if arrival.data is not None:
        return arrival.data
    assert arrival.path is not None
    try:
        if arrival.path.stat().st_size > MAX_FILE_BYTES:
            return too_large()
        return arrival.path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return Text(f"无法读取（{reason}）", f"cannot be read ({reason})")


def relative(folder: Path, path: Path) -> str:
    """A path inside the round's folder as stored: relative, with '/'."""
    return PurePosixPath(*path.relative_to(folder).parts).as_posix()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def store_content(folder: Path, name: str, data: bytes, sha: str) -> str:
    """Write the content under received/ (or find it there already); its relative path."""
    box = folder / RECEIVED / sha[:16]
    if box.is_dir():
        for existing in sorted(box.iterdir()):
            if existing.name.startswith("."):
                continue  # a temporary file of a write that was killed, or is under way
            if existing.is_file() and sha256_file(existing) == sha:
                return relative(folder, existing)
    stem = safe_filename(PurePosixPath(name).stem)
    suffix = PurePosixPath(name).suffix.lower()
    target = box / f"{stem}{suffix}"
    if target.exists():  # another content with the same 64-bit prefix: keep both
        target = box / f"{stem}_{sha[16:24]}{suffix}"
    try:
        with writing(target) as fh:
            fh.write(data)
    except OutputError:
        # NOTE: another process may have stored the same content a moment ago (on Windows a
        # read-only file cannot be replaced); then that copy is the one
        if target.is_file() and sha256_file(target) == sha:
            return relative(folder, target)
        raise
    with contextlib.suppress(OSError):
        target.chmod(0o444)  # NOTE: a return is never changed; read-only guards against slips
    return relative(folder, target)


def report_json(report: FileReport) -> str:
    return dump_json({"zh": report.to_dict("zh"), "en": report.to_dict("en")})


def value_cells(values: ReturnValues) -> dict[str, str]:
    """Each data item's A1 address in the return."""
    data = {i.id for i in values.spec.data_items()}
    return {k: v for k, v in values.addresses.items() if k in data}


def numbers_json(values: ReturnValues | None, cells: dict[str, str]) -> str | None:
    if values is None:
        return None
    return dump_json({"values": numbers(values), "cells": cells})


@dataclass(frozen=True)
class Prepared:
    """A return stored under received/, checked and matched: what one transaction records."""

    sha: str
    row: tuple[object, ...]  # the values of its row in ``returns``, in INSERT_COLUMNS order
    outcome: Outcome


INSERT_COLUMNS = (
    "sha256, file, name, source, sender, received_at, received_ts, collected_at, department_id, "
    "matched_by, reason, status, errors, warnings, template, unit_name, stamp, report, numbers"
)


class Collector:
    """Takes arrivals into one round; made by :meth:`.Campaign.collect`.

    Each file is prepared (stored, checked, matched: no database) and then recorded (one
    transaction). A worker thread prepares the next file while the main thread waits for the
    previous one's commit to reach the disk, so a collect costs little more than checking.
    """

    def __init__(
        self,
        folder: Path,
        conn: sqlite3.Connection,
        info: RoundInfo,
        spec: Spec,
        departments: Sequence[Department],
        previous: PreviousNumbers,
    ) -> None:
        self.folder = folder
        self.conn = conn
        self.info = info
        self.spec = spec
        self.departments = list(departments)
        self.by_id = {d.id: d for d in departments}
        self.previous = previous
        # NOTE: a snapshot, to skip known content cheaply; record() checks again inside its
        # transaction, where another process's returns are visible too
        self.known: dict[str, tuple[int, str, str | None]] = {
            row[0]: (row[1], row[2], row[3])
            for row in conn.execute("SELECT sha256, id, file, department_id FROM returns")
        }

    def run(self, items: Iterable[Arrival | Skipped], default_time: datetime) -> Iterator[Outcome]:
        """Every input's outcome, in order: one file prepared ahead while another is recorded."""
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dx-collect")
        pending: deque[Future[Prepared | Outcome]] = deque()
        try:
            for item in items:
                check_interrupted()
                pending.append(pool.submit(self.prepare, item, default_time))
                if len(pending) > 1:
                    yield self.record(pending.popleft().result())
            while pending:
                yield self.record(pending.popleft().result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def prepare(self, item: Arrival | Skipped, default_time: datetime) -> Prepared | Outcome:
        """Store, check and match one input (no database access: runs in the worker)."""
        if isinstance(item, Skipped):
            return Outcome(item.source, "skipped", note=item.reason)
        content = content_of(item)
        if isinstance(content, Text):
            return Outcome(item.source, "skipped", note=content)
        sha = hashlib.sha256(content).hexdigest()
        if sha in self.known:
            return self.duplicate(item.source, *self.known[sha])
        rel = store_content(self.folder, item.name, content, sha)
        examined = examine_file(self.folder / rel)
        report, values = replace(examined.report, path=rel), examined.values
        if report.template is not None and report.template != self.info.year:
            report, values = self._other_year(report), None
        clues = Clues(item.name, report.stamp, item.sender, report.unit_name)
        found = match(clues, self.departments, self.info.id)
        if found.department is None and report.status == "unreadable" and report.findings:
            # NOTE: say first why the file could not be read: the clerk asks for it again
            # rather than hunting for a name the sheet was never read for
            found = replace(found, reason=unreadable_reason(report.findings[0].text))
        extra: list[Finding] = list(found.findings)
        cells = value_cells(values) if values is not None else {}
        if found.department is not None and values is not None:
            extra.extend(self.year_over_year(found.department, values, cells))
        report = with_findings(report, extra)
        when = item.received_at or default_time
        if when.tzinfo is None:
            when = when.astimezone()
        row = (
            sha,
            rel,
            item.name,
            item.source,
            item.sender,
            when.isoformat(timespec="seconds"),
            when.timestamp(),
            datetime.now().astimezone().isoformat(timespec="seconds"),
            found.department,
            found.by,
            dump_json(list(found.reason)) if found.reason else None,
            report.status,
            report.errors,
            report.warnings,
            report.template,
            report.unit_name,
            report.stamp.text if report.stamp else None,
            report_json(report),
            numbers_json(values, cells),
        )
        dept = self.by_id.get(found.department or "")
        outcome = Outcome(
            item.source,
            "recorded",
            rel,
            found.department,
            dept.name if dept else None,
            found.by,
            report.status,
            report.errors,
            report.warnings,
            found.reason,
        )
        return Prepared(sha, row, outcome)

    def record(self, prepared: Prepared | Outcome) -> Outcome:
        """Record one prepared return in its own transaction (an outcome passes through)."""
        if isinstance(prepared, Outcome):
            return prepared
        outcome = prepared.outcome
        with transaction(self.conn):
            row = self.conn.execute(
                "SELECT id, file, department_id FROM returns WHERE sha256 = ?", (prepared.sha,)
            ).fetchone()
            if row is not None:  # recorded meanwhile: earlier in this collect, or by another
                return self.duplicate(outcome.source, row[0], row[1], row[2])
            cursor = self.conn.execute(
                f"INSERT INTO returns ({INSERT_COLUMNS}) VALUES ({', '.join('?' * 19)})",
                prepared.row,
            )
        assert outcome.file is not None and cursor.lastrowid is not None
        self.known[prepared.sha] = (cursor.lastrowid, outcome.file, outcome.department)
        return replace(outcome, return_id=cursor.lastrowid)

    def duplicate(self, source: str, return_id: int, file: str, department: str | None) -> Outcome:
        """The outcome of content already recorded."""
        dept = self.by_id.get(department or "")
        who = Text(dept.name, dept.name) if dept else Text("未匹配", "unmatched")
        note = Text(
            f"与已收的 {file}（{who.zh}）内容相同，不重复登记",
            f"same content as {file} ({who.en}), already recorded",
        )
        name = dept.name if dept else None
        return Outcome(source, "duplicate", file, department, name, note=note, return_id=return_id)

    def recheck(self, record: ReturnRecord) -> FileReport:
        """A recorded return checked again from its stored file, as when it was collected
        (the same checks, stamp findings and year-over-year findings for its department), with
        the findings as values and ``path`` the file's full path (to annotate a copy)."""
        path = self.folder / record.file
        examined = examine_file(path)
        report, values = replace(examined.report, path=str(path)), examined.values
        if report.template is not None and report.template != self.info.year:
            report, values = self._other_year(report), None
        clues = Clues(record.name, report.stamp, record.sender, report.unit_name)
        extra = list(match(clues, self.departments, self.info.id).findings)
        stamp = report.stamp
        if (
            record.matched_by == "assigned"
            and stamp is not None
            and (stamp.round_id, stamp.department_id) == (self.info.id, record.department_id)
        ):
            extra = [f for f in extra if f.code != "stamp-mismatch"]  # as assign() does
        if record.department_id in self.by_id and values is not None:
            extra.extend(self.year_over_year(record.department_id, values, value_cells(values)))
        return with_findings(report, extra)

    def _other_year(self, report: FileReport) -> FileReport:
        reason = Text(
            f"这是 {report.template} 年度格式的统计表，本轮收的是 {self.info.year} 年度格式",
            f"this is a table in the {report.template} format; this round collects the "
            f"{self.info.year} format",
        )
        return replace(report, status="invalid", findings=(wrong_template(reason),))

    def year_over_year(
        self, department: str, values: ReturnValues, cells: dict[str, str]
    ) -> list[Finding]:
        """This return against last year's current return of the same department."""
        previous = self.previous.get(self.by_id[department].key)
        if previous is None:
            return []
        return compare(values.spec, numbers(values), previous, cells)
