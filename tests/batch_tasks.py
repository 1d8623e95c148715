"""Tasks for worker processes in tests/test_batch.py (module-level, so workers can import them).

Each wraps the real validate_file; given a file whose name says so, it does what a hostile file
does to a reader: abort inside python-calamine, get killed, hang, or swell.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from disclosure_xlsx.check.report import FileReport
from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.read.grid import read_grids
from disclosure_xlsx.read.guard import FileCheck


def hostile(path: Path, **options: object) -> FileReport:
    if path.name.startswith("abort"):
        read_grids(FileCheck(path, "xlsx"))  # the guard bypassed: python-calamine aborts
    elif path.name.startswith("kill"):
        os.kill(os.getpid(), signal.SIGKILL)
    elif path.name.startswith("hang"):
        time.sleep(600)
    elif path.name.startswith("swell"):
        bytearray(8 * 1024**3)  # beyond the worker's address-space cap
    elif path.name.startswith("bug"):
        raise TypeError("a bug in the package")
    return validate_file(path, **options)  # type: ignore[arg-type]


def pid(path: Path, **options: object) -> FileReport:
    """The worker's process id as the report's unit name: shows which worker read a file."""
    report = validate_file(path, **options)  # type: ignore[arg-type]
    return FileReport(report.path, report.status, None, None, str(os.getpid()), ())
