from __future__ import annotations

import re

import pytest

from disclosure_xlsx.errors import SpecError
from disclosure_xlsx.spec import available_years, parse_spec, short_label
from disclosure_xlsx.spec.rules import evaluate

SEED_ORDER_SAMPLE = [
    (0, "proactive", "一、主动公开情况", "heading", None),
    (
        1,
        "proactive_total",
        "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）",
        "data",
        "条",
    ),
    (3, "normative_issued", "制发规范性文件总数", "data", "件"),
    (21, "requests_received", "（一）收到申请数", "data", "件"),
    (45, "reviews", "四、行政复议数量", "data", "件"),
    (75, "fees", "十二、依申请公开信息收取的费用", "data", "万元"),
    (86, "trainees", "（三）接受培训人员数", "data", "人次"),
]


def test_2014_spec_has_the_87_seed_rows_in_order(spec):
    assert len(spec.items) == 87
    for index, item_id, label, kind, unit in SEED_ORDER_SAMPLE:
        item = spec.items[index]
        assert (item.id, item.label, item.kind, item.unit) == (item_id, label, kind, unit)
    assert "2014" in available_years()


def test_labels_carry_no_typed_indentation(spec):
    for item in spec.items:
        assert item.label == item.label.strip(" \u3000")
        assert "\u3000" not in item.label


def test_value_types_follow_units(spec):
    assert spec.item("fees").value_type == "decimal"
    assert spec.item("budget").value_type == "decimal"
    assert spec.item("requests_received").value_type == "count"
    headings = [i.id for i in spec.items if not i.is_data]
    assert headings == [
        "proactive",
        "proactive_channels",
        "response",
        "response_channels",
        "requests",
        "gazette",
        "capacity",
        "meetings",
    ]


def test_rules_declared_as_the_issue_lists(spec):
    kinds = [(r.kind, r.severity) for r in spec.rules]
    assert kinds.count(("sum", "error")) == 12
    assert kinds.count(("part-of", "error")) == 3
    assert kinds.count(("channels", "error")) == 1
    assert kinds.count(("same-as", "error")) == 1
    assert sum(1 for _, s in kinds if s == "warning") == 4
    for rule in spec.rules:
        assert re.search(r"[\u4e00-\u9fff]", rule.desc.zh), rule


def test_short_labels_for_arithmetic_lines():
    assert short_label("1.当面申请数") == "当面申请数"
    assert short_label("（一）收到申请数") == "收到申请数"
    assert short_label("其中：涉及国家秘密") == "涉及国家秘密"
    assert (
        short_label("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）")
        == "主动公开政府信息数"
    )


def test_rules_evaluate_on_plain_values(spec):
    values = {i.id: 0.0 for i in spec.data_items()}
    assert all(evaluate(r, values) is None for r in spec.rules)
    values.update(requests_received=5, received_in_person=1, received_online=3)
    (breach,) = [b for r in spec.rules if (b := evaluate(r, values))]
    assert (breach.anchor, breach.found, breach.expected, breach.diff) == (
        "requests_received",
        5,
        4,
        1,
    )
    values.update(
        received_online=4,
        requests_closed=5,
        closed_on_time=5,
        requests_answered=5,
        answer_disclosed=5,
    )
    assert [r for r in spec.rules if evaluate(r, values)] == []


def test_channels_rule_is_bounds_not_a_sum(spec):
    (rule,) = [r for r in spec.rules if r.kind == "channels"]
    values = dict.fromkeys(rule.items(), 0.0)
    values.update(proactive_total=44, channel_website=44, channel_weibo=10)
    assert evaluate(rule, values) is None
    values["proactive_total"] = 60
    breach = evaluate(rule, values)
    assert breach is not None and breach.expected == "44–54"
    values["proactive_total"] = 30
    assert evaluate(rule, values).diff == -14


HEAD = """
[spec]
id = "t"
year = "1999"
version = 1
title = "t"
[units]
"件" = "count"
"万元" = "decimal"
[[tables]]
id = "main"
rows = [
  { id = "a", label = "A", unit = "件" },
  { id = "b", label = "B", unit = "件", level = 1 },
  { id = "c", label = "C", unit = "件", level = 1 },
  { id = "m", label = "M", unit = "万元" },
  { id = "h", label = "H", kind = "heading" },
]
"""


def rule(body: str) -> str:
    return HEAD + "[[rules]]\n" + body + '\ndesc = "说明"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            rule('kind = "ratio"\ntotal = "a"\nparts = ["b"]'),
            "规则类型 'ratio' 未知（可用：at-most, balance, channels",
        ),
        (rule('kind = "sum"\ntotal = "a"\nparts = ["b", "zz"]'), "未知项目 'zz'"),
        (rule('kind = "sum"\ntotal = "a"\nparts = ["b", "m"]'), "单位不同"),
        (rule('kind = "sum"\ntotal = "a"\nparts = ["h"]'), "'h' 是标题行"),
        (rule('kind = "sum"\ntotal = "a"'), "缺少 parts"),
        (rule('kind = "sum"\ntotal = "a"\nparts = ["b"]\nfactor = 2'), "不认识的字段 factor"),
        (rule('kind = "sum"\ntotal = "a"\nparts = ["b"]\nseverity = "fatal"'), "severity 'fatal'"),
        (HEAD + '[[rules]]\nkind = "sum"\ntotal = "a"\nparts = ["b"]\n', "缺少中文说明"),
        (HEAD.replace('{ id = "c"', '{ id = "b"'), "项目标识 'b' 重复"),
        (HEAD.replace('unit = "万元"', 'unit = "元"'), "单位 '元' 未在 [units] 中声明"),
        (
            HEAD.replace('{ id = "a", label = "A", unit = "件" }', '{ id = "a", label = "A" }'),
            "数据行必须有单位",
        ),
        (HEAD.replace('id = "a"', 'id = "A-1"'), "行标识 'A-1' 无效"),
        (HEAD.replace('"count"', '"integer"', 1), "类型 'integer' 未知"),
        ("[spec\n", "TOML 语法错误"),
        ('[spec]\nid = "x"\n', "[spec] 缺少 year"),
    ],
)
def test_loader_refuses_inconsistent_specs(text, message):
    with pytest.raises(SpecError) as info:
        parse_spec(text, source="bad.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("bad.toml: ")


def test_loader_refuses_cycles():
    text = (
        rule('kind = "sum"\ntotal = "a"\nparts = ["b", "c"]')
        + '[[rules]]\nkind = "sum"\ntotal = "b"\nparts = ["a"]\ndesc = "环"\n'
    )
    with pytest.raises(SpecError, match="规则构成循环：a → b → a"):
        parse_spec(text, source="bad.toml")


def test_matrix_tables_get_row_column_ids():
    text = (
        HEAD.replace(
            '[[tables]]\nid = "main"\n',
            '[[tables]]\nid = "main"\ncolumns = [{ id = "person" }, { id = "org" }, { id = "total" }]\n',
        )
        + '[[rules]]\nkind = "sum"\ntotal = "a.total"\nparts = ["a.person", "a.org"]\ndesc = "行合计"\n'
    )
    spec = parse_spec(text)
    assert [i.id for i in spec.items[:4]] == ["a.person", "a.org", "a.total", "b.person"]
    assert spec.item("h.person").kind == "heading"  # every cell of a heading row is an item too
    assert len(spec.rules) == 1


def test_unknown_year_is_a_clear_error():
    from disclosure_xlsx.spec import load_spec

    with pytest.raises(SpecError, match="没有 1990 年度的表格定义"):
        load_spec("1990")
