"""One template per department from a roster CSV, with file names safe on Windows.

A roster is checked whole before anything is written: a name with control characters, with
characters that reverse the text's direction or that cannot be seen, and two names that are
the same once full/half width, spaces, case and invisible characters are ignored (or that would
get the same file name) are each reported with their lines, and nothing is written. Templates
and the list 清单.csv are written whole or not at all; on Ctrl-C the list is written for the
templates done so far.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import (
    DisclosureError,
    Interrupted,
    OutputError,
    OutputExists,
    UsageError,
    check_interrupted,
)
from ..outputs import MAX_NAME_BYTES, check_output, csv_safe, fit_name, write_bytes
from ..read.csvfile import csv_rows, read_csv_text
from ..spec import Spec
from ..spec.labels import unit_key
from ..text import Text
from .template import template_bytes

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
#: Characters that change the direction of the text around them (a name that reads "局.xlsx"
#: can be stored as "xslx.局"), and characters that cannot be seen at all.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b\u200c\u2060-\u2064\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
_FIELDS = (Text("单位名称", "the name"), Text("联系人", "the contact"), Text("邮箱", "the e-mail"))
MANIFEST = "清单.csv"
SUFFIX = ".xlsx"


@dataclass(frozen=True)
class Department:
    name: str
    contact: str = ""
    email: str = ""
    line: int = 0  # the roster line it came from, for messages (0: not from a file)


@dataclass(frozen=True)
class RosterEntry:
    department: Department
    path: Path


def safe_filename(name: str, tail: str = "", max_length: int = 80) -> str:
    """A file name Windows accepts, keeping the Chinese: forbidden and control characters
    become '_', invisible and direction characters go, the stem is cut to ``max_length``
    characters, and ``stem + tail`` to the file system's 255 bytes (whole characters)."""
    stem = _FORBIDDEN.sub("_", _BIDI.sub("", _INVISIBLE.sub("", name))).strip()
    stem = re.sub(r"\s+", " ", stem)[:max_length].rstrip(". ")
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    room = MAX_NAME_BYTES - len(tail.encode("utf-8"))
    return (fit_name(stem, "", room).rstrip(". ") or "_") + tail


def name_problem(name: str) -> Text | None:
    """Why a department name cannot be used as given (None when it can)."""
    if _CONTROL.search(name):
        return Text(
            "含控制字符（看不见，会损坏文件名和表格）",
            "contains control characters (invisible; they break file names and sheets)",
        )
    if _BIDI.search(name):
        return Text(
            "含改变文字方向的字符（如 U+202E），显示的名称与实际不同",
            "contains text-direction characters (such as U+202E): it does not read as stored",
        )
    if _INVISIBLE.search(name):
        return Text("含看不见的字符（零宽字符）", "contains invisible (zero-width) characters")
    return None


def check_unit_name(name: str) -> None:
    """Refuse a 单位名称 (``--unit-name``) that :func:`name_problem` finds fault with."""
    problem = name_problem(name)
    if problem is not None:
        raise UsageError(
            Text(f"单位名称“{name}”{problem.zh}", f"department name '{name}' {problem.en}")
        )


def read_roster(path: Path) -> list[Department]:
    """Departments from a CSV with a 单位名称 column (UTF-8, UTF-8 with BOM or GBK, as Excel saves).

    Every bad line is reported together (:func:`roster_problems`), and then nothing is read."""
    rows = csv_rows(path, read_csv_text(path))
    fields = [f.strip() for f in rows[0]] if rows else []
    if "单位名称" not in fields:
        have = "、".join(fields) or "无"
        raise UsageError(
            Text(
                f"{path}：名单缺少“单位名称”列（现有列：{have}）",
                f"{path}: the roster has no 单位名称 column (columns: {', '.join(fields) or '-'})",
            )
        )
    departments: list[Department] = []
    unnamed: list[Text] = []
    for line, cells in enumerate(rows[1:], start=2):
        row = {k: v.strip() for k, v in zip(fields, cells, strict=False) if k}
        name = row.get("单位名称", "")
        if name:
            departments.append(Department(name, row.get("联系人", ""), row.get("邮箱", ""), line))
        elif any(row.values()):  # a filled line without its department: not silently dropped
            unnamed.append(Text(f"第 {line} 行：单位名称为空", f"line {line}: 单位名称 is empty"))
    if not departments and not unnamed:
        raise UsageError(
            Text(f"{path}：名单中没有任何单位名称", f"{path}: the roster names no department")
        )
    _raise_problems(path, departments, unnamed)
    return departments


def _where(d: Department) -> Text:
    return Text(f"第 {d.line} 行", f"line {d.line}") if d.line else Text("", "")


def roster_problems(departments: Iterable[Department]) -> list[Text]:
    """Every reason the departments cannot each have their own template, one line each."""
    problems: list[Text] = []
    by_key: dict[str, Department] = {}
    by_file: dict[str, Department] = {}
    for d in departments:
        where = _where(d)
        bad = [
            (field, p)
            for field, value in zip(_FIELDS, (d.name, d.contact, d.email), strict=True)
            if (p := name_problem(value)) is not None
        ]
        if bad:
            field, p = bad[0]
            problems.append(
                Text(
                    f"{where.zh}：{field.zh}“{d.name}”{p.zh}",
                    f"{where.en}: {field.en} of '{d.name}' {p.en}",
                )
            )
            continue
        key = unit_key(d.name)
        earlier = by_key.get(key)
        if earlier is not None:
            problems.append(
                Text(
                    f"{where.zh}：单位名称“{d.name}”与{_where(earlier).zh}“{earlier.name}”重复"
                    "（不计全角/半角、空格、大小写和看不见的字符）",
                    f"{where.en}: '{d.name}' repeats {_where(earlier).en} '{earlier.name}' "
                    "(ignoring full/half width, spaces, case and invisible characters)",
                )
            )
            continue
        by_key[key] = d
        file = safe_filename(d.name, SUFFIX).casefold()  # Windows names ignore case
        earlier = by_file.get(file)
        if earlier is not None:
            problems.append(
                Text(
                    f"{where.zh}：单位名称“{d.name}”与{_where(earlier).zh}“{earlier.name}”"
                    f"会得到同一个文件名 {safe_filename(d.name, SUFFIX)}",
                    f"{where.en}: '{d.name}' and {_where(earlier).en} '{earlier.name}' "
                    f"would get the same file name {safe_filename(d.name, SUFFIX)}",
                )
            )
            continue
        by_file[file] = d
    return problems


def _raise_problems(
    source: object, departments: list[Department], more: Iterable[Text] = ()
) -> None:
    problems = [*more, *roster_problems(departments)]
    if problems:
        zh = "\n".join(f"  - {p.zh}" for p in problems)
        en = "\n".join(f"  - {p.en}" for p in problems)
        raise UsageError(
            Text(
                f"{source}：名单有 {len(problems)} 处问题，未生成任何文件：\n{zh}",
                f"{source}: problems in the roster ({len(problems)}), nothing written:\n{en}",
            )
        )


def plan_roster(departments: list[Department], folder: Path) -> list[RosterEntry]:
    """Where each department's template goes (refusing names that clash, see
    :func:`roster_problems`)."""
    _raise_problems(folder, departments)
    return [RosterEntry(d, folder / safe_filename(d.name, SUFFIX)) for d in departments]


def write_roster_templates(
    spec: Spec,
    departments: list[Department],
    folder: Path,
    password: str | None = None,
    force: bool = False,
    inputs: Iterable[Path] = (),
) -> list[RosterEntry]:
    """Write one template per department and a manifest 清单.csv listing them.

    Nothing is written when a target is one of ``inputs`` (the roster), a symbolic link, or
    exists without ``force``. Each file is written whole or not at all; when the run stops
    (Ctrl-C, a full disk), 清单.csv lists the templates written so far, and
    :class:`~..errors.Interrupted` is raised again with how many were done."""
    planned = plan_roster(departments, folder)
    inputs = list(inputs)
    for target in [*(e.path for e in planned), folder / MANIFEST]:
        check_output(target, inputs, force=force)
    done: list[RosterEntry] = []
    try:
        for entry in planned:
            check_interrupted()
            data = template_bytes(spec, entry.department.name, password)
            write_bytes(entry.path, data, exclusive=not force)
            done.append(entry)
    except Interrupted:
        _manifest_quietly(folder, done, force)
        raise Interrupted(len(done), len(planned)) from None
    except (OutputError, OutputExists):
        _manifest_quietly(folder, done, force)
        raise
    write_manifest(folder, done, exclusive=not force)
    return planned


def _manifest_quietly(folder: Path, done: list[RosterEntry], force: bool) -> None:
    """The list of what was written before a run stopped (if the folder still takes it)."""
    if done:
        with contextlib.suppress(DisclosureError):
            write_manifest(folder, done, exclusive=not force)


def write_manifest(folder: Path, entries: list[RosterEntry], *, exclusive: bool = False) -> Path:
    """清单.csv: one row per template (UTF-8 with BOM, as Excel reads it), each cell stored so
    that a spreadsheet shows it as text, never runs it (:func:`~..outputs.csv_safe`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位名称", "联系人", "邮箱", "文件"])
    for e in entries:
        d = e.department
        writer.writerow([csv_safe(v) for v in (d.name, d.contact, d.email, e.path.name)])
    return write_bytes(folder / MANIFEST, out.getvalue().encode("utf-8-sig"), exclusive=exclusive)
