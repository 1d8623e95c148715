"""File reports kept in a temporary file instead of memory, for batches of any size.

A report with its findings, suggestions and texts in two languages takes a few kilobytes; a
batch of 10,000 returns kept them all for the summary, the JSON envelope and ``--annotate``,
and the command's memory grew with the batch. A :class:`ReportStore` writes each report to
an anonymous temporary file as it arrives and keeps only its offset (8 bytes), so memory stays
flat; reading it back goes through the page cache (a pass over 10,000 reports takes a few
tenths of a second). Only this process writes and reads the file, so unpickling it trusts
nothing from outside.
"""

from __future__ import annotations

import pickle
import tempfile
from array import array
from collections.abc import Iterable, Iterator, MutableSequence
from typing import overload

from .report import FileReport


class ReportStore(MutableSequence[FileReport]):
    """An append-only sequence of :class:`FileReport` values on disk, in the order added."""

    def __init__(self, reports: Iterable[FileReport] = ()) -> None:
        # NOTE: open as long as the store lives (deleted on close, or by the OS at exit)
        self._file = tempfile.TemporaryFile(prefix="disclosure-xlsx-reports-")  # noqa: SIM115
        self._offsets = array("q")  # where each report starts; the file's end closes the last
        self._end = 0
        for report in reports:
            self.append(report)

    def append(self, value: FileReport) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(self._end)
        self._file.write(data)
        self._offsets.append(self._end)
        self._end += len(data)

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> FileReport: ...
    @overload
    def __getitem__(self, index: slice) -> list[FileReport]: ...
    def __getitem__(self, index: int | slice) -> FileReport | list[FileReport]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("report index out of range")
        start = self._offsets[index]
        end = self._offsets[index + 1] if index + 1 < len(self) else self._end
        self._file.seek(start)
        report: FileReport = pickle.loads(self._file.read(end - start))
        return report

    def __iter__(self) -> Iterator[FileReport]:
        for index in range(len(self)):
            yield self[index]

    def __setitem__(self, index: object, value: object) -> None:
        raise TypeError("a ReportStore is append-only")

    def __delitem__(self, index: object) -> None:
        raise TypeError("a ReportStore is append-only")

    def insert(self, index: int, value: FileReport) -> None:
        if index != len(self):
            raise TypeError("a ReportStore is append-only")
        self.append(value)

    def close(self) -> None:
        """Delete the file now (it is deleted at exit anyway)."""
        self._file.close()

    def __repr__(self) -> str:
        return f"ReportStore({len(self)} reports)"
