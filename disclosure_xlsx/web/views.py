"""Templates and what they show: the Jinja2 environment, pages, downloads, and the plain
values the templates draw (outcome lines, report rows, the order of the status table).

Autoescaping is on for every template and nothing from a file, a roster or a form is marked
safe: department names, 单位名称, file names and messages are escaped on output, after control
and text-direction characters are neutralised (:func:`~..numbers.clean`, as the HTML report
does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..campaign import DepartmentStatus, Outcome, ReturnRecord, Status
from ..check.report import FileReport
from ..check.rows import ReportRow, report_rows
from ..numbers import clean
from ..text import Lang, Text, ui
from .security import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, csrf_token

HERE = Path(__file__).resolve().parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {
    ".xlsx": XLSX,
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _finalize(value: object) -> object:
    # NOTE: plain strings only; Markup (a macro's output) is ours and already escaped
    return clean(value) if type(value) is str else value


ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    finalize=_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
)


def lang_of(request: Request) -> Lang:
    """Chinese unless the address asks for English (``?lang=en``)."""
    return "en" if request.query_params.get("lang") == "en" else "zh"


def url_maker(lang: Lang) -> Callable[..., str]:
    """``url('/x', a=1)``: an address of ours, keeping the page's language."""

    def url(path: str, **params: object) -> str:
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        if lang == "en":
            query["lang"] = "en"
        return path + ("?" + urlencode(query) if query else "")

    return url


def render(
    request: Request, template: str, context: Mapping[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page: the template with the language, the texts, the CSRF token and the limits."""
    lang = lang_of(request)
    other = request.url.remove_query_params("lang")
    switch = str(other.include_query_params(lang="en")) if lang == "zh" else str(other)

    def t(key: str, **fields: object) -> str:
        return ui(key, lang, **fields)

    page = ENV.get_template(template).render(
        lang=lang,
        t=t,
        tr=lambda text: text(lang) if isinstance(text, Text) else "",
        url=url_maker(lang),
        csrf=csrf_token(request),
        switch=switch.removeprefix(f"{request.url.scheme}://{request.url.netloc}"),
        max_mb=MAX_UPLOAD_BYTES // 1024 // 1024,
        max_files=MAX_UPLOAD_FILES,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)


def download(data: bytes, name: str, media_type: str | None = None) -> Response:
    """A file to save, under ``name`` (any text: sent RFC 6266-encoded, never as a path)."""
    suffix = Path(name).suffix.lower()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "download"
    if not ascii_name.lower().endswith(suffix):
        ascii_name += suffix
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(
        data,
        media_type=media_type or TYPES.get(suffix, "application/octet-stream"),
        headers={"Content-Disposition": disposition},
    )


def annotated_name(name: str, lang: Lang) -> str:
    """商务局.xls -> 商务局_批注.xlsx (the copy is always a workbook Excel writes)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    return ui("web.file.annotated", lang, stem=stem) + (
        ".xlsm" if suffix.lower() == "xlsm" else ".xlsx"
    )


# --- what the pages show ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line about an uploaded file: a mark, a CSS class, and the text."""

    mark: str
    css: str
    text: str


def outcome_line(outcome: Outcome, lang: Lang) -> Line:
    """The clerk's line for one collected input: the words of ``campaign collect``."""
    source = outcome.source
    note = outcome.note(lang) if outcome.note else ""
    if outcome.action == "skipped":
        return Line("–", "skipped", ui("campaign.skipped", lang, source=source, reason=note))
    if outcome.action == "duplicate":
        return Line("=", "duplicate", ui("campaign.duplicate", lang, source=source, note=note))
    if outcome.department is None:
        return Line(
            "?", "unmatched", ui("campaign.unmatched.line", lang, source=source, reason=note)
        )
    how = ui(f"campaign.by.{outcome.matched_by}", lang)
    line = ui("campaign.recorded", lang, source=source, department=outcome.department_name, how=how)
    status = outcome.status or "unreadable"
    counts = ui("counts", lang, errors=outcome.errors, warnings=outcome.warnings)
    return Line("✓" if status == "ok" else "✗", status, f"{line}  {ui(status, lang)} · {counts}")


def own_line(outcome: Outcome, department_id: str, lang: Lang) -> Line:
    """A department's line for its upload: nothing about other departments."""
    name = outcome.source.split(" › ", 1)[-1]
    if outcome.action == "skipped":
        note = outcome.note(lang) if outcome.note else ""
        return Line("–", "skipped", ui("web.own.skipped", lang, name=name, reason=note))
    if outcome.action == "duplicate":
        if outcome.department == department_id:
            return Line("=", "duplicate", ui("web.own.duplicate", lang, name=name))
        return Line("?", "unmatched", ui("web.own.elsewhere", lang, name=name))
    if outcome.department != department_id:
        return Line("?", "unmatched", ui("web.own.elsewhere", lang, name=name))
    status = outcome.status or "unreadable"
    counts = ui("counts", lang, errors=outcome.errors, warnings=outcome.warnings)
    return Line(
        "✓" if status == "ok" else "✗",
        status,
        ui("web.own.received", lang, name=name, status=ui(status, lang), counts=counts),
    )


@dataclass(frozen=True)
class Shown:
    """A recorded return with the rows of its report, as a page shows it."""

    record: ReturnRecord
    rows: tuple[ReportRow, ...]
    annotatable: bool


def shown(record: ReturnRecord, report: FileReport) -> Shown:
    return Shown(record, tuple(report_rows(report.findings)), report.sheet is not None)


#: Columns of the clerk's table that sort, and the value each sorts by.
SORTS: dict[str, Callable[[tuple[int, DepartmentStatus]], Any]] = {
    "no": lambda r: r[0],
    "name": lambda r: r[1].name,
    "state": lambda r: (["missing", "unreadable", "invalid", "ok"].index(r[1].state), r[0]),
    "versions": lambda r: (r[1].versions, r[0]),
    "received": lambda r: (r[1].received_at or "", r[0]),
    "errors": lambda r: (r[1].errors, r[1].warnings, r[0]),
    "warnings": lambda r: (r[1].warnings, r[0]),
    "overdue": lambda r: (r[1].overdue, r[0]),
}
STATES = ("missing", "ok", "invalid", "unreadable")


def table_rows(
    status: Status, sort: str, descending: bool, state: str | None
) -> list[tuple[int, DepartmentStatus]]:
    """The status table's rows (numbered in roster order), filtered by state and sorted."""
    rows = list(enumerate(status.departments, start=1))
    if state in STATES:
        rows = [r for r in rows if r[1].state == state]
    return sorted(rows, key=SORTS.get(sort, SORTS["no"]), reverse=descending)


def current_ids(returns: list[ReturnRecord]) -> dict[str, int]:
    """Each department's current return (its newest; ``returns`` oldest first)."""
    return {r.department_id: r.id for r in returns if r.department_id is not None}


def when(iso: str | None) -> str:
    """2026-03-20T09:30:00+08:00 -> 2026-03-20 09:30"""
    return (iso or "").replace("T", " ")[:16]


ENV.filters["when"] = when
