"""One template per department from a roster CSV, with file names safe on Windows."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..read.csvfile import read_csv_text
from ..spec import Spec
from .template import template_bytes

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
MANIFEST = "清单.csv"


@dataclass(frozen=True)
class Department:
    name: str
    contact: str = ""
    email: str = ""


@dataclass(frozen=True)
class RosterEntry:
    department: Department
    path: Path


def safe_filename(name: str, max_length: int = 80) -> str:
    """A file name stem Windows accepts, keeping the Chinese: forbidden characters become '_'."""
    stem = _FORBIDDEN.sub("_", name).strip().rstrip(". ")
    stem = re.sub(r"\s+", " ", stem)[:max_length].rstrip(". ") or "_"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return stem


def read_roster(path: Path) -> list[Department]:
    """Departments from a CSV with a 单位名称 column (UTF-8, UTF-8 with BOM or GBK, as Excel saves)."""
    reader = csv.DictReader(io.StringIO(read_csv_text(path)))
    fields = [f.strip() for f in reader.fieldnames or []]
    if "单位名称" not in fields:
        raise UsageError(f"{path}: 名单缺少“单位名称”列（现有列：{'、'.join(fields) or '无'}）")
    departments: list[Department] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        name = row.get("单位名称", "")
        if not name:
            continue
        if name in seen:
            raise UsageError(f"{path} 第 {line} 行: 单位名称“{name}”重复")
        seen.add(name)
        departments.append(Department(name, row.get("联系人", ""), row.get("邮箱", "")))
    if not departments:
        raise UsageError(f"{path}: 名单中没有任何单位名称")
    return departments


def write_roster_templates(
    spec: Spec,
    departments: list[Department],
    folder: Path,
    password: str | None = None,
    force: bool = False,
) -> list[RosterEntry]:
    """Write one template per department and a manifest 清单.csv listing them."""
    planned: list[RosterEntry] = []
    used: set[str] = set()
    for dept in departments:
        stem = safe_filename(dept.name)
        candidate, n = stem, 2
        while candidate.lower() in used:  # Windows file names are case-insensitive
            candidate, n = f"{stem}({n})", n + 1
        used.add(candidate.lower())
        planned.append(RosterEntry(dept, folder / f"{candidate}.xlsx"))
    if not force:
        existing = [e.path for e in planned if e.path.exists()]
        if existing:
            raise UsageError(f"{existing[0]} 已存在；如需覆盖请加 --force")
    folder.mkdir(parents=True, exist_ok=True)
    for entry in planned:
        entry.path.write_bytes(template_bytes(spec, entry.department.name, password))
    with (folder / MANIFEST).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["单位名称", "联系人", "邮箱", "文件"])
        for e in planned:
            d = e.department
            writer.writerow([d.name, d.contact, d.email, e.path.name])
    return planned
