"""Parse XML from an untrusted workbook: streamed, size-capped, with no DTD and no entities.

The guard must *parse* what it checks (regexes over attribute spellings were fooled by single
quotes, missing attributes and reordered ones), and it must do so without trusting the file:
expat is told to refuse DOCTYPE and entity declarations (billion laughs, external entities), as
defusedxml does, and feeds the scan's target directly (no ElementTree layer per element),
members are read in chunks and abandoned past a byte limit (a zip directory can lie about sizes),
and a scan can stop early as soon as it has seen enough.
"""

from __future__ import annotations

import lzma
import zipfile
import zlib
from typing import IO, NoReturn, Protocol
from xml.parsers import expat

from ..errors import UnreadableError
from ..text import Text

CHUNK = 1 << 16


class Stop(Exception):
    """Raised by a target to end the parse early: it has seen what it needed."""


class Target(Protocol):
    """What :func:`parse` feeds: ElementTree's target interface."""

    def start(self, tag: str, attrib: dict[str, str]) -> None: ...
    def end(self, tag: str) -> None: ...
    def data(self, text: str) -> None: ...


def local(tag: str) -> str:
    """'{namespace}row' -> 'row': SpreadsheetML comes in two namespaces (transitional, strict)."""
    return tag.rsplit("}", 1)[-1]


def attr(attrib: dict[str, str], name: str) -> str | None:
    """An attribute by local name, whatever namespace prefix the writer chose."""
    value = attrib.get(name)
    if value is not None:
        return value
    for key, val in attrib.items():
        if key.endswith("}" + name):
            return val
    return None


class Damaged(UnreadableError):
    """A part that cannot be parsed (as opposed to one parsed and found too big)."""


#: What reading or parsing a hostile part can raise besides expat's own error: a corrupt
#: member (zlib, bz2, lzma), an encoding expat cannot take (``encoding="base64"`` is a
#: LookupError, ``"utf-7"`` a UnicodeError).
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    KeyError,
    LookupError,
    ValueError,
)


def damaged(part: str, why: str) -> Damaged:
    return Damaged(
        Text(
            f"文件已损坏（{part} 的内容无法解析：{why}），请对方在 Excel/WPS 中打开后重新保存",
            f"the file is damaged ({part} cannot be parsed: {why}); "
            "ask for it to be opened and saved again in Excel/WPS",
        )
    )


class _Declared(Exception):
    """A DTD or entity declaration: never in what Excel, WPS or LibreOffice write."""


def _refuse(*_args: object) -> NoReturn:
    raise _Declared


def _parser(target: Target) -> expat.XMLParserType:
    """An expat parser feeding ``target`` directly (tags as 'namespace}local', which
    :func:`local` and :func:`attr` read), refusing any DTD, entity declaration or external
    entity the way defusedxml does, without ElementTree's per-element Python layer."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = target.start
    parser.EndElementHandler = target.end
    parser.CharacterDataHandler = target.data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def parse(stream: IO[bytes], target: Target, part: str, limit: int) -> None:
    """Feed ``stream`` to ``target`` through a hardened parser; raise UnreadableError on damage,
    a DTD or entity declaration, or more than ``limit`` bytes."""
    parser = _parser(target)
    seen = 0
    try:
        while chunk := stream.read(CHUNK):
            seen += len(chunk)
            if seen > limit:
                raise UnreadableError(
                    Text(
                        f"文件内容异常（{part} 解压后超过 {limit // 1024 // 1024} MB），已拒绝读取",
                        f"abnormal content ({part} unpacks to over {limit // 1024 // 1024} MB); "
                        "refused",
                    )
                )
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except Stop:
        return
    except _Declared:
        raise UnreadableError(
            Text(
                f"文件含有 XML 实体或 DTD 声明（{part}），Excel 不会这样保存，已拒绝读取",
                f"the file declares XML entities or a DTD ({part}), which Excel never writes; "
                "refused",
            )
        ) from None
    except expat.ExpatError as exc:
        raise damaged(part, str(exc).split(":")[0]) from None
    except READ_ERRORS as exc:  # (UnicodeError is a ValueError)
        raise damaged(part, type(exc).__name__) from None


def parse_member(archive: zipfile.ZipFile, member: str, target: Target, limit: int) -> None:
    """:func:`parse` one zip member (its size in the directory is not trusted)."""
    try:
        stream = archive.open(member)
    except READ_ERRORS as exc:
        raise damaged(member, type(exc).__name__) from None
    with stream:
        parse(stream, target, member, limit)


def read_part(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    """A member's bytes, all of them (its size in the directory is not trusted): more than
    ``limit`` is refused, damage is a one-line reason."""
    try:
        with archive.open(member) as stream:
            data = stream.read(limit + 1)
    except READ_ERRORS as exc:
        raise damaged(member, type(exc).__name__) from None
    if len(data) > limit:
        raise UnreadableError(
            Text(
                f"文件内容异常（{member} 解压后超过 {limit // 1024 // 1024} MB），已拒绝读取",
                f"abnormal content ({member} unpacks to over {limit // 1024 // 1024} MB); refused",
            )
        )
    return data


def read_member(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    """A small member's bytes, read at most ``limit`` of them (for a `mimetype` file)."""
    try:
        with archive.open(member) as stream:
            return stream.read(limit)
    except READ_ERRORS:
        return b""
