"""Find the table in a returned workbook: which cell holds which item.

Our templates carry hidden item ids (column E, marker in E1); rows are found by id, so inserted
rows do not matter. Anything else (a table pasted from the Word report, last year's file) is read
by labels: normalised for spaces, full/half-width forms and numbering, and matched in printed
order, so labels that repeat across sections (被依法纠错数, 其他情形数 …) land on the right item.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from .grid import Grid, Value
from .spec import Item, Spec, available_years, by_identity, load_spec
from .values import normalize_text

MARKER_PREFIX = "disclosure-xlsx:"
#: How many printed items a label may skip ahead (rows deleted by the department).
LOOKAHEAD = 15
#: A label this similar to the expected next label is the same item, reworded.
SIMILAR = 0.6


@dataclass(frozen=True)
class Placement:
    """Where one item sits in the returned sheet."""

    item_id: str
    row: int
    label_col: int
    unit_col: int | None
    value_col: int
    label_text: str


@dataclass(frozen=True)
class Stray:
    """A row inside the table that is not an item of the spec."""

    row: int
    col: int
    text: str


@dataclass(frozen=True)
class Location:
    spec: Spec
    grid: Grid
    method: Literal["ids", "labels"]
    placements: dict[str, Placement]
    strays: tuple[Stray, ...] = ()
    unit_name: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


class NotThisTable(Exception):
    """No sheet holds a known table; the message says why (becomes `wrong-template`)."""


_NUMBERING = re.compile(r"^(\d+)[、.．,，]")


@lru_cache(maxsize=8192)
def norm_label(text: str) -> str:
    """Label text for comparison: no spaces, half-width, '1、' written as '1.'."""
    text = normalize_text(text)
    return _NUMBERING.sub(r"\1.", text).rstrip(":")


@lru_cache(maxsize=1024)
def label_keys(item: Item) -> frozenset[str]:
    """The normalised official (row) label and aliases of an item."""
    return frozenset(norm_label(t) for t in (item.row_label or item.label, *item.aliases))


def locate(grids: list[Grid], year: str | None = None) -> Location:
    """Find the best sheet and the item placements in it."""
    for grid in grids:
        marker = _find_marker(grid)
        if marker is not None:
            (row, col), text = marker
            parts = text.split(":")
            marker_year = parts[2] if len(parts) > 3 else ""
            if marker_year not in available_years():
                raise NotThisTable(
                    f"工作表“{grid.name}”是 {marker_year or '未知'} 年度格式，本工具不认识"
                )
            spec = load_spec(marker_year)
            if spec.is_matrix:
                from .locate_matrix import by_ids

                return by_ids(grid, spec, col, _unit_name(grid))
            return _by_ids(grid, spec, row, col)
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
        raise NotThisTable("找不到政府信息公开工作情况统计表（没有模板标识，项目名称也对不上）")
    _, grid, spec = best
    if spec.is_matrix:
        from .locate_matrix import by_labels

        return by_labels(grid, spec, _unit_name(grid))
    return _by_labels(grid, spec)


def _find_marker(grid: Grid) -> tuple[tuple[int, int], str] | None:
    for key, value in grid.cells.items():
        if isinstance(value, str) and value.startswith(MARKER_PREFIX):
            return key, value
    return None


@by_identity
def _label_index(spec: Spec) -> frozenset[str]:
    """Every text that identifies this spec's table in a sheet: row labels, titles, headers."""
    texts = [t for i in spec.items for t in (i.row_label or i.label, *i.aliases)]
    for table in spec.tables:
        texts.extend((table.part, table.title))
        texts.extend(c.label for c in table.column_specs if table.is_matrix)
    return frozenset(norm_label(t) for t in texts if t)


def _header(grid: Grid, spec: Spec) -> tuple[int, int, int | None, int] | None:
    """(row, label col, unit col, value col) from a header row such as 统计指标 | 单位 | 统计数."""
    names = [norm_label(h) for h in spec.tables[0].header]
    for r, cells in grid.by_row.items():
        found = {norm_label(v): c for c, v in cells.items() if isinstance(v, str)}
        if names and names[0] in found and names[-1] in found:
            unit = found.get(names[1]) if len(names) > 2 else None
            return r, found[names[0]], unit, found[names[-1]]
    return None


def _unit_name(grid: Grid) -> str | None:
    for _r, cells in grid.by_row.items():
        for c, v in cells.items():
            if isinstance(v, str) and normalize_text(v).startswith("单位名称"):
                rest = re.sub(r"^单位名称\s*[:：]?", "", v.strip(" \u3000")).strip(" \u3000")
                if rest:
                    return rest
                after = [val for cc, val in sorted(cells.items()) if cc > c and str(val).strip()]
                return str(after[0]).strip() if after else None
    return None


def _by_ids(grid: Grid, spec: Spec, marker_row: int, id_col: int) -> Location:
    header = _header(grid, spec)
    label_col, unit_col, value_col = (header[1], header[2], header[3]) if header else (1, 2, 3)
    placements: dict[str, Placement] = {}
    strays: list[Stray] = []
    first = header[0] + 1 if header else marker_row + 1
    last = _last_id_row(grid, id_col)
    for r, cells in grid.by_row.items():
        if r < first:
            continue
        item_id = cells.get(id_col)
        text = cells.get(label_col)
        if isinstance(item_id, str) and spec.has_item(item_id):
            placements[item_id] = Placement(
                item_id, r, label_col, unit_col, value_col, str(text or "")
            )
        elif isinstance(text, str) and text.strip() and r < last:
            strays.append(Stray(r, label_col, text))
    return Location(spec, grid, "ids", placements, tuple(strays), _unit_name(grid))


def _last_id_row(grid: Grid, id_col: int) -> int:
    rows = [r for (r, c), v in grid.cells.items() if c == id_col and isinstance(v, str)]
    return max(rows) if rows else 0


def _by_labels(grid: Grid, spec: Spec) -> Location:
    header = _header(grid, spec)
    labels = [[norm_label(t) for t in (i.label, *i.aliases)] for i in spec.items]
    if header:
        start, label_col, unit_col, value_col = header
    else:
        start, label_col, unit_col, value_col = _guess_columns(grid, labels, spec)
    placements: dict[str, Placement] = {}
    pending: list[Stray] = []
    strays: list[Stray] = []
    j = 0
    for r, cells in grid.by_row.items():
        text = cells.get(label_col)
        if r <= start or not isinstance(text, str) or not normalize_text(text):
            continue
        key = norm_label(text)
        match = next(
            (k for k in range(j, min(j + LOOKAHEAD, len(labels))) if key in labels[k]), None
        )
        if match is None and j < len(labels) and _similar(key, labels[j][0]):
            match = j
        if match is None:
            if placements:
                pending.append(Stray(r, label_col, text))
            continue
        strays.extend(pending)
        pending = []
        item = spec.items[match]
        placements[item.id] = Placement(item.id, r, label_col, unit_col, value_col, text)
        j = match + 1
    return Location(spec, grid, "labels", placements, tuple(strays), _unit_name(grid))


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILAR


def _guess_columns(
    grid: Grid, labels: list[list[str]], spec: Spec
) -> tuple[int, int, int | None, int]:
    """No header row: the label column has the most labels, the unit column the most units."""
    wanted = {lab for group in labels for lab in group}
    label_hits: dict[int, int] = {}
    unit_hits: dict[int, int] = {}
    first_row = None
    for r, cells in grid.by_row.items():
        for c, v in cells.items():
            if not isinstance(v, str):
                continue
            if norm_label(v) in wanted:
                label_hits[c] = label_hits.get(c, 0) + 1
                first_row = r if first_row is None else first_row
            elif normalize_text(v) in spec.units:
                unit_hits[c] = unit_hits.get(c, 0) + 1
    label_col = max(label_hits, key=lambda c: label_hits[c]) if label_hits else 1
    unit_col = max(unit_hits, key=lambda c: unit_hits[c]) if unit_hits else None
    value_col = max(label_col, unit_col or 0) + 1
    return (first_row or 1) - 1, label_col, unit_col, value_col


def cell_value(location: Location, item_id: str) -> tuple[Value, tuple[int, int]] | None:
    """The raw value and (row, col) of an item's value cell, or None if the item is missing."""
    p = location.placements.get(item_id)
    if p is None:
        return None
    return location.grid.get(p.row, p.value_col), (p.row, p.value_col)
