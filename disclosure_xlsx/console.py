"""Rich renderings for the terminal. Rich is imported here and nowhere else."""

from __future__ import annotations

from rich.console import Console
from rich.tree import Tree

from .i18n import Lang, t
from .spec import Spec

_STYLE = {"error": "red", "warning": "yellow"}


def spec_tree(spec: Spec, lang: Lang = "zh") -> Tree:
    """The table as a tree: items with units, and under each item the rules anchored on it."""
    from .rules import RULE_KINDS

    root = Tree(f"[bold]{spec.title}[/bold] {spec.subtitle}  [dim]{spec.marker}[/dim]")
    anchored: dict[str, list] = {}
    for rule in spec.rules:
        anchor = RULE_KINDS[rule.kind].excel(rule, lambda i: i).anchor
        anchored.setdefault(anchor, []).append(rule)
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


def print_spec(spec: Spec, lang: Lang = "zh", console: Console | None = None) -> None:
    (console or Console()).print(spec_tree(spec, lang))


def error_console() -> Console:
    return Console(stderr=True)


def print_error(message: str) -> None:
    error_console().print(f"[bold red]错误/Error:[/bold red] {message}", highlight=False)


def print_line(message: str) -> None:
    Console().print(message, highlight=False)
