"""The collection round: from the roster to the district total, with who has and hasn't returned.

``Campaign`` is the one object the CLI (and later the e-mail feature and the web page) calls:
:meth:`~.round.Campaign.init` a round from a roster, :meth:`~.round.Campaign.collect` returned
files, folders and saved e-mails, :meth:`~.round.Campaign.assign` what could not be matched,
:meth:`~.round.Campaign.status` and :meth:`~.round.Campaign.total`.

One module per job: ``names`` (normalising names), ``roster`` (the CSV), ``store`` (SQLite:
schema, migrations, transactions), ``arrival``/``sources``/``eml``/``archive`` (what comes in),
``collect`` (store, check, match, record one file), ``match`` (whose it is), ``status``,
``total`` and ``sheets`` (the printable workbooks), ``round`` (the ``Campaign`` class).
"""

from typing import TYPE_CHECKING

from .roster import Department, read_roster
from .round import Campaign
from .status import DepartmentStatus, RoundInfo, Status, Summary, Unmatched
from .store import ReturnRecord

if TYPE_CHECKING:
    from .collect import CollectResult, Outcome
    from .total import Total

__all__ = [
    "Campaign",
    "CollectResult",
    "Department",
    "DepartmentStatus",
    "Outcome",
    "ReturnRecord",
    "RoundInfo",
    "Status",
    "Summary",
    "Total",
    "Unmatched",
    "read_roster",
]


_LAZY = {"CollectResult": "collect", "Outcome": "collect", "Total": "total"}


def __getattr__(name: str) -> object:
    """Results of collect and total, imported on first use (they pull in the checks)."""
    if name not in _LAZY:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
