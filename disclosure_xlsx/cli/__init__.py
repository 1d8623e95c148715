"""The `disclosure-xlsx` command line: a thin adapter over the library.

``app`` holds the shared options and exit codes; each module registers its commands on it.
"""

import signal as _signal
import sys as _sys

# NOTE: until main() installs its own handler, Ctrl-C during start-up exits quietly with 130
# instead of a KeyboardInterrupt traceback from whichever import was running.
_signal.signal(_signal.SIGINT, lambda *_: _sys.exit(130))

from . import campaign, mail, tables  # noqa: E402, F401  (registers the commands)
from .app import app, main  # noqa: E402

app.add_typer(campaign.app, name="campaign")

__all__ = ["app", "main"]
