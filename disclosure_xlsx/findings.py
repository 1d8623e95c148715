"""The public catalogue of finding codes, and the Finding value every check produces.

Codes are stable kebab-case strings: JSON reports, tests and clerks' scripts depend on them.
Each has a default severity, a title and a message template in Chinese and English; the README's
list is checked against this table by a test, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .i18n import Lang

if TYPE_CHECKING:
    from .repair import Fix

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title_zh: str
    title_en: str
    zh: str
    en: str


CATALOGUE: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            "blank",
            "error",
            "未填写",
            "blank",
            "{how}；没有发生请填 0",
            "{how}; enter 0 if nothing happened",
        ),
        Code(
            "number-as-text",
            "warning",
            "数字存为文本",
            "number stored as text",
            "“{raw}”是文本，按 {number} 读取；请改为纯数字",
            "'{raw}' is text, read as {number}; enter a plain number",
        ),
        Code(
            "not-a-number",
            "error",
            "不是数字",
            "not a number",
            "“{raw}”不是数字，无法统计",
            "'{raw}' is not a number",
        ),
        Code(
            "negative",
            "error",
            "负数",
            "negative",
            "不能为负数（{number}）",
            "must not be negative ({number})",
        ),
        Code(
            "not-integer",
            "error",
            "不是整数",
            "not an integer",
            "{unit}数应为整数（{number}）",
            "a count of {unit} must be a whole number ({number})",
        ),
        Code(
            "unit-mismatch",
            "error",
            "单位不符",
            "unit mismatch",
            "单位填为“{found}”，应为“{expected}”",
            "unit is '{found}', expected '{expected}'",
        ),
        Code(
            "heading-filled",
            "error",
            "标题行填了数",
            "number on a heading",
            "标题行不填数，“{raw}”不会被统计；请填到下面的具体项目",
            "headings take no number; '{raw}' is not counted",
        ),
        Code(
            "total-mismatch", "error", "合计不符", "total mismatch", "{arithmetic}", "{arithmetic}"
        ),
        Code(
            "part-exceeds-whole",
            "error",
            "其中项超过总数",
            "part exceeds whole",
            "{arithmetic}",
            "{arithmetic}",
        ),
        Code(
            "channel-bounds",
            "error",
            "渠道数不符",
            "channel bounds",
            "{arithmetic}",
            "{arithmetic}",
        ),
        Code("cross-check", "error", "前后不一致", "cross-check", "{arithmetic}", "{arithmetic}"),
        Code("implausible", "warning", "请核实", "implausible", "{detail}", "{detail}"),
        Code(
            "missing-item",
            "error",
            "缺少项目",
            "missing item",
            "表中找不到这一项",
            "this item is not in the sheet",
        ),
        Code(
            "unexpected-row",
            "warning",
            "多出的行",
            "unexpected row",
            "“{raw}”不是统计表的项目，不会被统计",
            "'{raw}' is not an item of the table and is not counted",
        ),
        Code(
            "label-changed",
            "warning",
            "项目名称被改动",
            "label changed",
            "项目名称写作“{found}”",
            "label reads '{found}'",
        ),
        Code(
            "formula-no-value",
            "error",
            "公式没有计算结果",
            "formula without value",
            "公式没有保存计算结果，请在 Excel/WPS 中打开后保存再发",
            "the formula has no saved result; open and save the file in Excel/WPS",
        ),
        Code(
            "format-variant",
            "warning",
            "旧版格式",
            "layout variant",
            "{detail}",
            "{detail}",
        ),
        Code("unreadable", "error", "无法读取", "unreadable", "{reason}", "{reason}"),
        Code("wrong-template", "error", "不是本统计表", "wrong template", "{reason}", "{reason}"),
    )
}


#: The keys of a finding in JSON reports and DataFrame columns, in order.
FINDING_FIELDS = (
    "code",
    "severity",
    "item",
    "label",
    "cell",
    "related",
    "found",
    "expected",
    "message",
    "fix",
)


@dataclass(frozen=True)
class Finding:
    """One problem in one file, with everything a clerk needs to fix it."""

    code: str
    severity: Severity
    item: str | None
    label: str | None
    cell: str | None
    related: tuple[str, ...]
    found: Any
    expected: Any
    message_zh: str
    message_en: str
    row: int = 0  # sheet row, for ordering (0 for file-level findings)
    diff: float | int | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    fix: Fix | None = None  # what the cell most likely should hold (repair.py)

    def message(self, lang: Lang = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def title(self, lang: Lang = "zh") -> str:
        entry = CATALOGUE[self.code]
        return entry.title_zh if lang == "zh" else entry.title_en

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "item": self.item,
            "label": self.label,
            "cell": self.cell,
            "related": list(self.related),
            "found": self.found,
            "expected": self.expected,
            "message": self.message(lang),
            "fix": self.fix.to_dict(lang) if self.fix else None,
        }


def make(
    code: str,
    *,
    severity: Severity | None = None,
    item: str | None = None,
    label: str | None = None,
    cell: str | None = None,
    related: tuple[str, ...] = (),
    found: Any = None,
    expected: Any = None,
    row: int = 0,
    diff: float | int | None = None,
    zh: dict[str, Any] | None = None,
    en: dict[str, Any] | None = None,
    fix: Fix | None = None,
    **fields: Any,
) -> Finding:
    """Build a finding from the catalogue; ``zh``/``en`` override fields per language."""
    entry = CATALOGUE[code]
    context = {"found": found, "expected": expected, **fields}
    return Finding(
        code=code,
        severity=severity or entry.severity,
        item=item,
        label=label,
        cell=cell,
        related=related,
        found=found,
        expected=expected,
        message_zh=entry.zh.format(**{**context, **(zh or {})}),
        message_en=entry.en.format(**{**context, **(en or {})}),
        row=row,
        diff=diff,
        params=fields,
        fix=fix,
    )
