"""Validate returned workbooks: guard -> grid -> locate -> check -> FileReport.

No exception escapes for a bad file: an unreadable workbook becomes a FileReport with status
`unreadable` and a one-line reason, so a batch always goes on to the next file.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable
from pathlib import Path

from .check import check_location
from .errors import UnreadableError, UsageError
from .findings import make
from .grid import read_grids
from .guard import SUFFIXES, check_file
from .locate import NotThisTable, locate
from .report import FileReport, Report


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
    files = expand_paths(paths)
    reports = []
    for path in files:
        reports.append(validate_file(path, blank_as_zero=blank_as_zero, year=year))
        if progress:
            progress(path)
    return Report(tuple(reports))


def validate_file(
    path: Path, *, blank_as_zero: bool = False, year: str | None = None
) -> FileReport:
    """Check one workbook."""
    try:
        grids = read_grids(check_file(path))
    except UnreadableError as exc:
        return _file_level(path, "unreadable", str(exc))
    except Exception as exc:
        return _file_level(path, "unreadable", f"读取时出错：{type(exc).__name__}")
    if not any(g.cells for g in grids):
        return _file_level(path, "unreadable", "工作簿是空的（没有任何内容）")
    try:
        location = locate(grids, year)
    except NotThisTable as exc:
        return _file_level(path, "invalid", str(exc), code="wrong-template")
    findings = tuple(check_location(location, blank_as_zero))
    status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
    return FileReport(
        path=str(path),
        status=status,
        template=location.spec.year,
        sheet=location.grid.name,
        unit_name=location.unit_name,
        findings=findings,
        method=location.method,
    )


def _file_level(path: Path, status: str, reason: str, code: str = "unreadable") -> FileReport:
    finding = make(code, found=None, reason=reason)
    return FileReport(str(path), status, None, None, None, (finding,))  # type: ignore[arg-type]


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
                raise UsageError(f"没有文件匹配 {arg}")
            out.extend(m for m in matches if m.is_file())
        else:
            out.append(path)  # reported as unreadable: 文件不存在
    unique: dict[Path, Path] = {}  # resolved -> as given, first occurrence wins
    for p in out:
        unique.setdefault(p.resolve(), p)
    return list(unique.values())
