"""The project's own exceptions: raised only when work cannot go on (data problems are findings)."""


class DisclosureError(Exception):
    """Base class; its message is shown to the user as is, without a traceback."""


class SpecError(DisclosureError):
    """A spec file is inconsistent: unknown rule kind or item, unit clash, cycle, duplicate id."""


class UsageError(DisclosureError):
    """The user asked for something impossible (existing output, bad roster, unknown year)."""


class UnreadableError(DisclosureError):
    """A file cannot be read as a workbook (not a workbook, truncated, encrypted, empty)."""
