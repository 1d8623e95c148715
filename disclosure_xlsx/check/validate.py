"""Validate returned workbooks: read -> check -> FileReport, one per file, never raising.

A file that cannot be read becomes a FileReport with status `unreadable` and a one-line reason,
and a file with no known table one with `wrong-template`, so a batch always goes on. An error
that is not one of ours is a bug in this package and is raised, not disguised as a bad file.
"""

from __future__ import annotations

import difflib
import glob
from collections.abc import Callable, Iterable, MutableSequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotThisTable, UnreadableError, UsageError, check_interrupted
from ..read import ReturnValues, read_return
from ..read.guard import SUFFIXES, check_file
from ..read.own import own_output
from ..text import Text
from . import check_values
from .findings import Finding, unreadable, wrong_extension, wrong_template
from .report import FileReport, Report, Skipped, Status


def validate(
    paths: str | Path | Iterable[str | Path] | Inputs,
    *,
    blank_as_zero: bool = False,
    year: str | None = None,
    progress: Callable[[Path], None] | None = None,
    on_report: Callable[[FileReport], None] | None = None,
    jobs: int | None = None,
    into: MutableSequence[FileReport] | None = None,
) -> Report:
    """Check one workbook or many (files, folders, globs); never raises for a bad file.

    ``jobs=None`` reads in this process (a library call starts no processes behind the
    caller's back); ``jobs=N`` reads in N worker processes (0: one per CPU, at most 4), so a
    file that crashes a reader is reported `unreadable` and the batch goes on (see batch.py).
    ``progress`` is called with each path as it is done and ``on_report`` with each report in
    input order, so a caller stopped by Ctrl-C (:class:`~..errors.Interrupted`) keeps what was
    done. Raises :class:`UsageError` for a path that does not exist or a glob that matches
    nothing. Reports are appended to ``into`` as they are done, in input order, when given
    (a :class:`~.store.ReportStore` keeps a batch of any size off the heap; the Report's
    ``files`` is then that store), else collected in a tuple.
    """
    inputs = paths if isinstance(paths, Inputs) else collect_inputs(paths)
    options = {"blank_as_zero": blank_as_zero, "year": year}
    reports: MutableSequence[FileReport] = [] if into is None else into
    if jobs is None:
        for path in inputs.workbooks:
            check_interrupted()
            report = validate_file(path, blank_as_zero=blank_as_zero, year=year)
            reports.append(report)
            if on_report:
                on_report(report)
            if progress:
                progress(path)
    else:
        from .batch import run

        run(
            inputs.workbooks,
            validate_file,
            options,
            jobs=jobs,
            progress=progress,
            on_report=on_report,
            into=reports,
        )
    return Report(tuple(reports) if into is None else into, inputs.skipped)


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
    if values.wrong_extension is not None:
        findings = (wrong_extension(values.wrong_extension), *findings)
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


#: Office, WPS and LibreOffice lock files: never a return, always skipped (and said so).
LOCK_PREFIXES = ("~$", ".~lock.")
#: Files a folder scan passes over without a word: system files nobody sent.
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
_LOCK = Text(
    "Office/WPS 的临时锁定文件（文件打开时生成），不是统计表",
    "an Office/WPS lock file (made while a file is open), not a return",
)


@dataclass(frozen=True)
class Inputs:
    """What a list of files, folders and globs comes to: the workbooks to check, in order,
    and the files met but skipped, each with its reason."""

    workbooks: tuple[Path, ...]
    skipped: tuple[Skipped, ...] = ()


def collect_inputs(args: str | Path | Iterable[str | Path]) -> Inputs:
    """Files as given; folders to their files (recursively); globs expanded. Order kept.

    Lock files are skipped wherever they come from. In folders and globs, the annotated and
    corrected copies this tool wrote are skipped (they sit next to the returns and are not
    returns), and a file is taken by its workbook extension or, failing that, by its content
    (an .xlsx saved as .dat); anything else is skipped with the reason saying what it is. A file named explicitly is always
    checked (and reported `unreadable` with that reason). A missing path is a UsageError.
    """
    if isinstance(args, (str, Path)):
        args = [args]
    workbooks: list[Path] = []
    skipped: list[Skipped] = []

    def consider(path: Path, named: bool) -> None:
        name = path.name
        if name.startswith(LOCK_PREFIXES) or (name.startswith(".~lock") and name.endswith("#")):
            skipped.append(Skipped(str(path), _LOCK))
        elif not named and (mark := own_output(path)) is not None:
            skipped.append(Skipped(str(path), mark.reason))  # an annotated or corrected copy
        elif named or path.suffix.lower() in SUFFIXES:
            workbooks.append(path)
        elif name.startswith(".") or name.lower() in SYSTEM_FILES:
            return
        elif (own := _own_text_output(path)) is not None:
            skipped.append(Skipped(str(path), own))  # a report or list this tool wrote
        else:
            reason = _not_a_workbook(path)
            if reason is None:
                workbooks.append(path)
            else:
                skipped.append(Skipped(str(path), reason))

    for arg in args:
        path = Path(arg)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file():
                    consider(p, named=False)
        elif path.exists():
            consider(path, named=True)
        elif any(ch in str(arg) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(arg), recursive=True))
            if not matches:
                raise UsageError(Text(f"没有文件匹配 {arg}", f"no file matches {arg}"))
            for m in matches:
                if m.is_file():
                    consider(m, named=False)
        else:
            raise UsageError(_missing(path))
    unique: dict[Path, Path] = {}  # resolved -> as given, first occurrence wins
    for p in workbooks:
        unique.setdefault(p.resolve(), p)
    return Inputs(tuple(unique.values()), tuple(skipped))


def expand_paths(args: Iterable[str | Path]) -> list[Path]:
    """The workbooks of :func:`collect_inputs` (skipped files left out)."""
    return list(collect_inputs(args).workbooks)


#: How the reports and lists this tool writes begin (JSON, HTML, the roster's 清单.csv).
_OWN_TEXT_MARKS = (
    b'"schema": "disclosure-xlsx/',
    b'<meta name="generator" content="disclosure-xlsx">',
    "\ufeff单位名称,联系人,邮箱,文件".encode(),
)
_OWN_TEXT = Text(
    "本工具写出的报告或清单，不是退回的表格",
    "a report or list this tool wrote, not a return",
)


def _own_text_output(path: Path) -> Text | None:
    """A report or list this tool wrote, by how it begins: skipped without blaming anyone."""
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError:
        return None
    return _OWN_TEXT if any(mark in head for mark in _OWN_TEXT_MARKS) else None


def _not_a_workbook(path: Path) -> Text | None:
    """Why a file without a workbook extension is not one, or None if its content is one."""
    try:
        check_file(path)
    except UnreadableError as exc:
        return exc.text
    return None


def _missing(path: Path) -> Text:
    """'找不到文件：nosuch.xlsx', with the nearest names in its folder."""
    folder = path.parent
    if not folder.is_dir():
        return Text(f"找不到文件夹：{folder}", f"no such folder: {folder}")
    try:
        names = [p.name for p in folder.iterdir() if not p.name.startswith(LOCK_PREFIXES)]
    except OSError:
        names = []
    near = difflib.get_close_matches(path.name, names, n=3, cutoff=0.5)
    text = Text(f"找不到文件：{path}", f"no such file: {path}")
    if near:
        text += Text(f"；是不是：{'、'.join(near)}？", f"; did you mean: {', '.join(near)}?")
    return text
