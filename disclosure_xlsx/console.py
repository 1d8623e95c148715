"""Rich renderings for the terminal. Rich is imported here and nowhere else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .findings import Finding
from .i18n import Lang, t
from .report import FileReport, Report, cell_ranges, group_findings
from .spec import Spec
from .values import shown

if TYPE_CHECKING:
    from .annotation import Annotated
    from .fix import FixResult

_STYLE = {"error": "red", "warning": "yellow"}


def spec_tree(spec: Spec, lang: Lang = "zh") -> Tree:
    """The table as a tree: items with units, and under each item the rules anchored on it."""
    from .rules import RULE_KINDS

    root = Tree(f"[bold]{spec.title}[/bold] {spec.subtitle}  [dim]{spec.marker}[/dim]")
    anchored: dict[str, list] = {}
    for rule in spec.rules:
        anchor = RULE_KINDS[rule.kind].excel(rule, lambda i: i).anchor
        anchored.setdefault(anchor, []).append(rule)
    if spec.is_matrix:
        return _matrix_tree(spec, root, anchored, lang)
    parents: list[Tree] = [root]
    for item in spec.items:
        depth = min(item.level, len(parents) - 1)
        unit = f" [cyan]{item.unit}[/cyan]" if item.unit else ""
        kind = f" [dim]({t('heading', lang)})[/dim]" if not item.is_data else ""
        vtype = f" [dim]{t(item.value_type, lang)}[/dim]" if item.value_type else ""
        node = parents[depth].add(f"{item.label}{unit}{kind}{vtype}  [dim]{item.id}[/dim]")
        for rule in anchored.get(item.id, []):
            desc = rule.desc if lang == "zh" else rule.desc_en
            style = _STYLE[rule.severity]
            node.add(f"[{style}]✓ {t(rule.severity, lang)}[/{style}] {desc}")
        parents = [*parents[: depth + 1], node]
    return root


def _matrix_tree(spec: Spec, root: Tree, anchored: dict[str, list], lang: Lang) -> Tree:
    """Matrix specs: one node per table (its columns on one line), one per row, rules under it."""
    part = None
    part_node = root
    for table in spec.tables:
        if table.part != part:
            part, part_node = table.part, root.add(f"[bold]{table.part}[/bold]")
        columns = "、".join(f"{c.full_label} [dim]{c.id}[/dim]" for c in table.column_specs)
        node = part_node.add(f"{table.title or table.id}  [dim]{table.id}[/dim]  列：{columns}")
        for rid in table.rows:
            items = spec.row_items(table.id, rid)
            first = items[0]
            unit = f" [cyan]{first.unit}[/cyan]" if first.unit else ""
            kind = f" [dim]({t('heading', lang)})[/dim]" if not first.is_data else ""
            vtype = f" [dim]{t(first.value_type, lang)}[/dim]" if first.value_type else ""
            indent = "  " * first.level
            row = node.add(f"{indent}{first.row_label}{unit}{kind}{vtype}  [dim]{rid}[/dim]")
            for item in items:
                for rule in anchored.get(item.id, []):
                    desc = rule.desc if lang == "zh" else rule.desc_en
                    style = _STYLE[rule.severity]
                    row.add(f"[{style}]✓ {t(rule.severity, lang)}[/{style}] {desc}")
    for variant in spec.variants:
        desc = variant.desc if lang == "zh" else variant.desc_en
        root.add(f"[yellow]变体 {variant.id}[/yellow] {desc}")
    return root


def print_spec(spec: Spec, lang: Lang = "zh", console: Console | None = None) -> None:
    (console or Console()).print(spec_tree(spec, lang))


def error_console() -> Console:
    return Console(stderr=True)


def print_error(message: str) -> None:
    error_console().print(f"[bold red]错误/Error:[/bold red] {message}", highlight=False)


def print_line(message: str) -> None:
    Console().print(message, highlight=False)


_STATUS = {
    "ok": ("通过", "ok", "green"),
    "invalid": ("有错误", "invalid", "red"),
    "unreadable": ("无法读取", "unreadable", "red"),
}
_HEAD = {
    "zh": ("单元格", "项目", "问题", "填报值", "应为", "差额"),
    "en": ("Cell", "Item", "Problem", "Found", "Expected", "Diff"),
}


def _show(value: object) -> str:
    """As in every report, but an empty text cell is said, not left blank."""
    return "（空）" if value == "" else shown(value)


def _hint(group: list[Finding], lang: Lang) -> str | None:
    """The suggestion of a finding (or of a run of blanks, when they all share it)."""
    reasons = {f.fix.reason(lang) if f.fix else None for f in group}
    if len(reasons) != 1:
        return None
    return reasons.pop()


def file_view(report: FileReport, lang: Lang = "zh") -> Group:
    """One file: a header line and a table of findings a clerk can fix from."""
    label, label_en, colour = _STATUS[report.status]
    status = label if lang == "zh" else label_en
    counts = (
        f"错误 {report.errors}，提示 {report.warnings}"
        if lang == "zh"
        else f"{report.errors} errors, {report.warnings} warnings"
    )
    unit = report.unit_name or ("（未填）" if lang == "zh" else "(none)")
    head = Text.assemble(
        ("文件 " if lang == "zh" else "File ", "bold"),
        (report.path, "bold"),
        ("  单位名称 " if lang == "zh" else "  Department ", "dim"),
        unit,
        ("  模板 " if lang == "zh" else "  Template ", "dim"),
        report.template or "—",
        ("  工作表 " if lang == "zh" else "  Sheet ", "dim"),
        report.sheet or "—",
        "  ",
        (f"{status}（{counts}）" if lang == "zh" else f"{status} ({counts})", f"bold {colour}"),
    )
    if not report.findings:
        return Group(head)
    table = Table(show_lines=False, expand=False, header_style="bold")
    for name, width in zip(_HEAD[lang], (24, 22, 60, 10, 8, 6), strict=True):
        table.add_column(name, overflow="fold", max_width=width)
    for group in group_findings(report.findings):
        first = group[0]
        style = _STYLE[first.severity]
        problem = f"[{style}]{first.title(lang)}[/{style}] {escape(first.message(lang))}"
        hint = _hint(group, lang)
        if hint:
            problem += f"\n[green]→ {escape(hint)}[/green]"
        if len(group) > 1:
            cells = cell_ranges([f.cell for f in group if f.cell])
            what = f"{len(group)} 项" if lang == "zh" else f"{len(group)} items"
            table.add_row(cells, what, problem, "", "0", "")
            continue
        table.add_row(
            first.cell or "—",
            first.label or "",
            problem,
            _show(first.found),
            _show(first.expected),
            _show(first.diff),
        )
    return Group(head, table)


def summary_view(report: Report, lang: Lang = "zh") -> Table:
    """One row per file, then the totals."""
    zh = lang == "zh"
    table = Table(title="汇总" if zh else "Summary", header_style="bold")
    for name in (
        ("文件", "单位名称", "状态", "错误", "提示")
        if zh
        else ("File", "Department", "Status", "Errors", "Warnings")
    ):
        table.add_column(name)
    for f in report.files:
        label, label_en, colour = _STATUS[f.status]
        table.add_row(
            f.path,
            f.unit_name or "",
            f"[{colour}]{label if zh else label_en}[/{colour}]",
            str(f.errors),
            str(f.warnings),
        )
    s = report.summary()
    table.add_section()
    total = (
        f"共 {s['files']} 个：通过 {s['ok']}，有错误 {s['invalid']}，无法读取 {s['unreadable']}"
        if zh
        else f"{s['files']} files: {s['ok']} ok, {s['invalid']} invalid, {s['unreadable']} unreadable"
    )
    table.add_row(total, "", "", str(s["errors"]), str(s["warnings"]))
    return table


def print_report(report: Report, lang: Lang = "zh", console: Console | None = None) -> None:
    console = console or Console()
    for f in report.files:
        console.print(file_view(f, lang), highlight=False)
        console.print()
    if len(report.files) > 1:
        console.print(summary_view(report, lang), highlight=False)


def changes_view(result: FixResult, lang: Lang = "zh") -> Group:
    """Every changed cell of a corrected copy: before -> after, and why."""
    zh = lang == "zh"
    head = Text.assemble(
        ("已写入 " if zh else "Wrote ", "bold"),
        (str(result.output), "bold"),
        f"（改动 {len(result.changes)} 个单元格）"
        if zh
        else f" ({len(result.changes)} cells changed)",
    )
    if not result.changes:
        return Group(head)
    table = Table(header_style="bold")
    for name in (
        ("单元格", "项目", "原值", "新值", "原因")
        if zh
        else ("Cell", "Item", "Before", "After", "Why")
    ):
        table.add_column(name, overflow="fold")
    empty = "（空）" if zh else "(empty)"
    for c in result.changes:
        table.add_row(
            c.cell,
            c.label or "",
            _show(c.before) or empty,
            _show(c.after) or empty,
            c.reason(lang),
        )
    rows: list = [head, table]
    rows.extend(
        Text(f"未修改 {s}" if zh else f"not changed: {s}", style="yellow") for s in result.skipped
    )
    return Group(*rows)


def print_fix(result: FixResult, lang: Lang = "zh", console: Console | None = None) -> None:
    console = console or Console()
    console.print(changes_view(result, lang), highlight=False)
    console.print()
    console.print("修正后的校验结果：" if lang == "zh" else "The copy, validated:", style="bold")
    console.print(file_view(result.after, lang), highlight=False)


def print_annotated(written: list[Annotated], lang: Lang = "zh") -> None:
    """One line per annotated copy, on stderr (stdout may carry the JSON report)."""
    console = error_console()
    zh = lang == "zh"
    for a in written:
        if a.output:
            console.print(f"已写出批注副本：{a.output}" if zh else f"annotated copy: {a.output}")
        else:
            console.print(f"[red]未能批注[/red] {escape(a.error or '')}", highlight=False)
    if not written:
        console.print("没有需要批注的文件" if zh else "no file needed annotating")


def progress_bar():
    """A progress bar on stderr for batches (silent when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("校验中"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
