"""Validate returned workbooks: read -> check -> FileReport, one per file, never raising.

A file that cannot be read becomes a FileReport with status `unreadable` and a one-line reason,
and a file with no known table one with `wrong-template`, so a batch always goes on. An error
that is not one of ours is a bug in this package and is raised, not disguised as a bad file.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import NotThisTable, UnreadableError, UsageError
from ..read import read_return
from ..read.guard import SUFFIXES
from ..text import Text
from . import check_values
from .findings import Finding, unreadable, wrong_extension, wrong_template
from .report import FileReport, Report, Status


def validate(
    paths: str | Path | Iterable[str | Path],
    *,
    blank_as_zero: bool = False,
    year: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Report:
    """Check one workbook or many (files, folders, globs); never raises for a bad file."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    reports = []
    for path in expand_paths(paths):
        reports.append(validate_file(path, blank_as_zero=blank_as_zero, year=year))
        if progress:
            progress(path)
    return Report(tuple(reports))


def validate_file(
    path: Path, *, blank_as_zero: bool = False, year: str | None = None
) -> FileReport:
    """Check one workbook."""
    try:
        values = read_return(Path(path), year)
    except UnreadableError as exc:
        return _file_level(path, "unreadable", unreadable(exc.text))
    except NotThisTable as exc:
        return _file_level(path, "invalid", wrong_template(exc.text))
    findings = tuple(check_values(values, blank_as_zero))
    if values.wrong_extension is not None:
        findings = (wrong_extension(values.wrong_extension), *findings)
    status: Status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
    return FileReport(
        path=str(path),
        status=status,
        template=values.spec.year,
        sheet=values.sheet,
        unit_name=values.unit_name,
        findings=findings,
        method=values.method,
    )


def _file_level(path: Path, status: Status, finding: Finding) -> FileReport:
    return FileReport(str(path), status, None, None, None, (finding,))


def expand_paths(args: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders to their workbooks (recursively); globs expanded. Order kept."""
    out: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not p.name.startswith(("~$", "."))
            )
        elif path.exists():
            out.append(path)
        elif any(ch in str(arg) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(arg), recursive=True))
            if not matches:
                raise UsageError(Text(f"没有文件匹配 {arg}", f"no file matches {arg}"))
            out.extend(m for m in matches if m.is_file())
        else:
            out.append(path)  # reported as unreadable: 文件不存在
    unique: dict[Path, Path] = {}  # resolved -> as given, first occurrence wins
    for p in out:
        unique.setdefault(p.resolve(), p)
    return list(unique.values())
