"""Workbooks out of a .zip archive, with the guard's limits: a zip bomb is refused, not unpacked.

Only the archive's directory is trusted for refusing early; each member is then read with a
hard cap, so a member that lies about its size is cut off, not expanded. Names stored by
Chinese Windows without the UTF-8 flag are GBK and are decoded as such. Archives inside the
archive, and .rar/.7z (which need other tools), are named as not taken.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..read.guard import MAX_FILE_BYTES, MAX_RATIO, MAX_UNPACKED_BYTES, SUFFIXES
from ..text import Text
from .arrival import INSIDE, Arrival, Skipped

MAX_MEMBERS = 1000
UNSUPPORTED = (".rar", ".7z")


def unsupported(source: str) -> Skipped:
    """A .rar or .7z archive: named, not opened."""
    suffix = PurePosixPath(source).suffix.lower()
    return Skipped(
        source,
        Text(
            f"{suffix} 压缩包不支持，请对方直接发送工作簿或 .zip",
            f"{suffix} archives are not supported; ask for the workbook itself or a .zip",
        ),
    )


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's file name: UTF-8 when flagged, else the GBK bytes Chinese Windows wrote."""
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437", errors="replace")
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def unpack(
    data: bytes | Path, source: str, sender: str | None, received_at: datetime | None
) -> Iterator[Arrival | Skipped]:
    """The workbooks in a zip archive (given as bytes or as a path)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError, EOFError):
        yield Skipped(source, Text("压缩包已损坏，无法打开", "the archive is damaged"))
        return
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if (
            len(infos) > MAX_MEMBERS
            or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES
            or any(
                i.compress_size
                and i.file_size / i.compress_size > MAX_RATIO
                and i.file_size > 10_000_000
                for i in infos
            )
        ):
            yield Skipped(
                source,
                Text(
                    "压缩包内容异常（解压后过大或文件过多，疑似压缩炸弹），已拒绝",
                    "the archive unpacks to too much (a zip bomb?); refused",
                ),
            )
            return
        found = False
        for info in infos:
            name = member_name(info)
            where = f"{source}{INSIDE}{name}"
            if not name or name.startswith((".", "~$")) or info.filename.startswith("__MACOSX/"):
                continue
            suffix = PurePosixPath(name).suffix.lower()
            if suffix in UNSUPPORTED or suffix == ".zip":
                yield (
                    unsupported(where)
                    if suffix in UNSUPPORTED
                    else Skipped(
                        where,
                        Text("压缩包里的压缩包不展开", "archives inside archives are not unpacked"),
                    )
                )
                continue
            if suffix not in SUFFIXES:
                yield Skipped(where, not_a_workbook())
                continue
            if info.flag_bits & 0x1:
                yield Skipped(where, Text("文件设置了解压密码", "the member is encrypted"))
                continue
            try:
                with archive.open(info) as fh:
                    content = fh.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                yield Skipped(where, Text("无法解压（已损坏）", "cannot be unpacked (damaged)"))
                continue
            if len(content) > MAX_FILE_BYTES:
                yield Skipped(where, too_large())
                continue
            found = True
            yield Arrival(name, where, data=content, sender=sender, received_at=received_at)
        if not found and not infos:
            yield Skipped(source, Text("压缩包是空的", "the archive is empty"))


def not_a_workbook() -> Text:
    return Text(
        "不是工作簿（.xlsx .xlsm .xls .ods），未收",
        "not a workbook (.xlsx .xlsm .xls .ods); not taken",
    )


def too_large() -> Text:
    mb = MAX_FILE_BYTES // 1024 // 1024
    return Text(f"文件过大（超过 {mb} MB），未收", f"too large (over {mb} MB); not taken")
