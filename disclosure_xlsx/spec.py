"""The statistics table of one template year, declared as data and checked when it loads.

A spec file (``specs/<year>.toml``) lists tables; a table has rows and columns, and every
(row, column) pair of a data row is one *item* with its own stable id. The 2014 table has one
value column, so its item ids are its row ids; the 2021 national format's matrices use
``row.column`` ids. Rules refer to item ids and are implemented per kind in :mod:`rules`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from .errors import SpecError

Kind = Literal["heading", "data"]
ValueType = Literal["count", "decimal"]
Severity = Literal["error", "warning"]

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")
_VALUE_TYPES = ("count", "decimal")


@dataclass(frozen=True)
class Item:
    """One row of the printed table (and, for data rows, one cell to fill)."""

    id: str
    label: str
    level: int
    kind: Kind
    unit: str | None
    value_type: ValueType | None
    section: str
    table: str
    aliases: tuple[str, ...] = ()
    max_value: float | None = None  # above this a value is implausible (万元 entered in 元)

    @property
    def is_data(self) -> bool:
        return self.kind == "data"

    @property
    def short_label(self) -> str:
        """The label without numbering and trailing remarks, for one-line arithmetic."""
        return short_label(self.label)


@dataclass(frozen=True)
class Rule:
    """One declared relation between items; ``refs`` maps each role to item ids."""

    kind: str
    refs: dict[str, tuple[str, ...]]
    severity: Severity
    desc: str
    desc_en: str
    index: int

    _items: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_items", tuple(i for ids in self.refs.values() for i in ids))

    def items(self) -> tuple[str, ...]:
        """Every item the rule involves, in declaration order."""
        return self._items

    def one(self, role: str) -> str:
        return self.refs[role][0]

    def many(self, role: str) -> tuple[str, ...]:
        return self.refs[role]


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    header: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    """A whole template year: items in printed order, rules, and the texts of the sheet."""

    id: str
    year: str
    version: int
    title: str
    subtitle: str
    note: str
    units: dict[str, ValueType]
    tables: tuple[Table, ...]
    items: tuple[Item, ...]
    rules: tuple[Rule, ...]
    source: str = field(default="", compare=False)
    _by_id: dict[str, Item] = field(default_factory=dict, init=False, repr=False, compare=False)

    _rules_for: dict[str, tuple[Rule, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {i.id: i for i in self.items})
        by_item: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for item_id in dict.fromkeys(rule.items()):
                by_item.setdefault(item_id, []).append(rule)
        object.__setattr__(self, "_rules_for", {k: tuple(v) for k, v in by_item.items()})

    @property
    def marker(self) -> str:
        """The tag written into templates so a returned workbook names its spec exactly."""
        return f"disclosure-xlsx:{self.id}:{self.year}:{self.version}"

    def item(self, item_id: str) -> Item:
        return self._by_id[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._by_id

    def data_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.is_data)

    def rules_for(self, item_id: str) -> tuple[Rule, ...]:
        return self._rules_for.get(item_id, ())


_PREFIX = re.compile(
    r"^(其中[:：])?\s*([（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])?"
)
_REMARK = re.compile(r"[（(][^（）()]*[)）]$")


def short_label(label: str) -> str:
    """Strip '（一）', '1.', '一、', '其中：' prefixes and a trailing remark in brackets."""
    text = _PREFIX.sub("", label, count=1)
    while True:
        shorter = _REMARK.sub("", text)
        if shorter == text or not shorter:
            return text
        text = shorter


def available_years() -> list[str]:
    """Years that have a shipped spec file."""
    files = resources.files("disclosure_xlsx") / "specs"
    return sorted(p.name.removesuffix(".toml") for p in files.iterdir() if p.name.endswith(".toml"))


@cache
def load_spec(year: str = "2014") -> Spec:
    """Load and check the shipped spec of a template year."""
    if year not in available_years():
        raise SpecError(f"没有 {year} 年度的表格定义（可用：{', '.join(available_years())}）")
    path = resources.files("disclosure_xlsx") / "specs" / f"{year}.toml"
    return parse_spec(path.read_text(encoding="utf-8"), source=f"specs/{year}.toml")


def load_spec_file(path: Path) -> Spec:
    """Load and check a spec from any file (for spec authors and tests)."""
    return parse_spec(path.read_text(encoding="utf-8"), source=str(path))


def parse_spec(text: str, source: str = "<spec>") -> Spec:
    """Build a :class:`Spec` from TOML text, refusing anything inconsistent."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: TOML 语法错误：{exc}") from None
    return _Builder(data, source).build()


class _Builder:
    def __init__(self, data: dict, source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, message: str) -> SpecError:
        return SpecError(f"{self.source}: {message}")

    def build(self) -> Spec:
        head = self.data.get("spec")
        if not isinstance(head, dict):
            raise self.fail("缺少 [spec] 段")
        for key in ("id", "year", "version", "title"):
            if key not in head:
                raise self.fail(f"[spec] 缺少 {key}")
        units = self.data.get("units", {})
        for unit, vtype in units.items():
            if vtype not in _VALUE_TYPES:
                raise self.fail(f"单位 {unit!r} 的类型 {vtype!r} 未知（可用：count, decimal）")
        limits = self.data.get("plausible_max", {})
        for unit in limits:
            if unit not in units:
                raise self.fail(f"[plausible_max] 的单位 {unit!r} 未在 [units] 中声明")
        tables, items = self.tables(units, limits)
        rules = self.rules({i.id: i for i in items})
        return Spec(
            id=str(head["id"]),
            year=str(head["year"]),
            version=int(head["version"]),
            title=str(head["title"]),
            subtitle=str(head.get("subtitle", "")),
            note=str(head.get("note", "")),
            units=dict(units),
            tables=tuple(tables),
            items=tuple(items),
            rules=tuple(rules),
            source=self.source,
        )

    def tables(
        self, units: dict[str, ValueType], limits: dict[str, float]
    ) -> tuple[list[Table], list[Item]]:
        raw_tables = self.data.get("tables")
        if not raw_tables:
            raise self.fail("没有定义任何表格（[[tables]]）")
        tables: list[Table] = []
        items: list[Item] = []
        seen: set[str] = set()
        for t in raw_tables:
            columns = [c["id"] for c in t.get("columns", [{"id": "value"}])]
            single = len(columns) == 1
            table = Table(
                id=t["id"],
                title=t.get("title", ""),
                header=tuple(t.get("header", ())),
                columns=tuple(columns),
            )
            tables.append(table)
            section = ""
            for row in t.get("rows", []):
                rid = row.get("id")
                if not isinstance(rid, str) or not _ID.match(rid):
                    raise self.fail(f"行标识 {rid!r} 无效：只能用小写字母、数字和下划线")
                kind = row.get("kind", "data")
                if kind not in ("heading", "data"):
                    raise self.fail(f"{rid}: kind {kind!r} 未知（可用：heading, data）")
                level = int(row.get("level", 0))
                if level == 0:
                    section = rid
                unit = row.get("unit")
                if kind == "data" and not unit:
                    raise self.fail(f"{rid}: 数据行必须有单位")
                if unit and unit not in units:
                    raise self.fail(f"{rid}: 单位 {unit!r} 未在 [units] 中声明")
                ids = [rid] if single or kind == "heading" else [f"{rid}.{c}" for c in columns]
                for item_id in ids:
                    if item_id in seen:
                        raise self.fail(f"项目标识 {item_id!r} 重复")
                    seen.add(item_id)
                    items.append(
                        Item(
                            id=item_id,
                            label=str(row["label"]).strip(),
                            level=level,
                            kind=kind,
                            unit=unit,
                            value_type=units.get(unit) if kind == "data" else None,
                            section=section or rid,
                            table=table.id,
                            aliases=tuple(row.get("aliases", ())),
                            max_value=limits.get(unit) if kind == "data" else None,
                        )
                    )
        return tables, items

    def rules(self, items: dict[str, Item]) -> list[Rule]:
        from .rules import RULE_KINDS  # rule kinds own their roles; imported late to avoid a cycle

        rules: list[Rule] = []
        for index, raw in enumerate(self.data.get("rules", []), start=1):
            kind = raw.get("kind")
            where = f"第 {index} 条规则（{kind}）"
            if kind not in RULE_KINDS:
                known = ", ".join(sorted(RULE_KINDS))
                raise self.fail(f"{where}: 规则类型 {kind!r} 未知（可用：{known}）")
            impl = RULE_KINDS[kind]
            refs: dict[str, tuple[str, ...]] = {}
            for role, many in impl.roles.items():
                if role not in raw:
                    raise self.fail(f"{where}: 缺少 {role}")
                value = raw[role]
                ids = tuple(value) if many else (value,)
                if many and (not isinstance(value, list) or not value):
                    raise self.fail(f"{where}: {role} 应为非空列表")
                for item_id in ids:
                    if item_id not in items:
                        raise self.fail(f"{where}: 未知项目 {item_id!r}")
                    if not items[item_id].is_data:
                        raise self.fail(f"{where}: {item_id!r} 是标题行，不能参与计算")
                refs[role] = ids
            extra = set(raw) - set(impl.roles) - {"kind", "severity", "desc", "desc_en"}
            if extra:
                raise self.fail(f"{where}: 不认识的字段 {', '.join(sorted(extra))}")
            severity = raw.get("severity", "error")
            if severity not in ("error", "warning"):
                raise self.fail(f"{where}: severity {severity!r} 未知（可用：error, warning）")
            if not raw.get("desc"):
                raise self.fail(f"{where}: 缺少中文说明 desc")
            rule = Rule(kind, refs, severity, raw["desc"], raw.get("desc_en", raw["desc"]), index)
            if impl.same_unit:
                found_units = {items[i].unit for i in rule.items()}
                if len(found_units) > 1:
                    raise self.fail(
                        f"{where}: 参与计算的项目单位不同（{'、'.join(sorted(map(str, found_units)))}）"
                    )
            rules.append(rule)
        self.check_cycles(rules)
        return rules

    def check_cycles(self, rules: list[Rule]) -> None:
        """A total may not (indirectly) be one of its own parts."""
        from .rules import RULE_KINDS

        graph: dict[str, set[str]] = {}
        for rule in rules:
            for whole, part in RULE_KINDS[rule.kind].edges(rule):
                graph.setdefault(whole, set()).add(part)
        state: dict[str, int] = {}

        def visit(node: str, path: list[str]) -> None:
            state[node] = 1
            for nxt in sorted(graph.get(node, ())):
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
                    raise self.fail(f"规则构成循环：{' → '.join(cycle)}")
                if not state.get(nxt):
                    visit(nxt, [*path, nxt])
            state[node] = 2

        for node in sorted(graph):
            if not state.get(node):
                visit(node, [node])
