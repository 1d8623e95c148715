"""Find the tables in a returned workbook: which cell holds which item.

Our templates carry hidden ids (see :mod:`..spec.layout`): the row id of every row in a hidden
column, whose first cell holds the spec marker, and the column ids of each table in a hidden
row under its header. Rows and columns are found by these ids, so inserted rows and columns do
not throw the reader off. Anything else (a table pasted from the Word report, last year's
file) is read by labels: row labels matched in printed order wherever they sit (a merged
heading may share its row with the data row beside it), then each table's columns from the
header cells above its first row, left to right, so repeated header texts (结果维持 three times
under 行政复议 and 行政诉讼) land on the right column whatever the merges.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache
from typing import Literal, NamedTuple

from ..errors import NotThisTable
from ..spec import Spec, Table, available_years, load_spec, with_variant
from ..spec.labels import norm_label, normalize_text, short_label
from ..spec.layout import COLUMN_IDS, ID_HEADER, LABEL_COL, Stamp, layout
from ..text import Text
from .cells import classify
from .grid import Grid

MARKER_PREFIX = "disclosure-xlsx:"
#: How many printed rows a label may skip ahead (rows deleted by the department).
LOOKAHEAD = 15
#: A label this similar to the expected next label is the same row, reworded.
SIMILAR = 0.6
#: Shorter texts are never matched by similarity ('其他' is not '其他结果').
MIN_SIMILAR_LENGTH = 5
#: How many rows above a table's first row its header may start (title rows included).
HEADER_ROWS = 6


class Placement(NamedTuple):
    """Where one item sits in the returned sheet (a NamedTuple: one per item of every return)."""

    item_id: str
    row: int
    label_col: int
    unit_col: int | None
    value_col: int
    label_text: str


@dataclass(frozen=True)
class Stray:
    """A row inside a table that is not a row of the spec."""

    row: int
    col: int
    text: str


@dataclass(frozen=True)
class Location:
    """One sheet with one spec's items placed on it."""

    spec: Spec
    grid: Grid
    method: Literal["ids", "labels"]
    placements: dict[str, Placement]
    strays: tuple[Stray, ...] = ()
    unit_name: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # variant ids the sheet shows
    stamp: Stamp | None = None  # the round and department a template was made for


def locate(grids: list[Grid], year: str | None = None) -> Location:
    """Find the best sheet and the item placements in it.

    A sheet with our marker is read by ids; if ``year`` is given and the marker names another
    year, that is :class:`NotThisTable` (never silently one or the other).
    """
    for grid in grids:
        marker = _find_marker(grid)
        if marker is None:
            continue
        (_row, col), text = marker
        parts = text.split(":")
        marker_year = parts[2] if len(parts) > 3 else ""
        if marker_year not in available_years():
            raise NotThisTable(
                Text(
                    f"工作表“{grid.name}”是 {marker_year or '未知'} 年度格式，本工具不认识",
                    f"sheet '{grid.name}' is in the {marker_year or 'unknown'} format, "
                    "which this tool does not know",
                )
            )
        if year and year != marker_year:
            raise NotThisTable(
                Text(
                    f"工作表“{grid.name}”是 {marker_year} 年度的模板，不是 --year 指定的 {year} 年度",
                    f"sheet '{grid.name}' is a {marker_year} template, not the {year} one "
                    "--year asks for",
                )
            )
        return _by_ids(grid, load_spec(marker_year), col)
    best: tuple[int, Grid, Spec] | None = None
    for spec in (load_spec(y) for y in ([year] if year else available_years())):
        labels = _label_index(spec)
        for grid in grids:
            score = sum(
                1
                for cells in grid.by_row.values()
                for v in cells.values()
                if isinstance(v, str) and norm_label(v) in labels
            )
            if best is None or score > best[0]:
                best = (score, grid, spec)
    if best is None or best[0] < max(5, len(best[2].items) // 5):
        raise NotThisTable(
            Text(
                "找不到政府信息公开工作情况统计表（没有模板标识，项目名称也对不上）",
                "no statistics table found (no template marker, and the labels do not match)",
            )
        )
    _, grid, spec = best
    return _by_labels(grid, spec)


def _find_stamp(grid: Grid, id_col: int) -> Stamp | None:
    """The collection-round stamp in the id column, if the template carries one."""
    for r in [r for r, cells in grid.by_row.items() if id_col in cells][:10]:
        value = grid.get(r, id_col)
        if isinstance(value, str) and (stamp := Stamp.parse(value)) is not None:
            return stamp
    return None


def _find_marker(grid: Grid) -> tuple[tuple[int, int], str] | None:
    for key, value in grid.cells.items():
        if isinstance(value, str) and value.startswith(MARKER_PREFIX):
            return key, value
    return None


@cache
def _label_index(spec: Spec) -> frozenset[str]:
    """Every text that identifies this spec's table in a sheet: row labels, titles, headers."""
    texts = [spec.title]
    texts.extend(t for i in spec.items for t in (i.row_label or i.label, *i.aliases))
    for table in spec.tables:
        texts.extend((table.part, table.title))
        texts.extend(c.label for c in table.column_specs if table.is_matrix)
    return frozenset(norm_label(t) for t in texts if t)


def unit_name(grid: Grid) -> str | None:
    """The department's name from the 单位名称 line: in the same cell or the next filled one."""
    for _r, cells in grid.by_row.items():
        for c, v in cells.items():
            if isinstance(v, str) and normalize_text(v).startswith("单位名称"):
                rest = re.sub(r"^单位名称\s*[:：]?", "", v.strip(" \u3000")).strip(" \u3000")
                if rest:
                    return rest
                after = [val for cc, val in sorted(cells.items()) if cc > c and str(val).strip()]
                return str(after[0]).strip() if after else None
    return None


# --- by ids ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _IdIndex:
    """What reading by ids asks of a spec for every row, answered once per spec."""

    tables: dict[str, Table]  # table id -> table
    rows: dict[str, frozenset[str]]  # table id -> its row ids
    unit_tables: dict[str, Table]  # row id -> the first table with a unit column that has it


@cache
def _id_index(spec: Spec) -> _IdIndex:
    unit_tables: dict[str, Table] = {}
    for table in spec.tables:
        if table.unit_column:
            for rid in table.rows:
                unit_tables.setdefault(rid, table)
    return _IdIndex(
        {t.id: t for t in spec.tables},
        {t.id: frozenset(t.rows) for t in spec.tables},
        unit_tables,
    )


def _by_ids(grid: Grid, spec: Spec, id_col: int) -> Location:
    index = _id_index(spec)
    sheet = layout(spec)
    shift = id_col - sheet.id_col  # columns inserted (or deleted) left of the id column
    label_col = LABEL_COL + shift
    columns: dict[str, dict[str, int]] = {}
    rows: dict[tuple[str, str], int] = {}
    found: dict[str, list[int]] = {}
    header_rows: list[int] = []
    current: Table | None = None
    for r, cells in grid.by_row.items():
        tag = cells.get(id_col)
        if not isinstance(tag, str) or tag.startswith(MARKER_PREFIX):
            continue
        if tag == ID_HEADER:
            header_rows.append(r)
            continue
        if tag.startswith(COLUMN_IDS):
            current = index.tables.get(tag[len(COLUMN_IDS) :])
            if current is not None:
                columns[current.id] = {
                    v: c for c, v in cells.items() if c != id_col and isinstance(v, str) and v
                }
            continue
        table = current if current is not None and tag in index.rows[current.id] else None
        if table is None:  # a table with a unit column has no column-id row
            table = index.unit_tables.get(tag)
        if table is None:
            continue
        rows[(table.id, tag)] = r
        found.setdefault(table.id, []).append(r)
    placements: dict[str, Placement] = {}
    for block in sheet.blocks:
        table = block.table
        unit_col: int | None = None
        label_col_t: int = label_col
        if table.unit_column:
            label_col_t, unit_col, value_col = _list_columns(grid, table, header_rows, shift)
            cols = {table.columns[0]: value_col}
        else:
            label_col_t, cols = label_col, columns.get(table.id, {})
        for rid in table.rows:
            at = rows.get((table.id, rid))
            if at is None:
                continue
            text = grid.get(at, label_col_t)
            for item in spec.row_items(table.id, rid):
                c = cols.get(item.column)
                if c is not None:
                    placements[item.id] = Placement(
                        item.id, at, label_col_t, unit_col, c, str(text or "")
                    )
    strays: list[Stray] = []
    tagged = set(rows.values())
    for table_rows in found.values():
        for r in range(min(table_rows) + 1, max(table_rows)):
            if r in tagged:
                continue
            text = grid.get(r, label_col)
            if isinstance(text, str) and text.strip():
                strays.append(Stray(r, label_col, text))
    stamp = _find_stamp(grid, id_col)
    return Location(spec, grid, "ids", placements, tuple(strays), unit_name(grid), stamp=stamp)


def _list_columns(
    grid: Grid, table: Table, header_rows: list[int], shift: int
) -> tuple[int, int | None, int]:
    """(label, unit, value) columns of a table with a unit column, from its header row's
    texts (统计指标 | 单位 | 统计数); where they are not found, the layout's columns."""
    names = [norm_label(h) for h in table.header]
    value_name = norm_label(table.column_specs[0].label)
    for r in header_rows or list(grid.by_row):
        found = {norm_label(v): c for c, v in grid.by_row.get(r, {}).items() if isinstance(v, str)}
        if names and names[0] in found and value_name in found:
            unit = found.get(names[1]) if len(names) > 2 else None
            return found[names[0]], unit, found[value_name]
    return LABEL_COL + shift, LABEL_COL + 1 + shift, LABEL_COL + 2 + shift


# --- by labels ---------------------------------------------------------------------------

Entry = tuple[Table, str, tuple[str, ...]]  # table, row id, normalised texts that name the row


def _by_labels(grid: Grid, spec: Spec) -> Location:
    entries, structural, positions = _index(spec)
    matched: dict[tuple[str, str], tuple[int, int, str]] = {}  # (table, row) -> r, col, text
    shared: set[tuple[str, str]] = set()  # headings whose row also carries a data row's label
    strays: list[Stray] = []
    pending: list[Stray] = []
    j = 0
    for r, cells in grid.by_row.items():
        hits: list[tuple[str, str]] = []
        stray: Stray | None = None
        for c, v in sorted(cells.items()):
            if not isinstance(v, str) or classify(v).kind != "not-a-number":
                continue  # numbers typed as text ('\u300044', '无') are values, not labels
            key = norm_label(v)
            if not key or key in structural:
                continue  # titles and header cells are not rows
            k = _match(key, entries, positions, j)
            if k is None:
                if stray is None and matched and not hits and _in_table(entries, j):
                    stray = Stray(r, c, v)
                continue
            table, rid, _ = entries[k]
            matched[(table.id, rid)] = (r, c, v)
            hits.append((table.id, rid))
            j = k + 1
        if hits:
            strays.extend(pending)
            pending = []
            shared.update(hits[:-1])
        elif stray is not None:
            pending.append(stray)
    spec, variant = _variant(spec, matched)
    placements: dict[str, Placement] = {}
    prev_end = min(grid.by_row, default=1) - 1
    for table in spec.tables:
        found = [matched[(table.id, rid)] for rid in table.rows if (table.id, rid) in matched]
        unit_col: int | None = None
        if table.row_labels:
            if not found:
                continue
            top = min(r for r, _, _ in found)
            label_col = min(c for _, c, _ in found)
            first = max(prev_end + 1, top - HEADER_ROWS)
            cols, _ = _columns(grid, table, first, top - 1, label_col)
            if table.unit_column:
                unit_col = _unit_column(grid, table, spec, first, top - 1, label_col, found)
                if not cols:
                    cols = {table.columns[0]: max(label_col, unit_col or 0) + 1}
            elif not cols and len(table.columns) == 1:
                cols = {table.columns[0]: label_col + 1}  # no header: the cell right of the label
            row_at = {
                rid: matched[(table.id, rid)] for rid in table.rows if (table.id, rid) in matched
            }
            prev_end = max(r for r, _, _ in found)
        else:
            cols, last_header = _columns(grid, table, prev_end + 1, prev_end + HEADER_ROWS, 0)
            if not cols:
                continue
            data_row = last_header + 1
            row_at = {table.rows[0]: (data_row, 1, str(grid.get(data_row, 1) or ""))}
            prev_end = data_row
        for rid, (r, c, text) in row_at.items():
            for item in spec.row_items(table.id, rid):
                if item.column not in cols:
                    continue
                if not item.is_data and (table.id, rid) in shared:
                    continue  # a merged heading: its row's cells belong to the data row beside it
                placements[item.id] = Placement(item.id, r, c, unit_col, cols[item.column], text)
    notes = (variant,) if variant else ()
    return Location(spec, grid, "labels", placements, tuple(strays), unit_name(grid), notes)


@cache
def _index(
    spec: Spec,
) -> tuple[tuple[Entry, ...], frozenset[str], dict[str, tuple[int, ...]]]:
    """The row entries to match in order, the structural texts, and each normalised label's
    entries (ascending), so a cell's label is one dict lookup; computed once per spec."""
    entries = tuple(
        (table, rid, _row_keys(spec, table, rid))
        for table in spec.tables
        if table.row_labels
        for rid in table.rows
    )
    positions: dict[str, list[int]] = {}
    for k, (_, _, keys) in enumerate(entries):
        for key in keys:
            positions.setdefault(key, []).append(k)
    return entries, _structural(spec), {key: tuple(ks) for key, ks in positions.items()}


def _structural(spec: Spec) -> frozenset[str]:
    """Texts that are titles or headers of the tables, never row labels."""
    texts = {spec.title, spec.subtitle, spec.note}
    for table in spec.tables:
        texts.update((table.part, table.title, *table.header))
        for column in table.column_specs:
            texts.update((column.label, *column.group, *column.aliases))
    return frozenset(norm_label(t) for t in texts if t)


def _row_keys(spec: Spec, table: Table, rid: str) -> tuple[str, ...]:
    item = spec.row_items(table.id, rid)[0]
    texts = (item.row_label, *item.aliases)
    keys = [norm_label(t) for t in texts] + [norm_label(short_label(t)) for t in texts]
    return tuple(dict.fromkeys(keys))


def _match(
    key: str, entries: tuple[Entry, ...], positions: dict[str, tuple[int, ...]], j: int
) -> int | None:
    """The entry a label names: the first at or after ``j`` within LOOKAHEAD rows that has this
    text, else the expected entry ``j`` when the text is similar enough (a reworded label)."""
    ks = positions.get(key, ())
    at = bisect_left(ks, j)
    if at < len(ks) and ks[at] < min(j + LOOKAHEAD, len(entries)):
        return ks[at]
    if j < len(entries) and len(key) >= MIN_SIMILAR_LENGTH:
        matcher = difflib.SequenceMatcher(None, key, entries[j][2][0], autojunk=False)
        # NOTE: ratio() is quadratic: a 1 MB cell took seconds per row. The quick ratios are
        # upper bounds (length, then letters), so they only skip what cannot match.
        if (
            matcher.real_quick_ratio() >= SIMILAR
            and matcher.quick_ratio() >= SIMILAR
            and matcher.ratio() >= SIMILAR
        ):
            return j
    return None


def _in_table(entries: tuple[Entry, ...], j: int) -> bool:
    """True while the next expected row belongs to the same table as the last matched one."""
    return 0 < j < len(entries) and entries[j][0].id == entries[j - 1][0].id


def _columns(
    grid: Grid, table: Table, first: int, last: int, label_col: int
) -> tuple[dict[str, int], int]:
    """Column id -> sheet column, from header cells in rows first..last, left to right."""
    cells = [
        (c, r, norm_label(v))
        for r in range(first, last + 1)
        for c, v in grid.by_row.get(r, {}).items()
        if isinstance(v, str) and c > label_col
    ]
    out: dict[str, int] = {}
    previous, last_row = label_col, 0
    for column in table.column_specs:
        keys = [norm_label(t) for t in (column.label, *column.aliases)]
        hit = min(
            (
                (c, r)
                for c, r, text in cells
                if c > previous and any(text == k or text.startswith(k) for k in keys)
            ),
            default=None,
        )
        if hit is None:
            continue
        out[column.id] = hit[0]
        previous, last_row = hit[0], max(last_row, hit[1])
    return out, last_row


def _unit_column(
    grid: Grid,
    table: Table,
    spec: Spec,
    first: int,
    last: int,
    label_col: int,
    found: list[tuple[int, int, str]],
) -> int | None:
    """The unit column: under the header's unit text (单位), else where unit words sit."""
    if len(table.header) > 2:
        name = norm_label(table.header[1])
        for r in range(first, last + 1):
            for c, v in grid.by_row.get(r, {}).items():
                if c > label_col and isinstance(v, str) and norm_label(v) == name:
                    return c
    hits: dict[int, int] = {}
    for r, _, _ in found:
        for c, v in grid.by_row.get(r, {}).items():
            if c > label_col and isinstance(v, str) and normalize_text(v) in spec.units:
                hits[c] = hits.get(c, 0) + 1
    return max(hits, key=lambda c: hits[c]) if hits else None


def _variant(
    spec: Spec, matched: dict[tuple[str, str], tuple[int, int, str]]
) -> tuple[Spec, str | None]:
    """The variant layout the matched rows show, if any: (spec to read with, variant id)."""
    for variant in spec.variants:
        table = next(i.table for i in spec.items if i.row == variant.row)
        has_row = (table, variant.row) in matched
        has_parts = any((table, rid) in matched for rid in variant.replaces)
        if has_row and not has_parts:
            return with_variant(spec, variant.id), variant.id
    return spec, None
