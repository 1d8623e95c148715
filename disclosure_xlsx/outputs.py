"""Writing output files safely: never onto an input, never half a file, one line on failure.

Every file the tool writes goes through here. :func:`check_output` refuses a target that is one
of the inputs (compared by resolved path and by device and inode, so a symlink, a hard link or
a ``./x`` spelling does not slip through), a symbolic link (never written through, even with
``force``) and an existing file unless ``force``. :func:`writing`, :func:`write_bytes` and
:func:`write_text` write to a temporary file in the target's folder and rename it into place
only when complete, so an interrupted run leaves the old file or none, never a truncated one;
with ``exclusive`` they never replace anything (two runs racing for one name: the second is
told, not silently overwritten). Any OS error (permission, missing folder, disk full, a name
the file system cannot hold) becomes an :class:`~.errors.OutputError` naming the path.

It also holds what makes untrusted text safe to store: :func:`sanitize_text` for workbook cells
(control characters openpyxl refuses become visible symbols) and :func:`csv_safe` for CSV cells
(OWASP's defence against formula injection).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError, OutputExists, UsageError
from .text import Text

#: Most file systems hold names of at most 255 bytes (not characters).
MAX_NAME_BYTES = 255
#: Temporary files are hidden (a leading dot) so a folder scan never picks one up.
TEMP_PREFIX, TEMP_SUFFIX = ".dx-", ".part"

_REASONS: dict[int, Text] = {
    errno.EACCES: Text("没有写入权限", "permission denied"),
    errno.EPERM: Text("没有写入权限", "permission denied"),
    errno.EROFS: Text("只读的磁盘或文件夹", "read-only file system"),
    errno.ENOSPC: Text("磁盘已满", "disk full"),
    errno.EDQUOT: Text("超出磁盘配额", "disk quota exceeded"),
    errno.ENOENT: Text("文件夹不存在", "no such folder"),
    errno.ENOTDIR: Text("路径中有一段不是文件夹", "a part of the path is not a folder"),
    errno.EEXIST: Text("路径中有一段不是文件夹", "a part of the path is not a folder"),
    errno.ENAMETOOLONG: Text("文件名或路径太长", "file name or path too long"),
    errno.EINVAL: Text("文件名含系统不允许的字符", "the name has characters the system refuses"),
    errno.EISDIR: Text("这是文件夹", "this is a folder"),
    errno.ELOOP: Text("符号链接循环", "symbolic link loop"),
}


def os_error(path: Path, exc: OSError) -> OutputError:
    """An OS error on output as one line naming the path, in both languages."""
    reason = _REASONS.get(exc.errno or 0)
    if reason is None:
        detail = exc.strerror or type(exc).__name__
        reason = Text(detail, detail)
    return OutputError(
        Text(f"{path}：无法写入（{reason.zh}）", f"{path}: cannot write ({reason.en})")
    )


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same resolved path, or the same device and
    inode (a hard link, a symlink, another spelling of the path)."""
    try:
        if a.resolve() == b.resolve():
            return True
        sa, sb = a.stat(), b.stat()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def identities(paths: Iterable[Path]) -> frozenset[object]:
    """The resolved paths and (device, inode) pairs of ``paths``, computed once, so that
    :func:`is_one_of` tests a name against a whole batch cheaply."""
    out: set[object] = set()
    for path in paths:
        with contextlib.suppress(OSError, RuntimeError):
            out.add(path.resolve())
            st = path.stat()
            out.add((st.st_dev, st.st_ino))
    return frozenset(out)


def is_one_of(target: Path, ids: frozenset[object]) -> bool:
    """True when ``target`` is one of the files whose :func:`identities` are ``ids``."""
    try:
        if target.resolve() in ids:
            return True
        st = target.stat()
    except (OSError, RuntimeError):
        return False
    return (st.st_dev, st.st_ino) in ids


def fit_name(stem: str, tail: str = "", max_bytes: int = MAX_NAME_BYTES) -> str:
    """``stem + tail`` cut (in the stem, at a whole character) to at most ``max_bytes`` UTF-8
    bytes: file systems count bytes, and one Chinese character or emoji takes 3 or 4."""
    room = max_bytes - len(tail.encode("utf-8"))
    out = stem.encode("utf-8")[: max(room, 0)].decode("utf-8", "ignore")
    return out + tail


def check_output(target: Path, inputs: Iterable[Path] = (), *, force: bool = False) -> None:
    """Refuse to write ``target`` over one of ``inputs`` (whatever ``force`` says), through a
    symbolic link, over a folder, or over an existing file unless ``force``; refuse a name the
    file system cannot hold."""
    for source in inputs:
        if same_file(target, source):
            raise UsageError(
                Text(
                    f"{target}：这是输入文件，不能覆盖原文件；请换一个输出文件名",
                    f"{target}: this is an input file; choose another output name",
                )
            )
    if len(target.name.encode("utf-8")) > MAX_NAME_BYTES:
        raise OutputError(
            Text(
                f"{target}：文件名太长（超过 {MAX_NAME_BYTES} 字节）",
                f"{target}: file name too long (over {MAX_NAME_BYTES} bytes)",
            )
        )
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ENAMETOOLONG, errno.EACCES, errno.ELOOP):
            raise os_error(target, exc) from None
        raise
    if stat.S_ISLNK(mode):
        raise UsageError(
            Text(
                f"{target} 是符号链接；为免写到别处，不通过它写入，请换一个输出文件名",
                f"{target} is a symbolic link; not written through it, choose another name",
            )
        )
    if stat.S_ISDIR(mode):
        raise UsageError(Text(f"{target}：这是文件夹", f"{target}: this is a folder"))
    if not force:
        raise UsageError(
            Text(
                f"{target} 已存在；如需覆盖请加 --force",
                f"{target} exists; add --force to replace it",
            )
        )


def _temp_file(folder: Path) -> tuple[int, str]:
    """A new hidden temporary file in ``folder``; returns (fd, name). The name is chosen before
    the file is created, so a caller that records it first can always clean it up."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        name = str(folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}")
        try:
            return os.open(name, flags, 0o666), name  # 0o666 less the umask, as open() does
        except FileExistsError:
            continue


@contextlib.contextmanager
def writing(target: Path, *, exclusive: bool = False) -> Iterator[IO[bytes]]:
    """A binary file object for ``target``; its content is put in place only when the block
    ends without an exception (a temporary file in the same folder, renamed into place). With
    ``exclusive``, an existing ``target`` is never replaced: :class:`OutputExists` is raised and
    nothing is written."""
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where a folder should be
        raise os_error(target, NotADirectoryError(errno.ENOTDIR, "not a folder")) from None
    except OSError as exc:
        raise os_error(target, exc) from None
    try:
        fd, tmp = _temp_file(target.parent)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            _link_new(tmp, target)
        else:
            with contextlib.suppress(OSError):  # --force keeps the replaced file's permissions
                os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            os.replace(tmp, target)
            tmp = None
    except FileExistsError:
        if exclusive:
            raise OutputExists(
                Text(
                    f"{target} 已存在（刚由别的程序写出）；如需覆盖请加 --force",
                    f"{target} exists (just written by another program); add --force to replace it",
                )
            ) from None
        raise os_error(target, FileExistsError(errno.EEXIST, "exists")) from None
    except OSError as exc:
        raise os_error(target, exc) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _link_new(tmp: str, target: Path) -> None:
    """Put ``tmp`` in place as ``target`` only if no ``target`` exists, atomically: a hard
    link fails when the name is taken. Where the file system has no hard links (FAT, some
    network shares), check and rename (a race is possible there, but no longer silent)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists") from None
        os.replace(tmp, target)


def write_bytes(target: Path, data: bytes, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``target`` whole, or not at all."""
    with writing(target, exclusive=exclusive) as fh:
        fh.write(data)
    return target


def write_text(target: Path, text: str, *, exclusive: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``target`` whole, or not at all."""
    return write_bytes(target, text.encode("utf-8"), exclusive=exclusive)


# The characters XML 1.0 (and so openpyxl) cannot hold: C0 controls but tab, newline, return.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _picture(match: re.Match[str]) -> str:
    return chr(0x2400 + ord(match.group()))  # U+2400 CONTROL PICTURES: ␀ … ␟ (␛ for ESC)


def sanitize_text(text: str) -> str:
    """Text a workbook cell can hold: each control character XML refuses is replaced by its
    visible symbol (ESC -> ␛), so the text stays readable and nothing crashes the writer."""
    return _ILLEGAL_XML.sub(_picture, text)


#: OWASP: a CSV cell starting with one of these is run as a formula by Excel and LibreOffice.
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs: OWASP's rule, a leading quote
    before a cell starting with = + - @ tab or carriage return (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_CSV_TRIGGERS) else text


def check_suffix(target: Path, suffixes: tuple[str, ...] = (".xlsx",)) -> None:
    """Refuse a workbook written under another kind of name (x.docx, or no extension): the
    department would get a file its computer opens with the wrong program, or not at all."""
    if target.suffix.lower() not in suffixes:
        raise UsageError(
            Text(f"{target}：输出文件须为 .xlsx", f"{target}: the output must be an .xlsx file")
        )
