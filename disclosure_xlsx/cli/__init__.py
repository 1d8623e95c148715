"""The `disclosure-xlsx` command line: a thin adapter over the library.

``app`` holds the shared options and exit codes; each module registers its commands on it.
"""

from . import tables  # noqa: F401  (registers the commands)
from .app import app, main

__all__ = ["app", "main"]
