"""The report as one self-contained HTML file, to attach to an email.

No scripts, fonts, images or links to fetch: inline CSS only, so it reads the same offline,
in a mail client's preview and printed. Everything from the workbook is escaped, with control
and text-direction characters neutralised (:func:`~..numbers.clean`).
"""

from __future__ import annotations

from html import escape

from ..check.report import FileReport, Report
from ..check.rows import COLUMNS, ReportRow, report_rows
from ..numbers import clean
from ..text import Lang, ui

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",SimSun,sans-serif;
margin:2em;color:#222;line-height:1.5}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#eee}td.n{text-align:right;white-space:nowrap}
.error{background:#ffc7ce}.warning{background:#ffeb9c}.ok{color:#1a7f37}.bad{color:#c00}
.fix{color:#1a7f37}.meta{color:#666}
@media print{body{margin:0}h2{page-break-before:auto}}
"""

_HEAD = COLUMNS


def to_html(report: Report, lang: Lang = "zh") -> str:
    """The whole report as one HTML page (a string), everything from files escaped."""
    title = ui("report.title", lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        '<meta name="generator" content="disclosure-xlsx">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        _summary(report, lang),
    ]
    parts.extend(_file(f, n, lang) for n, f in enumerate(report.files, start=1))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _summary(report: Report, lang: Lang) -> str:
    rows = []
    for n, f in enumerate(report.files, start=1):
        css = "ok" if f.status == "ok" else "bad"
        rows.append(
            f'<tr><td><a href="#f{n}">{_e(f.path)}</a></td><td>{_e(f.unit_name or "")}</td>'
            f'<td class="{css}">{_e(ui(f.status, lang))}</td>'
            f'<td class="n">{f.errors}</td><td class="n">{f.warnings}</td></tr>'
        )
    heads = "".join(
        f"<th>{_e(ui(k, lang))}</th>"
        for k in ("col.file", "col.unit", "col.status", "col.errors", "col.warnings")
    )
    sep = "、" if lang == "zh" else ", "
    notes = [ui("skipped.line", lang, path=s.path, reason=s.reason) for s in report.skipped]
    notes += [
        ui("duplicate.line", lang, unit=name, paths=sep.join(paths))
        for name, paths in report.duplicates()
    ]
    return (
        f"<h2>{_e(ui('report.summary', lang))}</h2>"
        f"<p>{_e(ui('totals', lang, **report.summary()))}</p>"
        f"<table><tr>{heads}</tr>{''.join(rows)}</table>"
        + "".join(f'<p class="bad">{_e(n)}</p>' for n in notes)
    )


def _file(f: FileReport, n: int, lang: Lang) -> str:
    css = "ok" if f.status == "ok" else "bad"
    counts = ui("counts", lang, errors=f.errors, warnings=f.warnings)
    sep, gap = ("：", "　") if lang == "zh" else (": ", " · ")
    meta = (
        f'<p class="meta">{_e(ui("col.unit", lang))}{sep}{_e(f.unit_name or "—")}{gap}'
        f"{_e(ui('col.template', lang))}{sep}{_e(f.template or '—')}{gap}"
        f"{_e(ui('col.sheet', lang))}{sep}{_e(f.sheet or '—')}{gap}"
        f'<span class="{css}">{_e(ui(f.status, lang))}</span> ({_e(counts)})</p>'
    )
    head = f'<h2 id="f{n}">{_e(f.path)}</h2>{meta}'
    if not f.findings:
        return f"{head}<p>{_e(ui('none', lang))}</p>"
    rows = "".join(_row(row, lang) for row in report_rows(f.findings))
    cols = "".join(f"<th>{_e(ui(h, lang))}</th>" for h in _HEAD)
    return f"{head}<table><tr>{cols}</tr>{rows}</table>"


def _row(row: ReportRow, lang: Lang) -> str:
    fix = row.hint(lang) if row.hint else ""
    return (
        f"<tr><td>{_e(row.cells(lang))}</td><td>{_e(row.item(lang))}</td>"
        f'<td class="{row.severity}">{_e(row.title(lang))}</td>'
        f"<td>{_e(row.message(lang))}</td><td class='n'>{_e(row.found)}</td>"
        f"<td class='n'>{_e(row.expected)}</td><td class='fix'>{_e(fix)}</td></tr>"
    )


def _e(text: object) -> str:
    return escape(clean(str(text)), quote=True)
