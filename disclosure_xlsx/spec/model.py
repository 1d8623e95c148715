"""The table of one template year as values: items, tables, rules, variants, page layout.

A spec lists tables; a table has rows and columns, and every (row, column) pair of a data row
is one *item* with its own stable id. The 2014 table has one value column, so its item ids are
its row ids; the 2021 national format's matrices use ``row.column`` ids. Rules refer to item
ids; what each rule kind means lives in :mod:`.rules`.

Specs compare and hash by identity (``eq=False``): :func:`~.load.load_spec` keeps one object
per year, so per-spec indexes can be cached with ``functools.cache``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..text import Text
from .labels import short_label

Kind = Literal["heading", "data"]
ValueType = Literal["count", "decimal"]
Severity = Literal["error", "warning"]
Orientation = Literal["portrait", "landscape"]


@dataclass(frozen=True)
class Item:
    """One cell to fill (a data item) or one heading row's cell."""

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
    """One declared relation between items; ``refs`` gives each role its item ids."""

    kind: str
    refs: tuple[tuple[str, tuple[str, ...]], ...]
    severity: Severity
    desc: Text
    index: int

    def items(self) -> tuple[str, ...]:
        """Every item the rule involves, in declaration order."""
        return tuple(i for _, ids in self.refs for i in ids)

    def one(self, role: str) -> str:
        return self.many(role)[0]

    def many(self, role: str) -> tuple[str, ...]:
        for name, ids in self.refs:
            if name == role:
                return ids
        raise KeyError(role)


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
    """One printed table. A table with a unit column has one value column (the 2014 layout)."""

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
    desc: Text


YearKind = Literal["carry-over", "in-force"]


@dataclass(frozen=True)
class YearRule:
    """A relation between this year's return and last year's of the same department.

    ``carry-over``: this year's ``this`` must equal last year's ``last`` (an error).
    ``in-force``: this year's ``this`` should be last year's ``last`` + Σ ``plus`` − Σ ``minus``
    of this year (a warning: departments revise such counts).
    """

    kind: YearKind
    this: str
    last: str
    desc: Text
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageLayout:
    """How the template sits on the sheet and on paper (declared in the spec's ``[layout]``)."""

    first_row: int = 5  # the first row below the title block (title, subtitle, 单位名称)
    gap: int = 1  # blank rows between tables and before the note
    orientation: Orientation = "landscape"
    label_width: float = 46
    unit_width: float = 7
    value_width: float = 10
    check_width: float = 30


@dataclass(frozen=True, eq=False)
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
    source: str = ""
    variants: tuple[Variant, ...] = ()
    variant: str | None = None  # set on a spec derived by with_variant
    page: PageLayout = PageLayout()
    no_total: frozenset[str] = frozenset()  # items that must not be summed across departments
    year_rules: tuple[YearRule, ...] = ()  # checked against last year's return (check/yoy.py)
    _by_id: dict[str, Item] = field(default_factory=dict, init=False, repr=False)
    _rules_for: dict[str, tuple[Rule, ...]] = field(default_factory=dict, init=False, repr=False)
    _row_items: dict[tuple[str, str], tuple[Item, ...]] = field(
        default_factory=dict, init=False, repr=False
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

    def table(self, table_id: str) -> Table:
        for table in self.tables:  # a handful of tables: a scan beats a dict field here
            if table.id == table_id:
                return table
        raise KeyError(table_id)

    def row_items(self, table_id: str, row_id: str) -> tuple[Item, ...]:
        """The items (cells) of one table row, in column order."""
        return self._row_items.get((table_id, row_id), ())
