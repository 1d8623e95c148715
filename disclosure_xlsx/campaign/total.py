"""The district total: every department's current return added up, item by item.

Only current returns that passed are added, unless ``include_invalid``; a department that has
not returned, or whose return cannot be read or is not this year's format, is listed with the
reason. Items the spec declares not to be summed (``total = false`` on a row) are left out.
A return in a known older layout (the 2021 format's （六）其他处理 as one row) has that row's
number counted under the last of the rows it stands for, and the 说明 sheet says so.

The result is the official template filled with the sums (the same writer as every template),
a sheet 明细 (items × departments, built with pandas) and a sheet 说明; the workbook is then
validated like any return: sums of consistent returns are consistent, and if they are not
(with ``include_invalid``), the report says where.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..check.report import FileReport
from ..check.validate import validate_file
from ..numbers import plain_number
from ..spec import Spec
from ..text import Lang, Text
from ..write.template import build_workbook, workbook_bytes
from .roster import Department
from .status import STATES, RoundInfo, State
from .store import ReturnRecord

SCHEMA = "disclosure-xlsx/campaign-total/1"


@dataclass(frozen=True)
class Part:
    """One department in the total: its current return, and whether and why it counts."""

    department: Department
    record: ReturnRecord | None
    values: Mapping[str, float | None] | None
    included: bool
    reason: Text | None = None  # why not included
    note: Text | None = None  # how it was read (an older layout)

    @property
    def state(self) -> State:
        return self.record.status if self.record else "missing"

    def state_text(self) -> str:
        text = STATES[self.state].zh
        return f"{text}（计入）" if self.included else f"{text}（未计入）"


@dataclass(frozen=True)
class Total:
    """The sums, who is in them, and the workbook (with its validation)."""

    info: RoundInfo
    spec: Spec
    unit_name: str
    include_invalid: bool
    parts: tuple[Part, ...]
    values: dict[str, int | float]
    xlsx: bytes = field(default=b"", repr=False)
    report: FileReport | None = None

    @property
    def included(self) -> tuple[str, ...]:
        return tuple(p.department.id for p in self.parts if p.included)

    @property
    def excluded(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if not p.included)

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        """The JSON contract of `campaign total --format json`."""
        return {
            "schema": SCHEMA,
            "included": list(self.included),
            "excluded": [
                {"id": p.department.id, "reason": p.reason(lang) if p.reason else ""}
                for p in self.excluded
            ],
            "values": dict(self.values),
        }


def _reason(record: ReturnRecord | None, has_values: bool, include_invalid: bool) -> Text | None:
    if record is None:
        return Text("未交", "not returned")
    if record.status == "unreadable":
        return Text("当前版本无法读取", "its current return cannot be read")
    if not has_values:
        return Text("当前版本不是本轮格式的统计表", "its current return is not this round's table")
    if record.status == "invalid" and not include_invalid:
        return Text(
            f"当前版本有错误（{record.errors} 处）；加 --include-invalid 可计入",
            f"its current return has {record.errors} errors; --include-invalid counts it",
        )
    return None


def in_main_layout(
    spec: Spec, stored: Mapping[str, float | None]
) -> tuple[dict[str, float | None], Text | None]:
    """Stored numbers keyed by the spec's own items: a variant row's number moves to the last
    row it stands for (and a note says so)."""
    data = {i.id for i in spec.data_items()}
    out = {k: v for k, v in stored.items() if k in data}
    notes: list[Text] = []
    for variant in spec.variants:
        heads = [i for i in spec.items if i.row == variant.row and i.id in stored]
        for head in heads:
            target = next(
                i
                for i in spec.row_items(head.table, variant.replaces[-1])
                if i.column == head.column
            )
            out[target.id] = (out.get(target.id) or 0) + (stored[head.id] or 0)
        if heads:
            last = spec.row_items(heads[0].table, variant.replaces[-1])[0]
            notes.append(
                Text(
                    f"{heads[0].row_label}只填了一行，按“{last.row_label}”计入",
                    f"{heads[0].row_label} given as one row, counted as {last.row_label}",
                )
            )
    return out, (notes[0] if notes else None)


def build_total(
    info: RoundInfo,
    spec: Spec,
    departments: Sequence[Department],
    currents: Mapping[str, tuple[ReturnRecord, Mapping[str, float | None] | None]],
    *,
    include_invalid: bool = False,
    unit_name: str = "",
) -> Total:
    """Add up the current returns (``currents``: department id -> record and stored numbers),
    write the workbook in memory and validate it."""
    import pandas as pd

    parts: list[Part] = []
    for d in departments:
        record, stored = currents.get(d.id, (None, None))
        found, note = in_main_layout(spec, stored) if stored is not None else (None, None)
        reason = _reason(record, found is not None, include_invalid)
        parts.append(Part(d, record, found, reason is None, reason, note))
    items = [i.id for i in spec.data_items()]
    frame = pd.DataFrame(
        {p.department.id: pd.Series(dict(p.values or {}), dtype="float64") for p in parts},
        index=pd.Index(items),
        columns=pd.Index([p.department.id for p in parts]),
        dtype="float64",
    )
    summed = [i for i in items if i not in spec.no_total]
    included = [p.department.id for p in parts if p.included]
    sums = frame.loc[summed, included].fillna(0).sum(axis=1)
    values = {item: plain_number(round(float(sums[item]), 6)) for item in summed}
    total = Total(info, spec, unit_name, include_invalid, tuple(parts), values)
    from .sheets import detail_sheet, notes_sheet

    wb = build_workbook(spec, unit_name, values=values)
    detail_sheet(wb, total, frame)
    notes_sheet(wb, total)
    xlsx = workbook_bytes(wb)
    with tempfile.TemporaryDirectory(prefix="dx-total-") as tmp:
        path = Path(tmp) / "汇总.xlsx"
        path.write_bytes(xlsx)
        report = validate_file(path, year=spec.year)
    return replace(total, xlsx=xlsx, report=replace(report, path="汇总.xlsx"))
