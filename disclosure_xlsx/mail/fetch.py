"""``campaign fetch``: the returns out of a mailbox, into the round, each message once.

For each message not dealt with before (by UIDVALIDITY and UID), the structure decides, before
anything is downloaded, which parts may hold a return: named attachments, also inside
forwarded messages (which keep *their* sender, the department). Those parts are downloaded
one by one, a part too large refused by its size without being downloaded, and fed to the
round's collect with the sender's address: workbooks are taken, .zip archives unpacked with
the workbook guard's limits, attached .eml files opened, .rar/.7z named as unsupported, and
anything else named as not a workbook, one line each.

A message is recorded as dealt with only after its returns are recorded (one transaction for
each return, then one for the message), so an interruption leaves it to the next fetch, which
finds the returns already taken (duplicates) and records the message. Messages without
attachments are recorded a hundred at a time; one from a department's address is named (a
department that forgot the attachment). A message whose Message-ID was taken already (seen in
another folder, or after the server renumbered the folder) and a message this round sent
itself are passed over. Nothing is deleted, and nothing moved unless ``move_to`` is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from email import policy
from email.parser import BytesParser

from ..campaign import Campaign
from ..campaign.archive import too_large
from ..campaign.arrival import INSIDE, Arrival, Skipped
from ..campaign.collect import Intake, Outcome
from ..campaign.eml import (
    MAX_MAIL_BYTES,
    attachment_name,
    read_mail_bytes,
    read_part_bytes,
)
from ..numbers import clean, clip
from ..read.guard import MAX_FILE_BYTES
from ..text import Text
from .bodystructure import Wanted, attachments
from .compose import header_text
from .imap import BATCH, Envelope, Heading, Mailbox
from .records import (
    FetchedRow,
    FetchResult,
    fetched_uids,
    record_fetched,
    record_moved,
    taken_message_ids,
)

#: Largest encoded part downloaded to look for one workbook (base64 adds a third, and lines).
MAX_PART_BYTES = MAX_FILE_BYTES * 7 // 5 + 65_536


@dataclass(frozen=True)
class FetchedMessage:
    """A message that had attachments, or something to say about it."""

    uid: int
    sender: str | None
    subject: str
    result: FetchResult
    outcomes: tuple[Outcome, ...] = ()
    note: Text | None = None
    moved: bool = False

    @property
    def label(self) -> str:
        """#12 “统计表” <sender> as shown in lines."""
        return f"#{self.uid} “{clip(clean(self.subject), 40)}” <{self.sender or '?'}>"


@dataclass(frozen=True)
class FetchReport:
    """What one fetch did."""

    mailbox: str
    looked_at: int
    messages: tuple[FetchedMessage, ...]
    empty: int
    seen: int
    own: int
    moved: int
    copied_only: bool
    folder_created: bool
    bytes_received: int

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return tuple(o for m in self.messages for o in m.outcomes)

    @property
    def needs_attention(self) -> bool:
        """A file not taken, unmatched or with errors; a department's mail without attachment."""
        return any(o.needs_attention for o in self.outcomes) or any(
            m.result == "empty" for m in self.messages
        )

    def line(self) -> Text:
        """新邮件 12 封：有附件 5，无附件 7，已收过 0；收到 6 份（未匹配 1），重复 0，未收 1"""
        outcomes = self.outcomes
        rec = sum(o.action == "recorded" for o in outcomes)
        dup = sum(o.action == "duplicate" for o in outcomes)
        skip = sum(o.action == "skipped" for o in outcomes)
        unmatched = sum(o.unmatched for o in outcomes)
        with_files = sum(m.result in ("taken", "skipped") for m in self.messages)
        seen = self.seen + self.own
        return Text(
            f"新邮件 {self.looked_at} 封：有附件 {with_files}，无附件 {self.empty}，已收过 {seen}；"
            f"收到 {rec} 份（未匹配 {unmatched}），重复 {dup}，未收 {skip}",
            f"new messages: {self.looked_at} ({with_files} with attachments, {self.empty} "
            f"without, {seen} seen before); recorded {rec} ({unmatched} unmatched), "
            f"{dup} duplicates, {skip} not taken",
        )


class Listener:
    """What a fetch tells as it goes (the CLI draws a progress bar and prints lines)."""

    def start(self, total: int) -> None:
        """``total`` new messages to look at."""

    def outcome(self, outcome: Outcome) -> None:
        """One attachment taken, a duplicate, or not taken."""

    def message(self, message: FetchedMessage) -> None:
        """A message with attachments (after its outcomes), or with a note."""

    def advance(self, n: int = 1) -> None:
        """``n`` more messages looked at."""


def fetch_mail(
    round_: Campaign,
    mailbox: Mailbox,
    *,
    since: date | None = None,
    move_to: str | None = None,
    listener: Listener | None = None,
) -> FetchReport:
    """Take the returns out of ``mailbox`` (opened) into the round; see the module."""
    tell = listener or Listener()
    conn = round_.conn
    key, validity = mailbox.key, mailbox.uidvalidity
    done = fetched_uids(conn, key, validity)
    taken = taken_message_ids(conn)
    ours = {r[0] for r in conn.execute("SELECT message_id FROM mail_sent")}
    roster = {a.lower(): d.name for d in round_.departments() for a in d.emails}
    new = [uid for uid in mailbox.search(since) if uid not in done]
    tell.start(len(new))
    created = mailbox.ensure_folder(move_to) if move_to and new else False
    intake = round_.intake()
    messages: list[FetchedMessage] = []
    empty = seen = own = moved = 0
    copied_only = False
    for start in range(0, len(new), BATCH):
        batch = new[start : start + BATCH]
        quiet: list[FetchedRow] = []
        for envelope in mailbox.envelopes(batch):
            heading = envelope.heading()
            sender, subject, message_id = heading.sender, heading.subject, heading.message_id
            if message_id and message_id in ours:
                own += 1
                quiet.append(FetchedRow(envelope.uid, message_id, sender, subject, "seen"))
                tell.advance()
                continue
            if message_id and message_id in taken:
                seen += 1
                quiet.append(FetchedRow(envelope.uid, message_id, sender, subject, "seen"))
                tell.advance()
                continue
            wanted = attachments(envelope.structure) if envelope.structure is not None else None
            if wanted == []:
                empty += 1
                who = roster.get(sender or "")
                note = None
                if who is not None:
                    note = Text(f"{who}的邮件没有附件", f"a mail from {who} without attachment")
                    messages.append(
                        FetchedMessage(envelope.uid, sender, subject, "empty", note=note)
                    )
                    tell.message(messages[-1])
                quiet.append(FetchedRow(envelope.uid, message_id, sender, subject, "empty", note))
                tell.advance()
                continue
            found, origins = _take(intake, mailbox, envelope, heading, wanted, roster, tell)
            row = FetchedRow(envelope.uid, message_id, sender, subject, found.result, found.note)
            record_fetched(conn, key, validity, [row], origins)
            if found.result == "taken":
                if message_id:
                    taken.add(message_id)
                if move_to:
                    if not mailbox.move([envelope.uid], move_to):
                        copied_only = True
                    record_moved(conn, key, validity, [envelope.uid], move_to)
                    moved += 1
                    found = replace(found, moved=True)
            messages.append(found)
            tell.message(found)
            tell.advance()
        record_fetched(conn, key, validity, quiet)
    return FetchReport(
        key,
        len(new),
        tuple(messages),
        empty,
        seen,
        own,
        moved,
        copied_only,
        bool(created),
        mailbox.bytes_received,
    )


def _take(
    intake: Intake,
    mailbox: Mailbox,
    envelope: Envelope,
    heading: Heading,
    wanted: list[Wanted] | None,
    roster: dict[str, str],
    tell: Listener,
) -> tuple[FetchedMessage, list[tuple[int, str, str, str]]]:
    """Download the wanted parts of one message and collect them; the message, and the
    (return id, Message-ID, References, subject) of each return for threading replies."""
    sender, sent, subject = heading.sender, heading.date, heading.subject
    own_origin = (heading.message_id, " ".join(heading.references), subject)
    label = f"{mailbox.folder} #{envelope.uid}"
    # NOTE: one origin per item, appended as each item is handed over: collect gives one
    # outcome per item, in order, so the two lists line up
    origins: list[tuple[str | None, str, str]] = []
    senders: list[str | None] = []  # whose each item is (a forwarded message's own sender)

    def items() -> Iterator[Arrival | Skipped]:
        if wanted is None:  # no structure we could read: the whole message, if not too big
            if envelope.size > MAX_MAIL_BYTES:
                origins.append(own_origin)
                senders.append(sender)
                yield Skipped(label, too_large())
                return
            for item in read_mail_bytes(mailbox.whole(envelope.uid), label):
                origins.append(own_origin)
                senders.append(item.sender if isinstance(item, Arrival) else sender)
                yield item
            return
        for want in wanted:
            inner = want.envelope
            who = (inner.sender if inner else None) or sender
            when = (inner.date if inner else None) or sent
            origin = (
                (inner.message_id, inner.in_reply_to or "", inner.subject)
                if inner is not None and inner.message_id
                else own_origin
            )
            part = want.part
            limit = MAX_MAIL_BYTES if part.is_message else MAX_PART_BYTES
            if part.size > limit:  # refused by its size: only its header is downloaded
                head = mailbox.part(envelope.uid, part.section, body=False)
                origins.append(origin)
                senders.append(who)
                yield Skipped(f"{label}{INSIDE}{_name(head) or part.section}", too_large())
                continue
            raw = mailbox.part(envelope.uid, part.section)
            for item in read_part_bytes(raw, label, who, when):
                origins.append(origin)
                senders.append(item.sender if isinstance(item, Arrival) else who)
                yield item

    result = intake.take(items(), progress=tell.outcome)
    rows: list[tuple[int, str, str, str]] = []
    for outcome, (mid, refs, subj) in zip(result.outcomes, origins, strict=False):
        if outcome.return_id is not None and mid:
            rows.append((outcome.return_id, mid, refs, header_text(subj)))
    got = any(o.action in ("recorded", "duplicate") for o in result.outcomes)
    strangers = sorted(
        {
            who
            for o, who in zip(result.outcomes, senders, strict=False)
            if o.action != "skipped" and who is not None and who not in roster
        }
    )
    note = None
    if strangers:
        shown = ", ".join(strangers)
        note = Text(f"发件人 {shown} 不在名单中", f"the sender {shown} is not on the roster")
    message = FetchedMessage(
        envelope.uid,
        sender,
        subject,
        "taken" if got else "skipped",
        result.outcomes,
        note,
    )
    return message, rows


def _name(head: bytes) -> str | None:
    """An attachment's name from its MIME header."""
    return attachment_name(BytesParser(policy=policy.default).parsebytes(head, headersonly=True))
