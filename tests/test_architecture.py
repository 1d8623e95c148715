"""The package's shape: data flows one way, and no two modules import each other.

Layers, lowest first: the base (errors, text, numbers, outputs, processes), spec, read, check,
render, then the collection round, mail, web, and the CLI on top. A module may import its own
layer or lower ones, never an upper one; imports only for type checking are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "disclosure_xlsx"
LAYERS = [
    {"errors", "text", "numbers", "outputs", "processes"},
    {"spec"},
    {"read"},
    {"check"},
    {"write"},
    {"render"},
    {"campaign"},
    {"mail"},
    {"web"},
    {"cli", "__init__", "__main__"},
]


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    """Modules of this package that ``path`` imports at run time (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path)
    package = here if _is_package(here) else here.rpartition(".")[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names]
            modules = [
                n
                for n in names
                if (PACKAGE.parent / (n.replace(".", "/") + ".py")).exists() or _is_package(n)
            ]
            out.update(modules)  # `from . import tables` depends on tables, not on the package
            if len(modules) < len(names):
                out.add(target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.startswith("disclosure_xlsx") and m != here}


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return next(n for n, layer in enumerate(LAYERS) if top in layer)


def test_every_module_has_a_layer():
    for module in _graph():
        _layer(module)


def test_lower_layers_never_import_upper_ones():
    wrong = [(m, i) for m, imports in _graph().items() for i in imports if _layer(i) > _layer(m)]
    assert wrong == []


def test_no_import_cycles():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    assert cycles == []


def test_rich_is_imported_in_one_module_only():
    users = {
        _module(p)
        for p in PACKAGE.rglob("*.py")
        if any(
            isinstance(n, (ast.Import, ast.ImportFrom))
            and any((getattr(n, "module", None) or a.name).split(".")[0] == "rich" for a in n.names)
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        )
    }
    assert users == {"disclosure_xlsx.render.console"}
