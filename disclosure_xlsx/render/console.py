"""Rich renderings for the terminal. Rich is imported here and nowhere else.

Everything shown comes from plain values (report rows, results, the spec); text that came
from a workbook, a roster or a file name is always passed as plain ``Text``, never as markup,
and through :func:`~..numbers.clean`, so no control character reaches the terminal.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text as RichText
from rich.tree import Tree

from ..check.report import FileReport, Report
from ..check.rows import report_rows
from ..numbers import clean, clip, shown
from ..spec import Spec
from ..spec.rules import RULE_KINDS
from ..text import Lang, ui
from ..text import Text as BiText

if TYPE_CHECKING:
    from rich.progress import Progress, Task

    from ..campaign import CollectResult, Outcome, ReturnRecord, Status, Total
    from ..mail import Delivery, FetchedMessage, FetchReport, PostResult
    from ..write.annotate import Annotated
    from ..write.fix import FixResult

_STYLE = {"error": "red", "warning": "yellow"}
_STATUS_STYLE = {"ok": "green", "invalid": "red", "unreadable": "red", "skipped": "yellow"}


def _plain(*parts: tuple[str, str] | str) -> RichText:
    """A line from (text, style) parts; the text is never read as markup, and control
    characters are shown as symbols, never sent to the terminal."""
    return RichText.assemble(
        *(clean(p) if isinstance(p, str) else (clean(p[0]), p[1]) for p in parts)
    )


def spec_tree(spec: Spec, lang: Lang = "zh") -> Tree:
    """The table as a tree: parts, tables, rows nested by level with units, and under each row
    the rules anchored on it."""
    root = Tree(_plain((spec.title, "bold"), " ", spec.subtitle, "  ", (spec.marker, "dim")))
    anchored: dict[str, list[int]] = {}
    for n, rule in enumerate(spec.rules):
        anchor = RULE_KINDS[rule.kind].excel(rule, lambda i: i).anchor
        anchored.setdefault(anchor, []).append(n)
    parts: dict[str, Tree] = {}
    for table in spec.tables:
        parent = root
        if table.part:
            if table.part not in parts:
                parts[table.part] = root.add(_plain((table.part, "bold")))
            parent = parts[table.part]
        if len(spec.tables) > 1:
            columns = ui("columns", lang)
            line = _plain(table.title or table.id, "  ", (table.id, "dim"), "  ", columns)
            for k, c in enumerate(table.column_specs):
                line.append_text(_plain("、" if k else "", c.full_label, " ", (c.id, "dim")))
            parent = parent.add(line)
        stack: list[Tree] = [parent]
        for rid in table.rows:
            items = spec.row_items(table.id, rid)
            first = items[0]
            depth = min(first.level, len(stack) - 1)
            line = _plain(first.row_label)
            if first.unit and len(table.columns) == 1:
                line.append_text(_plain(" ", (first.unit, "cyan")))
            if not first.is_data:
                line.append_text(_plain(" ", (f"({ui('heading', lang)})", "dim")))
            elif first.value_type:
                line.append_text(_plain(" ", (ui(first.value_type, lang), "dim")))
            line.append_text(_plain("  ", (rid, "dim")))
            node = stack[depth].add(line)
            for item in items:
                for n in anchored.get(item.id, []):
                    rule = spec.rules[n]
                    style = _STYLE[rule.severity]
                    node.add(_plain((f"✓ {ui(rule.severity, lang)}", style), " ", rule.desc(lang)))
            stack = [*stack[: depth + 1], node]
    for variant in spec.variants:
        root.add(_plain((f"{ui('variant', lang)} {variant.id}", "yellow"), " ", variant.desc(lang)))
    return root


def print_spec(spec: Spec, lang: Lang = "zh", console: Console | None = None) -> None:
    (console or Console()).print(spec_tree(spec, lang))


def error_console() -> Console:
    return Console(stderr=True, highlight=False)


def print_error(message: str, lang: Lang = "zh") -> None:
    error_console().print(_plain((ui("error.prefix", lang), "bold red"), message))


def print_line(message: str, console: Console | None = None) -> None:
    (console or Console(highlight=False)).print(_plain(message))


def print_notes(notes: tuple[BiText, ...], lang: Lang = "zh") -> None:
    """Notes about the input (values read from text), one yellow line each."""
    console = Console(highlight=False)
    for note in notes:
        console.print(_plain((ui("fill.note", lang), "yellow"), note(lang)))


def print_note(message: str) -> None:
    """A line on stderr (stdout may carry a report)."""
    error_console().print(_plain(message))


def file_view(report: FileReport, lang: Lang = "zh") -> Group:
    """One file: a header line and a table of findings a clerk can fix from."""
    status = ui(report.status, lang)
    counts = ui("counts", lang, errors=report.errors, warnings=report.warnings)
    unit = clip(report.unit_name or ui("unit.none", lang))
    zh = lang == "zh"
    # NOTE: the path on a line of its own: at 80 columns the fields after it would otherwise
    # wrap inside one another ("工作表" at a line's end, "统计表" on the next)
    head = _plain(
        (ui("col.file", lang) + " ", "bold"),
        (report.path, "bold"),
        "\n",
        (f"{ui('col.unit', lang)} ", "dim"),
        unit,
        (f"  {ui('col.template', lang)} ", "dim"),
        report.template or "—",
        (f"  {ui('col.sheet', lang)} ", "dim"),
        clip(report.sheet or "—"),
        "  ",
        (
            f"{status}（{counts}）" if zh else f"{status} ({counts})",
            f"bold {_STATUS_STYLE[report.status]}",
        ),
    )
    if not report.findings:
        return Group(head)
    table = Table(show_lines=False, expand=False, header_style="bold")
    heads = ("col.cell", "col.item", "col.problem", "col.found", "col.expected", "col.diff")
    for key, width in zip(heads, (24, 22, 60, 10, 8, 6), strict=True):
        table.add_column(ui(key, lang), overflow="fold", max_width=width)
    for row in report_rows(report.findings):
        problem = _plain((row.title(lang), _STYLE[row.severity]), " ", row.message(lang))
        if row.hint:
            problem.append_text(_plain("\n", (f"→ {row.hint(lang)}", "green")))
        found = row.found if row.found or len(row.findings) > 1 else _empty(row, lang)
        table.add_row(
            _plain(_breakable(row.cells(lang))),
            _plain(row.item(lang)),
            problem,
            _plain(found),
            _plain(row.expected),
            _plain(row.diff),
        )
    return Group(head, table)


def _breakable(cells: str) -> str:
    """A list of cell addresses that wraps between addresses, never inside one ('C1' and
    '2:C14' on two lines read as other cells)."""
    return cells.replace("、", "、 ")


def _empty(row: object, lang: Lang) -> str:
    """An empty text cell is said, not left blank."""
    first = row.first  # type: ignore[attr-defined]
    return ui("empty", lang) if first.found == "" else ""


def summary_view(report: Report, lang: Lang = "zh") -> Table:
    """One row per file, then the totals."""
    table = Table(title=ui("report.summary", lang), header_style="bold")
    for key in ("col.file", "col.unit", "col.status", "col.errors", "col.warnings"):
        folds = key in ("col.file", "col.unit")
        table.add_column(ui(key, lang), overflow="fold", no_wrap=not folds)
    for f in report.files:
        table.add_row(
            _plain(f.path),
            _plain(clip(f.unit_name or "")),
            _plain((ui(f.status, lang), _STATUS_STYLE[f.status])),
            str(f.errors),
            str(f.warnings),
        )
    s = report.summary()
    table.add_section()
    table.add_row(ui("totals", lang, **s), "", "", str(s["errors"]), str(s["warnings"]))
    return table


def batch_notes(report: Report, lang: Lang = "zh") -> list[RichText]:
    """Lines under the summary: departments that sent more than one return (the files passed
    over are listed in their own table above)."""
    lines: list[RichText] = []
    sep = "、" if lang == "zh" else ", "
    lines.extend(
        _plain((ui("duplicate.line", lang, unit=clip(name), paths=sep.join(paths)), "bold red"))
        for name, paths in report.duplicates()
    )
    return lines


def skipped_view(report: Report, lang: Lang = "zh") -> Table:
    """One row per file skipped, with its reason."""
    table = Table(header_style="bold")
    for key in ("col.file", "col.status", "col.details"):
        table.add_column(ui(key, lang), overflow="fold")
    for s in report.skipped:
        status = _plain((ui("skipped", lang), _STATUS_STYLE["skipped"]))
        table.add_row(_plain(s.path), status, _plain(s.reason(lang)))
    return table


def print_report(report: Report, lang: Lang = "zh", console: Console | None = None) -> None:
    console = console or Console()
    for f in report.files:
        console.print(file_view(f, lang), highlight=False)
        console.print()
    if report.skipped:
        console.print(skipped_view(report, lang), highlight=False)
        console.print()
    if len(report.files) > 1 or report.skipped:
        console.print(summary_view(report, lang), highlight=False)
    for line in batch_notes(report, lang):
        console.print(line, highlight=False)


def report_text(report: Report, lang: Lang = "zh", width: int = 160) -> str:
    """The console report as plain text (no colours), for a file."""
    console = Console(record=True, width=width, color_system=None, file=io.StringIO())
    print_report(report, lang, console)
    return console.export_text()


def changes_view(result: FixResult, lang: Lang = "zh") -> Group:
    """Every changed cell of a corrected copy: before -> after, and why."""
    head = _plain((ui("fix.wrote", lang, path=result.output, n=len(result.changes)), "bold"))
    if not result.changes:
        return Group(head)
    table = Table(header_style="bold")
    for key in ("col.cell", "col.item", "col.before", "col.after", "col.why"):
        table.add_column(ui(key, lang), overflow="fold")
    empty = ui("empty", lang)
    for c in result.changes:
        table.add_row(
            c.cell,
            _plain(c.label or ""),
            _plain(clip(shown(c.before)) or empty),
            _plain(clip(shown(c.after)) or empty),
            _plain(c.reason(lang)),
        )
    rows: list[object] = [head, table]
    rows.extend(_plain((ui("fix.skipped", lang, what=s), "yellow")) for s in result.skipped)
    return Group(*rows)  # type: ignore[arg-type]


def print_fix(result: FixResult, lang: Lang = "zh", console: Console | None = None) -> None:
    console = console or Console()
    console.print(changes_view(result, lang), highlight=False)
    console.print()
    console.print(_plain((ui("fix.after", lang), "bold")))
    console.print(file_view(result.after, lang), highlight=False)


def print_annotated(written: list[Annotated], lang: Lang = "zh") -> None:
    """One line per annotated copy, on stderr (stdout may carry the JSON report)."""
    console = error_console()
    for a in written:
        if a.output:
            console.print(_plain(ui("annot.written", lang, path=a.output)))
        else:
            message = a.error(lang) if a.error else ""
            console.print(_plain((ui("annot.failed", lang), "red"), " ", message))
    if not written:
        console.print(_plain(ui("annot.none", lang)))


def progress_bar(lang: Lang = "zh") -> Progress:
    """A progress bar on stderr for batches (silent when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn

    class FileName(ProgressColumn):
        """The file being checked; a file name is file text too."""

        def render(self, task: Task) -> RichText:
            return _plain(clip(task.description, 60))

    return Progress(
        TextColumn(ui("progress", lang)),
        BarColumn(),
        MofNCompleteColumn(),
        FileName(),
        console=Console(stderr=True),
        transient=True,
    )


# --- the collection round (campaign) ---------------------------------------------------------
# Drawn from the round's plain values (disclosure_xlsx.campaign: Status, Outcome, Total).

_STATE_STYLE = {"ok": "green", "invalid": "red", "unreadable": "red", "missing": "yellow"}


def print_campaign_created(
    folder: object, n: int, templates: object, round_id: str, previous: str | None, lang: Lang
) -> None:
    console = Console(highlight=False)
    console.print(
        _plain(ui("campaign.created", lang, folder=folder, n=n, templates=templates, id=round_id))
    )
    if previous:
        console.print(_plain(ui("campaign.previous", lang, previous=previous)))


def outcome_line(outcome: Outcome, lang: Lang = "zh") -> RichText:
    """One collected input as one line."""
    source = outcome.source
    if outcome.action == "skipped":
        note = outcome.note(lang) if outcome.note else ""
        return _plain(("– ", "yellow"), ui("campaign.skipped", lang, source=source, reason=note))
    if outcome.action == "duplicate":
        note = outcome.note(lang) if outcome.note else ""
        return _plain(("= ", "dim"), ui("campaign.duplicate", lang, source=source, note=note))
    if outcome.department is None:
        reason = outcome.note(lang) if outcome.note else ""
        return _plain(
            ("? ", "bold red"), ui("campaign.unmatched.line", lang, source=source, reason=reason)
        )
    how = ui(f"campaign.by.{outcome.matched_by}", lang)
    line = _plain(
        ("✓ " if outcome.status == "ok" else "✗ ", _STATUS_STYLE[outcome.status or "unreadable"]),
        ui("campaign.recorded", lang, source=source, department=outcome.department_name, how=how),
    )
    counts = ui("counts", lang, errors=outcome.errors, warnings=outcome.warnings)
    status = ui(outcome.status or "unreadable", lang)
    line.append_text(
        _plain(
            "  ",
            (
                f"{status}（{counts}）" if lang == "zh" else f"{status} ({counts})",
                _STATUS_STYLE[outcome.status or "unreadable"],
            ),
        )
    )
    return line


def print_outcome(outcome: Outcome, lang: Lang = "zh", console: Console | None = None) -> None:
    (console or Console(highlight=False)).print(outcome_line(outcome, lang))


def print_collected(result: CollectResult, lang: Lang = "zh") -> None:
    """The notes and the summary line after the per-file lines."""
    console = Console(highlight=False)
    for note in result.notes:
        console.print(_plain((note(lang), "yellow")))
    console.print(_plain((result.line()(lang), "bold")))


def campaign_status_view(status: Status, lang: Lang = "zh") -> Group:
    """What a clerk keeps open: one row per department, the unmatched returns, the summary."""
    info = status.round
    deadline = info.deadline or ui("campaign.no_deadline", lang)
    head = _plain(
        (ui("campaign.header", lang, title=info.title, year=info.year, deadline=deadline), "bold")
    )
    table = Table(header_style="bold")
    for key in (
        "col.no",
        "col.unit",
        "col.status",
        "campaign.col.versions",
        "campaign.col.received",
        "col.errors",
        "col.warnings",
        "campaign.col.overdue",
        "col.file",
    ):
        table.add_column(ui(key, lang), overflow="fold")
    for n, d in enumerate(status.departments, start=1):
        table.add_row(
            str(n),
            _plain(d.name),
            _plain((d.state_text(lang), _STATE_STYLE[d.state])),
            str(d.versions) if d.versions else "",
            (d.received_at or "").replace("T", " ")[:16],
            str(d.errors) if d.versions else "",
            str(d.warnings) if d.versions else "",
            _plain((ui("campaign.overdue", lang), "red")) if d.overdue else "",
            _plain((d.file or "").rsplit("/", 1)[-1]),
        )
    parts: list[object] = [head, table]
    if status.unmatched:
        unmatched = Table(title=ui("campaign.unmatched", lang), header_style="bold")
        for key in ("col.no", "col.file", "col.why"):
            unmatched.add_column(ui(key, lang), overflow="fold")
        for n, u in enumerate(status.unmatched, start=1):
            unmatched.add_row(str(n), _plain(u.file), _plain(u.reason(lang)))
        parts.append(unmatched)
    parts.append(_plain((status.summary.line()(lang), "bold")))
    return Group(*parts)  # type: ignore[arg-type]


def print_campaign_status(
    status: Status, lang: Lang = "zh", console: Console | None = None
) -> None:
    (console or Console()).print(campaign_status_view(status, lang), highlight=False)


def print_assigned(record: ReturnRecord, department: str, lang: Lang = "zh") -> None:
    counts = ui("counts", lang, errors=record.errors, warnings=record.warnings)
    status = ui(record.status, lang)
    Console(highlight=False).print(
        _plain(
            ui("campaign.assigned", lang, file=record.file, department=department),
            (
                f"{status}（{counts}）" if lang == "zh" else f"{status} ({counts})",
                _STATUS_STYLE[record.status],
            ),
        )
    )


def print_total(total: Total, lang: Lang = "zh", output: object = None) -> None:
    """Who is in the total, who is not and why, and the total's own check."""
    console = Console(highlight=False)
    if output is not None:
        console.print(_plain((ui("campaign.total.written", lang, path=output), "bold")))
    included = [p.department.name for p in total.parts if p.included]
    sep = "、" if lang == "zh" else ", "
    console.print(
        _plain(ui("campaign.total.included", lang, n=len(included), names=sep.join(included)))
    )
    if total.excluded:
        console.print(_plain(ui("campaign.total.excluded", lang, n=len(total.excluded))))
        for p in total.excluded:
            reason = p.reason(lang) if p.reason else ""
            console.print(_plain("  ", p.department.name, ("  " + reason, "yellow")))
    if total.report is None:
        return
    if total.report.status == "ok":
        console.print(_plain((ui("campaign.total.consistent", lang), "green")))
    else:
        console.print(_plain((ui("campaign.total.inconsistent", lang), "red")))
        console.print(file_view(total.report, lang), highlight=False)


# --- e-mail for the round (campaign send, fetch, reply) -----------------------------------------
# Drawn from disclosure_xlsx.mail's plain values (Delivery, PostResult, FetchedMessage,
# FetchReport). Names, addresses, subjects and server answers came from outside: plain text.

_DELIVERY_STYLE = {
    "sent": "green",
    "draft": "green",
    "failed": "red",
    "not-sent": "red",
    "no-address": "yellow",
}


def delivery_line(delivery: Delivery, lang: Lang = "zh") -> RichText:
    """One department's letter as one line."""
    kind = ui(f"mail.kind.{delivery.kind}", lang)
    name = delivery.department
    reason = delivery.reason(lang) if delivery.reason else ""
    style = _DELIVERY_STYLE[delivery.outcome]
    if delivery.outcome == "sent":
        to = ", ".join(delivery.recipients)
        text = ui("mail.sent", lang, department=name, kind=kind, to=to)
        mark = "✓ "
    elif delivery.outcome == "draft":
        text = ui("mail.draft", lang, file=delivery.file, department=name, kind=kind)
        mark = "✓ "
    elif delivery.outcome == "no-address":
        text = ui("mail.no_address", lang, department=name, kind=kind, reason=reason)
        mark = "– "
    elif delivery.outcome == "not-sent":
        text = ui("mail.not_sent", lang, department=name, kind=kind)
        mark = "✗ "
    else:
        text = ui("mail.failed", lang, department=name, kind=kind, reason=reason)
        mark = "✗ "
    line = _plain((mark, style), text)
    if delivery.refused:
        refused = "; ".join(delivery.refused)
        line.append_text(_plain("  ", (ui("mail.refused", lang, refused=refused), "yellow")))
    if delivery.note:
        line.append_text(_plain("  ", (delivery.note(lang), "yellow")))
    return line


def print_delivery(delivery: Delivery, lang: Lang = "zh", console: Console | None = None) -> None:
    (console or Console(highlight=False)).print(delivery_line(delivery, lang))


def print_posted(result: PostResult, lang: Lang = "zh") -> None:
    """After the per-department lines: why sending stopped, if it did, and the summary."""
    console = Console(highlight=False)
    if result.stopped is not None:
        console.print(_plain((ui("mail.stopped", lang, reason=result.stopped(lang)), "bold red")))
    if not result.deliveries:
        console.print(_plain(ui("mail.nothing", lang)))
    console.print(_plain((result.line()(lang), "bold")))


def fetched_line(message: FetchedMessage, lang: Lang = "zh") -> RichText:
    """A note about one fetched message (a department's mail without attachment, a sender
    not on the roster)."""
    note = message.note(lang) if message.note else ""
    return _plain(("! ", "yellow"), ui("mail.fetch.note", lang, message=message.label, note=note))


def print_fetched_note(
    message: FetchedMessage, lang: Lang = "zh", console: Console | None = None
) -> None:
    (console or Console(highlight=False)).print(fetched_line(message, lang))


def mail_progress(lang: Lang = "zh") -> Progress:
    """The progress bar of a fetch (on stderr, gone when done; silent when not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn(ui("mail.progress", lang)),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def print_fetched(report: FetchReport, lang: Lang = "zh", move_to: str | None = None) -> None:
    """After the per-file lines: the folder made or the mail moved, and the summary."""
    console = Console(highlight=False)
    if report.folder_created and move_to:
        console.print(_plain(ui("mail.fetch.created", lang, folder=move_to)))
    if report.moved and move_to:
        key = "mail.fetch.copied" if report.copied_only else "mail.fetch.moved"
        console.print(_plain(ui(key, lang, n=report.moved, folder=move_to)))
    console.print(_plain((report.line()(lang), "bold")))
