"""Fill the template from data: a mapping, a pandas Series, or a CSV / JSON / xlsx file.

Keys are item ids or official labels (a label that appears in two sections must be given by
id). Every problem is collected and reported together: unknown keys, duplicates, values that
are not numbers, negative or fractional counts, numbers for headings. Nothing is dropped
silently; with any problem, nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..check.report import FileReport
from ..check.validate import validate_file
from ..errors import DisclosureError, UsageError
from ..numbers import plain_number
from ..outputs import check_output, write_bytes
from ..read.cells import classify, entered_in_yuan, reading_units
from ..read.csvfile import csv_rows, read_csv_text
from ..read.grid import read_grids
from ..read.guard import check_file
from ..spec import Spec
from ..spec.labels import norm_label, short_label
from ..text import Text

#: Header names recognised in data files, for the key column and the value column.
KEY_HEADERS = frozenset(
    {"item", "id", "item_id", "key", "label", "项目", "项目编号", "统计指标", "指标"}
)
VALUE_HEADERS = frozenset({"value", "数值", "统计数", "数量", "值"})

Entry = tuple[str, object, Text]  # key, value, where it came from ("第 3 行" / "line 3")
NOWHERE = Text("", "")


class FillError(DisclosureError):
    """The data cannot fill the table; ``problems`` lists every reason, one line each."""

    def __init__(self, source: str, problems: list[Text]) -> None:
        self.problems = problems
        zh = "\n".join(f"  - {p.zh}" for p in problems)
        en = "\n".join(f"  - {p.en}" for p in problems)
        super().__init__(
            Text(
                f"{source}：{len(problems)} 处问题，未生成文件：\n{zh}",
                f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}, "
                f"nothing written:\n{en}",
            )
        )


@dataclass(frozen=True)
class Filled:
    """Resolved data: item id -> number, the data items left blank, and the workbook."""

    values: dict[str, int | float]
    blank: tuple[str, ...]
    xlsx: bytes = b""  # the filled template (set by fill, empty from resolve)
    notes: tuple[Text, ...] = ()  # values read from text ('12件', '１２'), as validate warns


def _say(where: Text, key: str) -> Text:
    return Text(f"{where.zh}“{key}”：", f"{where.en}'{key}': ")


@cache
def _label_index(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Normalised label -> item ids: printed labels, aliases and each without numbering, and in
    a matrix also 'row/column' and 'row·column' (予以公开/自然人)."""
    index: dict[str, list[str]] = {}

    def add(text: str, item_id: str) -> None:
        ids = index.setdefault(norm_label(text), [])
        if item_id not in ids:
            ids.append(item_id)

    for item in spec.items:
        rows = {t for text in (item.row_label, *item.aliases) for t in (text, short_label(text))}
        if len(spec.table(item.table).columns) == 1:
            for text in {*rows, item.label, short_label(item.label)}:
                add(text, item.id)
            continue
        column = spec.table(item.table).column(item.column)
        columns = {column.label, column.full_label, *column.aliases}
        for row in rows:
            add(row, item.id)  # a row alone names every cell of the row: asked to choose
            for col in columns:
                for sep in ("/", "·", "-"):
                    add(f"{row}{sep}{col}", item.id)
    return {k: tuple(v) for k, v in index.items()}


def resolve(spec: Spec, data: Any, source: str = "数据") -> Filled:
    """Check and key the data by item id; raise FillError listing every problem."""
    entries = _entries(data)
    units = reading_units(spec.units)
    values: dict[str, int | float] = {}
    seen: dict[str, Text] = {}
    problems: list[Text] = []
    notes: list[Text] = []
    for key, raw, where in entries:
        say = _say(where, key)
        item_id, problem = _item_for(spec, key)
        if problem:
            problems.append(say + problem)
            continue
        assert item_id is not None
        if item_id in seen:
            before = seen[item_id]
            problems.append(
                say
                + Text(
                    f"与{before.zh.strip() or '前面'}重复（同一项目 {item_id}）",
                    f"repeats {before.en.strip() or 'an earlier entry'} (the same item {item_id})",
                )
            )
            continue
        seen[item_id] = where
        item = spec.item(item_id)
        cell = classify(raw, units)
        if cell.is_blank:
            continue
        if not item.is_data:
            problems.append(
                say + Text("这是标题行，不填数", "this is a heading; it takes no number")
            )
            continue
        if cell.number is None:
            problems.append(say + Text(f"“{raw}”不是数字", f"'{raw}' is not a number"))
            continue
        number = cell.number
        if entered_in_yuan(cell, item.unit):
            number = number / 10000
        shown = plain_number(number)
        if cell.kind == "text-number":
            notes.append(
                say
                + Text(
                    f"“{raw}”是文本，按 {shown}（{item.unit}）填入",
                    f"'{raw}' is text, filled in as {shown} ({item.unit})",
                )
            )
        if number < 0:
            problems.append(say + Text(f"不能为负数（{shown}）", f"must not be negative ({shown})"))
        elif item.value_type == "count" and not number.is_integer():
            problems.append(
                say
                + Text(
                    f"{item.unit}数应为整数（{shown}）",
                    f"a count of {item.unit} must be a whole number ({shown})",
                )
            )
        else:
            values[item_id] = shown
    if problems:
        raise FillError(source, problems)
    blank = tuple(i.id for i in spec.data_items() if i.id not in values)
    return Filled(values, blank, notes=tuple(notes))


def _item_for(spec: Spec, key: str) -> tuple[str | None, Text | None]:
    key = str(key).strip()
    if spec.has_item(key):
        return key, None
    ids = _label_index(spec).get(norm_label(key), ())
    if len(ids) == 1:
        return ids[0], None
    if len(ids) > 1:
        items = [spec.item(i) for i in ids]
        if len({(i.table, i.row) for i in items}) == 1:  # one row of a matrix: which column?
            row = short_label(items[0].row_label)
            table = spec.table(items[0].table)
            choices = [f"{row}/{table.column(i.column).label}" for i in items]
            return None, Text(
                f"请指明列：{'、'.join(choices)}（或用项目编号 {ids[0]} 等）",
                f"say which column: {', '.join(choices)} (or use an item id such as {ids[0]})",
            )
        return None, Text(
            f"这个名称在表中出现 {len(ids)} 次，请改用项目编号（{'、'.join(ids)}）",
            f"this name appears {len(ids)} times in the table; use an item id ({', '.join(ids)})",
        )
    return None, Text(
        "表中没有这一项（请用项目编号或统计表中的名称，见 disclosure-xlsx spec）",
        "no such item in the table (use an item id or a label; see disclosure-xlsx spec)",
    )


def _entries(data: Any) -> list[Entry]:
    """(key, value, where) from a mapping, a pandas Series or (key, value, where) triples."""
    if hasattr(data, "items") and callable(data.items):  # dict or pandas Series
        return [(str(k), _plain(v), NOWHERE) for k, v in data.items()]
    return [
        (str(k), _plain(v), w if isinstance(w, Text) else Text(str(w), str(w))) for k, v, w in data
    ]


def _plain(value: object) -> object:
    """numpy scalars and NaN (pandas' missing value) as plain Python values."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def read_data(path: str | Path) -> list[Entry]:
    """Entries of a data file: .csv (UTF-8 or GBK), .json (object or list) or .xlsx/.xls/.ods."""
    path = Path(path)
    if not path.exists():
        raise UsageError(Text(f"找不到文件：{path}", f"file not found: {path}"))
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_entries(path)
    if suffix == ".csv":
        return _table_entries([list[object](r) for r in csv_rows(path, read_csv_text(path))])
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        try:  # through the guard like any workbook from outside
            grids = read_grids(check_file(path))
        except DisclosureError as exc:
            raise DisclosureError(Text(f"{path}：", f"{path}: ") + exc.text) from None
        grid = grids[0] if grids else None
        rows: list[list[object]] = [
            [cells.get(c) for c in range(1, max(cells) + 1)]
            for cells in (grid.by_row.values() if grid else [])
        ]
        return _table_entries(rows)
    raise UsageError(
        Text(
            f"{path}：数据文件须为 .csv、.json 或 .xlsx",
            f"{path}: the data file must be .csv, .json or .xlsx",
        )
    )


def _json_entries(path: Path) -> list[Entry]:
    pairs: list[tuple[str, object]] = []
    try:
        # object_pairs_hook keeps duplicate keys, which json.load would silently collapse
        data = json.loads(path.read_text(encoding="utf-8-sig"), object_pairs_hook=lambda p: p)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(
            Text(f"{path}：不是有效的 JSON（{exc}）", f"{path}: not valid JSON ({exc})")
        ) from None
    if isinstance(data, list) and all(isinstance(d, list) for d in data):
        for n, record in enumerate(data, start=1):
            fields = dict(record)
            key = next((fields[k] for k in fields if k in KEY_HEADERS), None)
            value = next((fields[k] for k in fields if k in VALUE_HEADERS), None)
            if key is None:
                raise UsageError(
                    Text(
                        f"{path}：第 {n} 条记录缺少 item 字段",
                        f"{path}: record {n} has no item field",
                    )
                )
            pairs.append((str(key), value))
        return [
            (k, v, Text(f"第 {n} 条", f"record {n} ")) for n, (k, v) in enumerate(pairs, start=1)
        ]
    if isinstance(data, list):  # an object: a list of (key, value) pairs from the hook
        return [(str(k), v, NOWHERE) for k, v in data]
    raise UsageError(
        Text(
            f'{path}：JSON 须为 {{项目: 数值}} 或 [{{"item": ..., "value": ...}}]',
            f'{path}: the JSON must be {{item: number}} or [{{"item": ..., "value": ...}}]',
        )
    )


def _table_entries(rows: list[list[object]]) -> list[Entry]:
    """Rows of a sheet or CSV: a header names the key and value columns, else first and last."""
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        return []
    head = [str(c).strip().lower() if c is not None else "" for c in rows[0]]
    key_col = next((i for i, h in enumerate(head) if h in KEY_HEADERS), None)
    value_col = next((i for i, h in enumerate(head) if h in VALUE_HEADERS), None)
    start = 1 if key_col is not None or value_col is not None else 0
    key_col = 0 if key_col is None else key_col
    out: list[Entry] = []
    for n, row in enumerate(rows[start:], start=start + 1):
        col = value_col if value_col is not None else len(row) - 1
        key = row[key_col] if key_col < len(row) else None
        value = row[col] if col < len(row) and col != key_col else None
        if key in (None, ""):
            continue
        out.append((str(key), value, Text(f"第 {n} 行", f"line {n} ")))
    return out


def fill(
    spec: Spec,
    data: Any,
    unit_name: str = "",
    *,
    missing_as_zero: bool = False,
    source: str = "数据",
) -> Filled:
    """The template with the data filled in; ``.xlsx`` holds the workbook bytes.

    Items the data do not mention stay blank (the validation will ask for them), or are 0 with
    ``missing_as_zero`` (for data that list only what happened).
    """
    from .template import template_bytes  # openpyxl: only when a workbook is written

    resolved = resolve(spec, data, source)
    values = dict(resolved.values)
    if missing_as_zero:
        values.update(dict.fromkeys(resolved.blank, 0))
    xlsx = template_bytes(spec, unit_name, values=values)
    blank = tuple(i for i in resolved.blank if i not in values)
    return Filled(values, blank, xlsx, resolved.notes)


@dataclass(frozen=True)
class FillResult:
    """A filled template written to ``output``, and its validation."""

    output: Path
    filled: Filled
    report: FileReport


def fill_file(
    spec: Spec,
    data: Any,
    output: Path,
    unit_name: str = "",
    *,
    missing_as_zero: bool = False,
    force: bool = False,
    source: str | None = None,
) -> FillResult:
    """Fill the template from ``data`` (a path to a .csv/.json/.xlsx file, or a mapping), write
    it to ``output`` whole or not at all, and validate what was written."""
    inputs = [Path(data)] if isinstance(data, (str, Path)) else []
    check_output(output, inputs, force=force)
    entries = read_data(data) if isinstance(data, (str, Path)) else data
    filled = fill(
        spec,
        entries,
        unit_name,
        missing_as_zero=missing_as_zero,
        source=source or (str(data) if inputs else "数据"),
    )
    write_bytes(output, filled.xlsx, exclusive=not force)
    return FillResult(output, filled, validate_file(output, year=spec.year))
