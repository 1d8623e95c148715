"""The public catalogue of finding codes, and the Finding value every check produces.

Codes are stable kebab-case strings: JSON reports, tests and clerks' scripts depend on them.
Each has a default severity, a title, a description and a message template in Chinese and
English; the README's table is generated from this catalogue and a test keeps them equal.
Findings are made by one small constructor per family (file, structure, cell, rule), each
taking exactly what its message needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..numbers import plain
from ..spec import Item
from ..text import Lang, Text

if TYPE_CHECKING:
    from .repair import Fix

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    """One entry of the catalogue."""

    code: str
    severity: Severity
    title: Text
    description: Text
    template: Text  # the message, with {placeholders} filled by the constructor


def _code(code: str, severity: Severity, title: Text, description: Text, template: Text) -> Code:
    return Code(code, severity, title, description, template)


CATALOGUE: dict[str, Code] = {
    c.code: c
    for c in (
        _code(
            "blank",
            "error",
            Text("未填写", "blank"),
            Text(
                "空单元格，或只有空格（说明是哪一种）；使用 --blank-as-zero 时为提示",
                "empty cell, or whitespace only (the message says which); "
                "a warning with --blank-as-zero",
            ),
            Text("{how}；没有发生请填 0", "{how}; enter 0 if nothing happened"),
        ),
        _code(
            "number-as-text",
            "warning",
            Text("数字存为文本", "number stored as text"),
            Text(
                "按数字读取的文本：'\\u300044'、'44条'、'４４'、'1,234'、' 12 '；"
                "'无'、'—'、'/' 按 0 读取",
                "text read as a number: '\\u300044', '44条', '４４', '1,234', ' 12 '; "
                "'无', '—', '/' read as 0",
            ),
            Text(
                "“{raw}”是文本，按 {number} 读取；请改为纯数字",
                "'{raw}' is text, read as {number}; enter a plain number",
            ),
        ),
        _code(
            "not-a-number",
            "error",
            Text("不是数字", "not a number"),
            Text(
                "'见附件'、'约10'、'10-12'，以及无穷大、NaN 和超出范围的数",
                "'见附件', '约10', '10-12', and infinities, NaN and out-of-range numbers",
            ),
            Text("“{raw}”不是数字，无法统计", "'{raw}' is not a number"),
        ),
        _code(
            "negative",
            "error",
            Text("负数", "negative"),
            Text("负数", "a negative number"),
            Text("不能为负数（{number}）", "must not be negative ({number})"),
        ),
        _code(
            "not-integer",
            "error",
            Text("不是整数", "not an integer"),
            Text("计数项不是整数", "a count that is not a whole number"),
            Text(
                "{unit}数应为整数（{number}）",
                "a count of {unit} must be a whole number ({number})",
            ),
        ),
        _code(
            "unit-mismatch",
            "error",
            Text("单位不符", "unit mismatch"),
            Text("表中写的单位与规定的不同", "the sheet's unit differs from the spec's"),
            Text("单位填为“{found}”，应为“{expected}”", "unit is '{found}', expected '{expected}'"),
        ),
        _code(
            "heading-filled",
            "error",
            Text("标题行填了数", "number on a heading"),
            Text("标题行填了数（不会被统计）", "a number on a heading row (it is not counted)"),
            Text(
                "标题行不填数，“{raw}”不会被统计；请填到下面的具体项目",
                "headings take no number; '{raw}' is not counted",
            ),
        ),
        _code(
            "total-mismatch",
            "error",
            Text("合计不符", "total mismatch"),
            Text(
                "`sum` 或 `balance` 规则不成立；说明中列出算式",
                "a `sum` or `balance` rule fails; the message shows the arithmetic",
            ),
            Text("{arithmetic}", "{arithmetic}"),
        ),
        _code(
            "part-exceeds-whole",
            "error",
            Text("其中项超过总数", "part exceeds whole"),
            Text("“其中”项超过了总数", "an 'of which' row exceeds its whole"),
            Text("{arithmetic}", "{arithmetic}"),
        ),
        _code(
            "channel-bounds",
            "error",
            Text("渠道数不符", "channel bounds"),
            Text(
                "主动公开总数不在 最大渠道数 … 各渠道之和 之间",
                "the proactive total is outside max(channel) … Σ channels",
            ),
            Text("{arithmetic}", "{arithmetic}"),
        ),
        _code(
            "cross-check",
            "error",
            Text("前后不一致", "cross-check"),
            Text("同一个数在表中问了两次，两处不同", "the same quantity asked twice differs"),
            Text("{arithmetic}", "{arithmetic}"),
        ),
        _code(
            "implausible",
            "warning",
            Text("请核实", "implausible"),
            Text(
                "合理性规则不成立；万元金额像是按元填写",
                "a plausibility rule fails; a 万元 amount that looks entered in 元",
            ),
            Text("{detail}", "{detail}"),
        ),
        _code(
            "missing-item",
            "error",
            Text("缺少项目", "missing item"),
            Text("表中找不到这一项", "an item of the table is not in the sheet"),
            Text("表中找不到这一项", "this item is not in the sheet"),
        ),
        _code(
            "unexpected-row",
            "warning",
            Text("多出的行", "unexpected row"),
            Text(
                "表格中间多出一行，不是统计表的项目", "a row inside the table that is not an item"
            ),
            Text(
                "“{raw}”不是统计表的项目，不会被统计",
                "'{raw}' is not an item of the table and is not counted",
            ),
        ),
        _code(
            "label-changed",
            "warning",
            Text("项目名称被改动", "label changed"),
            Text("能对上，但项目名称文字与规定的不同", "matched, but the label text differs"),
            Text("项目名称写作“{found}”", "label reads '{found}'"),
        ),
        _code(
            "format-variant",
            "warning",
            Text("旧版格式", "layout variant"),
            Text(
                "表格用的是已知的旧版格式（2021 格式：（六）其他处理只有一行），已按该格式读取",
                "the sheet uses a known older layout (2021 format: （六）其他处理 as one row); "
                "read as such",
            ),
            Text("{detail}", "{detail}"),
        ),
        _code(
            "formula-no-value",
            "error",
            Text("公式没有计算结果", "formula without value"),
            Text("公式没有保存计算结果（xlsx/xlsm）", "a formula with no saved result (xlsx/xlsm)"),
            Text(
                "公式没有保存计算结果，请在 Excel/WPS 中打开后保存再发",
                "the formula has no saved result; open and save the file in Excel/WPS",
            ),
        ),
        _code(
            "unreadable",
            "error",
            Text("无法读取", "unreadable"),
            Text(
                "文件级：不是工作簿、空文件、不完整、已加密、过大",
                "file level: not a workbook, empty, truncated, encrypted, too large",
            ),
            Text("{reason}", "{reason}"),
        ),
        _code(
            "wrong-extension",
            "warning",
            Text("扩展名与内容不符", "wrong extension"),
            Text(
                "文件级：扩展名与内容不符（如 .xls 其实是 .xlsx），已按实际格式读取",
                "file level: the extension does not match the content "
                "(an .xls that is really an .xlsx); read by its content",
            ),
            Text("{note}", "{note}"),
        ),
        _code(
            "wrong-template",
            "error",
            Text("不是本统计表", "wrong template"),
            Text(
                "文件级：没有哪张工作表是已知的统计表，或与 --year 指定的年度不符",
                "file level: no sheet holds a known table, or not the year --year names",
            ),
            Text("{reason}", "{reason}"),
        ),
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
    text: Text
    row: int = 0  # sheet row, for ordering (0 for file-level findings)
    diff: float | int | None = None
    fix: Fix | None = None  # what the cell most likely should hold (repair.py)
    group: str = ""  # findings that may be shown as one range share a group ("empty", …)

    def message(self, lang: Lang = "zh") -> str:
        return self.text(lang)

    def title(self, lang: Lang = "zh") -> str:
        return CATALOGUE[self.code].title(lang)

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


@dataclass(frozen=True)
class At:
    """Where a finding sits: the item (if any), the A1 cell and the sheet row."""

    item: Item | None
    cell: str | None
    row: int = 0


def _make(
    code: str,
    at: At,
    fields: dict[str, Any],
    *,
    found: Any = None,
    expected: Any = None,
    severity: Severity | None = None,
    related: tuple[str, ...] = (),
    diff: float | int | None = None,
    fix: Fix | None = None,
    group: str = "",
) -> Finding:
    entry = CATALOGUE[code]
    return Finding(
        code=code,
        severity=severity or entry.severity,
        item=at.item.id if at.item else None,
        label=at.item.label if at.item else None,
        cell=at.cell,
        related=related,
        found=plain(found),
        expected=plain(expected),
        text=entry.template.format(**fields),
        row=at.row,
        diff=diff,
        fix=fix,
        group=group,
    )


# --- file level ----------------------------------------------------------------------------

NOWHERE = At(None, None)


def unreadable(reason: Text) -> Finding:
    return _make("unreadable", NOWHERE, {"reason": reason})


def wrong_template(reason: Text) -> Finding:
    return _make("wrong-template", NOWHERE, {"reason": reason})


def wrong_extension(note: Text) -> Finding:
    return _make("wrong-extension", NOWHERE, {"note": note})


def format_variant(detail: Text) -> Finding:
    return _make("format-variant", NOWHERE, {"detail": detail})


# --- structure -----------------------------------------------------------------------------


def missing_item(item: Item) -> Finding:
    return _make("missing-item", At(item, None), {})


def unexpected_row(cell: str, row: int, text: str) -> Finding:
    return _make("unexpected-row", At(None, cell, row), {"raw": text.strip()}, found=text)


def label_changed(at: At, found: str, expected: str) -> Finding:
    return _make("label-changed", at, {"found": found}, found=found, expected=expected)


def unit_mismatch(at: At, found: object, expected: str | None) -> Finding:
    return _make(
        "unit-mismatch", at, {"found": found, "expected": expected}, found=found, expected=expected
    )


# --- cells ---------------------------------------------------------------------------------


def blank(
    at: At, *, whitespace: bool, severity: Severity, found: object, fix: Fix | None
) -> Finding:
    how = Text("只有空格", "whitespace only") if whitespace else Text("空单元格", "empty cell")
    return _make(
        "blank",
        at,
        {"how": how},
        found=found,
        expected=0,
        severity=severity,
        fix=fix,
        group="whitespace" if whitespace else "empty",
    )


def number_as_text(at: At, raw: object, shown: str, number: int | float, fix: Fix) -> Finding:
    return _make(
        "number-as-text", at, {"raw": shown, "number": number}, found=raw, expected=number, fix=fix
    )


def not_a_number(at: At, raw: object, shown: str) -> Finding:
    return _make("not-a-number", at, {"raw": shown}, found=raw)


def negative(at: At, number: int | float) -> Finding:
    return _make("negative", at, {"number": number}, found=number)


def not_integer(at: At, number: int | float, unit: str | None) -> Finding:
    return _make(
        "not-integer", at, {"number": number, "unit": unit}, found=number, expected=round(number)
    )


def heading_filled(at: At, raw: object, shown: str, fix: Fix | None) -> Finding:
    return _make("heading-filled", at, {"raw": shown}, found=raw, fix=fix)


def formula_no_value(at: At) -> Finding:
    return _make("formula-no-value", at, {})


def implausible(at: At, found: object, expected: object, detail: Text, fix: Fix | None) -> Finding:
    return _make("implausible", at, {"detail": detail}, found=found, expected=expected, fix=fix)


# --- rules ---------------------------------------------------------------------------------


def rule_breach(
    code: str,
    at: At,
    *,
    severity: Severity,
    related: tuple[str, ...],
    found: object,
    expected: object,
    diff: float | int | None,
    arithmetic: Text,
    fix: Fix | None,
) -> Finding:
    """A broken rule: ``arithmetic`` is the one line that shows it."""
    key = "detail" if code == "implausible" else "arithmetic"
    return _make(
        code,
        at,
        {key: arithmetic},
        found=found,
        expected=expected,
        severity=severity,
        related=related,
        diff=diff,
        fix=fix,
    )


# --- year over year (check/yoy.py) and the collection round (campaign/) ---------------------

CATALOGUE.update(
    {
        c.code: c
        for c in (
            _code(
                "carry-over-mismatch",
                "error",
                Text("与上年结转不符", "carry-over mismatch"),
                Text(
                    "年度对比：上年结转的数与上年报表结转下年度的数不同（2021 格式，按申请人各列）",
                    "year over year: carried in differs from last year's carried over "
                    "(2021 format, per applicant column)",
                ),
                Text(
                    "{label} 为 {found}，上年报表“{last}”为 {expected}，两者应相等",
                    "{label} is {found}, but last year's '{last}' was {expected}; they must be equal",
                ),
            ),
            _code(
                "in-force-drift",
                "warning",
                Text("现行有效件数与上年不衔接", "in-force drift"),
                Text(
                    "年度对比：现行有效件数不等于上年现行有效件数 + 本年制发 − 本年废止（非硬性规定）",
                    "year over year: in force differs from last year's in force + issued − "
                    "repealed (not an official rule)",
                ),
                Text(
                    "{arithmetic}；如有文件清理请核实",
                    "{arithmetic}; please check (departments revise these counts)",
                ),
            ),
            _code(
                "large-change",
                "warning",
                Text("与上年相差很大", "large change"),
                Text(
                    "年度对比：计数与上年相差超过 5 倍且超过 20",
                    "year over year: a count differs from last year's by more than a factor "
                    "of 5 and by more than 20",
                ),
                Text(
                    "{label} 上年为 {previous}，今年为 {found}，请核实",
                    "{label} was {previous} last year and is {found} now; please check",
                ),
            ),
            _code(
                "stamp-foreign",
                "warning",
                Text("不是本轮的模板", "template of another round"),
                Text(
                    "收集：模板的隐藏标识属于另一轮收集，或不是本轮名单中的单位",
                    "collection round: the template's hidden stamp belongs to another round "
                    "or to no department of this round",
                ),
                Text("{reason}", "{reason}"),
            ),
            _code(
                "stamp-mismatch",
                "warning",
                Text("用了别的单位的模板", "another department's template"),
                Text(
                    "收集：本轮发给某单位的模板，由另一个单位发来或填了另一个单位的名称；"
                    "须人工确认（campaign assign）",
                    "collection round: a department's template sent by, or naming, another "
                    "department; a person decides (campaign assign)",
                ),
                Text(
                    "这是本轮发给“{owner}”的模板，但{evidence}；请确认是哪个单位的表",
                    "this is the template sent to '{owner}', but {evidence}; "
                    "confirm whose return it is",
                ),
            ),
        )
    }
)


def carry_over_mismatch(at: At, found: object, expected: object, last: str) -> Finding:
    label = at.item.label if at.item else ""
    fields = {"label": label, "found": found, "expected": expected, "last": last}
    return _make("carry-over-mismatch", at, fields, found=found, expected=expected)


def in_force_drift(at: At, found: object, expected: object, arithmetic: Text) -> Finding:
    return _make("in-force-drift", at, {"arithmetic": arithmetic}, found=found, expected=expected)


def large_change(at: At, found: object, previous: object) -> Finding:
    label = at.item.label if at.item else ""
    fields = {"label": label, "found": found, "previous": previous}
    return _make("large-change", at, fields, found=found, expected=previous)


def stamp_foreign(reason: Text, stamp: str) -> Finding:
    return _make("stamp-foreign", NOWHERE, {"reason": reason}, found=stamp)


def stamp_mismatch(owner: str, evidence: Text, stamp: str) -> Finding:
    return _make("stamp-mismatch", NOWHERE, {"owner": owner, "evidence": evidence}, found=stamp)
