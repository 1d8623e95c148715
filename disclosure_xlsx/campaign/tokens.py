"""Who may use the round's web page: each department's personal link, and the clerk's password.

A department's link is ``BASE/d/TOKEN``. The token is derived, not drawn and forgotten: it is
HMAC-SHA256 of the department's id and a generation number under the round's key (32 random
bytes in ``DIR/web.key``, readable by its owner only), cut to 144 bits. So the same link can be
printed again (``campaign status --links``, the template e-mail) until the clerk revokes or
reissues it; reissuing bumps the generation, which makes a new token and kills the old one.
The state file keeps only the SHA-256 of each live token (``links``), and a token is accepted
only while its hash is there: a copy of ``campaign.sqlite`` alone cannot open any page, and a
revoked link stays dead even with the key.

The clerk's password is stored as an scrypt hash (salted, 2^14 rounds) in ``clerk``, never in
plain text; a new password also changes :func:`clerk_fingerprint`, which ends every session
signed in with the old one. The round's key also signs the web page's session cookies
(:func:`session_secret`, derived from it for that purpose alone).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..text import Text
from .store import transaction

if TYPE_CHECKING:
    from .roster import Department
    from .round import Campaign

KEY_FILE = "web.key"
#: Bytes of HMAC output in a token: 144 bits, 24 URL-safe characters.
TOKEN_BYTES = 18
#: Where department links live under the base address.
LINK_PATH = "/d/"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
#: scrypt's cost: 2^14 rounds of 8 blocks, 16 MiB of memory, ~50 ms per try.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


# --- the round's key -------------------------------------------------------------------------


def round_key(folder: Path) -> bytes:
    """The round's secret key (``DIR/web.key``), made on first use with owner-only access."""
    path = folder / KEY_FILE
    with contextlib.suppress(FileNotFoundError):
        return _read_key(path)
    tmp = folder / f".{KEY_FILE}.{secrets.token_hex(6)}.part"
    try:
        # NOTE: created 0600 from the start, so the key is never readable by others
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process made one meanwhile: theirs
            os.link(tmp, path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            Text(f"{path}：无法建立密钥（{reason}）", f"{path}: cannot create the key ({reason})")
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise UsageError(
            Text(
                f"{path} 已损坏；删除它会使所有单位链接和登录失效，然后重新发放",
                f"{path} is damaged; deleting it invalidates every link and session "
                "(then reissue the links)",
            )
        )
    return key


def session_secret(folder: Path) -> str:
    """The key that signs the web page's session cookies (derived from the round's key)."""
    return hmac.new(round_key(folder), b"session", hashlib.sha256).hexdigest()


# --- department links ------------------------------------------------------------------------


def _token(key: bytes, department_id: str, generation: int) -> str:
    mac = hmac.new(key, f"link:{department_id}:{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode("ascii")


def token_hash(token: str) -> str:
    """What the state file keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(campaign: Campaign, dept: str) -> str:
    """A new link token for a department (first issue or reissue): the old one stops working."""
    department = campaign.department(dept)
    key = round_key(campaign.folder)
    with transaction(campaign.conn):
        row = campaign.conn.execute(
            "SELECT generation FROM links WHERE department_id = ?", (department.id,)
        ).fetchone()
        generation = (row["generation"] if row else 0) + 1
        token = _token(key, department.id, generation)
        campaign.conn.execute(
            "INSERT INTO links (department_id, generation, token_hash, issued_at, revoked_at) "
            "VALUES (?, ?, ?, ?, NULL) ON CONFLICT (department_id) DO UPDATE SET "
            "generation = excluded.generation, token_hash = excluded.token_hash, "
            "issued_at = excluded.issued_at, revoked_at = NULL",
            (department.id, generation, token_hash(token), _now()),
        )
    return token


def revoke(campaign: Campaign, dept: str) -> None:
    """Make a department's link stop working (until :func:`issue` gives it a new one)."""
    department = campaign.department(dept)
    with transaction(campaign.conn):
        campaign.conn.execute(
            "UPDATE links SET token_hash = NULL, revoked_at = ? WHERE department_id = ?",
            (_now(), department.id),
        )


def token(campaign: Campaign, dept: str) -> str | None:
    """A department's live token, or None (never issued, or revoked)."""
    department = campaign.department(dept)
    row = campaign.conn.execute(
        "SELECT generation, token_hash FROM links WHERE department_id = ?", (department.id,)
    ).fetchone()
    if row is None or row["token_hash"] is None:
        return None
    value = _token(round_key(campaign.folder), department.id, row["generation"])
    # NOTE: a key file replaced since the issue would give a token nobody can use
    return value if hmac.compare_digest(token_hash(value), row["token_hash"]) else None


def link_state(campaign: Campaign, dept: str) -> tuple[str, str | None]:
    """('none' | 'live' | 'revoked', when it was issued or revoked)."""
    department = campaign.department(dept)
    row = campaign.conn.execute(
        "SELECT token_hash, issued_at, revoked_at FROM links WHERE department_id = ?",
        (department.id,),
    ).fetchone()
    if row is None:
        return "none", None
    if row["token_hash"] is None:
        return "revoked", row["revoked_at"]
    return "live", row["issued_at"]


def link(campaign: Campaign, dept: str, base_url: str | None = None) -> str | None:
    """A department's personal address, ``BASE/d/TOKEN``: the live one, or a first one issued
    now; None when the clerk revoked it (a revoked link comes back only by :func:`issue`).
    ``base_url`` defaults to the one ``campaign serve`` recorded (:func:`base_url`)."""
    state, _when = link_state(campaign, dept)
    if state == "revoked":
        return None
    value = token(campaign, dept) if state == "live" else None
    if value is None:
        value = issue(campaign, dept)
    return (base_url or base_url_of(campaign)).rstrip("/") + LINK_PATH + value


def verify(campaign: Campaign, value: str) -> Department | None:
    """The department whose live token ``value`` is, or None."""
    if not value or len(value) > 64:
        return None
    row = campaign.conn.execute(
        "SELECT department_id FROM links WHERE token_hash = ?", (token_hash(value),)
    ).fetchone()
    return campaign.department(row["department_id"]) if row else None


# --- where the links point -------------------------------------------------------------------


def base_url_of(campaign: Campaign) -> str:
    """The address departments reach the page at, as ``campaign serve`` last recorded it."""
    row = campaign.conn.execute("SELECT value FROM settings WHERE key = 'base_url'").fetchone()
    return str(row["value"]) if row else DEFAULT_BASE_URL


def set_base_url(campaign: Campaign, url: str) -> None:
    """Record the address the links start with (``serve`` does, from --host/--port/--url)."""
    if not url.startswith(("http://", "https://")):
        raise UsageError(
            Text(
                f"地址“{url}”应以 http:// 或 https:// 开头",
                f"the address '{url}' must start with http:// or https://",
            )
        )
    with transaction(campaign.conn):
        campaign.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('base_url', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (url.rstrip("/"),),
        )


# --- the clerk's password --------------------------------------------------------------------


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * r * n * 2, dklen=32
    )


def set_clerk_password(campaign: Campaign, password: str) -> None:
    """Store the clerk's password (as an scrypt hash); sessions of an older one end."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(
            Text(
                f"口令至少 {MIN_PASSWORD} 个字符",
                f"the password needs at least {MIN_PASSWORD} characters",
            )
        )
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    stored = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"
    with transaction(campaign.conn):
        campaign.conn.execute(
            "INSERT INTO clerk (id, hash, set_at) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
            (stored, _now()),
        )


def has_clerk_password(campaign: Campaign) -> bool:
    return campaign.conn.execute("SELECT 1 FROM clerk WHERE id = 1").fetchone() is not None


def check_clerk_password(campaign: Campaign, password: str) -> bool:
    """Whether ``password`` is the clerk's (False when none is set)."""
    row = campaign.conn.execute("SELECT hash FROM clerk WHERE id = 1").fetchone()
    if row is None:
        return False
    scheme, n, r, p, salt, digest = row["hash"].split("$")
    if scheme != "scrypt":
        return False
    tried = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    return hmac.compare_digest(tried, bytes.fromhex(digest))


def clerk_fingerprint(campaign: Campaign) -> str | None:
    """A short value that changes with the clerk's password (kept in the session cookie, so a
    new password signs everybody out); None when no password is set."""
    row = campaign.conn.execute("SELECT hash FROM clerk WHERE id = 1").fetchone()
    if row is None:
        return None
    return hashlib.sha256(b"fingerprint:" + row["hash"].encode()).hexdigest()[:16]
