"""Suggestions: forced values, typo repair, error localisation, moved values.

Rule-level behaviour is tested on in-memory values (no Excel); one test per suggestion kind
goes through a real workbook in both layouts, to see what the clerk sees.
"""

from __future__ import annotations

import pytest

from disclosure_xlsx.check.repair import Sheet, keystroke, suggest
from disclosure_xlsx.check.validate import validate_file

from .workbooks import pasted_return, template_return, value_cell

RECEIVED = ("received_in_person", "received_fax", "received_online", "received_letter")


def sheet(spec, values=None, blanks=(), headings=None) -> Sheet:
    """Every data item 0 unless given; cells named after the item, so tests read plainly."""
    numbers = {i.id: 0.0 for i in spec.data_items()}
    numbers.update({k: float(v) for k, v in (values or {}).items()})
    for b in blanks:
        numbers[b] = 0.0
    cells = {i.id: i.id for i in spec.items}
    return Sheet(spec, numbers, frozenset(blanks), cells, headings or {})


def rule_fix(spec, values, total="requests_received"):
    (rule,) = [r for r in spec.rules if r.kind == "sum" and r.one("total") == total]
    return suggest(sheet(spec, values)).by_rule.get(rule.index)


@pytest.mark.parametrize(
    ("old", "new", "how"),
    [
        (161, 116, "相邻数字颠倒"),
        (19979, 1979, "多输了一位数字"),
        (1979, 19979, "漏输了一位数字"),
        (123, 128, "一位数字输错"),
        (7, -7, "正负号错误"),
        (96171.6, 96171.7, "一位数字输错"),
    ],
)
def test_one_keystroke_edits(old, new, how):
    assert keystroke(old, new)[0] == how


@pytest.mark.parametrize(("old", "new"), [(161, 611611), (120, 165), (0, 5), (12, 21.5)])
def test_not_one_keystroke(old, new):
    assert keystroke(old, new) is None


def test_swapped_digits_in_one_part_are_named_with_the_right_value(spec):
    fix = rule_fix(
        spec, {"requests_received": 120, "received_in_person": 4, "received_online": 161}
    )
    assert (fix.kind, fix.cell, fix.value) == ("typo", "received_online", 116)
    assert "相邻数字颠倒" in fix.text.zh


def test_extra_digit_in_a_total(spec):
    parts = {"received_in_person": 900, "received_online": 900, "received_letter": 179}
    fix = rule_fix(spec, {"requests_received": 19979, **parts})
    assert (fix.kind, fix.cell, fix.value) == ("typo", "requests_received", 1979)


def test_two_repairs_for_one_break_cannot_tell(spec):
    # 116 = 61 + 100 is broken; 161 (total swapped) or 16 (part swapped) both mend it
    fix = rule_fix(
        spec, {"requests_received": 116, "received_in_person": 61, "received_online": 100}
    )
    assert fix.kind == "ambiguous" and fix.value is None
    assert [(o.cell, o.value) for o in fix.options] == [
        ("requests_received", 161),
        ("received_in_person", 16),
    ]
    assert fix.text.zh.startswith("无法确定是哪一格")


def test_cell_in_a_rule_that_holds_is_not_a_typo_candidate(spec):
    # answer_refused is the total of its own (holding) sum, so only other parts may be blamed
    values = {
        "requests_answered": 5,
        "answer_disclosed": 2,
        "answer_refused": 4,
        "refused_privacy": 4,
        "requests_closed": 5,
        "closed_on_time": 5,
        "requests_received": 5,
        "received_online": 5,
    }
    fix = rule_fix(spec, values, total="requests_answered")
    assert fix.cell != "answer_refused"
    assert (fix.kind, fix.cell, fix.value) == ("typo", "answer_disclosed", 1)


def test_error_localisation_finds_the_single_cell(spec):
    # reading rooms 57 against 10 + 10 + 10, and the capacity section says 30: changing the
    # total alone (to 30) mends both rules; 57 -> 30 is no typo, so localisation answers
    values = {
        "reading_rooms": 57,
        "reading_rooms_city": 10,
        "reading_rooms_county": 10,
        "reading_rooms_township": 10,
        "capacity_reading_rooms": 30,
    }
    fix = rule_fix(spec, values, total="reading_rooms")
    assert (fix.kind, fix.cell, fix.value) == ("locate", "reading_rooms", 30)
    assert fix.text.zh.startswith("最可能出错的是 reading_rooms")


def test_error_localisation_says_when_it_cannot_tell(spec):
    fix = rule_fix(spec, {"staff": 30, "staff_fulltime": 4, "staff_parttime": 7}, total="staff")
    assert fix.kind == "ambiguous"
    assert [o.cell for o in fix.options] == ["staff", "staff_fulltime", "staff_parttime"]


def test_localisation_blames_the_cell_shared_by_two_broken_rules(spec):
    channels = {"channel_gazette": 5, "channel_website": 6}
    values = {
        "proactive_total": 1,  # below the channels and below its own part
        **channels,
        "proactive_normative": 2,
    }
    fixes = suggest(sheet(spec, values)).by_rule
    assert {f.cell for f in fixes.values()} == {"proactive_total"}


def test_forced_values(spec):
    s = sheet(
        spec,
        {"requests_received": 5, "received_online": 5, "staff": 4, "staff_fulltime": 1},
        blanks=("received_in_person", "received_fax", "staff_parttime"),
    )
    forced = suggest(s).forced
    assert {k: v.value for k, v in forced.items()} == {
        "received_in_person": 0,
        "received_fax": 0,
        "staff_parttime": 3,
    }
    assert forced["staff_parttime"].text.zh.startswith("可推算为 3")


def test_forced_value_must_fit_the_cell(spec):
    # the parts already exceed the total: the blank part would be negative, so nothing is forced
    s = sheet(spec, {"staff": 1, "staff_fulltime": 3}, blanks=("staff_parttime",))
    assert suggest(s).forced == {}


def test_number_on_heading_moves_to_the_blank_row_below(spec):
    s = sheet(
        spec,
        {"channel_website": 44},
        blanks=("proactive_total", "proactive_normative"),
        headings={"proactive": 44},
    )
    move = suggest(s).moves["proactive"]
    assert (move.cell, move.value, move.clear) == ("proactive_total", 44, ("proactive",))


@pytest.mark.parametrize("build", [template_return, pasted_return])
def test_report_carries_the_typo_fix(tmp_path, spec, build):
    values = {"requests_received": 120, "received_in_person": 4, "received_online": 161}
    path = build(tmp_path / "r.xlsx", spec, values)
    (finding,) = [f for f in validate_file(path).findings if f.code == "total-mismatch"]
    online = [f for f in validate_file(path).findings if f.item == "received_online"]
    assert online == []  # the part is not a finding of its own; the total's finding names it
    assert finding.fix.kind == "typo" and finding.fix.value == 116
    cell = value_cell(build, spec, "received_online")
    assert finding.fix.cell == cell
    assert finding.to_dict()["fix"]["reason"] == f"{cell} 可能应为 116（相邻数字颠倒：填的是 161）"


def test_readme_documents_every_suggestion_kind():
    from typing import get_args

    from disclosure_xlsx.check.repair import FixKind

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"| `{kind}` |" in readme for kind in get_args(FixKind))
