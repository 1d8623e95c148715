"""``campaign reply``: what to fix, to each department whose current return has errors; a
reminder, to each that has not returned by the deadline.

A reply (退回.txt) goes to whoever sent the return (else the roster's addresses), threaded on
their message when it came by mail (``In-Reply-To``, ``References``, ``Re:`` subject). It
carries the annotated copy of the return (problem cells coloured and commented, the
校验结果 sheet first) and lists the findings in the body: the report rows the console, the HTML
report and the annotated copy show. A return that cannot be annotated (unreadable, the other
year's table) gets the department's template again instead. A department is replied to once
per version: a new return with errors gets a new reply, the same one does not (unless
``again``).

A reminder (催报.txt) goes, once the deadline has passed, to each department without any
return, with its template attached again; once (unless ``again``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path

from ..campaign import Campaign, Department, ReturnRecord
from ..campaign.mailfiles import ANNOTATED_NOTE, TEMPLATE_NOTE
from ..check.report import FileReport
from ..errors import DisclosureError
from ..text import Text
from .compose import Attachment, header_text
from .outbox import Content, Delivery, Letter, Plan
from .records import Via, done_before, origin_of
from .send import (
    check_values,
    common_values,
    counted,
    department_values,
    draft_name,
    no_address,
    recipients,
    select,
    template_attachment,
)
from .settings import MailSettings
from .templates import MailText, findings_list, load_text

#: Codes of a return that cannot be annotated usefully: the template goes back instead.
NOT_ANNOTATED = frozenset({"unreadable", "wrong-template"})


def plan_replies(
    round_: Campaign,
    settings: MailSettings,
    *,
    via: Via,
    only: Sequence[str] = (),
    again: bool = False,
    today: date | None = None,
) -> Plan:
    """Replies to the returns with errors, reminders to the departments overdue."""
    reply_text = load_text(round_.folder, "reply")
    reminder_text = load_text(round_.folder, "reminder")
    common = common_values(round_, settings)
    status = round_.status(today)
    late = any(d.overdue and d.state == "missing" for d in status.departments)
    check_values([reply_text, *([reminder_text] if late else [])], common)
    replied = done_before(round_.conn, "reply", counted(via))
    reminded = done_before(round_.conn, "reminder", counted(via))
    states = {d.id: d for d in status.departments}
    letters: list[Letter] = []
    unreachable: list[Delivery] = []
    skipped = 0
    for d in select(round_, only):
        state = states[d.id]
        if state.state in ("invalid", "unreadable"):
            current = round_.current(d.id)
            assert current is not None
            if (d.id, current.id) in replied and not again:
                skipped += 1
                continue
            to = recipients(d, [current.sender] if current.sender else None)
            if not to:
                unreachable.append(no_address(d, "reply"))
                continue
            build = partial(_reply, round_, reply_text, common, d, current)
            letters.append(Letter(d, "reply", current.id, to, draft_name(d, "reply"), build))
        elif state.state == "missing" and state.overdue:
            if (d.id, None) in reminded and not again:
                skipped += 1
                continue
            if not d.emails:
                unreachable.append(no_address(d, "reminder"))
                continue
            build = partial(_reminder, round_, reminder_text, common, d)
            letters.append(
                Letter(d, "reminder", None, recipients(d), draft_name(d, "reminder"), build)
            )
    return Plan(tuple(letters), tuple(unreachable), skipped)


def _reminder(round_: Campaign, text: MailText, common: dict[str, str], d: Department) -> Content:
    attachment = template_attachment(round_, d)
    subject, body = text.fill({**common, **department_values(d), "附件名": attachment.name})
    return Content(subject, body, (attachment,))


def _reply(
    round_: Campaign,
    text: MailText,
    common: dict[str, str],
    d: Department,
    current: ReturnRecord,
) -> Content:
    report = round_.file_report(str(current.id))
    note: Text | None = None
    attachment: Attachment | None = None
    if not any(f.code in NOT_ANNOTATED for f in report.findings):
        try:
            attachment = _annotated(report, current)
        except DisclosureError as exc:
            note = Text(
                f"无法批注（{exc.text.zh}），改为附上模板",
                f"cannot be annotated ({exc.text.en}); the template is attached instead",
            )
    else:
        note = Text("文件无法校验，附上模板请重填", "the file cannot be checked; template attached")
    explained = ANNOTATED_NOTE if attachment is not None else TEMPLATE_NOTE
    if attachment is None:
        attachment = template_attachment(round_, d)
    values = {
        **common,
        **department_values(d),
        "附件名": attachment.name,
        "文件名": current.name,
        "收到时间": _when(current.received_at),
        "错误数": str(report.errors),
        "提示数": str(report.warnings),
        "问题清单": findings_list(report.findings),
        "附件说明": explained,
    }
    subject, body = text.fill(values)
    if explained is TEMPLATE_NOTE:  # a 退回.txt written before {附件说明}: its fixed sentence
        body = body.replace(ANNOTATED_NOTE, TEMPLATE_NOTE)
    origin = origin_of(round_.conn, current.id)
    if origin is None:
        return Content(subject, body, (attachment,), note=note)
    theirs = header_text(origin.subject)
    if theirs:
        subject = (
            theirs if theirs.lower().startswith(("re:", "回复：", "答复：")) else f"Re: {theirs}"
        )
    return Content(
        subject,
        body,
        (attachment,),
        in_reply_to=origin.message_id,
        references=origin.references,
        note=note,
    )


def _annotated(report: FileReport, current: ReturnRecord) -> Attachment:
    from ..write.annotate import annotate_file

    stem = Path(current.name).stem
    name = (
        f"{stem}_批注.xlsx" if not current.name.lower().endswith(".xlsm") else f"{stem}_批注.xlsm"
    )
    with tempfile.TemporaryDirectory(prefix="dx-reply-") as tmp:
        target = Path(tmp) / ("copy" + Path(name).suffix)
        annotate_file(report, target)
        return Attachment(name, target.read_bytes())


def _when(received_at: str) -> str:
    """2026-03-20T09:30:00+08:00 -> 2026年3月20日 09:30"""
    day, _, time = received_at.partition("T")
    try:
        d = date.fromisoformat(day)
    except ValueError:
        return received_at
    return f"{d.year}年{d.month}月{d.day}日 {time[:5]}".strip()
