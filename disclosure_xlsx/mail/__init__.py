"""E-mail for the collection round: templates out, returns in, and back what to fix.

Three steps, each one call of :mod:`.actions`: :func:`send_notices` (each department's stamped
template with the round's notice), :func:`fetch_returns` (the returns out of an IMAP mailbox,
fed to the round's collect) and :func:`send_replies` (the annotated copy and the findings to
each department whose current return has errors; a reminder to each one overdue). What was
sent and fetched is recorded in the round (:mod:`.records`), so each step can be run again
and does only what is left.

One module per job: ``settings`` (the round's ``mail/设置.toml``, options over it, the
password), ``files`` and ``templates`` (the clerk's texts, placeholders filled safely),
``compose`` (messages with attachment names every client reads), ``smtp`` and ``outbox``
(sending or drafting, one record each), ``send`` and ``reply`` (who gets what), ``connection``
(TLS and server errors), ``imap`` and ``bodystructure`` (reading a mailbox without downloading
more than needed), ``fetch`` (into the round). This package sits above
:mod:`disclosure_xlsx.campaign` and is never imported by it.
"""

from .actions import fetch_returns, send_notices, send_replies, sender_address
from .fetch import FetchedMessage, FetchReport, Listener
from .outbox import Delivery, PostResult
from .records import SentRecord, sent_log
from .settings import MailSettings, Secret, Server, load_settings, override, password_for

__all__ = [
    "Delivery",
    "FetchReport",
    "FetchedMessage",
    "Listener",
    "MailSettings",
    "PostResult",
    "Secret",
    "SentRecord",
    "Server",
    "fetch_returns",
    "load_settings",
    "override",
    "password_for",
    "send_notices",
    "send_replies",
    "sender_address",
    "sent_log",
]
