"""The state of a round: one SQLite file, a versioned schema, one transaction per change.

The file is ``DIR/campaign.sqlite``; the schema version is SQLite's ``user_version``, and
:data:`MIGRATIONS` brings an older file up to date when it is opened (issue 13 adds the e-mail
tables, issue 15 the web page's tables, each as one more step). Every change runs inside
``BEGIN IMMEDIATE``: a second process on the same round waits (up to :data:`BUSY_TIMEOUT`)
instead of failing or interleaving, and an interrupted change leaves the file as it was.
The rollback journal is used, not WAL, so the folder can be copied (or sit on a network share)
whenever no command is running. Paths are stored relative to the round's folder, with ``/``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import UsageError
from ..text import Text

DB_NAME = "campaign.sqlite"
#: Seconds a command waits for another one working on the same round.
BUSY_TIMEOUT = 60.0

#: Schema steps: MIGRATIONS[n] turns a version n-1 file into version n.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE round (
            id TEXT PRIMARY KEY,          -- written into every template's hidden stamp
            title TEXT NOT NULL,
            year TEXT NOT NULL,           -- template year: 2014 | 2021
            deadline TEXT,                -- YYYY-MM-DD
            previous TEXT,                -- last year's round folder, relative to this one
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE departments (
            id TEXT PRIMARY KEY,          -- d001, ... in roster order
            seq INTEGER NOT NULL UNIQUE,
            name TEXT NOT NULL,           -- as the roster writes it
            key TEXT NOT NULL UNIQUE,     -- names.name_key(name)
            contact TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',   -- addresses joined by '; '
            phone TEXT NOT NULL DEFAULT '',
            template TEXT NOT NULL        -- templates/<name>.xlsx
        )""",
        """CREATE TABLE returns (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,  -- identical content is one return
            file TEXT NOT NULL,           -- received/<hash>/<name as sent>
            name TEXT NOT NULL,           -- the file name as it arrived
            source TEXT NOT NULL,         -- where it came from: a path, or mail.eml › name
            sender TEXT,                  -- the e-mail address it came from
            received_at TEXT NOT NULL,    -- ISO 8601 with its UTC offset
            received_ts REAL NOT NULL,    -- the same instant as POSIX seconds, for ordering
            collected_at TEXT NOT NULL,
            department_id TEXT REFERENCES departments(id),
            matched_by TEXT,              -- stamp | sender | name | filename | assigned
            reason TEXT,                  -- JSON [zh, en]: why no department was found
            status TEXT NOT NULL,         -- ok | invalid | unreadable
            errors INTEGER NOT NULL,
            warnings INTEGER NOT NULL,
            template TEXT,                -- the template year read
            unit_name TEXT,
            stamp TEXT,
            report TEXT NOT NULL,         -- JSON {"zh": report, "en": report}
            numbers TEXT                  -- JSON {"values": {item: n|null}, "cells": {item: A1}}
        )""",
        "CREATE INDEX returns_by_department ON returns (department_id, received_ts, id)",
    ),
    # issue 13: e-mail (disclosure_xlsx.mail reads and writes these tables)
    2: (
        """CREATE TABLE mail_sent (
            id INTEGER PRIMARY KEY,
            department_id TEXT NOT NULL REFERENCES departments(id),
            kind TEXT NOT NULL,           -- notice | reply | reminder
            return_id INTEGER REFERENCES returns(id),  -- reply: the version replied to
            message_id TEXT NOT NULL,     -- <...@...>, as in the Message-ID header
            recipients TEXT NOT NULL,     -- addresses joined by '; '
            subject TEXT NOT NULL,
            via TEXT NOT NULL,            -- smtp | drafts
            result TEXT NOT NULL,         -- pending | sent | draft | failed
            refused TEXT,                 -- addresses the server refused, '; ' (others took it)
            error TEXT,                   -- JSON [zh, en]: why it failed
            file TEXT,                    -- the draft written (drafts)
            at TEXT NOT NULL              -- ISO 8601 with its UTC offset
        )""",
        "CREATE INDEX mail_sent_by_department ON mail_sent (department_id, kind, return_id)",
        """CREATE TABLE mail_fetched (
            mailbox TEXT NOT NULL,        -- user@host:port/folder
            uidvalidity INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            message_id TEXT,
            sender TEXT,
            subject TEXT,
            result TEXT NOT NULL,         -- taken | skipped | empty | seen
            note TEXT,                    -- JSON [zh, en]
            moved_to TEXT,                -- the folder it was moved to (--move-to)
            at TEXT NOT NULL,
            PRIMARY KEY (mailbox, uidvalidity, uid)
        )""",
        "CREATE INDEX mail_fetched_by_message_id ON mail_fetched (message_id)",
        """CREATE TABLE mail_origin (
            return_id INTEGER PRIMARY KEY REFERENCES returns(id),
            message_id TEXT NOT NULL,     -- the message the return came in (replies thread on it)
            refs TEXT NOT NULL DEFAULT '',  -- its References, space-separated
            subject TEXT NOT NULL DEFAULT ''
        )""",
    ),
    # The web page (issue 15): department links, the clerk's password, uploads, a change count.
    3: (
        """CREATE TABLE links (
            department_id TEXT PRIMARY KEY REFERENCES departments(id),
            generation INTEGER NOT NULL,  -- the token is derived from the round's key and this
            token_hash TEXT UNIQUE,       -- SHA-256 of the current token; NULL once revoked
            issued_at TEXT NOT NULL,
            revoked_at TEXT
        )""",
        """CREATE TABLE clerk (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            hash TEXT NOT NULL,           -- scrypt$n$r$p$salt$hash (hex), never the password
            set_at TEXT NOT NULL
        )""",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,         -- base_url: the address departments' links start with
            value TEXT NOT NULL
        )""",
        """CREATE TABLE uploads (
            return_id INTEGER PRIMARY KEY REFERENCES returns(id),
            via TEXT NOT NULL,            -- 'clerk', or the id of the department whose link it was
            uploaded_at TEXT NOT NULL
        )""",
        # NOTE: a counter every change of the returns bumps, so an open page can ask cheaply
        # whether the round changed (a collect from the console, an upload, an assign)
        "CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)",
        "INSERT INTO revision (id, n) VALUES (1, 0)",
        """CREATE TRIGGER returns_inserted AFTER INSERT ON returns
            BEGIN UPDATE revision SET n = n + 1; END""",
        """CREATE TRIGGER returns_updated AFTER UPDATE ON returns
            BEGIN UPDATE revision SET n = n + 1; END""",
        """CREATE TRIGGER returns_deleted AFTER DELETE ON returns
            BEGIN UPDATE revision SET n = n + 1; END""",
        """CREATE TRIGGER links_inserted AFTER INSERT ON links
            BEGIN UPDATE revision SET n = n + 1; END""",
        """CREATE TRIGGER links_updated AFTER UPDATE ON links
            BEGIN UPDATE revision SET n = n + 1; END""",
    ),
}
SCHEMA_VERSION = max(MIGRATIONS)

MatchedBy = Literal["stamp", "sender", "name", "filename", "assigned"]
ReturnStatus = Literal["ok", "invalid", "unreadable"]


def busy(exc: sqlite3.OperationalError) -> UsageError:
    """A lock held longer than we wait, or a database we cannot use, as one line."""
    if "locked" in str(exc) or "busy" in str(exc):
        return UsageError(
            Text(
                f"另一个命令正在处理这一轮，等了 {BUSY_TIMEOUT:.0f} 秒仍未结束；请稍后再试",
                f"another command is working on this round and did not finish within "
                f"{BUSY_TIMEOUT:.0f} s; try again later",
            )
        )
    return UsageError(Text(f"无法使用收集记录：{exc}", f"cannot use the round's records: {exc}"))


def connect(path: Path, timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """Open (or create) the state file and bring its schema up to date."""
    try:
        conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise UsageError(
            Text(f"{path}：无法打开收集记录（{exc}）", f"{path}: cannot open the round ({exc})")
        ) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise busy(exc) from None
        raise UsageError(
            Text(
                f"{path}：不是本工具的收集记录，或文件已损坏（{exc}）",
                f"{path}: not a round's records, or damaged ({exc})",
            )
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, write: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction: ``BEGIN IMMEDIATE`` for a change (other writers wait), a deferred one
    for a consistent read. Any exception, Ctrl-C included, rolls it back."""
    try:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    except sqlite3.OperationalError as exc:
        raise busy(exc) from None
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        conn.execute("ROLLBACK")
        raise busy(exc) from None


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing schema steps in one transaction; returns the version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise UsageError(
            Text(
                f"这一轮由更新版本的 disclosure-xlsx 建立（记录格式 {version}），请先升级本工具",
                f"this round was made by a newer disclosure-xlsx (schema {version}); upgrade first",
            )
        )
    if version == SCHEMA_VERSION:
        return version
    with transaction(conn):
        (version,) = conn.execute("PRAGMA user_version").fetchone()  # another process may have
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
        # NOTE: PRAGMA user_version takes no parameters; the value is our own integer.
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
    return SCHEMA_VERSION


@dataclass(frozen=True)
class ReturnRecord:
    """One return as the round recorded it (a row of ``returns``)."""

    id: int
    sha256: str
    file: str
    name: str
    source: str
    sender: str | None
    received_at: str
    collected_at: str
    department_id: str | None
    matched_by: MatchedBy | None
    reason: Text | None
    status: ReturnStatus
    errors: int
    warnings: int
    template: str | None
    unit_name: str | None
    stamp: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ReturnRecord:
        reason = Text(*json.loads(row["reason"])) if row["reason"] else None
        return cls(
            id=row["id"],
            sha256=row["sha256"],
            file=row["file"],
            name=row["name"],
            source=row["source"],
            sender=row["sender"],
            received_at=row["received_at"],
            collected_at=row["collected_at"],
            department_id=row["department_id"],
            matched_by=row["matched_by"],
            reason=reason,
            status=row["status"],
            errors=row["errors"],
            warnings=row["warnings"],
            template=row["template"],
            unit_name=row["unit_name"],
            stamp=row["stamp"],
        )


RETURN_COLUMNS = (
    "id, sha256, file, name, source, sender, received_at, collected_at, department_id, "
    "matched_by, reason, status, errors, warnings, template, unit_name, stamp"
)


def load_json(text: str | None) -> Any:
    return json.loads(text) if text else None


def dump_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
