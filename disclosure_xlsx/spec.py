"""The statistics table of one template year, declared as data and checked when it loads.

A spec file (``specs/<year>.toml``) lists tables; a table has rows and columns, and every
(row, column) pair of a data row is one *item* with its own stable id. The 2014 table has one
value column, so its item ids are its row ids; the 2021 national format's matrices use
``row.column`` ids. Rules refer to item ids and are implemented per kind in :mod:`rules`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, wraps
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from .errors import SpecError

T = TypeVar("T")


def by_identity(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache ``fn(obj, *args)`` per object identity.

    Specs and rules hold dicts, so they cannot be hashed for ``functools.cache``; they live as
    long as the process (``load_spec`` keeps them), and the cache keeps each one alive too, so
    an id is never reused for another object while its entry stands.
    """
    cache: dict[tuple, tuple[object, T]] = {}

    @wraps(fn)
    def wrapper(obj: object, *args: object) -> T:
        key = (id(obj), *args)
        hit = cache.get(key)
        if hit is None or hit[0] is not obj:
            hit = cache[key] = (obj, fn(obj, *args))
        return hit[1]

    return wrapper


Kind = Literal["heading", "data"]
ValueType = Literal["count", "decimal"]
Severity = Literal["error", "warning"]

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")
_VALUE_TYPES = ("count", "decimal")
_TABLE_KEYS = frozenset(
    {"id", "title", "part", "header", "unit", "unit_column", "row_labels", "columns", "rows"}
)


def _group(column: dict) -> tuple[str, ...]:
    group = column.get("group", ())
    return (group,) if isinstance(group, str) else tuple(group)


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
    row: str = ""  # the row id (== id for one-column tables)
    column: str = ""  # the column id
    row_label: str = ""  # the printed row label, what a pasted table is matched by

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
class Column:
    """A value column of a table; ``group`` is the path of merged headers above its label."""

    id: str
    label: str
    group: tuple[str, ...] = ()
    unit: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def full_label(self) -> str:
        return "·".join((*self.group, self.label))


@dataclass(frozen=True)
class Table:
    """One printed table. A one-column table with a unit column is the 2014 layout."""

    id: str
    title: str
    header: tuple[str, ...]
    columns: tuple[str, ...]
    part: str = ""  # the section title printed above the table (several tables may share it)
    column_specs: tuple[Column, ...] = ()
    rows: tuple[str, ...] = ()
    unit_column: bool = True
    row_labels: bool = True

    @property
    def is_matrix(self) -> bool:
        """Laid out as label | value columns (no unit column): the 2021 tables."""
        return not self.unit_column

    def column(self, column_id: str) -> Column:
        return next(c for c in self.column_specs if c.id == column_id)


@dataclass(frozen=True)
class Variant:
    """A layout seen in real returns in which a heading row is filled as one data row."""

    id: str
    row: str
    replaces: tuple[str, ...]
    desc: str
    desc_en: str


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
    variants: tuple[Variant, ...] = ()
    variant: str | None = None  # set on a spec derived by with_variant
    _by_id: dict[str, Item] = field(default_factory=dict, init=False, repr=False, compare=False)

    _rules_for: dict[str, tuple[Rule, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    _row_items: dict[tuple[str, str], tuple[Item, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {i.id: i for i in self.items})
        rows: dict[tuple[str, str], list[Item]] = {}
        for item in self.items:
            rows.setdefault((item.table, item.row), []).append(item)
        object.__setattr__(self, "_row_items", {k: tuple(v) for k, v in rows.items()})
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

    @property
    def is_matrix(self) -> bool:
        return any(t.is_matrix for t in self.tables)

    def table(self, table_id: str) -> Table:
        for table in self.tables:  # a handful of tables: a scan beats a dict field here
            if table.id == table_id:
                return table
        raise KeyError(table_id)

    def row_items(self, table_id: str, row_id: str) -> tuple[Item, ...]:
        """The items (cells) of one table row, in column order."""
        return self._row_items.get((table_id, row_id), ())

    def with_variant(self, variant_id: str) -> Spec:
        """The spec as a variant layout reads: the variant's heading row becomes a data row,
        its sub-rows go, and rules that summed the sub-rows sum the one row instead."""
        return _with_variant(self, variant_id)


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
        by_id = {i.id: i for i in items}
        rules = self.rules(by_id, {t.id: t for t in tables})
        variants = self.variants(by_id)
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
            variants=tuple(variants),
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
            extra = set(t) - _TABLE_KEYS
            if extra:
                raise self.fail(f"表格 {t.get('id')}: 不认识的字段 {', '.join(sorted(extra))}")
            columns = tuple(
                Column(
                    id=c["id"],
                    label=str(c.get("label", c["id"])),
                    group=_group(c),
                    unit=c.get("unit"),
                    aliases=tuple(c.get("aliases", ())),
                )
                for c in t.get("columns", [{"id": "value"}])
            )
            for c in columns:
                if not _ID.match(c.id):
                    raise self.fail(f"列标识 {c.id!r} 无效：只能用小写字母、数字和下划线")
            single = len(columns) == 1
            table_unit = t.get("unit")
            rows = t.get("rows", [])
            table = Table(
                id=t["id"],
                title=t.get("title", ""),
                header=tuple(t.get("header", ())),
                columns=tuple(c.id for c in columns),
                part=t.get("part", ""),
                column_specs=columns,
                rows=tuple(r.get("id", "") for r in rows),
                unit_column=bool(t.get("unit_column", any("unit" in r for r in rows))),
                row_labels=bool(t.get("row_labels", True)),
            )
            tables.append(table)
            section = ""
            for row in rows:
                rid = row.get("id")
                if not isinstance(rid, str) or not _ID.match(rid):
                    raise self.fail(f"行标识 {rid!r} 无效：只能用小写字母、数字和下划线")
                kind = row.get("kind", "data")
                if kind not in ("heading", "data"):
                    raise self.fail(f"{rid}: kind {kind!r} 未知（可用：heading, data）")
                level = int(row.get("level", 0))
                if level == 0:
                    section = rid
                label = str(row["label"]).strip()
                cells = [(None, rid)] if single and not table.is_matrix else []
                if not cells:
                    cells = [(c, rid if single else f"{rid}.{c.id}") for c in columns]
                for column, item_id in cells:
                    unit = row.get("unit") or (column.unit if column else None) or table_unit
                    if kind == "data" and not unit:
                        raise self.fail(f"{rid}: 数据行必须有单位")
                    if unit and unit not in units:
                        raise self.fail(f"{rid}: 单位 {unit!r} 未在 [units] 中声明")
                    if item_id in seen:
                        raise self.fail(f"项目标识 {item_id!r} 重复")
                    seen.add(item_id)
                    if column is None or single:
                        item_label = label
                    elif table.row_labels:
                        item_label = f"{label}·{column.full_label}"
                    else:
                        item_label = column.full_label
                    items.append(
                        Item(
                            id=item_id,
                            label=item_label,
                            level=level,
                            kind=kind,
                            unit=unit,
                            value_type=units.get(unit) if kind == "data" and unit else None,
                            section=section or rid,
                            table=table.id,
                            aliases=tuple(row.get("aliases", ())),
                            max_value=limits.get(unit) if kind == "data" and unit else None,
                            row=rid,
                            column=column.id if column else columns[0].id,
                            row_label=label,
                        )
                    )
        return tables, items

    def variants(self, items: dict[str, Item]) -> list[Variant]:
        out = []
        for raw in self.data.get("variants", []):
            variant = Variant(
                id=raw["id"],
                row=raw["row"],
                replaces=tuple(raw["replaces"]),
                desc=raw["desc"],
                desc_en=raw.get("desc_en", raw["desc"]),
            )
            rows = {i.row for i in items.values()}
            for rid in (variant.row, *variant.replaces):
                if rid not in rows:
                    raise self.fail(f"变体 {variant.id}: 未知行 {rid!r}")
            out.append(variant)
        return out

    def expand(self, raw: dict, tables: dict[str, Table], items: dict[str, Item], where: str):
        """A rule with ``for_each`` becomes one rule per column (or data row) of its table;
        its refs name rows (or columns), bound here to the cells' item ids."""
        mode = raw.get("for_each")
        if mode is None:
            return [raw]
        table = tables.get(raw.get("table", ""))
        if table is None:
            raise self.fail(f"{where}: for_each 需要 table（未知表格 {raw.get('table')!r}）")
        if mode not in ("column", "row"):
            raise self.fail(f"{where}: for_each {mode!r} 未知（可用：column, row）")
        cell = {(i.row, i.column): i.id for i in items.values() if i.table == table.id}
        base = {k: v for k, v in raw.items() if k not in ("for_each", "table")}
        if mode == "column":
            return [
                self._bind(
                    base, lambda r, c=c: cell.get((r, c.id), f"{r}.{c.id}"), column=c.full_label
                )
                for c in table.column_specs
            ]
        rows = {i.row: i for i in items.values() if i.table == table.id and i.is_data}
        return [
            self._bind(base, lambda c, r=r: cell.get((r, c), f"{r}.{c}"), row=rows[r].row_label)
            for r in table.rows
            if r in rows
        ]

    @staticmethod
    def _bind(raw: dict, ref, **names: str) -> dict:
        out = {}
        for key, value in raw.items():
            if key in ("desc", "desc_en"):
                out[key] = value.format(**names) if "{" in value else value
            elif key in ("kind", "severity"):
                out[key] = value
            elif isinstance(value, list):
                out[key] = [ref(v) for v in value]
            else:
                out[key] = ref(value)
        return out

    def rules(self, items: dict[str, Item], tables: dict[str, Table]) -> list[Rule]:
        from .rules import RULE_KINDS  # rule kinds own their roles; imported late to avoid a cycle

        rules: list[Rule] = []
        declared = self.data.get("rules", [])
        expanded = [
            (n, one)
            for n, raw in enumerate(declared, start=1)
            for one in self.expand(raw, tables, items, f"第 {n} 条规则（{raw.get('kind')}）")
        ]
        for index, (n, raw) in enumerate(expanded, start=1):
            kind = raw.get("kind")
            where = f"第 {n} 条规则（{kind}）"
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


@by_identity
def _with_variant(spec: Spec, variant_id: str) -> Spec:
    variant = next((v for v in spec.variants if v.id == variant_id), None)
    if variant is None:
        raise SpecError(f"{spec.source}: 没有变体 {variant_id!r}")
    replaced = set(variant.replaces)
    items = []
    for item in spec.items:
        if item.row in replaced:
            continue
        if item.row == variant.row:
            unit = next(i.unit for i in spec.items if i.row in replaced and i.column == item.column)
            item = replace(item, kind="data", unit=unit, value_type=spec.units.get(unit or ""))
        items.append(item)
    kept = {i.id for i in items}

    def swap(item_id: str) -> str:
        old = spec.item(item_id)
        if old.row not in replaced:
            return item_id
        return next(i.id for i in items if i.row == variant.row and i.column == old.column)

    rules, seen = [], set()
    for rule in spec.rules:
        refs = {role: tuple(dict.fromkeys(swap(i) for i in ids)) for role, ids in rule.refs.items()}
        key = (rule.kind, tuple(sorted(refs.items())))
        if key in seen or not all(i in kept for ids in refs.values() for i in ids):
            continue
        seen.add(key)
        rules.append(replace(rule, refs=refs))
    return replace(spec, items=tuple(items), rules=tuple(rules), variant=variant.id)
