"""``campaign send``: each department's stamped template, with the round's notice (通知.txt).

A department gets the notice once: a re-run sends only to those that have not had it (sent
through the server; for drafts, sent or drafted), unless ``again``. ``only`` narrows the batch
to some departments (by id, name or any spelling of the name). A department without an
address on the roster is a line, not a letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from ..campaign import Campaign, Department
from ..errors import UsageError
from ..text import Text, join
from ..write.roster import safe_filename
from .compose import Attachment, Recipient
from .outbox import Content, Delivery, Letter, Plan
from .records import Kind, Result, Via, done_before
from .settings import MailSettings
from .templates import MailText, chinese_date, load_text, missing_values

#: The prefix of a draft's file name, by kind: 通知_区商务局.eml
DRAFT_PREFIX: dict[Kind, str] = {"notice": "通知", "reply": "退回", "reminder": "催报"}


def counted(via: Via) -> tuple[Result, ...]:
    """The results that count as done: sent; for drafts also drafted (not drafted twice)."""
    return ("sent",) if via == "smtp" else ("sent", "draft")


def select(round_: Campaign, only: Sequence[str]) -> list[Department]:
    """The departments named by ``only`` (each may list several, separated by , 、 or ;), in
    roster order; all of them when ``only`` is empty."""
    if not only:
        return round_.departments()
    wanted: set[str] = set()
    for ref in only:
        for part in ref.replace("、", ",").replace(";", ",").replace("，", ",").split(","):
            if part.strip():
                wanted.add(round_.department(part.strip()).id)
    return [d for d in round_.departments() if d.id in wanted]


def common_values(round_: Campaign, settings: MailSettings) -> dict[str, str]:
    """The placeholder values every letter of the round shares."""
    return {
        "标题": round_.info.title,
        "截止日期": chinese_date(round_.info.deadline),
        "发文单位": settings.office.unit,
        "联系人": settings.office.name,
        "联系电话": settings.office.phone,
    }


def department_values(d: Department) -> dict[str, str]:
    return {"单位名称": d.name, "单位联系人": d.contact}


def check_values(texts: Sequence[MailText], values: dict[str, str]) -> None:
    """Every required field the texts use has a value, else one error listing them all."""
    problems = [p for text in texts for p in missing_values(text, values)]
    if problems:
        raise UsageError(
            Text("邮件文字还不能用：\n  ", "the mail texts cannot be used yet:\n  ")
            + join(problems, "\n  ", "\n  ")
        )


def recipients(d: Department, addresses: Sequence[str] | None = None) -> tuple[Recipient, ...]:
    """The department's addresses (the roster's unless given), named with its name."""
    return tuple(Recipient(d.name, a) for a in (addresses if addresses else d.emails))


def no_address(d: Department, kind: Kind) -> Delivery:
    return Delivery(
        d.id,
        d.name,
        kind,
        "no-address",
        reason=Text("名单中没有这个单位的邮箱", "the roster has no address for it"),
    )


def draft_name(d: Department, kind: Kind) -> str:
    return f"{DRAFT_PREFIX[kind]}_{d.id}_{safe_filename(d.name, '.eml')}"


def template_attachment(round_: Campaign, d: Department) -> Attachment:
    """The department's stamped template, named so it is recognised among other mail."""
    path = round_.template(d.id)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            Text(
                f"{path}：无法读取模板（{reason}）", f"{path}: cannot read the template ({reason})"
            )
        ) from None
    return Attachment(f"{d.name}_{round_.spec.title}{path.suffix}", data)


def plan_notices(
    round_: Campaign,
    settings: MailSettings,
    *,
    via: Via,
    only: Sequence[str] = (),
    again: bool = False,
) -> Plan:
    """The notices to send: one per department that has not had it (or every one, ``again``)."""
    text = load_text(round_.folder, "notice")
    common = common_values(round_, settings)
    check_values([text], common)
    done = done_before(round_.conn, "notice", counted(via))
    letters: list[Letter] = []
    unreachable: list[Delivery] = []
    skipped = 0
    for d in select(round_, only):
        if (d.id, None) in done and not again:
            skipped += 1
            continue
        if not d.emails:
            unreachable.append(no_address(d, "notice"))
            continue
        letters.append(
            Letter(
                d,
                "notice",
                None,
                recipients(d),
                draft_name(d, "notice"),
                partial(_notice, round_, text, common, d),
            )
        )
    return Plan(tuple(letters), tuple(unreachable), skipped)


def _notice(round_: Campaign, text: MailText, common: dict[str, str], d: Department) -> Content:
    attachment = template_attachment(round_, d)
    subject, body = text.fill({**common, **department_values(d), "附件名": attachment.name})
    return Content(subject, body, (attachment,))
