"""Sending a batch of letters, one department each, through SMTP or as drafts, and recording each.

The outbox is an SMTP server (:class:`.smtp.SmtpOutbox`) or a folder of drafts
(:class:`DraftsOutbox`). A :class:`Letter` is planned first (who, which kind, to which addresses, under which draft
name) and its content made only when its turn comes (an annotated copy takes a moment). For
each letter a ``pending`` row is recorded, the message goes out, and the row becomes ``sent``
(the server accepted it), ``draft`` (the .eml is written) or ``failed`` (with the reason):
one transaction each, so an interruption leaves every earlier letter recorded as it happened
and never counts one as sent that the server did not accept. A letter that fails is a line;
the others go on. Only a server that cannot be used any more stops the batch
(:attr:`PostResult.stopped`), and the letters after it are listed as not sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from ..campaign import Campaign, Department
from ..errors import DisclosureError, Interrupted, MailError
from ..outputs import check_output, write_bytes
from ..text import Text
from .compose import Attachment, Recipient, compose, domain_of, new_message_id
from .records import Kind, Via, record_pending, record_result
from .smtp import NotSent, SmtpOutbox

Outcome = Literal["sent", "draft", "failed", "no-address", "not-sent"]


@dataclass(frozen=True)
class Content:
    """What a letter says and carries, and threading on the department's own message."""

    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    note: Text | None = None  # said on the letter's line (e.g. the template sent instead)


@dataclass(frozen=True, eq=False)
class Letter:
    """One message planned for one department."""

    department: Department
    kind: Kind
    return_id: int | None
    recipients: tuple[Recipient, ...]
    draft_name: str
    content: Callable[[], Content] = field(repr=False)


@dataclass(frozen=True)
class Delivery:
    """What happened to one department's letter."""

    department_id: str
    department: str
    kind: Kind
    outcome: Outcome
    recipients: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # refused by the server while others took it (sent)
    reason: Text | None = None  # why failed or not sent
    note: Text | None = None
    file: str | None = None  # the draft
    message_id: str | None = None


@dataclass(frozen=True)
class Plan:
    """The letters to send, the departments that cannot get one, and how many were left out
    because they had theirs already."""

    letters: tuple[Letter, ...]
    unreachable: tuple[Delivery, ...] = ()
    done_before: int = 0


@dataclass(frozen=True)
class PostResult:
    """Every department's line, in order, and whether the server stopped the batch."""

    deliveries: tuple[Delivery, ...]
    done_before: int = 0
    stopped: Text | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(d.outcome == outcome for d in self.deliveries)

    @property
    def needs_attention(self) -> bool:
        """A letter failed, was not sent, went only partly, or had no address."""
        return any(d.outcome not in ("sent", "draft") or d.refused for d in self.deliveries)

    def line(self) -> Text:
        """已发送 5，草稿 0，失败 1，未发 0，无邮箱 1，此前已发（未重发）2"""
        sent, draft, failed, stopped, none = (
            self.count(o) for o in ("sent", "draft", "failed", "not-sent", "no-address")
        )
        before = self.done_before
        return Text(
            f"已发送 {sent}，草稿 {draft}，失败 {failed}，未发 {stopped}，无邮箱 {none}，"
            f"此前已发（未重发）{before}",
            f"sent {sent}, drafts {draft}, failed {failed}, not sent {stopped}, "
            f"no address {none}, done before (not again) {before}",
        )


class DraftsOutbox:
    """A folder of .eml drafts (``X-Unsent: 1``) to open in the mail client and send from there."""

    via = "drafts"

    def __init__(self, folder: Path, *, force: bool = False) -> None:
        self.folder = folder
        self.force = force

    def check(self, names: Sequence[str]) -> None:
        """Refuse before anything is written: an existing draft (unless ``force``), a symlink,
        a name the file system cannot hold."""
        for name in names:
            check_output(self.folder / name, force=self.force)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def write(self, message: EmailMessage, name: str) -> Path:
        return write_bytes(self.folder / name, message.as_bytes(), exclusive=not self.force)


def post(
    round_: Campaign,
    plan: Plan,
    outbox: DraftsOutbox | SmtpOutbox,
    *,
    sender: str | None,
    progress: Callable[[Delivery], None] | None = None,
) -> PostResult:
    """Send (or draft) each planned letter and record it; see the module's docstring."""
    deliveries: list[Delivery] = []

    def done(delivery: Delivery) -> None:
        deliveries.append(delivery)
        if progress is not None:
            progress(delivery)

    for delivery in plan.unreachable:
        done(delivery)
    if isinstance(outbox, DraftsOutbox):
        outbox.check([letter.draft_name for letter in plan.letters])
    if not plan.letters:
        return PostResult(tuple(deliveries), plan.done_before)
    outbox.open()
    stopped: Text | None = None
    try:
        for n, letter in enumerate(plan.letters):
            try:
                done(_post_one(round_, letter, outbox, sender))
            except MailError as exc:
                stopped = exc.text
                done(_delivery(letter, "failed", reason=exc.text))
                for rest in plan.letters[n + 1 :]:
                    done(_delivery(rest, "not-sent", reason=Text("未发", "not sent")))
                break
    finally:
        outbox.close()
    return PostResult(tuple(deliveries), plan.done_before, stopped)


def _delivery(
    letter: Letter,
    outcome: Outcome,
    *,
    refused: tuple[str, ...] = (),
    reason: Text | None = None,
    note: Text | None = None,
    file: str | None = None,
    message_id: str | None = None,
) -> Delivery:
    d = letter.department
    addresses = tuple(r.address for r in letter.recipients)
    return Delivery(
        d.id, d.name, letter.kind, outcome, addresses, refused, reason, note, file, message_id
    )


def _post_one(
    round_: Campaign, letter: Letter, outbox: DraftsOutbox | SmtpOutbox, sender: str | None
) -> Delivery:
    try:
        content = letter.content()
    except MailError:
        raise
    except DisclosureError as exc:  # e.g. a template that cannot be read: this letter only
        return _delivery(letter, "failed", reason=exc.text)
    draft = isinstance(outbox, DraftsOutbox)
    via: Via = "drafts" if draft else "smtp"
    message_id = new_message_id(
        domain_of(sender or ""), f"{round_.info.id}.{letter.department.id}.{letter.kind}"
    )
    message = compose(
        sender=sender,
        to=letter.recipients,
        subject=content.subject,
        body=content.body,
        attachments=content.attachments,
        message_id=message_id,
        in_reply_to=content.in_reply_to,
        references=content.references,
        draft=draft,
    )
    addresses = [r.address for r in letter.recipients]
    row = record_pending(
        round_.conn,
        department_id=letter.department.id,
        kind=letter.kind,
        return_id=letter.return_id,
        message_id=message_id,
        recipients=addresses,
        subject=str(message["Subject"]),
        via=via,
    )
    accepted = False
    try:
        if isinstance(outbox, DraftsOutbox):
            path = outbox.write(message, letter.draft_name)
            accepted = True
            shown = _shown_path(round_.folder, path)
            record_result(round_.conn, row, "draft", file=shown)
            return _delivery(letter, "draft", note=content.note, file=shown, message_id=message_id)
        refused = outbox.send(message, addresses)
        accepted = True
        record_result(round_.conn, row, "sent", refused=list(refused))
        return _delivery(
            letter,
            "sent",
            refused=tuple(f"{a} {why}" for a, why in refused.items()),
            note=content.note,
            message_id=message_id,
        )
    except NotSent as exc:
        record_result(round_.conn, row, "failed", refused=list(exc.refused), error=exc.reason)
        return _delivery(letter, "failed", reason=exc.reason, message_id=message_id)
    except MailError as exc:
        record_result(round_.conn, row, "failed", error=exc.text)
        raise
    except Interrupted:
        if accepted:  # NOTE: it went out; the record must say so
            record_result(round_.conn, row, "draft" if draft else "sent")
        else:
            record_result(
                round_.conn,
                row,
                "failed",
                error=Text("已中断，未确认发出", "interrupted; not confirmed as sent"),
            )
        raise
    except Exception as exc:  # e.g. a draft that cannot be written
        reason = getattr(exc, "text", None)
        if not isinstance(reason, Text):
            raise
        record_result(round_.conn, row, "failed", error=reason)
        return _delivery(letter, "failed", reason=reason, message_id=message_id)


def _shown_path(folder: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path)
