"""Load a spec file: TOML text to a checked :class:`~.model.Spec`, refusing anything inconsistent.

The loader refuses an unknown rule kind (naming the known ones), an unknown or heading item in a
rule, a sum across different units, a cycle, a duplicate id and unknown fields, each with a
message naming the spec file: a broken spec must fail when it loads, not when a clerk runs it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..text import Text
from .model import Column, Item, PageLayout, Rule, Spec, Table, ValueType, Variant, YearRule
from .rules import RULE_KINDS

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")
_VALUE_TYPES = ("count", "decimal")
_TABLE_KEYS = frozenset(
    {"id", "title", "part", "header", "unit", "unit_column", "row_labels", "columns", "rows"}
)
_ROW_KEYS = frozenset({"id", "label", "level", "kind", "unit", "aliases", "total"})
_LAYOUT_KEYS = frozenset(PageLayout.__dataclass_fields__)
#: Year-over-year rule kinds and the roles each takes besides ``this`` and ``last``.
_YEAR_KINDS: dict[str, frozenset[str]] = {
    "carry-over": frozenset(),
    "in-force": frozenset({"plus", "minus"}),
}


def _where(n: int, kind: object) -> Text:
    return Text(f"第 {n} 条规则（{kind}）", f"rule {n} ({kind})")


def _group(column: dict[str, Any]) -> tuple[str, ...]:
    group = column.get("group", ())
    return (group,) if isinstance(group, str) else tuple(group)


#: Folders (separated by os.pathsep) with more spec files: a new format is a new file.
SPEC_PATH_ENV = "DISCLOSURE_XLSX_SPEC_PATH"


def available_years() -> list[str]:
    """Years that have a spec file: the shipped ones and those in $DISCLOSURE_XLSX_SPEC_PATH."""
    return sorted(_catalogue(os.environ.get(SPEC_PATH_ENV, "")))


@cache
def _catalogue(extra: str) -> dict[str, tuple[Traversable, str]]:
    """Year -> (spec file, its name in messages); a shipped year cannot be replaced."""
    folders: list[tuple[Traversable, str]] = [(resources.files("disclosure_xlsx") / "specs", "")]
    folders.extend((Path(f), f) for f in extra.split(os.pathsep) if f)
    found: dict[str, tuple[Traversable, str]] = {}
    for folder, name in folders:
        if folder.is_dir():
            for p in folder.iterdir():
                if p.name.endswith(".toml"):
                    source = str(Path(name) / p.name) if name else f"specs/{p.name}"
                    found.setdefault(p.name.removesuffix(".toml"), (p, source))
    return found


def load_spec(year: str = "2014") -> Spec:
    """Load and check the spec of a template year (one object per year and spec path)."""
    return _load(year, os.environ.get(SPEC_PATH_ENV, ""))


@cache
def _load(year: str, extra: str) -> Spec:
    catalogue = _catalogue(extra)
    if year not in catalogue:
        raise SpecError(
            Text(
                f"没有 {year} 年度的表格定义（可用：{', '.join(sorted(catalogue))}）",
                f"no table definition for {year} (available: {', '.join(sorted(catalogue))})",
            )
        )
    path, source = catalogue[year]
    return parse_spec(path.read_text(encoding="utf-8"), source=source)


def load_spec_file(path: Path) -> Spec:
    """Load and check a spec from any file (for spec authors and tests)."""
    return parse_spec(path.read_text(encoding="utf-8"), source=str(path))


def parse_spec(text: str, source: str = "<spec>") -> Spec:
    """Build a :class:`Spec` from TOML text, refusing anything inconsistent."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(
            Text(f"{source}: TOML 语法错误：{exc}", f"{source}: TOML syntax error: {exc}")
        ) from None
    return _Builder(data, source).build()


class _Builder:
    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source
        self.row_total: dict[str, bool] = {}

    def fail(self, zh: str, en: str) -> SpecError:
        return SpecError(Text(f"{self.source}: {zh}", f"{self.source}: {en}"))

    def build(self) -> Spec:
        head = self.data.get("spec")
        if not isinstance(head, dict):
            raise self.fail("缺少 [spec] 段", "no [spec] section")
        for key in ("id", "year", "version", "title"):
            if key not in head:
                raise self.fail(f"[spec] 缺少 {key}", f"[spec] lacks {key}")
        units = self.data.get("units", {})
        for unit, vtype in units.items():
            if vtype not in _VALUE_TYPES:
                raise self.fail(
                    f"单位 {unit!r} 的类型 {vtype!r} 未知（可用：count, decimal）",
                    f"unit {unit!r} has unknown type {vtype!r} (known: count, decimal)",
                )
        limits = self.data.get("plausible_max", {})
        for unit in limits:
            if unit not in units:
                raise self.fail(
                    f"[plausible_max] 的单位 {unit!r} 未在 [units] 中声明",
                    f"[plausible_max] unit {unit!r} is not declared in [units]",
                )
        tables, items = self.tables(units, limits)
        by_id = {i.id: i for i in items}
        rules = self.rules(by_id, {t.id: t for t in tables})
        variants = self.variants(by_id)
        year_rules = self.year_rules(by_id, {t.id: t for t in tables})
        no_total = frozenset(
            i.id for i in items if self.row_total.get(i.row) is False and i.is_data
        )
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
            page=self.page(),
            no_total=no_total,
            year_rules=tuple(year_rules),
        )

    def page(self) -> PageLayout:
        raw = self.data.get("layout", {})
        extra = set(raw) - _LAYOUT_KEYS
        if extra:
            raise self.fail(
                f"[layout] 不认识的字段 {', '.join(sorted(extra))}",
                f"[layout] unknown fields {', '.join(sorted(extra))}",
            )
        if raw.get("orientation", "landscape") not in ("portrait", "landscape"):
            raise self.fail(
                "[layout] orientation 只能是 portrait 或 landscape",
                "[layout] orientation must be portrait or landscape",
            )
        try:
            return PageLayout(**raw)
        except TypeError as exc:
            raise self.fail(f"[layout] {exc}", f"[layout] {exc}") from None

    def tables(
        self, units: dict[str, ValueType], limits: dict[str, float]
    ) -> tuple[list[Table], list[Item]]:
        raw_tables = self.data.get("tables")
        if not raw_tables:
            raise self.fail("没有定义任何表格（[[tables]]）", "no table is defined ([[tables]])")
        tables: list[Table] = []
        items: list[Item] = []
        seen: set[str] = set()
        for t in raw_tables:
            extra = set(t) - _TABLE_KEYS
            if extra:
                raise self.fail(
                    f"表格 {t.get('id')}: 不认识的字段 {', '.join(sorted(extra))}",
                    f"table {t.get('id')}: unknown fields {', '.join(sorted(extra))}",
                )
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
                    raise self.fail(
                        f"列标识 {c.id!r} 无效：只能用小写字母、数字和下划线",
                        f"column id {c.id!r} is invalid: lower-case letters, digits and _ only",
                    )
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
                    raise self.fail(
                        f"行标识 {rid!r} 无效：只能用小写字母、数字和下划线",
                        f"row id {rid!r} is invalid: lower-case letters, digits and _ only",
                    )
                extra_row = set(row) - _ROW_KEYS
                if extra_row:
                    raise self.fail(
                        f"{rid}: 不认识的字段 {', '.join(sorted(extra_row))}",
                        f"{rid}: unknown fields {', '.join(sorted(extra_row))}",
                    )
                if "total" in row:
                    self.row_total[rid] = bool(row["total"])
                kind = row.get("kind", "data")
                if kind not in ("heading", "data"):
                    raise self.fail(
                        f"{rid}: kind {kind!r} 未知（可用：heading, data）",
                        f"{rid}: unknown kind {kind!r} (known: heading, data)",
                    )
                level = int(row.get("level", 0))
                if level == 0:
                    section = rid
                label = str(row["label"]).strip()
                cells: list[tuple[Column | None, str]] = (
                    [(None, rid)] if single and not table.is_matrix else []
                )
                if not cells:
                    cells = [(c, rid if single else f"{rid}.{c.id}") for c in columns]
                for column, item_id in cells:
                    unit = row.get("unit") or (column.unit if column else None) or table_unit
                    if kind == "data" and not unit:
                        raise self.fail(
                            f"{rid}: 数据行必须有单位", f"{rid}: a data row needs a unit"
                        )
                    if unit and unit not in units:
                        raise self.fail(
                            f"{rid}: 单位 {unit!r} 未在 [units] 中声明",
                            f"{rid}: unit {unit!r} is not declared in [units]",
                        )
                    if item_id in seen:
                        raise self.fail(
                            f"项目标识 {item_id!r} 重复", f"item id {item_id!r} is repeated"
                        )
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
                desc=Text(raw["desc"], raw.get("desc_en", raw["desc"])),
            )
            rows = {i.row for i in items.values()}
            for rid in (variant.row, *variant.replaces):
                if rid not in rows:
                    raise self.fail(
                        f"变体 {variant.id}: 未知行 {rid!r}",
                        f"variant {variant.id}: unknown row {rid!r}",
                    )
            out.append(variant)
        return out

    def expand(
        self, raw: dict[str, Any], tables: dict[str, Table], items: dict[str, Item], where: Text
    ) -> list[dict[str, Any]]:
        """A rule with ``for_each`` becomes one rule per column (or data row) of its table;
        its refs name rows (or columns), bound here to the cells' item ids."""
        mode = raw.get("for_each")
        if mode is None:
            return [raw]
        table = tables.get(raw.get("table", ""))
        if table is None:
            raise self.fail(
                f"{where.zh}: for_each 需要 table（未知表格 {raw.get('table')!r}）",
                f"{where.en}: for_each needs a table (unknown table {raw.get('table')!r})",
            )
        if mode not in ("column", "row"):
            raise self.fail(
                f"{where.zh}: for_each {mode!r} 未知（可用：column, row）",
                f"{where.en}: unknown for_each {mode!r} (known: column, row)",
            )
        cell = {(i.row, i.column): i.id for i in items.values() if i.table == table.id}
        base = {k: v for k, v in raw.items() if k not in ("for_each", "table")}

        def in_column(column: str) -> Callable[[str], str]:
            return lambda row: cell.get((row, column), f"{row}.{column}")

        def in_row(row: str) -> Callable[[str], str]:
            return lambda column: cell.get((row, column), f"{row}.{column}")

        if mode == "column":
            return [
                self._bind(base, in_column(c.id), column=c.full_label) for c in table.column_specs
            ]
        rows = {i.row: i for i in items.values() if i.table == table.id and i.is_data}
        return [self._bind(base, in_row(r), row=rows[r].row_label) for r in table.rows if r in rows]

    @staticmethod
    def _bind(raw: dict[str, Any], ref: Callable[[str], str], **names: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
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

    def year_rules(self, items: dict[str, Item], tables: dict[str, Table]) -> list[YearRule]:
        """``[[year_rules]]``: this year's items against last year's (``for_each`` expands them
        like rules)."""
        out: list[YearRule] = []
        for n, raw in enumerate(self.data.get("year_rules", []), start=1):
            where = Text(
                f"第 {n} 条年度对比规则（{raw.get('kind')}）",
                f"year rule {n} ({raw.get('kind')})",
            )
            kind = raw.get("kind")
            if kind not in _YEAR_KINDS:
                known = ", ".join(sorted(_YEAR_KINDS))
                raise self.fail(
                    f"{where.zh}: 类型 {kind!r} 未知（可用：{known}）",
                    f"{where.en}: unknown kind {kind!r} (known: {known})",
                )
            allowed = {"kind", "this", "last", "desc", "desc_en", "for_each", "table"}
            extra = set(raw) - allowed - _YEAR_KINDS[kind]
            if extra:
                raise self.fail(
                    f"{where.zh}: 不认识的字段 {', '.join(sorted(extra))}",
                    f"{where.en}: unknown fields {', '.join(sorted(extra))}",
                )
            if not raw.get("desc"):
                raise self.fail(
                    f"{where.zh}: 缺少中文说明 desc",
                    f"{where.en}: lacks the Chinese description desc",
                )
            for one in self.expand(raw, tables, items, where):
                for role in ("this", "last"):
                    if role not in one:
                        raise self.fail(f"{where.zh}: 缺少 {role}", f"{where.en}: lacks {role}")
                plus, minus = tuple(one.get("plus", ())), tuple(one.get("minus", ()))
                for item_id in (one["this"], one["last"], *plus, *minus):
                    if item_id not in items:
                        raise self.fail(
                            f"{where.zh}: 未知项目 {item_id!r}",
                            f"{where.en}: unknown item {item_id!r}",
                        )
                    if not items[item_id].is_data:
                        raise self.fail(
                            f"{where.zh}: {item_id!r} 是标题行，不能参与计算",
                            f"{where.en}: {item_id!r} is a heading and takes no part in arithmetic",
                        )
                desc = Text(one["desc"], one.get("desc_en", one["desc"]))
                out.append(YearRule(kind, one["this"], one["last"], desc, plus, minus))
        return out

    def rules(self, items: dict[str, Item], tables: dict[str, Table]) -> list[Rule]:
        rules: list[Rule] = []
        declared = self.data.get("rules", [])
        expanded = [
            (n, one)
            for n, raw in enumerate(declared, start=1)
            for one in self.expand(raw, tables, items, _where(n, raw.get("kind")))
        ]
        for index, (n, raw) in enumerate(expanded, start=1):
            kind = raw.get("kind")
            where = _where(n, kind)
            if kind not in RULE_KINDS:
                known = ", ".join(sorted(RULE_KINDS))
                raise self.fail(
                    f"{where.zh}: 规则类型 {kind!r} 未知（可用：{known}）",
                    f"{where.en}: unknown rule kind {kind!r} (known: {known})",
                )
            impl = RULE_KINDS[kind]
            refs: dict[str, tuple[str, ...]] = {}
            for role, many in impl.roles.items():
                if role not in raw:
                    raise self.fail(f"{where.zh}: 缺少 {role}", f"{where.en}: lacks {role}")
                value = raw[role]
                ids = tuple(value) if many else (value,)
                if many and (not isinstance(value, list) or not value):
                    raise self.fail(
                        f"{where.zh}: {role} 应为非空列表",
                        f"{where.en}: {role} must be a non-empty list",
                    )
                for item_id in ids:
                    if item_id not in items:
                        raise self.fail(
                            f"{where.zh}: 未知项目 {item_id!r}",
                            f"{where.en}: unknown item {item_id!r}",
                        )
                    if not items[item_id].is_data:
                        raise self.fail(
                            f"{where.zh}: {item_id!r} 是标题行，不能参与计算",
                            f"{where.en}: {item_id!r} is a heading and takes no part in arithmetic",
                        )
                refs[role] = ids
            extra = set(raw) - set(impl.roles) - {"kind", "severity", "desc", "desc_en"}
            if extra:
                raise self.fail(
                    f"{where.zh}: 不认识的字段 {', '.join(sorted(extra))}",
                    f"{where.en}: unknown fields {', '.join(sorted(extra))}",
                )
            severity = raw.get("severity", "error")
            if severity not in ("error", "warning"):
                raise self.fail(
                    f"{where.zh}: severity {severity!r} 未知（可用：error, warning）",
                    f"{where.en}: unknown severity {severity!r} (known: error, warning)",
                )
            if not raw.get("desc"):
                raise self.fail(
                    f"{where.zh}: 缺少中文说明 desc",
                    f"{where.en}: lacks the Chinese description desc",
                )
            desc = Text(raw["desc"], raw.get("desc_en", raw["desc"]))
            rule = Rule(kind, tuple(refs.items()), severity, desc, index)
            if impl.same_unit:
                found_units = {items[i].unit for i in rule.items()}
                if len(found_units) > 1:
                    units = sorted(map(str, found_units))
                    raise self.fail(
                        f"{where.zh}: 参与计算的项目单位不同（{'、'.join(units)}）",
                        f"{where.en}: the items have different units ({', '.join(units)})",
                    )
            rules.append(rule)
        self.check_cycles(rules)
        return rules

    def check_cycles(self, rules: list[Rule]) -> None:
        """A total may not (indirectly) be one of its own parts."""
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
                    raise self.fail(
                        f"规则构成循环：{' → '.join(cycle)}",
                        f"the rules form a cycle: {' → '.join(cycle)}",
                    )
                if not state.get(nxt):
                    visit(nxt, [*path, nxt])
            state[node] = 2

        for node in sorted(graph):
            if not state.get(node):
                visit(node, [node])
