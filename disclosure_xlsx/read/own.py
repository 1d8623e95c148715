"""Recognise the workbooks this tool wrote as reports (annotated and corrected copies), so a
folder scan does not take them for departments' returns.

An annotated or corrected copy carries a custom document property, ``disclosure-xlsx-output``,
holding what it is, a key of the input it was made from, and the time it was written, which is
also its core ``modified`` time (and a hidden defined name saying the same, for people looking
with Excel's name manager). Excel, WPS and LibreOffice all set ``modified`` when they save, so
a copy that a department opened, corrected and sent back no longer matches and is read as the
return it now is; only a copy untouched since we wrote it counts as ours. Blank and filled
templates carry no such mark: they are what departments fill.

Reading the mark opens two small members of the zip and nothing else; a file whose zip
directory lists no custom properties part is not opened at all.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..text import Text

PROPERTY = "disclosure-xlsx-output"
DEFINED_NAME = "disclosure_xlsx_output"
#: Kinds of output, with how a skipped file is described.
KINDS: dict[str, Text] = {
    "annotated": Text(
        "本工具写出的批注副本，不是报回的统计表", "an annotated copy written by this tool"
    ),
    "corrected": Text(
        "本工具写出的修正副本，不是报回的统计表", "a corrected copy written by this tool"
    ),
}
_MAX_PART = 256 * 1024  # docProps parts are a few hundred bytes; refuse to read a bomb
_CUSTOM = re.compile(
    rb'<(?:\w+:)?property\b[^>]*\bname="' + PROPERTY.encode() + rb'"[^>]*>\s*'
    rb"<(?:\w+:)?lpwstr>([^<]*)</(?:\w+:)?lpwstr>"
)
_MODIFIED = re.compile(rb"<dcterms:modified\b[^>]*>([^<]*)</dcterms:modified>")


@dataclass(frozen=True)
class OwnOutput:
    """What the mark says: the kind of output and the key of the input it was made from."""

    kind: str
    source: str

    @property
    def reason(self) -> Text:
        return KINDS.get(self.kind, KINDS["annotated"])


def source_key(path: Path) -> str:
    """A short key for the input a copy was made from (its resolved path, hashed: the copy is
    sent to others and should not carry a local path)."""
    return hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:16]


def mark_value(kind: str, source: Path, stamp: str) -> str:
    """The property's value: '<kind> <source key> <modified time>'."""
    return f"{kind} {source_key(source)} {stamp}"


def own_output(path: Path) -> OwnOutput | None:
    """The mark of an annotated or corrected copy written by this tool and not saved since by
    anyone; None for anything else (a return, a template, a file that is not a workbook)."""
    if not _may_hold_custom_part(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            custom = _part(archive, "docProps/custom.xml")
            core = _part(archive, "docProps/core.xml")
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        return None
    if custom is None or core is None:
        return None
    mark, modified = _CUSTOM.search(custom), _MODIFIED.search(core)
    if mark is None or modified is None:
        return None
    parts = mark.group(1).decode("utf-8", "replace").split()
    if len(parts) != 3 or parts[0] not in KINDS:
        return None
    if parts[2] != modified.group(1).decode("ascii", "replace").strip():
        return None  # saved again since we wrote it: somebody's work, read it
    return OwnOutput(parts[0], parts[1])


_EOCD = b"PK\x05\x06"  # the zip's end-of-central-directory record
_TAIL = 8192


def _may_hold_custom_part(path: Path) -> bool:
    """False when the zip's directory, read from the file's last 8 KB, has no
    ``docProps/custom.xml`` (most returns: a folder scan then opens no zip at all; it did for
    every file, ~0.2 ms each). True whenever that cannot be told so simply."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            start = max(0, size - _TAIL)
            fh.seek(start)
            tail = fh.read()
    except OSError:
        return True
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return True
    cd_size, cd_offset = struct.unpack("<II", tail[at + 12 : at + 20])
    if cd_offset < start or cd_offset + cd_size > start + at:
        return True  # the directory is not all in the tail (zip64, a long one): open the zip
    directory = tail[cd_offset - start : cd_offset - start + cd_size]
    return b"docProps/custom.xml" in directory


def is_own_output(path: Path) -> bool:
    """True for an annotated or corrected copy this tool wrote (see :func:`own_output`)."""
    return own_output(path) is not None


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        return None
    return archive.read(info)
