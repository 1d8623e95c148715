"""Writing output files safely: never onto an input, never half a file, one line on failure.

Every file the tool writes goes through here. :func:`check_output` refuses a target that is one
of the inputs (compared by resolved path and by device and inode, so a symlink, a hard link or
a ``./x`` spelling does not slip through) and an existing file unless ``force``.
:func:`write_bytes` and :func:`writing` write to a temporary file in the target's folder and
rename it into place only when complete, so an interrupted run leaves the old file or none,
never a truncated one. Any OS error (permission, missing folder, disk full, a name the file
system cannot hold) becomes an :class:`~.errors.OutputError` naming the path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError, UsageError
from .text import Text

#: Most file systems hold names of at most 255 bytes (not characters).
MAX_NAME_BYTES = 255


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_output(target: Path, inputs: Iterable[Path] = (), *, force: bool = False) -> None:
    """Refuse to write ``target`` over one of ``inputs``, or over an existing file unless
    ``force``; refuse a name the file system cannot hold."""
    for source in inputs:
        if _same_file(target, source):
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
    if target.is_dir():
        raise UsageError(Text(f"{target}：这是文件夹", f"{target}: this is a folder"))
    if (target.exists() or target.is_symlink()) and not force:
        raise UsageError(
            Text(
                f"{target} 已存在；如需覆盖请加 --force",
                f"{target} exists; add --force to replace it",
            )
        )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def os_error(path: Path, exc: OSError) -> OutputError:
    """An OS error on output as one line naming the path."""
    reason = exc.strerror or type(exc).__name__
    return OutputError(Text(f"{path}：无法写入（{reason}）", f"{path}: cannot write ({reason})"))


@contextlib.contextmanager
def writing(target: Path, mode: str = "wb") -> Iterator[IO[bytes]]:
    """A file object for ``target``; its content replaces ``target`` only when the block ends
    without an exception (a temporary file in the same folder, renamed into place)."""
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".dx-", suffix=".part", dir=target.parent)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise os_error(target, exc) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_bytes(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` whole, or not at all."""
    with writing(target) as fh:
        fh.write(data)
    return target


def write_text(target: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``target`` whole, or not at all."""
    return write_bytes(target, text.encode("utf-8"))
