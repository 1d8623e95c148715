"""Whose return is it: the stamp, then the sender, then the 单位名称 cell, then the file name.

1. The hidden stamp of the template we sent (round id and department id). A stamp of another
   round, or of no department of this one, is a `stamp-foreign` warning and matching goes on.
   Our stamp on a file that the sender address, else the 单位名称 cell, else the file name puts
   with another department is not accepted: the return is unmatched, with a `stamp-mismatch`
   warning, for a person to `assign`.
2. The sender's address against the roster (several departments may share one clerk's
   address; then the next steps choose among those).
3. The 单位名称 cell against the roster, both normalised by :func:`.names.name_key`.
4. The file name: the department whose key it contains (the longest, if one key holds another).

A step that names exactly one department decides; a return no step decides is unmatched, with
the reason (nothing matched, or which departments it could be).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..check import findings as F
from ..check.findings import Finding
from ..spec.layout import Stamp
from ..text import Text
from .names import email_key, name_key
from .roster import Department
from .store import MatchedBy


@dataclass(frozen=True)
class Clues:
    """What a return says about where it came from."""

    file_name: str
    stamp: Stamp | None = None
    sender: str | None = None
    unit_name: str | None = None


@dataclass(frozen=True)
class Match:
    """A department (and how it was found), or the reason there is none; and the stamp's
    findings, which go into the return's report either way."""

    department: str | None
    by: MatchedBy | None
    reason: Text | None = None
    findings: tuple[Finding, ...] = ()


def match(clues: Clues, departments: Sequence[Department], round_id: str) -> Match:
    """Match one return to one department of the round."""
    by_id = {d.id: d for d in departments}
    findings: list[Finding] = []
    owner = None
    if clues.stamp is not None:
        stamp = clues.stamp
        if stamp.round_id == round_id and stamp.department_id in by_id:
            owner = by_id[stamp.department_id]
        elif stamp.round_id == round_id:
            reason = Text(
                f"模板标识中的单位 {stamp.department_id} 不在本轮名单中",
                f"the stamp names department {stamp.department_id}, which is not on this round's roster",
            )
            findings.append(F.stamp_foreign(reason, stamp.text))
        else:
            reason = Text(
                f"这份模板是另一轮收集（{stamp.round_id}）下发的，不是本轮的",
                f"this template was sent out in another round ({stamp.round_id}), not this one",
            )
            findings.append(F.stamp_foreign(reason, stamp.text))
    senders = by_sender(clues.sender, departments)
    pool = senders if len(senders) > 1 else departments
    named = by_name(clues.unit_name, pool)
    if owner is not None:
        evidence = None
        if senders and owner not in senders:
            others = [d.name for d in senders]
            evidence = Text(
                f"是从“{'、'.join(others)}”的邮箱 {clues.sender} 发来的",
                f"it was sent from the address of {', '.join(others)} ({clues.sender})",
            )
        elif not senders and named and named[0] != owner:
            evidence = Text(
                f"单位名称填的是“{clues.unit_name}”",
                f"the name in its sheet reads '{clues.unit_name}'",
            )
        elif not senders:
            files = by_file_name(clues.file_name, departments)
            if len(files) == 1 and files[0] != owner and owner.key not in _stem_key(clues):
                evidence = Text(
                    f"文件名“{clues.file_name}”是“{files[0].name}”的",
                    f"its file name '{clues.file_name}' names {files[0].name}",
                )
        if evidence is None:
            return Match(owner.id, "stamp", None, tuple(findings))
        assert clues.stamp is not None
        findings.append(F.stamp_mismatch(owner.name, evidence, clues.stamp.text))
        reason = Text(
            f"用的是发给“{owner.name}”的模板，但{evidence.zh}；请确认后用 campaign assign 指定单位",
            f"it is the template sent to {owner.name}, but {evidence.en}; "
            "confirm and use campaign assign",
        )
        return Match(None, None, reason, tuple(findings))
    steps: tuple[tuple[MatchedBy, list[Department]], ...] = (
        ("sender", senders),
        ("name", named),
        ("filename", by_file_name(clues.file_name, pool)),
    )
    for by, found in steps:
        if len(found) == 1:
            return Match(found[0].id, by, None, tuple(findings))
    return Match(None, None, _unmatched(clues, steps), tuple(findings))


def _unmatched(clues: Clues, steps: tuple[tuple[MatchedBy, list[Department]], ...]) -> Text:
    for _by, found in steps:
        if len(found) > 1:
            names = "、".join(d.name for d in found)
            return Text(
                f"可能是 {names}，无法确定是哪一个",
                f"could be any of {', '.join(d.name for d in found)}; cannot tell which",
            )
    if clues.unit_name:
        return Text(
            f"单位名称“{clues.unit_name}”不在名单中，发件人和文件名也对不上",
            f"the name in the sheet, '{clues.unit_name}', is not on the roster, nor are the "
            "sender or the file name",
        )
    return Text(
        "表中没有单位名称，发件人和文件名也对不上名单",
        "no department name in the sheet, and neither the sender nor the file name is on "
        "the roster",
    )


def _stem_key(clues: Clues) -> str:
    return name_key(PurePosixPath(clues.file_name).stem)


def by_sender(sender: str | None, departments: Sequence[Department]) -> list[Department]:
    """The departments whose roster address is the sender's."""
    if not sender:
        return []
    key = email_key(sender)
    return [d for d in departments if key in (email_key(e) for e in d.emails)]


def by_name(unit_name: str | None, departments: Sequence[Department]) -> list[Department]:
    """The department whose normalised name is the 单位名称 cell's."""
    if not unit_name or not unit_name.strip():
        return []
    key = name_key(unit_name)
    return [d for d in departments if d.key == key]


def by_file_name(file_name: str, departments: Sequence[Department]) -> list[Department]:
    """The departments whose key the file name contains, the longest keys only."""
    stem = name_key(PurePosixPath(file_name).stem)
    found = [d for d in departments if len(d.key) >= 2 and d.key in stem]
    if not found:
        return []
    longest = max(len(d.key) for d in found)
    return [d for d in found if len(d.key) == longest]
