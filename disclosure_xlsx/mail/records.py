"""What the round remembers about mail (tables ``mail_sent``, ``mail_fetched``, ``mail_origin``
of the round's SQLite file; schema step 2 in :mod:`disclosure_xlsx.campaign.store`).

- ``mail_sent``: every message sent or drafted, one row each, written *before* it goes out as
  ``pending`` and updated to ``sent``, ``draft`` or ``failed`` after: a message counts as sent
  only once the server accepted it; one stopped by Ctrl-C before that is ``failed`` (not
  confirmed), and only a process killed outright leaves a ``pending`` row (not counted as sent).
- ``mail_fetched``: every message of a mailbox that ``fetch`` has dealt with, by UIDVALIDITY and
  UID, so the next fetch takes only new mail; its Message-ID catches the same message seen
  in another folder.
- ``mail_origin``: the message each return came in, so a reply is threaded on it.

Each write is one short transaction of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ..campaign.store import dump_json, load_json, transaction
from ..text import Text

Kind = Literal["notice", "reply", "reminder"]
Result = Literal["pending", "sent", "draft", "failed"]
Via = Literal["smtp", "drafts"]
FetchResult = Literal["taken", "skipped", "empty", "seen"]


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class SentRecord:
    """One row of ``mail_sent``."""

    id: int
    department_id: str
    kind: Kind
    return_id: int | None
    message_id: str
    recipients: str
    subject: str
    via: Via
    result: Result
    refused: str | None
    error: Text | None
    file: str | None
    at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SentRecord:
        error = load_json(row["error"])
        return cls(
            row["id"],
            row["department_id"],
            row["kind"],
            row["return_id"],
            row["message_id"],
            row["recipients"],
            row["subject"],
            row["via"],
            row["result"],
            row["refused"],
            Text(*error) if error else None,
            row["file"],
            row["at"],
        )


def sent_log(conn: sqlite3.Connection) -> list[SentRecord]:
    """Every message sent or drafted, oldest first."""
    rows = conn.execute("SELECT * FROM mail_sent ORDER BY id").fetchall()
    return [SentRecord.from_row(r) for r in rows]


def done_before(
    conn: sqlite3.Connection, kind: Kind, results: Sequence[Result]
) -> dict[tuple[str, int | None], str]:
    """(department, return id) -> the result, for the messages of ``kind`` that count as done."""
    marks = ", ".join("?" * len(results))
    rows = conn.execute(
        f"SELECT department_id, return_id, result FROM mail_sent "
        f"WHERE kind = ? AND result IN ({marks}) ORDER BY id",
        (kind, *results),
    ).fetchall()
    return {(r["department_id"], r["return_id"]): r["result"] for r in rows}


def record_pending(
    conn: sqlite3.Connection,
    *,
    department_id: str,
    kind: Kind,
    return_id: int | None,
    message_id: str,
    recipients: Iterable[str],
    subject: str,
    via: Via,
) -> int:
    """A message about to go out (one transaction); its row id."""
    with transaction(conn):
        cursor = conn.execute(
            "INSERT INTO mail_sent (department_id, kind, return_id, message_id, recipients, "
            "subject, via, result, at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            (
                department_id,
                kind,
                return_id,
                message_id,
                "; ".join(recipients),
                subject,
                via,
                now(),
            ),
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def record_result(
    conn: sqlite3.Connection,
    row_id: int,
    result: Result,
    *,
    refused: Iterable[str] = (),
    error: Text | None = None,
    file: str | None = None,
) -> None:
    """What became of a message (one transaction)."""
    with transaction(conn):
        conn.execute(
            "UPDATE mail_sent SET result = ?, refused = ?, error = ?, file = ?, at = ? "
            "WHERE id = ?",
            (
                result,
                "; ".join(refused) or None,
                dump_json(list(error)) if error else None,
                file,
                now(),
                row_id,
            ),
        )


# --- fetching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchedRow:
    """One message of a mailbox dealt with (a row of ``mail_fetched``)."""

    uid: int
    message_id: str | None
    sender: str | None
    subject: str
    result: FetchResult
    note: Text | None = None


def fetched_uids(conn: sqlite3.Connection, mailbox: str, uidvalidity: int) -> set[int]:
    """The UIDs of ``mailbox`` (at this UIDVALIDITY) dealt with before."""
    rows = conn.execute(
        "SELECT uid FROM mail_fetched WHERE mailbox = ? AND uidvalidity = ?",
        (mailbox, uidvalidity),
    )
    return {int(r[0]) for r in rows}


def taken_message_ids(conn: sqlite3.Connection) -> set[str]:
    """Message-IDs of the messages whose attachments were taken, in any mailbox."""
    rows = conn.execute(
        "SELECT DISTINCT message_id FROM mail_fetched "
        "WHERE result = 'taken' AND message_id IS NOT NULL"
    )
    return {str(r[0]) for r in rows}


def record_fetched(
    conn: sqlite3.Connection,
    mailbox: str,
    uidvalidity: int,
    rows: Sequence[FetchedRow],
    origins: Sequence[tuple[int, str, str, str]] = (),
) -> None:
    """Messages dealt with, and the returns that came in them (return id, Message-ID,
    References, subject), in one transaction."""
    if not rows and not origins:
        return
    at = now()
    with transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO mail_fetched (mailbox, uidvalidity, uid, message_id, sender, "
            "subject, result, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    mailbox,
                    uidvalidity,
                    r.uid,
                    r.message_id,
                    r.sender,
                    r.subject,
                    r.result,
                    dump_json(list(r.note)) if r.note else None,
                    at,
                )
                for r in rows
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO mail_origin (return_id, message_id, refs, subject) "
            "VALUES (?, ?, ?, ?)",
            origins,
        )


def record_moved(
    conn: sqlite3.Connection, mailbox: str, uidvalidity: int, uids: Iterable[int], folder: str
) -> None:
    """Messages moved to ``folder`` (after the server did it)."""
    with transaction(conn):
        conn.executemany(
            "UPDATE mail_fetched SET moved_to = ? WHERE mailbox = ? AND uidvalidity = ? AND uid = ?",
            [(folder, mailbox, uidvalidity, uid) for uid in uids],
        )


@dataclass(frozen=True)
class Origin:
    """The message a return came in."""

    message_id: str
    references: tuple[str, ...]
    subject: str


def origin_of(conn: sqlite3.Connection, return_id: int) -> Origin | None:
    row = conn.execute(
        "SELECT message_id, refs, subject FROM mail_origin WHERE return_id = ?", (return_id,)
    ).fetchone()
    if row is None:
        return None
    return Origin(row["message_id"], tuple(row["refs"].split()), row["subject"])
