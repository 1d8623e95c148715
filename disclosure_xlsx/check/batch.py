"""Validate files in worker processes, so that no single file can take the batch down.

The readers are native code fed untrusted bytes: python-calamine aborts the process on an
allocation failure, and a reader may spin or swell on a hostile file. Each file is read in a
worker process that handles one file at a time; a worker that dies (abort, signal, OOM kill)
or overruns the per-file timeout is replaced, and only *that* file is reported `unreadable`
with the reason, while the rest of the batch goes on. One file per worker at a time is what
makes the blame exact: a shared pool (``ProcessPoolExecutor``) breaks as a whole and cannot
say which file killed it.

Workers start from a fork server (Linux; 'spawn' elsewhere) that has imported the checking
code once, so a new worker costs milliseconds; they never import pandas, and openpyxl only for
the rare sheet that needs it. Each worker's address space is capped (``RLIMIT_AS``, where the
platform has it) and it is recycled after :data:`TASKS_PER_WORKER` files, so memory stays flat
over a long batch. Results are small :class:`FileReport` values, returned in input order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, MutableSequence, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ..errors import DisclosureError, check_interrupted
from ..processes import worker_context
from ..text import Text
from .findings import unreadable
from .report import FileReport

#: The default number of workers is the number of CPUs, at most this many: a batch of a few
#: hundred small files is done in seconds with 4, and each worker may use MEMORY_LIMIT.
MAX_JOBS = 4
#: Seconds one file may take (a normal return takes milliseconds; openpyxl's worst allowed
#: case, 200,000 cells, a few seconds).
TIMEOUT = 60.0
#: Bytes of address space per worker (generous: a normal return needs ~100 MB).
MEMORY_LIMIT = 2 * 1024**3
#: Files one worker reads before it is replaced by a fresh one.
TASKS_PER_WORKER = 200
#: A file whose worker died is tried once more in a fresh worker before it is blamed.
ATTEMPTS = 2

Task = Callable[..., FileReport]  # (path, **options) -> FileReport; a module-level function
READY = "ready"  # a worker's first message: it started and imported the checking code


class WorkerError(DisclosureError):
    """Worker processes cannot start here at all (not a file's fault)."""


def default_jobs() -> int:
    """The number of CPUs this process may use, at most :data:`MAX_JOBS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_JOBS))


def _limit(memory: int | None) -> None:
    """Cap this worker's address space and switch off core dumps, where the OS can."""
    try:
        import resource
    except ImportError:  # Windows
        return
    for limit, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_AS, memory)):
        if value is None:
            continue
        try:
            _soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass  # not permitted here: run without the cap


def _serve(conn: Connection, task: Task, options: dict[str, Any], memory: int | None) -> None:
    """A worker's loop: receive (index, path), send back (index, FileReport)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit(memory)
    _quiet_native_stderr()
    conn.send(READY)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, path = message
        try:
            report = task(Path(path), **options)
        except MemoryError:
            report = failed(path, _MEMORY.format(gb=(memory or 0) // 1024**3))
        except Exception:  # a bug in this package: say so, show it, and let the batch go on
            traceback.print_exc(file=sys.stderr)
            report = failed(path, _BUG.format(error=traceback.format_exc().splitlines()[-1][:200]))
        try:
            conn.send((index, report))
        except OSError:  # the parent stopped (Ctrl-C) while this file was read: nothing to do
            return


def _quiet_native_stderr() -> None:
    """Send what native code writes to standard error nowhere, keeping Python's own.

    A reader that aborts prints its allocation failure and a 50-line Rust backtrace straight to
    file descriptor 2, over the clerk's progress bar; the file is reported `unreadable` with
    the reason anyway. Python's tracebacks (a bug of ours) still reach the terminal.
    """
    try:
        python_stderr = os.fdopen(os.dup(2), "w", buffering=1, errors="backslashreplace")
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        return
    sys.stderr = python_stderr


_CRASH = Text(
    "读取此文件时读取程序崩溃（{how}），文件可能已损坏或含有异常内容；其余文件照常校验",
    "the reader crashed on this file ({how}); it may be damaged or hostile. "
    "The other files were checked as usual",
)
_NO_WORKERS = Text(
    "无法启动读取进程（工作进程启动即退出）；请用 jobs=None 在本进程中校验",
    "worker processes cannot start here (they exit at once); validate with jobs=None",
)
_TIMEOUT = Text(
    "读取此文件超过 {seconds} 秒，已中止；文件可能异常庞大或已损坏",
    "reading this file took over {seconds} s and was stopped; it may be huge or damaged",
)
_MEMORY = Text(
    "读取此文件所需内存超过上限（{gb} GB），已中止；文件可能异常庞大或已损坏",
    "reading this file needed more than the {gb} GB memory limit and was stopped; "
    "it may be huge or damaged",
)
_BUG = Text(
    "读取此文件时本程序内部出错（{error}），请把此文件报告给维护者",
    "this program failed on this file ({error}); please report the file to its maintainers",
)


def failed(path: str | Path, reason: Text) -> FileReport:
    """The report of a file that could not be read at all."""
    return FileReport(str(path), "unreadable", None, None, None, (unreadable(reason),))


def _how(exitcode: int | None) -> Text:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        return Text(f"信号 {name}", f"signal {name}")
    return Text(f"退出码 {exitcode}", f"exit code {exitcode}")


class _Worker:
    """One worker process and the file it is reading, if any."""

    def __init__(self, ctx: Any, task: Task, options: dict[str, Any], memory: int | None):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, task, options, memory), daemon=True)
        self.process.start()
        child.close()
        self.job: int | None = None
        self.deadline = 0.0
        self.served = 0
        self.ready = False

    def give(self, index: int, path: Path, timeout: float) -> None:
        self.job, self.deadline = index, time.monotonic() + timeout
        with contextlib.suppress(OSError):  # died already: seen when its sentinel fires
            self.conn.send((index, str(path)))

    def answer(self) -> FileReport | None:
        """The report, if one has arrived; raises EOFError/OSError when the worker died."""
        while self.conn.poll():
            message = self.conn.recv()
            if message == READY:
                self.ready = True
                continue
            report: FileReport | None = message[1]
            return report
        if not self.process.is_alive():
            raise EOFError
        return None

    def stop(self, kill: bool = False) -> None:
        if self.conn.closed:
            return  # stopped already
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run(
    paths: Sequence[Path],
    task: Task,
    options: dict[str, Any] | None = None,
    *,
    jobs: int | None = None,
    timeout: float = TIMEOUT,
    memory: int | None = MEMORY_LIMIT,
    progress: Callable[[Path], None] | None = None,
    on_report: Callable[[FileReport], None] | None = None,
    into: MutableSequence[FileReport] | None = None,
) -> MutableSequence[FileReport]:
    """``task(path, **options)`` for every path in worker processes; reports in input order.

    A file whose worker dies is tried once more in a fresh worker, then reported; a file that
    overruns ``timeout`` seconds is reported at once. ``progress`` is called as each file is
    done, in the order they finish; ``on_report`` with each report in input order, as soon as
    all before it are done. Reports are appended to ``into`` (a new list by default; a
    :class:`~.store.ReportStore` keeps them on disk) in that order too, so a caller stopped by
    Ctrl-C keeps an unbroken prefix, and only reports that finished early wait in memory.
    """
    options = options or {}
    out: MutableSequence[FileReport] = [] if into is None else into
    waiting: dict[int, FileReport] = {}  # done, but an earlier file is not yet
    queue = deque(range(len(paths)))
    tries = [0] * len(paths)
    jobs = max(1, min(jobs or default_jobs(), len(paths) or 1))
    ctx = worker_context()
    idle: list[_Worker] = []
    busy: list[_Worker] = []
    started_workers: list[_Worker] = []
    started = False  # some worker has come up: a later death is a file's doing

    emitted = 0

    def finish(worker: _Worker, report: FileReport) -> None:
        nonlocal emitted
        assert worker.job is not None
        waiting[worker.job] = report
        if progress:
            progress(paths[worker.job])
        worker.job = None
        while emitted in waiting:
            ready = waiting.pop(emitted)
            out.append(ready)
            if on_report:
                on_report(ready)
            emitted += 1

    try:
        while queue or busy:
            check_interrupted()
            while queue and len(busy) < jobs:
                if idle:
                    worker = idle.pop()
                else:
                    worker = _Worker(ctx, task, options, memory)
                    started_workers.append(worker)
                index = queue.popleft()
                tries[index] += 1
                worker.give(index, paths[index], timeout)
                busy.append(worker)
            soonest = min(w.deadline for w in busy)
            ready = wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy],
                timeout=max(0.0, soonest - time.monotonic()),
            )
            for worker in list(busy):
                if worker.conn in ready or worker.process.sentinel in ready:
                    try:
                        report = worker.answer()
                    except (EOFError, OSError):  # died before it answered
                        worker.process.join(5)
                        if not worker.ready and not started:
                            raise WorkerError(_NO_WORKERS) from None
                        job = worker.job
                        assert job is not None
                        if tries[job] < ATTEMPTS:
                            queue.appendleft(job)
                            worker.job = None
                        else:
                            how = _how(worker.process.exitcode)
                            finish(worker, failed(paths[job], _CRASH.format(how=how)))
                        busy.remove(worker)
                        worker.stop(kill=True)
                        continue
                    started = started or worker.ready
                    if report is None:
                        continue
                    finish(worker, report)
                    busy.remove(worker)
                    worker.served += 1
                    if worker.served >= TASKS_PER_WORKER:
                        worker.stop()
                    else:
                        idle.append(worker)
                elif time.monotonic() >= worker.deadline:
                    seconds = f"{timeout:g}"
                    job = worker.job
                    assert job is not None
                    finish(worker, failed(paths[job], _TIMEOUT.format(seconds=seconds)))
                    busy.remove(worker)
                    worker.stop(kill=True)
    finally:
        # NOTE: every worker ever started, not only those in idle and busy: a Ctrl-C can land
        # while a worker moves from one list to the other
        for worker in started_workers:
            worker.stop(kill=worker not in idle)
    return out
