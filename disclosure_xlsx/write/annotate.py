"""Annotated copies to send back: problem cells coloured and commented, and a first sheet
校验结果 listing the report's rows with a link to each cell.

A renderer of the report like the console and HTML ones (it draws the same report rows), but
its output is a workbook a department opens in Excel, WPS or LibreOffice. The input is only
read (see editable.py).
"""

from __future__ import annotations

import errno
import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..check.findings import Finding
from ..check.report import FileReport, Report
from ..check.rows import COLUMNS, report_rows, shown_message
from ..errors import DisclosureError, OutputError, OutputExists, UsageError, check_interrupted
from ..numbers import clip
from ..outputs import (
    check_output,
    fit_name,
    identities,
    is_one_of,
    os_error,
    sanitize_text,
)
from ..read.own import DEFINED_NAME, PROPERTY, own_output, source_key
from ..spec.layout import col_letter
from ..text import Lang, Text, ui
from . import paper
from .editable import copy_suffix, open_copy, put_text, save, writable
from .template import BORDER, HEADER_FILL

SUMMARY_SHEET = "校验结果"
AUTHOR = "disclosure-xlsx"
FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),  # Excel's own "bad" red
    "warning": PatternFill("solid", fgColor="FFEB9C"),  # and its "neutral" yellow
}
_HEAD = ("col.no", *COLUMNS)
_WIDTHS = (5, 10, 20, 11, 40, 8, 8, 30)


@dataclass(frozen=True)
class Annotated:
    """One annotated copy written (``output``), or why it could not be (``error``)."""

    source: str
    output: Path | None
    error: Text | None = None


#: How many numbered names (x_校验2.xlsx …) are tried before giving up on one input.
MAX_NUMBER = 999


def annotate(
    report: Report,
    folder: str | Path,
    lang: Lang = "zh",
    *,
    force: bool = False,
    inputs: Iterable[str | Path] | None = None,
) -> list[Annotated]:
    """Write an annotated copy of every readable file with findings into ``folder``.

    A copy is never written onto one of ``inputs`` (by default the report's files; the CLI
    passes the whole batch), nor through a symbolic link; an existing copy is replaced only
    with ``force``, and then only if it is not this tool's copy of another input (two runs
    writing into one folder each keep their copies). Otherwise the next free numbered name is
    taken, atomically. A file that cannot be annotated is reported and the batch goes on; an
    OS error on the folder (unwritable, full) stops it as :class:`~..errors.OutputError`."""
    return list(iter_annotate(report, folder, lang, force=force, inputs=inputs))


def iter_annotate(
    report: Report,
    folder: str | Path,
    lang: Lang = "zh",
    *,
    force: bool = False,
    inputs: Iterable[str | Path] | None = None,
) -> Iterator[Annotated]:
    """:func:`annotate`, one copy at a time (a caller stopped by Ctrl-C knows what was done)."""
    folder = Path(folder)
    sources = [Path(p) for p in (inputs if inputs is not None else [f.path for f in report.files])]
    paths = [*sources, *(Path(f.path) for f in report.files)]
    names = planned_targets(paths, folder)
    ids = identities(paths)
    taken: set[Path] = set()
    for file in report.files:
        check_interrupted()
        if not file.findings or file.sheet is None:
            continue
        base = names[str(Path(file.path))]
        try:
            written = _write_copy(file, base, ids, taken, force, lang)
        except OutputError:
            raise
        except DisclosureError as exc:
            yield Annotated(file.path, None, exc.text)
            continue
        yield Annotated(file.path, written)


def _numbered(base: Path, n: int) -> Path:
    """base, then '<stem>2<suffix>', '<stem>3<suffix>' … (within 255 bytes)."""
    if n == 1:
        return base
    stem = base.name[: -len(base.suffix)][: -len(_TAIL)]
    return base.with_name(fit_name(stem, f"{_TAIL}{n}{base.suffix}"))


_TAIL = "_校验"


def planned_targets(paths: Iterable[Path], folder: Path) -> dict[str, Path]:
    """Input path -> its copy's name in ``folder``: '<name>_校验.xlsx', numbered when two inputs
    share a name or the name is one of the inputs; the same for the same batch."""
    paths = list(dict.fromkeys(paths))
    ids = identities(paths)
    out: dict[str, Path] = {}
    used: set[str] = set()
    for source in paths:
        base = folder / fit_name(source.stem, f"{_TAIL}{copy_suffix(source)}")
        n = 1
        while (target := _numbered(base, n)).name.casefold() in used or is_one_of(target, ids):
            n += 1
        used.add(target.name.casefold())
        out[str(source)] = target
    return out


def check_annotate_folder(paths: Iterable[Path], folder: Path, *, force: bool = False) -> None:
    """Before a batch: refuse an annotate folder that cannot be written, and (without
    ``force``) one that already holds a copy a run over ``paths`` would write."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except FileExistsError:
        raise os_error(folder, NotADirectoryError(errno.ENOTDIR, "not a folder")) from None
    except OSError as exc:
        raise os_error(folder, exc) from None
    if force:
        return
    for target in planned_targets(paths, folder).values():
        if os.path.lexists(target):
            raise UsageError(
                Text(
                    f"{target} 已存在；如需覆盖批注副本请加 --force",
                    f"{target} exists; add --force to replace annotated copies",
                )
            )


def _write_copy(
    file: FileReport,
    base: Path,
    inputs: frozenset[object],
    taken: set[Path],
    force: bool,
    lang: Lang,
) -> Path:
    """Annotate ``file`` into the first usable name from ``base`` on (see :func:`annotate`)."""
    source = Path(file.path)
    wb = annotated_workbook(file, lang)
    for n in range(1, MAX_NUMBER + 1):
        target = _numbered(base, n)
        if target in taken or target.is_symlink() or is_one_of(target, inputs):
            continue
        replace = force and target.exists() and _replaceable(target, source)
        try:
            save(wb, target, mark=("annotated", source), exclusive=not replace)
        except OutputExists:
            continue  # written meanwhile (another run): keep it, take the next name
        taken.add(target)
        return target
    raise DisclosureError(
        Text(f"{base}：找不到可用的文件名", f"{base}: no free name for the annotated copy")
    )


def _replaceable(target: Path, source: Path) -> bool:
    """--force replaces a file, unless it is our own copy of another input."""
    mark = own_output(target)
    return mark is None or mark.source == source_key(source)


def annotate_file(file: FileReport, target: Path, lang: Lang = "zh") -> Path:
    """Colour and comment each problem cell, add the 校验结果 sheet, save as ``target`` (never
    over the input; an existing ``target`` is replaced)."""
    check_output(target, [Path(file.path)], force=True)
    save(annotated_workbook(file, lang), target, mark=("annotated", Path(file.path)))
    return target


def annotated_workbook(file: FileReport, lang: Lang = "zh") -> Workbook:
    """The department's workbook with each problem cell coloured and commented and the
    校验结果 sheet first; not yet saved."""
    if file.sheet is None:
        raise DisclosureError(
            Text(f"{file.path}：没有找到统计表，无法批注", f"{file.path}: no table to annotate")
        )
    wb = open_copy(Path(file.path))
    ws = wb[file.sheet]
    by_cell: dict[str, list[Finding]] = defaultdict(list)
    for f in file.findings:
        if f.cell:
            by_cell[f.cell].append(f)
    for cell, findings in by_cell.items():
        if not writable(ws, cell):
            continue
        worst = "error" if any(f.severity == "error" for f in findings) else "warning"
        ws[cell].fill = FILLS[worst]
        text = "\n".join(_comment_line(f, lang) for f in findings)
        comment = Comment(text, AUTHOR)
        comment.width = 320
        comment.height = min(60 + 18 * text.count("\n") + len(text) // 2, 400)
        ws[cell].comment = comment
    name = SUMMARY_SHEET
    if name in wb.sheetnames and name != file.sheet and _annotated_before(wb):
        del wb[name]  # a copy annotated before: replace its list
    n = 2
    while name in wb.sheetnames:  # never a sheet of the department's (their table may be one)
        name, n = f"{SUMMARY_SHEET}{n}", n + 1
    summary = wb.create_sheet(name, 0)
    _write_summary(summary, file, lang)
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is summary
    return wb


def _annotated_before(wb: Workbook) -> bool:
    """The workbook is a copy this tool annotated (perhaps edited since): its 校验结果 is ours."""
    return PROPERTY in wb.custom_doc_props.names or DEFINED_NAME in wb.defined_names


def _comment_line(f: Finding, lang: Lang) -> str:
    line = ui("annot.comment", lang, title=f.title(lang), message=shown_message(f)(lang))
    if f.fix:
        line += "\n" + ui("annot.suggestion", lang, fix=f.fix.reason(lang))
    return sanitize_text(line)


def _write_summary(ws: Worksheet, file: FileReport, lang: Lang) -> None:
    """The report's rows as a sheet that prints legibly on A4 landscape: wrapped text, rows as
    tall as their text, numbers right-aligned, the header repeated on every page."""
    who = clip(file.unit_name or Path(file.path).name)
    last = col_letter(len(_HEAD))
    put_text(ws["A1"], ui("annot.title", lang, who=who))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ui("annot.intro", lang, errors=file.errors, warnings=file.warnings)
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = paper.LINE_POINTS * paper.lines(ws["A2"].value, sum(_WIDTHS))
    for col, (key, width) in enumerate(zip(_HEAD, _WIDTHS, strict=True), start=1):
        head = ws.cell(4, col, ui(key, lang))
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        head.border = BORDER
        ws.column_dimensions[col_letter(col)].width = width
    for n, row in enumerate(report_rows(file.findings), start=1):
        r = 4 + n
        values: tuple[object, ...] = (
            n,
            row.cells(lang),
            row.item(lang),
            row.title(lang),
            row.message(lang),
            _number_or_text(row.found),
            _number_or_text(row.expected),
            row.hint(lang) if row.hint else "",
        )
        height = 1
        for col, (value, width) in enumerate(zip(values, _WIDTHS, strict=True), start=1):
            cell = put_text(ws.cell(r, col), value)  # file text stays text, never a formula
            numeric = isinstance(value, (int, float)) and col > 1
            cell.alignment = Alignment(
                wrap_text=True, vertical="top", horizontal="right" if numeric else "left"
            )
            cell.border = BORDER
            height = max(height, paper.lines(value, width))
        ws.row_dimensions[r].height = paper.LINE_POINTS * height
        if row.link:
            link = ws.cell(r, 2)
            # an internal link (location), not an external target, so no relationship part
            target = f"{quote_sheetname(file.sheet or '')}!{row.link}"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=target)
            link.font = Font(color="0563C1", underline="single")
        ws.cell(r, 4).fill = FILLS[row.severity]
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    paper.set_up(ws, _WIDTHS, "landscape")


def _number_or_text(shown: str) -> object:
    """A found/expected value: a number when it is one (so it aligns right), else its text."""
    try:
        number = float(shown)
    except ValueError:
        return shown
    if not math.isfinite(number):
        return shown
    return int(number) if number.is_integer() and "." not in shown else number
