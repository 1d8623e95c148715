"""The report as one self-contained HTML file, to attach to an email.

No scripts, fonts, images or links to fetch: inline CSS only, so it reads the same offline,
in a mail client's preview and printed. Everything from the workbook is escaped.
"""

from __future__ import annotations

from html import escape

from .findings import Finding
from .i18n import Lang
from .report import FileReport, Report, cell_ranges, group_findings
from .values import shown

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

_T = {
    "zh": {
        "title": "政府信息公开工作情况统计表 校验报告",
        "summary": "汇总",
        "files": "文件",
        "unit": "单位名称",
        "status": "状态",
        "errors": "错误",
        "warnings": "提示",
        "template": "模板",
        "sheet": "工作表",
        "head": ("单元格", "项目", "问题", "说明", "填报值", "应为", "建议"),
        "items": "项",
        "none": "没有发现问题。",
        "ok": "通过",
        "invalid": "有错误",
        "unreadable": "无法读取",
        "totals": "共 {files} 个：通过 {ok}，有错误 {invalid}，无法读取 {unreadable}",
    },
    "en": {
        "title": "Statistics table check report",
        "summary": "Summary",
        "files": "File",
        "unit": "Department",
        "status": "Status",
        "errors": "Errors",
        "warnings": "Warnings",
        "template": "Template",
        "sheet": "Sheet",
        "head": ("Cell", "Item", "Problem", "Details", "Found", "Expected", "Suggestion"),
        "items": "items",
        "none": "No problems found.",
        "ok": "ok",
        "invalid": "invalid",
        "unreadable": "unreadable",
        "totals": "{files} files: {ok} ok, {invalid} invalid, {unreadable} unreadable",
    },
}


def to_html(report: Report, lang: Lang = "zh") -> str:
    t = _T[lang]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{t['title']}</title><style>{_CSS}</style></head><body>",
        f"<h1>{t['title']}</h1>",
        _summary(report, lang),
    ]
    parts.extend(_file(f, n, lang) for n, f in enumerate(report.files, start=1))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _summary(report: Report, lang: Lang) -> str:
    t = _T[lang]
    rows = []
    for n, f in enumerate(report.files, start=1):
        css = "ok" if f.status == "ok" else "bad"
        rows.append(
            f'<tr><td><a href="#f{n}">{_e(f.path)}</a></td><td>{_e(f.unit_name or "")}</td>'
            f'<td class="{css}">{t[f.status]}</td>'
            f'<td class="n">{f.errors}</td><td class="n">{f.warnings}</td></tr>'
        )
    s = report.summary()
    return (
        f"<h2>{t['summary']}</h2><p>{_e(t['totals'].format(**s))}</p>"
        f"<table><tr><th>{t['files']}</th><th>{t['unit']}</th><th>{t['status']}</th>"
        f"<th>{t['errors']}</th><th>{t['warnings']}</th></tr>{''.join(rows)}</table>"
    )


def _file(f: FileReport, n: int, lang: Lang) -> str:
    t = _T[lang]
    css = "ok" if f.status == "ok" else "bad"
    meta = (
        f'<p class="meta">{t["unit"]}：{_e(f.unit_name or "—")}　{t["template"]}：'
        f"{_e(f.template or '—')}　{t['sheet']}：{_e(f.sheet or '—')}　"
        f'<span class="{css}">{t[f.status]}</span>（{t["errors"]} {f.errors}，'
        f"{t['warnings']} {f.warnings}）</p>"
    )
    head = f'<h2 id="f{n}">{_e(f.path)}</h2>{meta}'
    if not f.findings:
        return f"{head}<p>{t['none']}</p>"
    rows = "".join(_row(group, lang) for group in group_findings(f.findings))
    cols = "".join(f"<th>{h}</th>" for h in t["head"])
    return f"{head}<table><tr>{cols}</tr>{rows}</table>"


def _row(group: list[Finding], lang: Lang) -> str:
    first = group[0]
    fixes = {g.fix.reason(lang) if g.fix else "" for g in group}
    fix = fixes.pop() if len(fixes) == 1 else ""
    if len(group) > 1:
        cell = cell_ranges([g.cell for g in group if g.cell])
        item = f"{len(group)} {_T[lang]['items']}"
        found, expected = "", "0"
    else:
        cell, item = first.cell or "—", first.label or ""
        found, expected = shown(first.found), shown(first.expected)
    return (
        f"<tr><td>{_e(cell)}</td><td>{_e(item)}</td>"
        f'<td class="{first.severity}">{_e(first.title(lang))}</td>'
        f"<td>{_e(first.message(lang))}</td><td class='n'>{_e(found)}</td>"
        f"<td class='n'>{_e(expected)}</td><td class='fix'>{_e(fix)}</td></tr>"
    )


def _e(text: object) -> str:
    return escape(str(text), quote=True)
