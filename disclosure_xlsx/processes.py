"""Where worker processes come from, importable without loading the checking code.

Workers fork from a fork server (Linux) that has imported the checking code once; starting
that server takes a new interpreter and those imports, about a quarter of a second. A command
that will check files calls :func:`start_early` first thing, so the server gets ready while the
command itself is still importing and collecting its inputs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.context

#: What each worker needs loaded before it reads its first file.
PRELOAD = ["disclosure_xlsx.check.validate"]


def worker_context() -> multiprocessing.context.BaseContext:
    """The fork server where the platform has one (imports shared, workers start in ms),
    else 'spawn' (each worker imports the checking code itself)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def start_early() -> None:
    """Start the fork server now, in the background (no-op where there is none)."""
    if worker_context().get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    with contextlib.suppress(OSError):  # the first worker tries again, and says if it cannot
        forkserver.ensure_running()
