"""Find the tables of a matrix spec (the 2021 national format) in a returned sheet.

By ids in our template: the hidden id column names each row, and a hidden row under each table's
header names its columns. Otherwise by labels, as in a table pasted from the Word report: row
labels are matched in printed order (a row may carry two labels when a merged heading such as
三、本年度办理结果 shares its first row with （一）予以公开), then each table's columns are found in
the header rows above its first row, left to right, so repeated header texts (结果维持 three
times under 行政复议 and 行政诉讼) land on the right column whatever the merges.
"""

from __future__ import annotations

import difflib

from .grid import Grid
from .locate import LOOKAHEAD, MARKER_PREFIX, SIMILAR, Location, Placement, Stray, norm_label
from .spec import Spec, Table, by_identity, short_label
from .values import classify

#: In the id column of a template table's hidden column-id row (written by template_matrix).
COLUMN_IDS = "@columns:"
#: How many rows above a table's first row its header may start (title rows included).
HEADER_ROWS = 6


def by_ids(grid: Grid, spec: Spec, id_col: int, unit_name: str | None) -> Location:
    columns: dict[str, dict[str, int]] = {}
    rows: dict[tuple[str, str], int] = {}
    data_rows: dict[str, list[int]] = {}
    table_rows = {t.id: set(t.rows) for t in spec.tables}
    current: str | None = None
    for r, cells in grid.by_row.items():
        tag = cells.get(id_col)
        if not isinstance(tag, str) or tag.startswith(MARKER_PREFIX):
            continue
        if tag.startswith(COLUMN_IDS):
            current = tag[len(COLUMN_IDS) :]
            columns[current] = {
                v: c for c, v in cells.items() if c != id_col and isinstance(v, str) and v
            }
        elif current and tag in table_rows.get(current, ()):
            rows[(current, tag)] = r
            data_rows.setdefault(current, []).append(r)
    placements = {}
    for item in spec.items:
        r = rows.get((item.table, item.row))
        c = columns.get(item.table, {}).get(item.column)
        if r is not None and c is not None:
            label = grid.get(r, 1)
            placements[item.id] = Placement(item.id, r, 1, None, c, str(label or ""))
    strays = []
    for found in data_rows.values():
        for r in range(min(found) + 1, max(found)):
            text = grid.get(r, 1)
            if r not in found and isinstance(text, str) and text.strip():
                strays.append(Stray(r, 1, text))
    return Location(spec, grid, "ids", placements, tuple(strays), unit_name)


def by_labels(grid: Grid, spec: Spec, unit_name: str | None) -> Location:
    entries, structural = _index(spec)
    matched: dict[tuple[str, str], tuple[int, int, str]] = {}  # (table, row) -> r, col, text
    shared: set[tuple[str, str]] = set()  # headings whose row also carries a data row's label
    strays: list[Stray] = []
    pending: list[Stray] = []
    j = 0
    for r, cells in grid.by_row.items():
        hits = []
        for c, v in sorted(cells.items()):
            if not isinstance(v, str) or classify(v).kind != "not-a-number":
                continue  # numbers typed as text ('\u300044', '无') are values, not labels
            key = norm_label(v)
            if key in structural:
                continue  # titles and header cells are not rows
            k = _match(key, entries, j)
            if k is None:
                if matched and hits == [] and _in_table(entries, j):
                    pending.append(Stray(r, c, v))
                continue
            table, rid, _ = entries[k]
            matched[(table.id, rid)] = (r, c, v)
            hits.append((table.id, rid))
            j = k + 1
        if hits:
            strays.extend(p for p in pending if p.row != r)
            pending = []
            shared.update(h for h in hits[:-1])
    spec, variant = _variant(spec, matched)
    placements: dict[str, Placement] = {}
    prev_end = min(grid.by_row, default=1) - 1
    for table in spec.tables:
        found = [matched[(table.id, rid)] for rid in table.rows if (table.id, rid) in matched]
        if table.row_labels:
            if not found:
                continue
            top = min(r for r, _, _ in found)
            label_col = min(c for _, c, _ in found)
            cols, _ = _columns(
                grid, table, max(prev_end + 1, top - HEADER_ROWS), top - 1, label_col
            )
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
                placements[item.id] = Placement(item.id, r, c, None, cols[item.column], text)
    notes = (variant,) if variant else ()
    return Location(spec, grid, "labels", placements, tuple(strays), unit_name, notes)


@by_identity
def _index(spec: Spec) -> tuple[list, frozenset[str]]:
    """The row entries to match in order, and the structural texts; computed once per spec."""
    entries = [
        (table, rid, _row_keys(spec, table, rid))
        for table in spec.tables
        if table.row_labels
        for rid in table.rows
    ]
    return entries, _structural(spec)


def _structural(spec: Spec) -> frozenset[str]:
    """Texts that are titles or headers of the tables, never row labels."""
    texts = {spec.title, spec.subtitle, spec.note}
    for table in spec.tables:
        texts.update((table.part, table.title, *table.header))
        for column in table.column_specs:
            texts.update((column.label, *column.group, *column.aliases))
    return frozenset(norm_label(t) for t in texts if t)


def _row_keys(spec: Spec, table: Table, rid: str) -> list[str]:
    item = spec.row_items(table.id, rid)[0]
    texts = (item.row_label, *item.aliases)
    return [norm_label(t) for t in texts] + [norm_label(short_label(t)) for t in texts]


def _match(key: str, entries: list, j: int) -> int | None:
    for k in range(j, min(j + LOOKAHEAD, len(entries))):
        if key in entries[k][2]:
            return k
    if j < len(entries) and len(key) > 4:
        ratio = difflib.SequenceMatcher(None, key, entries[j][2][0], autojunk=False).ratio()
        if ratio >= SIMILAR:
            return j
    return None


def _in_table(entries: list, j: int) -> bool:
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
    if not out and len(table.columns) == 1 and label_col:
        out[table.columns[0]] = label_col + 1  # no header found: the cell right of the label
    return out, last_row


def _variant(spec: Spec, matched: dict[tuple[str, str], tuple[int, int, str]]):
    """The variant layout the matched rows show, if any: (spec to read with, its description)."""
    for variant in spec.variants:
        tables = {i.table for i in spec.items if i.row == variant.row}
        table = next(iter(tables))
        has_row = (table, variant.row) in matched
        has_parts = any((table, rid) in matched for rid in variant.replaces)
        if has_row and not has_parts:
            return spec.with_variant(variant.id), variant.id
    return spec, None
