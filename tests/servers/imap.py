"""A real Dovecot IMAP server on 127.0.0.1, configured from scratch in a temporary folder.

    with DovecotServer(ca) as dovecot:           # ca: tls.TestCA, for IMAPS and STARTTLS
        account = dovecot.add_user()               # a fresh user with an empty Maildir
        account.deliver(raw_bytes)                 # a message file straight into INBOX
        imap = account.connect(ssl=True)           # imaplib, logged in, certificate verified

Dovecot runs as a child process (`dovecot -F -c <our config>`), never touches /etc/dovecot or
the system's /run/dovecot, logs to `dovecot.log` in its folder and listens on two free ports:
`port` (IMAP, cleartext login allowed, STARTTLS offered) and `ssl_port` (IMAPS).

Each user has a passwd-file of their own (passdb and userdb `passwd-file`, plain passwords),
so one server can hand each test a fresh account. Mail is Maildir++ under the user's home
(`mail_location = maildir:~/Maildir`) with "/" as the hierarchy separator: folder "A/B" is the
directory `.A.B`, and non-ASCII names are in IMAP's modified UTF-7 (`imap_utf7`), on disk as
in IMAP commands. Failed logins are answered after 0.5 s, without Dovecot's growing penalty.

Root and non-root:
- as root (CI), Dovecot's login processes run as `dovenull` chrooted, its internal processes as
  `dovecot`, and mail is accessed as `nobody`: Dovecot refuses mail access as uid 0. The folder
  is made outside pytest's (root-only) temp folders and readable, and every Maildir file that
  this module writes is given to the mail user.
- as a normal user, everything runs as that user: the internal, login and mail users are set to
  it, chroots are switched off and `first_valid_uid` lowered to its uid.
"""

from __future__ import annotations

import base64
import contextlib
import grp
import imaplib
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

from .ports import LOOPBACK, free_port, wait_for_port
from .tls import TestCA

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
INSTALL_HINT = "apt-get install dovecot-imapd"
MAILDIR_FLAGS = "DFPRST"  # Maildir info letters, in the order the spec wants them


class DovecotUnavailable(RuntimeError):
    """Dovecot is missing, or a version this module cannot configure."""


def find_dovecot() -> str | None:
    for path in DOVECOT_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("dovecot")


def dovecot_version(binary: str) -> tuple[int, ...]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", out.stdout.strip())
    if out.returncode != 0 or not m:
        raise DovecotUnavailable(f"`{binary} --version` said {out.stdout!r} {out.stderr!r}")
    return tuple(int(g) for g in m.groups() if g is not None)


def check_dovecot() -> tuple[str, tuple[int, ...]]:
    """The Dovecot binary and its version; DovecotUnavailable when it cannot serve the tests."""
    binary = find_dovecot()
    if binary is None:
        raise DovecotUnavailable(f"Dovecot is not installed (Debian/Ubuntu: {INSTALL_HINT})")
    if not _has_imap():
        raise DovecotUnavailable(f"Dovecot's IMAP server is not installed ({INSTALL_HINT})")
    version = dovecot_version(binary)
    if version[:2] != (2, 3):
        # 2.4 renamed most settings used here (mail_location, ssl_cert, passdb args, ...).
        raise DovecotUnavailable(
            f"Dovecot {'.'.join(map(str, version))} is installed; "
            "tests/servers/imap.py writes a Dovecot 2.3 configuration"
        )
    return binary, version


def _has_imap() -> bool:
    libexec = ("/usr/lib/dovecot", "/usr/libexec/dovecot", "/usr/local/libexec/dovecot")
    return any(os.access(f"{d}/imap", os.X_OK) for d in libexec)


def live_processes_in_group(pgid: int) -> list[int]:
    """Processes of process group `pgid` that still run (zombies, already dead, not counted).

    Dovecot's master may exit before its log process; an orphan's zombie then waits for
    init to reap it, and some container inits never do.
    """
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                pids.append(int(stat.parent.name))
    return pids


def imap_utf7(name: str) -> str:
    """`name` in IMAP's modified UTF-7 (RFC 3501 5.1.3), as IMAP and Maildir++ spell folders."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            b64 = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + b64.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def simple_message(
    i: int, *, to: str = "user@example.test", subject: str | None = None, body: str | None = None
) -> bytes:
    """A small valid RFC 5322 message numbered `i`, made quickly (for filling mailboxes)."""
    subject = f"Message {i}" if subject is None else subject
    body = f"Body of message {i}.\n" if body is None else body
    sent = _EPOCH + timedelta(minutes=i)
    lines = [
        f"From: sender{i}@example.test",
        f"To: {to}",
        f"Subject: {subject if subject.isascii() else Header(subject, 'utf-8').encode()}",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <msg-{i}@example.test>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
    ]
    return "\n".join(lines).encode("utf-8")


_EPOCH = datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))


def scratch_parent() -> str | None:
    """Where to make the server's folder: /dev/shm when it is a roomy tmpfs, else the default.

    Creating small files there is far faster than on some virtual disks (25x on CI's
    machine), which matters for mailboxes of thousands of messages.
    """
    with contextlib.suppress(OSError):
        st = os.statvfs("/dev/shm")
        if st.f_bavail * st.f_frsize >= 1 << 30 and os.access("/dev/shm", os.W_OK | os.X_OK):
            return "/dev/shm"
    return None


@dataclass(frozen=True)
class _Identity:
    """Who Dovecot's processes run as, and who owns the Maildir files."""

    internal_user: str
    internal_group: str
    login_user: str
    mail_user: str
    mail_group: str
    mail_uid: int
    mail_gid: int
    as_root: bool

    @classmethod
    def detect(cls) -> _Identity:
        if os.geteuid() == 0:
            mail = _first_user("nobody", "dovenull")
            group = grp.getgrgid(mail.pw_gid).gr_name
            return cls(
                internal_user="dovecot",
                internal_group="dovecot",
                login_user="dovenull",
                mail_user=mail.pw_name,
                mail_group=group,
                mail_uid=mail.pw_uid,
                mail_gid=mail.pw_gid,
                as_root=True,
            )
        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(os.getegid()).gr_name
        return cls(
            internal_user=me.pw_name,
            internal_group=group,
            login_user=me.pw_name,
            mail_user=me.pw_name,
            mail_group=group,
            mail_uid=me.pw_uid,
            mail_gid=os.getegid(),
            as_root=False,
        )


def _first_user(*names: str) -> pwd.struct_passwd:
    for name in names:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise DovecotUnavailable(f"none of the users {names} exists to own test mail")


class ImapAccount:
    """One user of a DovecotServer: credentials, the Maildir, and ways to put mail in it."""

    def __init__(self, server: DovecotServer, user: str, password: str, home: Path) -> None:
        self.server = server
        self.user = user
        self.password = password
        self.home = home
        self.maildir = home / "Maildir"
        self._seq = itertools.count()

    # -- where to connect

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def ssl_port(self) -> int:
        return self.server.ssl_port

    @property
    def ca(self) -> TestCA:
        return self.server.ca

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that verifies the server against the test CA."""
        return self.server.ca.client_context()

    def connect(self, *, ssl: bool = False, login: bool = True) -> imaplib.IMAP4:
        """An imaplib client: plain IMAP on `port`, or IMAPS (verified) on `ssl_port`."""
        if ssl:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                self.host, self.ssl_port, ssl_context=self.ssl_context(), timeout=10
            )
        else:
            client = imaplib.IMAP4(self.host, self.port, timeout=10)
        if login:
            client.login(self.user, self.password)
        return client

    # -- the Maildir

    def folder_path(self, folder: str = "INBOX") -> Path:
        """The Maildir++ directory of an IMAP folder ("INBOX", "Archive", "Reports/2024")."""
        if folder.upper() == "INBOX":
            return self.maildir
        if "." in folder or folder.startswith("/") or folder.endswith("/") or not folder:
            raise ValueError(f"folder names here use '/' and no '.': {folder!r}")
        return self.maildir / ("." + imap_utf7(folder).replace("/", "."))

    def create_folder(self, folder: str) -> Path:
        """Make a folder (and its parents) in the Maildir; returns its directory."""
        parts = folder.split("/")
        for depth in range(1, len(parts) + 1):
            self._make_maildir(self.folder_path("/".join(parts[:depth])), subfolder=True)
        return self.folder_path(folder)

    def deliver(
        self,
        raw: bytes,
        folder: str = "INBOX",
        *,
        flags: str = "",
        seen: bool = False,
        date: datetime | float | None = None,
    ) -> Path:
        """Write one message file straight into the Maildir, as a delivery agent would.

        Without flags the message lands in `new/` (a new, \\Recent, unseen message); with
        `flags` (Maildir letters: S seen, R answered, F flagged, T deleted, D draft) or `seen`
        it goes to `cur/`. `date` sets the file's mtime, which Dovecot reports as INTERNALDATE.
        Missing folders are created.
        """
        box = self._ensure_folder(folder)
        if seen and "S" not in flags:
            flags += "S"
        return self._write(box, raw, flags or None, date)

    def fill(
        self,
        count: int,
        folder: str = "INBOX",
        *,
        make: Callable[[int], bytes] = simple_message,
        flags: str = "S",
    ) -> list[Path]:
        """Put `count` messages, make(0) .. make(count-1), into a folder fast (no IMAP, no SMTP).

        They go straight to `cur/` with `flags` (seen by default; "" for unseen), so Dovecot
        has nothing to move on the first SELECT, only files to index. The files are written
        with no client looking; 5,000 small ones take about 0.6 s (in /dev/shm).
        """
        box = self._ensure_folder(folder)
        return [self._write(box, make(i), flags, None) for i in range(count)]

    def deliver_many(self, messages: Iterable[bytes], folder: str = "INBOX") -> list[Path]:
        return [self.deliver(raw, folder) for raw in messages]

    def _ensure_folder(self, folder: str) -> Path:
        box = self.folder_path(folder)
        if not (box / "cur").is_dir():
            if box == self.maildir:
                self._make_maildir(box)
            else:
                self.create_folder(folder)
        return box

    def _write(
        self, box: Path, raw: bytes, flags: str | None, date: datetime | float | None
    ) -> Path:
        """Write into tmp/, then move to new/ (flags None) or to cur/ with the flags."""
        now = time.time()
        n = next(self._seq)
        base = f"{int(now)}.M{int(now * 1e6) % 1_000_000}P{os.getpid()}Q{n}.test,S={len(raw)}"
        tmp = box / "tmp" / base
        tmp.write_bytes(raw)
        self.server._own(tmp)
        if date is not None:
            ts = date.timestamp() if isinstance(date, datetime) else float(date)
            os.utime(tmp, (ts, ts))
        if flags is not None:
            unknown = set(flags) - set(MAILDIR_FLAGS)
            if unknown:
                raise ValueError(f"Maildir flags are {MAILDIR_FLAGS}, not {''.join(unknown)}")
            info = "".join(f for f in MAILDIR_FLAGS if f in flags)
            final = box / "cur" / f"{base}:2,{info}"
        else:
            final = box / "new" / base
        os.rename(tmp, final)
        return final

    def _make_maildir(self, path: Path, *, subfolder: bool = False) -> None:
        for sub in ("", "cur", "new", "tmp"):
            d = path / sub
            if not d.is_dir():
                d.mkdir(mode=0o700, parents=True)
                self.server._own(d)
        if subfolder and not (path / "maildirfolder").exists():
            (path / "maildirfolder").touch()
            self.server._own(path / "maildirfolder")

    def __repr__(self) -> str:
        return f"ImapAccount({self.user!r} at {self.host}:{self.port}/{self.ssl_port})"


class DovecotServer:
    """Dovecot with its own config, users and Maildirs in a temp folder. A context manager.

    The folder is made with tempfile (not pytest's tmp_path, whose parents only root may
    enter), in /dev/shm where that is a roomy tmpfs, and removed on stop unless `keep=True`.
    `log_text()` returns Dovecot's log.
    """

    def __init__(self, ca: TestCA, *, keep: bool = False, start_timeout: float = 15.0) -> None:
        self.binary, self.version = check_dovecot()
        self.doveadm = shutil.which("doveadm") or str(
            Path(self.binary).parent.parent / "bin/doveadm"
        )
        self.ca = ca
        self.keep = keep
        self.start_timeout = start_timeout
        self.host = LOOPBACK
        self.port = 0
        self.ssl_port = 0
        self.identity = _Identity.detect()
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-test-", dir=scratch_parent()))
        self.root.chmod(0o755)  # Dovecot's unprivileged processes must enter it
        self.config_path = self.root / "dovecot.conf"
        self.log_path = self.root / "dovecot.log"
        self.passwd_dir = self.root / "passwd.d"  # one passwd-file per user, see add_user
        self.homes = self.root / "home"
        self.homes.mkdir()
        self.homes.chmod(0o755)
        self.passwd_dir.mkdir()
        self.passwd_dir.chmod(0o755)
        self.accounts: dict[str, ImapAccount] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.start_seconds = 0.0

    # -- users

    def add_user(self, user: str | None = None, password: str | None = None) -> ImapAccount:
        """A new user with an empty INBOX, who can log in at once.

        Each user has a passwd-file of their own (the passdb path holds %u): Dovecot checks a
        passwd-file for changes at most once a second, but opens a file it has not seen yet
        on the first login.
        """
        with self._lock:
            user = user or f"user{len(self.accounts) + 1}"
            password = password or "pw-" + secrets.token_hex(8)
            if user in self.accounts:
                raise ValueError(f"user {user!r} exists already")
            for value in (user, password):
                if not value.isascii() or any(c in value for c in ":\n\r\t "):
                    raise ValueError(
                        f"user and password must be ASCII without ':' or spaces: {value!r}"
                    )
            home = self.homes / user
            home.mkdir(mode=0o700)
            self._own(home)
            account = ImapAccount(self, user, password, home)
            account._make_maildir(account.maildir)
            # user:password:uid:gid:gecos:home:shell; uid/gid come from mail_uid/mail_gid.
            passwd = self.passwd_dir / user
            passwd.write_text(f"{user}:{{PLAIN}}{password}::::{home}::\n", encoding="ascii")
            # The auth process reads it as default_internal_user: these are throwaway logins.
            passwd.chmod(0o644)
            self.accounts[user] = account
            return account

    # -- lifecycle

    def start(self) -> DovecotServer:
        t0 = time.monotonic()
        last_error: Exception | None = None
        log = ""
        for _attempt in range(3):  # a free port may be taken between choosing and binding it
            self.port, self.ssl_port = free_port(), free_port()
            while self.ssl_port == self.port:
                self.ssl_port = free_port()
            self.config_path.write_text(self._config(), encoding="utf-8")
            self.log_path.write_bytes(b"")
            self._process = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=self.log_path.open("ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches the children
            )
            try:
                for port in (self.port, self.ssl_port):
                    wait_for_port(port, timeout=self.start_timeout, alive=self._alive)
                self._wait_for_greeting()
                self.start_seconds = time.monotonic() - t0
                return self
            except (RuntimeError, TimeoutError, OSError) as e:
                last_error = e
                log = self.log_text()
                self._terminate()
                if "Address already in use" not in log:
                    break
        self.stop()
        raise RuntimeError(f"Dovecot did not start: {last_error}\n--- {self.log_path}:\n{log}")

    def stop(self) -> None:
        try:
            self._terminate()
        finally:
            if not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def doveadm_run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `doveadm -c <our config> ARGS...` (for example "index", "-u", user, "INBOX")."""
        return subprocess.run(
            [self.doveadm, "-c", str(self.config_path), *args],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    # -- internals

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _wait_for_greeting(self) -> None:
        with imaplib.IMAP4(self.host, self.port, timeout=5) as client:
            if "IMAP4REV1" not in client.capabilities:
                raise RuntimeError(f"unexpected IMAP greeting: {client.welcome!r}")
            client.logout()

    def _terminate(self) -> None:
        proc, self._process = self._process, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                # The master stops its children, then exits: in about 1 s, but it gives a child
                # that ignores SIGTERM (one still starting, say) 6 s. Tests need no grace.
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=1.5)
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # anything left in its process group
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            deadline = time.monotonic() + 5
            while live_processes_in_group(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if proc.stdout is not None:
                proc.stdout.close()

    def _own(self, path: Path) -> None:
        """Give a file or folder this module made in a Maildir to the mail user."""
        ident = self.identity
        if ident.as_root:
            os.chown(path, ident.mail_uid, ident.mail_gid)

    def _config(self) -> str:
        ident = self.identity
        # Chroots need root; as a normal user every process runs as that user, unchrooted.
        chroot_login = "login" if ident.as_root else ""
        chroot_anvil = "empty" if ident.as_root else ""
        return textwrap.dedent(f"""\
            # Written by tests/servers/imap.py for one test run; Dovecot {".".join(map(str, self.version))}.
            base_dir = {self.root}/run
            state_dir = {self.root}/state
            instance_name = dovecot-test-{self.port}
            log_path = {self.log_path}
            protocols = imap
            listen = {self.host}
            shutdown_clients = yes

            default_internal_user = {ident.internal_user}
            default_internal_group = {ident.internal_group}
            default_login_user = {ident.login_user}
            mail_uid = {ident.mail_user}
            mail_gid = {ident.mail_group}
            first_valid_uid = {min(ident.mail_uid, 500)}
            first_valid_gid = {0 if ident.mail_gid == 0 else 1}

            auth_mechanisms = plain login
            disable_plaintext_auth = no
            auth_failure_delay = 0
            auth_verbose = yes
            passdb {{
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {self.passwd_dir}/%u
            }}
            userdb {{
              driver = passwd-file
              args = username_format=%u {self.passwd_dir}/%u
            }}

            mail_location = maildir:~/Maildir
            mailbox_list_index = no
            mail_fsync = never
            mail_max_userip_connections = 100
            namespace inbox {{
              inbox = yes
              separator = /
            }}

            ssl = yes
            ssl_cert = <{self.ca.cert_path}
            ssl_key = <{self.ca.key_path}

            service imap-login {{
              chroot = {chroot_login}
              inet_listener imap {{
                address = {self.host}
                port = {self.port}
              }}
              inet_listener imaps {{
                address = {self.host}
                port = {self.ssl_port}
                ssl = yes
              }}
            }}
            service anvil {{
              chroot = {chroot_anvil}
              # No socket the auth process may open: no penalty (a growing delay, up to 15 s)
              # after failed logins from 127.0.0.1, which tests make on purpose.
              unix_listener anvil-auth-penalty {{
                mode = 0
              }}
            }}
            """)
