"""A collection round as one object: what the CLI, the e-mail feature and the web page call.

A round lives in a folder: ``campaign.sqlite`` (the state, see :mod:`.store`), ``templates/``
(one stamped template per department), ``received/`` (every return exactly as it arrived,
by content) and ``mail/`` (the texts and settings of the e-mail commands, :mod:`.mailfiles`). The folder can be moved or copied: every stored path is relative to it, and last
year's round is found relative to it too.

Every public method is one transaction, or (``collect``) one per file; two processes working
on one round wait for each other. Nothing a department sent is ever changed or deleted.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import DisclosureError, UsageError
from ..outputs import check_output, write_bytes
from ..spec import load_spec
from ..spec.layout import Stamp
from ..text import Lang, Text
from .mailfiles import write_mail_files
from .names import name_key
from .roster import Department, read_roster
from .status import RoundInfo, Status, build_status
from .store import (
    BUSY_TIMEOUT,
    DB_NAME,
    RETURN_COLUMNS,
    ReturnRecord,
    connect,
    dump_json,
    load_json,
    transaction,
)

if TYPE_CHECKING:
    from ..check.findings import Finding
    from ..check.report import FileReport
    from .collect import CollectResult, Intake, Outcome, PreviousNumbers
    from .total import Total

# NOTE: checking, workbooks and pandas are imported by the methods that use them, so that
# `campaign status` starts as fast as the CLI itself.

TEMPLATES = "templates"
#: Findings that depend on which department a return is assigned to (worked out again).
YEAR_CODES = frozenset({"carry-over-mismatch", "in-force-drift", "large-change"})


def _not_a_round(folder: Path) -> UsageError:
    return UsageError(
        Text(
            f"{folder} 不是一轮收集（没有 {DB_NAME}）；请先运行 campaign init",
            f"{folder} is not a collection round (no {DB_NAME}); run campaign init first",
        )
    )


def _posix(path: str) -> str:
    return PurePosixPath(*Path(path).parts).as_posix()


class Campaign:
    """One collection round; make one with :meth:`init` or :meth:`open`, and close it (or use
    it as a context manager)."""

    def __init__(self, folder: Path, conn: sqlite3.Connection) -> None:
        self.folder = folder
        self.conn = conn
        row = conn.execute("SELECT * FROM round").fetchone()
        if row is None:
            raise _not_a_round(folder)
        self.info = RoundInfo(
            row["id"],
            row["title"],
            row["year"],
            row["deadline"],
            row["previous"],
            row["created_at"],
        )
        self.spec = load_spec(self.info.year)

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, folder: str | Path, *, timeout: float = BUSY_TIMEOUT) -> Campaign:
        """The round in ``folder``."""
        folder = Path(folder)
        db = folder / DB_NAME
        if not db.is_file():
            raise _not_a_round(folder)
        conn = connect(db, timeout)
        try:
            return cls(folder, conn)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def init(
        cls,
        folder: str | Path,
        roster: str | Path | Sequence[Department],
        year: str,
        *,
        title: str | None = None,
        deadline: str | date | None = None,
        previous: str | Path | None = None,
        force: bool = False,
    ) -> Campaign:
        """Create a round: its state, and one stamped template per department with 单位名称
        filled in. Everything is checked first; on any problem nothing is written.

        ``force`` replaces a round that has received nothing yet (a roster fixed before the
        templates went out); a round with returns is never replaced.
        """
        folder = Path(folder)
        spec = load_spec(year)
        departments = read_roster(Path(roster)) if isinstance(roster, (str, Path)) else list(roster)
        due = _deadline(deadline)
        linked = _link_previous(folder, previous, year) if previous is not None else None
        db = folder / DB_NAME
        if db.exists():
            cls._may_replace(folder, force)
        templates = folder / TEMPLATES
        if not force and templates.is_dir() and any(templates.iterdir()):
            raise UsageError(
                Text(
                    f"{templates} 已有文件；如需覆盖请加 --force",
                    f"{templates} is not empty; add --force to replace its files",
                )
            )
        from ..write.template import template_bytes

        round_id = secrets.token_hex(6)
        names = _template_names(departments)
        files = {
            d.id: template_bytes(spec, d.name, stamp=Stamp(round_id, d.id)) for d in departments
        }
        part = folder / f".{DB_NAME}.part"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if part.exists():
                part.unlink()
            conn = connect(part)
            with transaction(conn):
                conn.execute(
                    "INSERT INTO round (id, title, year, deadline, previous, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        round_id,
                        title or f"{spec.title}（{year}）",
                        year,
                        due,
                        linked,
                        datetime.now().astimezone().isoformat(timespec="seconds"),
                    ),
                )
                conn.executemany(
                    "INSERT INTO departments (id, seq, name, key, contact, email, phone, template) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (d.id, n, d.name, d.key, d.contact, d.email, d.phone, names[d.id])
                        for n, d in enumerate(departments, start=1)
                    ],
                )
            conn.close()
            for d in departments:
                write_bytes(folder / names[d.id], files[d.id])
            write_mail_files(folder)  # the texts and settings of the e-mail commands
            os.replace(part, db)  # NOTE: the round exists from this rename on, whole
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise UsageError(
                Text(f"{folder}：无法建立（{reason}）", f"{folder}: cannot create ({reason})")
            ) from None
        finally:
            if part.exists():
                part.unlink()
        return cls.open(folder)

    @classmethod
    def _may_replace(cls, folder: Path, force: bool) -> None:
        if not force:
            raise UsageError(
                Text(
                    f"{folder} 已经是一轮收集；如需按新名单重建（尚未收到任何文件时）请加 --force",
                    f"{folder} is already a round; add --force to rebuild it "
                    "(only while nothing has been received)",
                )
            )
        with cls.open(folder) as old:
            (count,) = old.conn.execute("SELECT COUNT(*) FROM returns").fetchone()
        if count:
            raise UsageError(
                Text(
                    f"{folder} 已经收到 {count} 份文件，不能重建（会丢失收集记录）",
                    f"{folder} has received {count} files and cannot be rebuilt",
                )
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Campaign:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------

    def departments(self) -> list[Department]:
        """The roster, in its order."""
        rows = self.conn.execute(
            "SELECT id, name, key, contact, email, phone FROM departments ORDER BY seq"
        ).fetchall()
        return [Department(*tuple(r)) for r in rows]

    def department(self, ref: str) -> Department:
        """A department by id (d003), by name, or by any spelling of its name."""
        departments = self.departments()
        tests: tuple[Callable[[Department], bool], ...] = (
            lambda d: d.id == ref.strip(),
            lambda d: d.name == ref.strip(),
            lambda d: d.key == name_key(ref),
        )
        for test in tests:
            found = [d for d in departments if test(d)]
            if len(found) == 1:
                return found[0]
        raise UsageError(
            Text(
                f"名单中没有单位“{ref}”（可用单位编号，如 {departments[0].id}，或单位名称）",
                f"no department '{ref}' on the roster (use its id, e.g. {departments[0].id}, "
                "or its name)",
            )
        )

    def returns(self) -> list[ReturnRecord]:
        """Every return, in the order they arrived."""
        rows = self.conn.execute(
            f"SELECT {RETURN_COLUMNS} FROM returns ORDER BY received_ts, id"
        ).fetchall()
        return [ReturnRecord.from_row(r) for r in rows]

    def history(self, dept: str) -> list[ReturnRecord]:
        """A department's returns, oldest first; the last is its current one."""
        department = self.department(dept)
        rows = self.conn.execute(
            f"SELECT {RETURN_COLUMNS} FROM returns WHERE department_id = ? "
            "ORDER BY received_ts, id",
            (department.id,),
        ).fetchall()
        return [ReturnRecord.from_row(r) for r in rows]

    def current(self, dept: str) -> ReturnRecord | None:
        """A department's current return (its newest), or None."""
        history = self.history(dept)
        return history[-1] if history else None

    def report(self, file: str, lang: Lang = "zh") -> dict[str, Any]:
        """The check report recorded with a return (the JSON of `validate`, one file)."""
        record = self.find_return(file)
        row = self.conn.execute("SELECT report FROM returns WHERE id = ?", (record.id,)).fetchone()
        report: dict[str, Any] = load_json(row["report"])[lang]
        return report

    def status(self, today: date | None = None) -> Status:
        """Who has returned what, as of ``today`` (for the deadline)."""
        with transaction(self.conn, write=False):
            departments = self.departments()
            returns = self.returns()
        return build_status(self.info, departments, returns, today or date.today())

    def find_return(self, ref: str) -> ReturnRecord:
        """A return by number, by its path under received/, by the name it arrived with, or
        by the path of a file with the same content."""
        records = self.returns()
        text = ref.strip().lstrip("#")
        tests: list[Callable[[ReturnRecord], bool]] = [
            lambda r: text.isdigit() and r.id == int(text),
            lambda r: r.file == _posix(ref),
            lambda r: r.name == ref or r.name == Path(ref).name,
        ]
        path = Path(ref)
        if path.is_file():
            from .collect import sha256_file

            sha = sha256_file(path)
            tests.insert(0, lambda r: r.sha256 == sha)
        for test in tests:
            found = [r for r in records if test(r)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise UsageError(
                    Text(
                        f"“{ref}”对应多份文件：{'、'.join(r.file for r in found)}；请用 received/ 下的路径",
                        f"'{ref}' matches several returns: {', '.join(r.file for r in found)}; "
                        "give the path under received/",
                    )
                )
        raise UsageError(
            Text(
                f"这一轮没有收到过“{ref}”（可用 campaign status 查看文件）",
                f"no return '{ref}' in this round (campaign status lists them)",
            )
        )

    # --- changing --------------------------------------------------------------------------

    def collect(
        self,
        paths: Iterable[str | Path],
        *,
        sender: str | None = None,
        received_at: datetime | None = None,
        progress: Callable[[Outcome], None] | None = None,
    ) -> CollectResult:
        """Take returned files, folders, saved e-mails and .zip archives in: each is stored,
        checked, matched and recorded in its own transaction (see :mod:`.collect`)."""
        from .sources import arrivals

        items = arrivals(paths, sender.strip().lower() if sender else None, received_at)
        return self.intake().take(items, progress)

    def intake(self) -> Intake:
        """A collector for returns that arrive as bytes, batch after batch (the e-mail fetch
        feeds it each message's attachments; an upload is one batch; see
        :class:`.collect.Intake`)."""
        from .collect import Collector, Intake

        notes: list[Text] = []
        collector = Collector(
            self.folder,
            self.conn,
            self.info,
            self.spec,
            self.departments(),
            self._previous_numbers(notes),
        )
        return Intake(collector, notes)

    def receive(
        self,
        name: str,
        data: bytes,
        *,
        sender: str | None = None,
        received_at: datetime | None = None,
        via: str | None = None,
    ) -> CollectResult:
        """Take one uploaded file in (its name as sent and its bytes): exactly a :meth:`collect`
        of that file, which may be a workbook, a saved e-mail or a .zip. The name is kept as
        data only (see :func:`.sources.upload_name`). ``via`` records whose page it came
        through ('clerk', or a department's id) for every return it recorded."""
        from .sources import uploaded

        items = uploaded(name, data, sender.strip().lower() if sender else None, received_at)
        result = self.intake().take(items)
        recorded = [o.return_id for o in result.outcomes if o.action == "recorded" and o.return_id]
        if via is not None and recorded:
            now = datetime.now().astimezone().isoformat(timespec="seconds")
            with transaction(self.conn):
                self.conn.executemany(
                    "INSERT OR IGNORE INTO uploads (return_id, via, uploaded_at) VALUES (?, ?, ?)",
                    [(n, via, now) for n in recorded],
                )
        return result

    def returns_for(self, dept: str) -> list[ReturnRecord]:
        """What a department may see: its returns, and what was uploaded through its link
        (matched to another department or to none), oldest first."""
        department = self.department(dept)
        rows = self.conn.execute(
            f"SELECT {RETURN_COLUMNS} FROM returns WHERE department_id = ? "
            "OR id IN (SELECT return_id FROM uploads WHERE via = ?) ORDER BY received_ts, id",
            (department.id, department.id),
        ).fetchall()
        return [ReturnRecord.from_row(r) for r in rows]

    def file_report(self, ref: str, *, round_findings: bool = True) -> FileReport:
        """A recorded return's report with its findings, for the renderers (the HTML report,
        the annotated copy); ``path`` is the stored file's (see :mod:`.reports`). Without
        ``round_findings``: only the file's own (for a department that sent another's file)."""
        from .reports import rebuild

        record = self.find_return(ref)
        row = self.conn.execute("SELECT report FROM returns WHERE id = ?", (record.id,)).fetchone()
        stored = load_json(row["report"])
        return rebuild(
            self.folder, self.info.year, stored, record.file, round_findings=round_findings
        )

    def annotated(self, ref: str, lang: Lang = "zh", *, round_findings: bool = True) -> bytes:
        """The annotated copy of a recorded return (problem cells coloured and commented, the
        校验结果 sheet first), as the bytes of an .xlsx/.xlsm; nothing is kept on disk."""
        import tempfile

        from ..write.annotate import annotate_file
        from ..write.editable import copy_suffix

        report = self.file_report(ref, round_findings=round_findings)
        with tempfile.TemporaryDirectory(prefix="dx-annotated-") as tmp:
            target = Path(tmp) / f"copy{copy_suffix(Path(report.path))}"
            return annotate_file(report, target, lang).read_bytes()

    def template(self, dept: str) -> Path:
        """Where the stamped template made for a department is (by id, name or any spelling
        of it); the caller reads it and says so if it is gone (see :meth:`template_file`)."""
        department = self.department(dept)
        row = self.conn.execute(
            "SELECT template FROM departments WHERE id = ?", (department.id,)
        ).fetchone()
        return self.folder / str(row["template"])

    def template_file(self, dept: str) -> Path:
        """A department's stamped template (templates/<name>.xlsx in the round's folder)."""
        department = self.department(dept)
        row = self.conn.execute(
            "SELECT template FROM departments WHERE id = ?", (department.id,)
        ).fetchone()
        return self.inside(row["template"])

    def inside(self, relative: str) -> Path:
        """A stored path (relative, with '/') as a file inside the round's folder; refused
        when it would lead outside it (``..``, an absolute path, a symbolic link out)."""
        root = self.folder.resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise UsageError(
                Text(f"{relative} 不在这一轮的文件夹里", f"{relative} is not in the round's folder")
            )
        return path

    def revision(self) -> int:
        """A number that grows with every change of the returns (a collect, an upload, an
        assign, by any process): an open page polls it to know when to refresh."""
        row = self.conn.execute("SELECT n FROM revision WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def assign(self, file: str, dept: str) -> ReturnRecord:
        """Say whose a return is (an unmatched one, or one matched wrongly); its year-over-year
        findings are worked out again for that department."""
        record = self.find_return(file)
        department = self.department(dept)
        previous = self._previous_numbers([]).get(department.key)
        with transaction(self.conn):
            row = self.conn.execute(
                "SELECT report, numbers, stamp FROM returns WHERE id = ?", (record.id,)
            ).fetchone()
            report = load_json(row["report"])
            stored = load_json(row["numbers"])
            add: list[Finding] = []
            if stored is not None and previous is not None:
                from ..check.yoy import compare

                add = compare(self.spec, stored["values"], previous, stored["cells"])
            drop = set(YEAR_CODES)
            stamp = Stamp.parse(row["stamp"] or "")
            if stamp and stamp.round_id == self.info.id and stamp.department_id == department.id:
                drop.add("stamp-mismatch")
            report = _rewrite(report, drop, add)
            zh = report["zh"]
            self.conn.execute(
                "UPDATE returns SET department_id = ?, matched_by = 'assigned', reason = NULL, "
                "status = ?, errors = ?, warnings = ?, report = ? WHERE id = ?",
                (
                    department.id,
                    zh["status"],
                    zh["errors"],
                    zh["warnings"],
                    dump_json(report),
                    record.id,
                ),
            )
        return self.find_return(str(record.id))

    def total(self, *, include_invalid: bool = False, unit_name: str | None = None) -> Total:
        """The district total of the current returns (nothing written; see :meth:`write_total`)."""
        with transaction(self.conn, write=False):
            departments = self.departments()
            rows = self.conn.execute(
                f"SELECT {RETURN_COLUMNS}, numbers FROM returns "
                "WHERE department_id IS NOT NULL ORDER BY received_ts, id"
            ).fetchall()
        currents = {}
        for row in rows:  # the newest wins
            stored = load_json(row["numbers"])
            currents[row["department_id"]] = (
                ReturnRecord.from_row(row),
                stored["values"] if stored else None,
            )
        from .total import build_total

        return build_total(
            self.info,
            self.spec,
            departments,
            currents,
            include_invalid=include_invalid,
            unit_name=unit_name if unit_name is not None else self.info.title,
        )

    def write_total(
        self,
        target: str | Path,
        *,
        include_invalid: bool = False,
        unit_name: str | None = None,
        force: bool = False,
    ) -> Total:
        """Write the district total workbook (template filled, 明细, 说明) to ``target``."""
        target = Path(target)
        check_output(target, force=force)
        total = self.total(include_invalid=include_invalid, unit_name=unit_name)
        write_bytes(target, total.xlsx)
        assert total.report is not None
        return _with_report_path(total, str(target))

    # --- last year -------------------------------------------------------------------------

    def _previous_numbers(self, notes: list[Text]) -> PreviousNumbers:
        """Last year's round: each department's (by name key) numbers of its newest return
        that passed, else of its newest readable one."""
        if self.info.previous is None:
            return {}
        folder = self.folder / self.info.previous
        try:
            previous = Campaign.open(folder)
        except DisclosureError:
            notes.append(
                Text(
                    f"找不到上一轮 {folder}，不做年度对比",
                    f"last year's round {folder} is missing; no year-over-year checks",
                )
            )
            return {}
        with previous:
            rows = previous.conn.execute(
                "SELECT d.key, r.status, r.numbers FROM returns r "
                "JOIN departments d ON d.id = r.department_id "
                "WHERE r.numbers IS NOT NULL ORDER BY r.received_ts, r.id"
            ).fetchall()
        best: dict[str, tuple[bool, dict[str, float | None]]] = {}
        for row in rows:
            ok = row["status"] == "ok"
            if ok or not best.get(row["key"], (False, {}))[0]:
                best[row["key"]] = (ok, load_json(row["numbers"])["values"])
        return {key: values for key, (_ok, values) in best.items()}


def _with_report_path(total: Total, path: str) -> Total:
    from dataclasses import replace

    assert total.report is not None
    return replace(total, report=replace(total.report, path=path))


def _rewrite(report: dict[str, Any], drop: set[str], add: list[Finding]) -> dict[str, Any]:
    """A stored report (both languages) without the ``drop`` codes and with ``add``."""
    out = {}
    for lang in ("zh", "en"):
        one = dict(report[lang])
        findings = [f for f in one["findings"] if f["code"] not in drop]
        findings += [f.to_dict("zh" if lang == "zh" else "en") for f in add]
        one["findings"] = findings
        one["errors"] = sum(f["severity"] == "error" for f in findings)
        one["warnings"] = sum(f["severity"] == "warning" for f in findings)
        if one["status"] != "unreadable":
            one["status"] = "invalid" if one["errors"] else "ok"
        out[lang] = one
    return out


def _deadline(value: str | date | None) -> str | None:
    if value is None or isinstance(value, date):
        return value.isoformat() if value else None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise UsageError(
            Text(
                f"截止日期“{value}”应写成 年-月-日，如 2025-03-31",
                f"deadline '{value}' must be YYYY-MM-DD, e.g. 2025-03-31",
            )
        ) from None


def _link_previous(folder: Path, previous: str | Path, year: str) -> str:
    """Last year's round, checked, as a path relative to this round's folder."""
    previous = Path(previous)
    with Campaign.open(previous) as last:
        if last.info.year != year:
            raise UsageError(
                Text(
                    f"上一轮 {previous} 是 {last.info.year} 年度格式，本轮是 {year} 年度格式，无法对比",
                    f"last year's round {previous} uses the {last.info.year} format and this "
                    f"one the {year} format; they cannot be compared",
                )
            )
    try:
        rel = os.path.relpath(previous.resolve(), folder.resolve())
    except ValueError:  # another drive on Windows
        rel = str(previous.resolve())
    return _posix(rel)


def _template_names(departments: Sequence[Department]) -> dict[str, str]:
    """templates/<name>.xlsx per department, unique also on case-insensitive file systems."""
    from ..write.roster import safe_filename

    used: set[str] = set()
    names = {}
    for d in departments:
        stem = safe_filename(d.name)
        candidate, n = stem, 2
        while candidate.lower() in used:
            candidate, n = f"{stem}({n})", n + 1
        used.add(candidate.lower())
        names[d.id] = f"{TEMPLATES}/{candidate}.xlsx"
    return names
