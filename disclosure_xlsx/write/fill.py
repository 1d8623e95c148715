"""Fill the template from data: a mapping, a pandas Series, or a CSV / JSON / xlsx file.

Keys are item ids or official labels (a label that appears in two sections must be given by
id). Every problem is collected and reported together: unknown keys, duplicates, values that
are not numbers, negative or fractional counts, numbers for headings. Nothing is dropped
silently; with any problem, nothing is written.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..check.report import FileReport
from ..check.validate import validate_file
from ..errors import DisclosureError
from ..numbers import plain_number
from ..outputs import check_output, write_bytes
from ..read.cells import classify
from ..read.csvfile import read_csv_text
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

Entry = tuple[str, object, str]  # key, value, where it came from ("第 3 行")


class FillError(DisclosureError):
    """The data cannot fill the table; ``problems`` lists every reason, one line each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}：{len(problems)} 处问题，未生成文件：\n{lines}")


@dataclass(frozen=True)
class Filled:
    """Resolved data: item id -> number, the data items left blank, and the workbook."""

    values: dict[str, int | float]
    blank: tuple[str, ...]
    xlsx: bytes = b""  # the filled template (set by fill, empty from resolve)


def resolve(spec: Spec, data: Any, source: str = "数据") -> Filled:
    """Check and key the data by item id; raise FillError listing every problem."""
    entries = _entries(data)
    by_label: dict[str, list[str]] = {}
    for item in spec.items:
        # the printed label, its aliases, and each without numbering ('3.网络申请数' -> '网络申请数')
        keys = {
            norm_label(t) for text in (item.label, *item.aliases) for t in (text, short_label(text))
        }
        for key in keys:
            by_label.setdefault(key, []).append(item.id)
    units = frozenset(spec.units)
    values: dict[str, int | float] = {}
    seen: dict[str, str] = {}
    given: set[str] = set()
    problems: list[str] = []
    for key, raw, where in entries:
        item_id, problem = _item_for(spec, by_label, key)
        if problem:
            problems.append(f"{where}“{key}”：{problem}")
            continue
        assert item_id is not None
        if item_id in seen:
            problems.append(f"{where}“{key}”：与{seen[item_id]}重复（同一项目 {item_id}）")
            continue
        seen[item_id] = where
        item = spec.item(item_id)
        cell = classify(raw, units)
        if cell.is_blank:
            given.add(item_id)
            continue
        if not item.is_data:
            problems.append(f"{where}“{key}”：这是标题行，不填数")
            continue
        if cell.number is None:
            problems.append(f"{where}“{key}”：“{raw}”不是数字")
            continue
        number = cell.number
        if number < 0:
            problems.append(f"{where}“{key}”：不能为负数（{plain_number(number)}）")
        elif item.value_type == "count" and not number.is_integer():
            problems.append(f"{where}“{key}”：{item.unit}数应为整数（{plain_number(number)}）")
        else:
            values[item_id] = plain_number(number)
    if problems:
        raise FillError(source, problems)
    blank = tuple(i.id for i in spec.data_items() if i.id not in values)
    return Filled(values, blank)


def _item_for(
    spec: Spec, by_label: dict[str, list[str]], key: str
) -> tuple[str | None, str | None]:
    key = str(key).strip()
    if spec.has_item(key):
        return key, None
    ids = by_label.get(norm_label(key), [])
    if len(ids) == 1:
        return ids[0], None
    if len(ids) > 1:
        return None, f"这个名称在表中出现 {len(ids)} 次，请改用项目编号（{'、'.join(ids)}）"
    return None, "表中没有这一项（请用项目编号或统计表中的名称，见 disclosure-xlsx spec）"


def _entries(data: Any) -> list[Entry]:
    """(key, value, where) from a mapping, a pandas Series or (key, value) pairs."""
    if hasattr(data, "items") and callable(data.items):  # dict or pandas Series
        return [(str(k), _plain(v), "") for k, v in data.items()]
    return [(str(k), _plain(v), w) for k, v, w in data]


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
        raise DisclosureError(f"{path}：文件不存在")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_entries(path)
    if suffix == ".csv":
        return _table_entries([list(r) for r in csv.reader(io.StringIO(read_csv_text(path)))])
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
    raise DisclosureError(f"{path}：数据文件须为 .csv、.json 或 .xlsx")


def _json_entries(path: Path) -> list[Entry]:
    pairs: list[tuple[str, object]] = []
    try:
        # object_pairs_hook keeps duplicate keys, which json.load would silently collapse
        data = json.loads(path.read_text(encoding="utf-8-sig"), object_pairs_hook=lambda p: p)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DisclosureError(f"{path}：不是有效的 JSON（{exc}）") from None
    if isinstance(data, list) and all(isinstance(d, list) for d in data):
        for n, record in enumerate(data, start=1):
            fields = dict(record)
            key = next((fields[k] for k in fields if k in KEY_HEADERS), None)
            value = next((fields[k] for k in fields if k in VALUE_HEADERS), None)
            if key is None:
                raise DisclosureError(f"{path}：第 {n} 条记录缺少 item 字段")
            pairs.append((str(key), value))
        return [(k, v, f"第 {n} 条") for n, (k, v) in enumerate(pairs, start=1)]
    if isinstance(data, list):  # an object: a list of (key, value) pairs from the hook
        return [(str(k), v, f"键 {k} ") for k, v in data]
    raise DisclosureError(f'{path}：JSON 须为 {{项目: 数值}} 或 [{{"item": ..., "value": ...}}]')


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
        out.append((str(key), value, f"第 {n} 行"))
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
    return Filled(values, tuple(i for i in resolved.blank if i not in values), xlsx)


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
