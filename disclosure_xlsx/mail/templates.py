"""The texts of the round's mails: read from ``mail/通知.txt`` (and 退回, 催报), filled per department.

A text's first line is the subject (``主题：…``), the rest is the body. ``{占位符}`` names one of
the fields of :data:`FIELDS` and is replaced by its value; ``{{`` and ``}}`` are a literal brace.
Filling is one pass of plain substitution: a value is inserted as it is and never read again,
so a department's name (untrusted text from the roster) can hold braces, ``$`` or anything
else. A placeholder that is not a field is an error when the text is read, naming the file,
the line and the fields there are, before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from ..campaign.mailfiles import NOTICE, REMINDER, REPLY
from ..check.findings import Finding
from ..check.rows import report_rows
from ..errors import UsageError
from ..numbers import clean
from ..text import Text
from .files import mail_file, read_text_file

Kind = Literal["notice", "reply", "reminder"]
FILES: dict[Kind, str] = {"notice": NOTICE, "reply": REPLY, "reminder": REMINDER}

_COMMON = ("单位名称", "单位联系人", "标题", "截止日期", "附件名", "发文单位", "联系人", "联系电话")
#: The placeholders each kind of mail may use.
FIELDS: dict[Kind, tuple[str, ...]] = {
    "notice": _COMMON,
    "reminder": _COMMON,
    "reply": (*_COMMON, "文件名", "收到时间", "错误数", "提示数", "问题清单", "附件说明"),
}
#: Fields whose value may not be empty where a text uses them, and where to fill them in.
REQUIRED: dict[str, Text] = {
    "发文单位": Text("mail/设置.toml 的 [office] unit", "[office] unit in mail/设置.toml"),
    "联系人": Text("mail/设置.toml 的 [office] name", "[office] name in mail/设置.toml"),
    "联系电话": Text("mail/设置.toml 的 [office] phone", "[office] phone in mail/设置.toml"),
    "截止日期": Text(
        "建立这一轮时的 --deadline（或从文字中删去）",
        "the round's --deadline (or take it out of the text)",
    ),
}
SUBJECT_PREFIXES = ("主题：", "主题:", "Subject:", "subject:")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,30})\}")
#: Findings listed in a reply's body at most; the annotated copy lists them all.
MAX_LISTED = 30


@dataclass(frozen=True)
class MailText:
    """One text: its subject and body with placeholders, and the placeholders it uses."""

    path: Path
    subject: str
    body: str
    uses: frozenset[str]

    def fill(self, values: Mapping[str, str]) -> tuple[str, str]:
        """The subject (one line) and the body with every placeholder replaced."""
        subject = " ".join(_substitute(self.subject, values).split())
        return subject, _substitute(self.body, values)


def load_text(folder: Path, kind: Kind) -> MailText:
    """The round's text for ``kind`` (its default is written if the file is missing)."""
    path = mail_file(folder, FILES[kind])
    return parse_text(read_text_file(path), path, FIELDS[kind])


def parse_text(text: str, path: Path, fields: Sequence[str]) -> MailText:
    """A text checked: a subject line first, known placeholders only, every brace paired."""
    lines = text.split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    head = lines[first].strip() if first is not None else ""
    prefix = next((p for p in SUBJECT_PREFIXES if head.startswith(p)), None)
    if first is None or prefix is None:
        raise UsageError(
            Text(
                f"{path}：第一行应是邮件主题，写成“主题：……”",
                f"{path}: the first line must be the subject, written '主题：…'",
            )
        )
    subject = head[len(prefix) :].strip()
    body_lines = lines[first + 1 :]
    while body_lines and not body_lines[0].strip():
        body_lines.pop(0)
    body = "\n".join(body_lines).rstrip() + "\n"
    uses: set[str] = set()
    problems: list[Text] = []
    for n, line in enumerate(lines, start=1):
        for name, bad in _scan(line):
            if bad:
                problems.append(
                    Text(
                        f"第 {n} 行：大括号不成对（要写大括号本身，请写 {{{{ 或 }}}}）",
                        f"line {n}: unpaired brace (write {{{{ or }}}} for a brace itself)",
                    )
                )
            elif name not in fields:
                problems.append(
                    Text(
                        f"第 {n} 行：没有 {{{name}}} 这个占位符（可用：{'、'.join(fields)}）",
                        f"line {n}: no placeholder {{{name}}} (there are: {', '.join(fields)})",
                    )
                )
            else:
                uses.add(name)
    if problems:
        shown = Text(
            "\n  ".join(p.zh for p in problems[:10]), "\n  ".join(p.en for p in problems[:10])
        )
        raise UsageError(Text(f"{path}：\n  ", f"{path}:\n  ") + shown)
    if not subject:
        raise UsageError(Text(f"{path}：邮件主题是空的", f"{path}: the subject is empty"))
    return MailText(path, subject, body, frozenset(uses))


def _scan(line: str) -> Iterable[tuple[str, bool]]:
    """(placeholder, unpaired-brace) for each placeholder or stray brace of a line."""
    pos = 0
    for m in _PLACEHOLDER.finditer(line):
        if "{" in line[pos : m.start()] or "}" in line[pos : m.start()]:
            yield "", True
        if m.group(1) is not None:
            yield m.group(1).strip(), False
        pos = m.end()
    if "{" in line[pos:] or "}" in line[pos:]:
        yield "", True


def _substitute(text: str, values: Mapping[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        return values[m.group(1).strip()]

    return _PLACEHOLDER.sub(one, text)


def missing_values(text: MailText, values: Mapping[str, str]) -> list[Text]:
    """The required fields a text uses whose value is empty: what to fill in, and where."""
    return [
        Text(
            f"{text.path.name} 用到 {{{name}}}，但它没有填写：请填写 {where.zh}",
            f"{text.path.name} uses {{{name}}}, which is empty: fill in {where.en}",
        )
        for name, where in REQUIRED.items()
        if name in text.uses and not values.get(name, "").strip()
    ]


def chinese_date(value: str | date | None) -> str:
    """2026-03-31 -> 2026年3月31日 (empty for no date)."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日"


def findings_list(findings: Sequence[Finding], limit: int = MAX_LISTED) -> str:
    """The findings as a short numbered list for a mail body: cell, item, problem and
    suggestion, one entry per report row (the rows the console, the HTML report and the
    annotated copy's 校验结果 sheet show), errors first."""
    rows = report_rows(findings)
    rows = [r for r in rows if r.severity == "error"] + [r for r in rows if r.severity != "error"]
    lines = []
    for n, row in enumerate(rows[:limit], start=1):
        where = row.cells.zh if row.cells.zh != "—" else "（整个文件）"
        item = f"（{row.item.zh}）" if row.item.zh else ""
        kind = "" if row.severity == "error" else "提示："
        entry = f"    {n}. {where}{item}【{kind}{row.title.zh}】{row.message.zh}"
        if row.hint is not None:
            entry += f"\n       建议：{row.hint.zh}"
        lines.append(clean(entry))
    if len(rows) > limit:
        lines.append(f"    ……另有 {len(rows) - limit} 处，见附件第一张工作表“校验结果”。")
    return "\n".join(lines)
