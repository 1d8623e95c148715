"""The three e-mail steps of a round, each one call: :func:`send_notices`, :func:`fetch_returns`,
:func:`send_replies`. The CLI (``campaign send``, ``fetch``, ``reply``) resolves the settings and
the password and calls these; a program can do the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from email.utils import formataddr, parseaddr
from pathlib import Path

from ..campaign import Campaign
from ..campaign.names import is_email
from ..errors import UsageError
from ..text import Text
from .fetch import FetchReport, Listener, fetch_mail
from .imap import Mailbox
from .outbox import Delivery, DraftsOutbox, Plan, PostResult, post
from .records import Via
from .reply import plan_replies
from .send import plan_notices
from .settings import MailSettings, Secret, Server
from .smtp import SmtpOutbox


def sender_address(settings: MailSettings, server: Server | None, given: str | None) -> str | None:
    """The From of the round's mail: ``given`` (--from), else the settings' ``from``, else the
    SMTP user when it is an address; checked. None when there is none (drafts may go without:
    the mail client fills it in)."""
    text = (given or settings.smtp.sender or "").strip()
    if not text and server is not None and server.user and is_email(server.user):
        text = server.user
    if not text:
        return None
    name, address = parseaddr(text)
    if not is_email(address):
        raise UsageError(
            Text(
                f"发件人“{text}”不是邮箱地址（写成 环翠区政务公开办 <gongkai@example.gov.cn>）",
                f"the sender '{text}' is not an address (write Office <gongkai@example.gov.cn>)",
            )
        )
    return formataddr((name, address)) if name else address


def _outbox(
    server: Server | None,
    password: Secret | None,
    sender: str | None,
    drafts: Path | None,
    *,
    force: bool,
    per_minute: int,
) -> DraftsOutbox | SmtpOutbox:
    if drafts is not None:
        return DraftsOutbox(drafts, force=force)
    if server is None:
        raise UsageError(
            Text(
                "没有发信服务器：请在 mail/设置.toml 的 [smtp] 填写 host，或用 --smtp 服务器；"
                "连不上邮件服务器时，可用 --drafts 文件夹 生成草稿，在邮件客户端里发出",
                "no SMTP server: give host in [smtp] of mail/设置.toml, or --smtp HOST; "
                "where the server cannot be reached, --drafts FOLDER writes drafts to send "
                "from the mail client",
            )
        )
    if sender is None:
        raise UsageError(
            Text(
                "没有发件人：请在 mail/设置.toml 的 [smtp] 填写 from（或用 --from）",
                "no sender: give from in [smtp] of mail/设置.toml (or --from)",
            )
        )
    return SmtpOutbox(server, password, parseaddr(sender)[1], per_minute=per_minute)


def _via(drafts: Path | None) -> Via:
    return "drafts" if drafts is not None else "smtp"


def send_notices(
    round_: Campaign,
    settings: MailSettings,
    *,
    server: Server | None,
    password: Secret | None = None,
    drafts: Path | None = None,
    sender: str | None = None,
    only: Sequence[str] = (),
    again: bool = False,
    force: bool = False,
    per_minute: int | None = None,
    progress: Callable[[Delivery], None] | None = None,
) -> PostResult:
    """Each department's template with the notice, through ``server`` or as drafts into
    ``drafts`` (see :mod:`.send`)."""
    from_ = sender_address(settings, server, sender)
    rate = settings.smtp.per_minute if per_minute is None else per_minute
    plan: Plan = plan_notices(round_, settings, via=_via(drafts), only=only, again=again)
    box = _outbox(server, password, from_, drafts, force=force, per_minute=rate)
    return post(round_, plan, box, sender=from_, progress=progress)


def send_replies(
    round_: Campaign,
    settings: MailSettings,
    *,
    server: Server | None,
    password: Secret | None = None,
    drafts: Path | None = None,
    sender: str | None = None,
    only: Sequence[str] = (),
    again: bool = False,
    force: bool = False,
    per_minute: int | None = None,
    today: date | None = None,
    progress: Callable[[Delivery], None] | None = None,
) -> PostResult:
    """Replies to returns with errors and reminders to overdue departments (see :mod:`.reply`)."""
    from_ = sender_address(settings, server, sender)
    rate = settings.smtp.per_minute if per_minute is None else per_minute
    plan = plan_replies(round_, settings, via=_via(drafts), only=only, again=again, today=today)
    box = _outbox(server, password, from_, drafts, force=force, per_minute=rate)
    return post(round_, plan, box, sender=from_, progress=progress)


def fetch_returns(
    round_: Campaign,
    server: Server,
    password: Secret | None,
    *,
    folder: str = "INBOX",
    since: date | None = None,
    move_to: str | None = None,
    listener: Listener | None = None,
) -> FetchReport:
    """The returns in one folder of the mailbox, into the round (see :mod:`.fetch`)."""
    with Mailbox(server, password, folder, writable=move_to is not None) as mailbox:
        return fetch_mail(round_, mailbox, since=since, move_to=move_to, listener=listener)
