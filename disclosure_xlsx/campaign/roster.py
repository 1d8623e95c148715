"""The roster of a round: a CSV of departments (单位名称, optional 联系人, 邮箱, 电话).

Every problem is found before anything is written and reported together, one line each, so a
clerk fixes the file once: a missing 单位名称 column, a line without a name, two lines naming one
department (after normalising: 环翠区商务局 and 区商务局 are one), an address that is not one, a
phone number with letters, a file that is neither UTF-8 nor GBK (or not a CSV at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..read.csvfile import csv_rows, decode_csv
from ..spec.labels import normalize_text
from ..text import Text, join
from .names import clean_name, is_email, name_key, split_emails

#: Column headings accepted for each field (compared without spaces, half-width, lower case).
COLUMNS = {
    "name": ("单位名称", "单位", "部门名称", "name"),
    "contact": ("联系人", "contact"),
    "email": ("邮箱", "电子邮箱", "邮件", "电子邮件", "email", "e-mail"),
    "phone": ("电话", "联系电话", "手机", "phone"),
}
MAX_NAME = 60
_PHONE = re.compile(r"^[0-9+()（）\-－—\s转,，;；/、]+$")


@dataclass(frozen=True)
class Department:
    """One department of a round: its id (d001, …, in roster order), the name as the roster
    writes it, and the key its other spellings are matched by."""

    id: str
    name: str
    key: str
    contact: str = ""
    email: str = ""  # one address, or several joined by "; "
    phone: str = ""

    @property
    def emails(self) -> tuple[str, ...]:
        return tuple(e for e in self.email.split("; ") if e)


def department_id(n: int) -> str:
    """The id of the n-th department (1-based) of a roster."""
    return f"d{n:03d}"


def _field(heading: str) -> str | None:
    key = normalize_text(heading).lower()
    return next((f for f, names in COLUMNS.items() if key in names), None)


def read_roster(path: Path) -> list[Department]:
    """The departments of a roster CSV; raises one :class:`UsageError` listing every problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            Text(f"{path}：无法读取名单（{reason}）", f"{path}: cannot read the roster ({reason})")
        ) from None
    text = decode_csv(path, raw)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows = csv_rows(path, text, delimiter)
    header = rows[0] if rows else []
    fields = {n: f for n, h in enumerate(header) if (f := _field(h))}
    if "name" not in fields.values():
        found = "、".join(h.strip() for h in header if h.strip()) or "无"
        raise UsageError(
            Text(
                f"{path}：名单缺少“单位名称”列（现有列：{found}）",
                f"{path}: the roster has no 单位名称 column (columns: {found})",
            )
        )
    problems: list[Text] = []
    departments: list[Department] = []
    seen: dict[str, tuple[int, str]] = {}
    for line, row in enumerate(rows[1:], start=2):
        values = {"name": "", "contact": "", "email": "", "phone": ""}
        for n, cell in enumerate(row):
            if n in fields:
                values[fields[n]] = " ".join(cell.split())
        if not any(c.strip() for c in row):
            continue
        name = values["name"]
        where = Text(f"第 {line} 行：", f"line {line}: ")
        if not name:
            problems.append(where + Text("没有单位名称", "no 单位名称"))
            continue
        if len(name) > MAX_NAME:
            problems.append(
                where
                + Text(f"单位名称超过 {MAX_NAME} 个字", f"单位名称 over {MAX_NAME} characters")
            )
        key = name_key(name)
        if not clean_name(name):
            problems.append(where + Text("单位名称无效", "invalid 单位名称"))
            continue
        if key in seen:
            other_line, other = seen[key]
            problems.append(
                where
                + Text(
                    f"“{name}”与第 {other_line} 行“{other}”是同一个单位（去掉空格和区名后相同）",
                    f"'{name}' is the same department as '{other}' on line {other_line} "
                    "(once spaces and the district name are removed)",
                )
            )
            continue
        seen[key] = (line, name)
        emails = split_emails(values["email"])
        bad = [e for e in emails if not is_email(e)]
        if bad:
            shown = "、".join(bad)
            problems.append(
                where + Text(f"邮箱“{shown}”格式不对", f"'{shown}' is not an e-mail address")
            )
        phone = values["phone"]
        if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 5):
            problems.append(
                where + Text(f"电话“{phone}”格式不对", f"'{phone}' is not a phone number")
            )
        departments.append(
            Department(
                department_id(len(departments) + 1),
                name,
                key,
                values["contact"],
                "; ".join(emails),
                phone,
            )
        )
    if not problems and not departments:
        problems.append(Text("名单中没有任何单位", "the roster lists no department"))
    if problems:
        head = Text(
            f"名单 {path} 有 {len(problems)} 处问题，未生成任何文件：",
            f"the roster {path} has {len(problems)} problems; nothing was written:",
        )
        raise UsageError(head + "\n  " + join(problems, "\n  ", "\n  "))
    return departments
