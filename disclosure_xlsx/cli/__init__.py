"""The `disclosure-xlsx` command line: a thin adapter over the library.

``app`` holds the shared options and exit codes; each module registers its commands on it.
"""

from . import campaign, tables  # noqa: F401  (registers the commands)
from .app import app, main

app.add_typer(campaign.app, name="campaign")

__all__ = ["app", "main"]
