"""Every user-facing word in Chinese (the default) and English, as one kind of value.

A :class:`Text` holds both languages of one message, so a finding, a rule description or a
suggestion is built once and rendered in whichever language the user asked for. Interface
strings (headings, status words, CLI messages) live in :data:`UI`, one table, so a test can
render every one of them in English and fail on a Chinese character.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class Text(NamedTuple):
    """One message in both languages."""

    zh: str
    en: str

    def __call__(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **fields: Any) -> Text:  # type: ignore[override]
        """Fill ``{name}`` placeholders; a field that is itself a Text gives each language its own."""
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in fields.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in fields.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))

    def __add__(self, other: object) -> Text:  # type: ignore[override]
        if isinstance(other, Text):
            return Text(self.zh + other.zh, self.en + other.en)
        if isinstance(other, str):
            return Text(self.zh + other, self.en + other)
        return NotImplemented


def same(text: str) -> Text:
    """Text that reads the same in both languages (a cell address, a number, a label)."""
    return Text(text, text)


def join(parts: list[Text], zh: str = "、", en: str = ", ") -> Text:
    """Parts joined with each language's list separator."""
    return Text(zh.join(p.zh for p in parts), en.join(p.en for p in parts))


#: Interface strings, by key. Findings and suggestions carry their own Text values.
UI: dict[str, Text] = {
    # spec tree and value types
    "heading": Text("标题行", "heading"),
    "count": Text("非负整数", "non-negative integer"),
    "decimal": Text("非负数", "non-negative number"),
    "error": Text("错误", "error"),
    "warning": Text("提示", "warning"),
    "columns": Text("列：", "columns: "),
    "variant": Text("变体", "variant"),
    # statuses
    "ok": Text("通过", "ok"),
    "invalid": Text("有错误", "invalid"),
    "unreadable": Text("无法读取", "unreadable"),
    "skipped": Text("已跳过", "skipped"),
    # report headings
    "report.title": Text("政府信息公开工作情况统计表 校验报告", "Statistics table check report"),
    "report.summary": Text("汇总", "Summary"),
    "col.no": Text("序号", "No."),
    "col.file": Text("文件", "File"),
    "col.unit": Text("单位名称", "Department"),
    "col.status": Text("状态", "Status"),
    "col.errors": Text("错误", "Errors"),
    "col.warnings": Text("提示", "Warnings"),
    "col.template": Text("模板", "Template"),
    "col.sheet": Text("工作表", "Sheet"),
    "col.cell": Text("单元格", "Cell"),
    "col.item": Text("项目", "Item"),
    "col.problem": Text("问题", "Problem"),
    "col.details": Text("说明", "Details"),
    "col.found": Text("填报值", "Found"),
    "col.expected": Text("应为", "Expected"),
    "col.diff": Text("差额", "Diff"),
    "col.fix": Text("建议", "Suggestion"),
    "col.before": Text("原值", "Before"),
    "col.after": Text("新值", "After"),
    "col.why": Text("原因", "Why"),
    "items": Text("{n} 项", "{n} items"),
    "none": Text("没有发现问题。", "No problems found."),
    "empty": Text("（空）", "(empty)"),
    "unit.none": Text("（未填）", "(none)"),
    "counts": Text("错误 {errors}，提示 {warnings}", "{errors} errors, {warnings} warnings"),
    "totals": Text(
        "共 {files} 个：通过 {ok}，有错误 {invalid}，无法读取 {unreadable}，跳过 {skipped}",
        "{files} files: {ok} ok, {invalid} invalid, {unreadable} unreadable, {skipped} skipped",
    ),
    "suggestion": Text("建议", "suggestion"),
    # annotated copies
    "annot.title": Text("校验结果：{who}", "Check results: {who}"),
    "annot.intro": Text(
        "错误 {errors} 处，提示 {warnings} 处。点击单元格地址可跳到该格；"
        "红色为错误（必须改），黄色为提示（请核实）。",
        "{errors} errors, {warnings} warnings. Click a cell address to jump to it; "
        "red is an error (must be fixed), yellow a warning (please check).",
    ),
    "annot.written": Text("已写出批注副本：{path}", "annotated copy: {path}"),
    "annot.failed": Text("未能批注", "not annotated"),
    "annot.none": Text("没有需要批注的文件", "no file needed annotating"),
    # fix
    "fix.wrote": Text("已写入 {path}（改动 {n} 个单元格）", "Wrote {path} ({n} cells changed)"),
    "fix.after": Text("修正后的校验结果：", "The copy, validated:"),
    "fix.skipped": Text("未修改 {what}", "not changed: {what}"),
    # CLI
    "error.prefix": Text("错误：", "Error: "),
    "progress": Text("校验中", "checking"),
    "template.written": Text("已生成 {path}", "wrote {path}"),
    "roster.written": Text(
        "已为 {n} 个单位生成模板：{folder}（清单：{manifest}）",
        "wrote templates for {n} departments: {folder} (list: {manifest})",
    ),
    "fill.written": Text(
        "已生成 {path}：填入 {filled} 项，留空 {blank} 项",
        "wrote {path}: {filled} items filled, {blank} left blank",
    ),
}


def ui(key: str, lang: Lang = "zh", **fields: Any) -> str:
    """The interface string ``key`` in ``lang``, with ``{name}`` placeholders filled."""
    text = UI[key]
    return (text.format(**fields) if fields else text)(lang)
