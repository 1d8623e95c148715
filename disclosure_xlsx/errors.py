"""The project's own exceptions: raised only when work cannot go on (data problems are findings).

Every exception the library raises on purpose derives from :class:`DisclosureError`; its
message is one line, in both languages (``.text``), shown to the user without a traceback.
Anything else that escapes is a bug in this package and is shown as one (with ``--debug``).
"""

from __future__ import annotations

from .text import Text


class DisclosureError(Exception):
    """Base class; ``text`` is the message in both languages (``str()`` gives the Chinese)."""

    def __init__(self, message: str | Text) -> None:
        self.text = message if isinstance(message, Text) else Text(message, message)
        super().__init__(self.text.zh)


class SpecError(DisclosureError):
    """A spec file is inconsistent: unknown rule kind or item, unit clash, cycle, duplicate id."""


class UsageError(DisclosureError):
    """The user asked for something impossible (existing output, bad roster, unknown year)."""


class UnreadableError(DisclosureError):
    """A file cannot be read as a workbook (not a workbook, truncated, encrypted, empty)."""


class NotThisTable(DisclosureError):
    """No sheet holds a known table; the message says why (the `wrong-template` finding)."""


class OutputError(DisclosureError):
    """An output file cannot be written (permission, missing folder, disk full, bad name)."""


class OutputExists(UsageError):
    """A file appeared under a name being written exclusively (another run wrote it)."""


class Interrupted(BaseException):
    """The user pressed Ctrl-C. A BaseException, like KeyboardInterrupt, so no ``except
    Exception`` swallows it; long commands catch it to stop cleanly and say how far they got.

    A batch that stopped re-raises it with ``done`` of ``total`` (the signal handler raises
    it bare)."""

    def __init__(self, done: int | None = None, total: int | None = None) -> None:
        super().__init__(done, total)
        self.done = done
        self.total = total


_pending = {"interrupt": False}


def interrupt() -> None:
    """What the CLI's Ctrl-C handler does: note the interrupt, then raise it.

    NOTE: the raise lands wherever the program happens to be, and a library may swallow it:
    openpyxl turns any exception inside a type conversion into a TypeError and then into a
    warning, and a Ctrl-C that came at that moment was lost (the batch ran to its end). The
    note stays, so :func:`check_interrupted` raises it again at the next file.
    """
    _pending["interrupt"] = True
    raise Interrupted


def check_interrupted() -> None:
    """Raise :class:`Interrupted` if Ctrl-C was pressed and its raise got lost; loops over
    files call this before each one."""
    if _pending["interrupt"]:
        raise Interrupted


class MailError(DisclosureError):
    """A mail server cannot be used: unreachable, refused the login, failed the TLS check,
    or broke off. The message names the server and never holds a password."""
