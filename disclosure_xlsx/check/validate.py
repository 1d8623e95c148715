"""Validate returned workbooks: read -> check -> FileReport, one per file, never raising.

A file that cannot be read becomes a FileReport with status `unreadable` and a one-line reason,
and a file with no known table one with `wrong-template`, so a batch always goes on. An error
that is not one of ours is a bug in this package and is raised, not disguised as a bad file.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotThisTable, UnreadableError, UsageError
from ..read import ReturnValues, read_return
from ..read.guard import SUFFIXES
from ..read.own import own_output
from ..text import Text
from . import check_values
from .findings import Finding, unreadable, wrong_template
from .report import FileReport, Report, Status


def validate(
    paths: str | Path | Iterable[str | Path],
    *,
    blank_as_zero: bool = False,
    year: str | None = None,
    progress: Callable[[Path], None] | None = None,
    on_report: Callable[[FileReport], None] | None = None,
) -> Report:
    """Check one workbook or many (files, folders, globs); never raises for a bad file.

    ``progress`` is called with each path and ``on_report`` with each FileReport as it is
    finished, in input order, so a caller stopped by Ctrl-C (:class:`~..errors.Interrupted`)
    still has what was done."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    skipped: list[tuple[str, Text]] = []
    reports = []
    for path in expand_paths(paths, skipped=skipped):
        report = validate_file(path, blank_as_zero=blank_as_zero, year=year)
        reports.append(report)
        if on_report:
            on_report(report)
        if progress:
            progress(path)
    return Report(tuple(reports), tuple(skipped))


def validate_file(
    path: Path, *, blank_as_zero: bool = False, year: str | None = None
) -> FileReport:
    """Check one workbook."""
    return examine_file(path, blank_as_zero=blank_as_zero, year=year).report


@dataclass(frozen=True)
class Examined:
    """One workbook checked: its report, and its values when a table could be read."""

    report: FileReport
    values: ReturnValues | None


def examine_file(path: Path, *, blank_as_zero: bool = False, year: str | None = None) -> Examined:
    """Check one workbook and keep what was read (the collection round stores the values)."""
    try:
        values = read_return(Path(path), year)
    except UnreadableError as exc:
        return Examined(_file_level(path, "unreadable", unreadable(exc.text)), None)
    except NotThisTable as exc:
        return Examined(_file_level(path, "invalid", wrong_template(exc.text)), None)
    findings = tuple(check_values(values, blank_as_zero))
    status: Status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
    report = FileReport(
        path=str(path),
        status=status,
        template=values.spec.year,
        sheet=values.sheet,
        unit_name=values.unit_name,
        findings=findings,
        method=values.method,
        stamp=values.stamp,
    )
    return Examined(report, values)


def _file_level(path: Path, status: Status, finding: Finding) -> FileReport:
    return FileReport(str(path), status, None, None, None, (finding,))


def expand_paths(
    args: Iterable[str | Path], *, skipped: list[tuple[str, Text]] | None = None
) -> list[Path]:
    """Files as given; folders to their workbooks (recursively); globs expanded. Order kept.

    A folder or a glob passes over the annotated and corrected copies this tool wrote (they
    sit next to the returns, and are not returns); each is appended to ``skipped`` with the
    reason. A file named on its own is always checked."""
    out: list[Path] = []
    passed: dict[Path, tuple[str, Text]] = {}

    def scanned(candidates: Iterable[Path]) -> Iterator[Path]:
        for p in candidates:
            mark = own_output(p)
            if mark is None:
                yield p
            else:
                passed.setdefault(p.resolve(), (str(p), mark.reason))

    for arg in args:
        path = Path(arg)
        if path.is_dir():
            out.extend(
                scanned(
                    p
                    for p in sorted(path.rglob("*"))
                    if p.is_file()
                    and p.suffix.lower() in SUFFIXES
                    and not p.name.startswith(("~$", "."))
                )
            )
        elif path.exists():
            out.append(path)
        elif any(ch in str(arg) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(arg), recursive=True))
            if not matches:
                raise UsageError(Text(f"没有文件匹配 {arg}", f"no file matches {arg}"))
            out.extend(scanned(m for m in matches if m.is_file()))
        else:
            out.append(path)  # reported as unreadable: 文件不存在
    unique: dict[Path, Path] = {}  # resolved -> as given, first occurrence wins
    for p in out:
        unique.setdefault(p.resolve(), p)
    if skipped is not None:
        skipped.extend(v for k, v in passed.items() if k not in unique)
    return list(unique.values())
