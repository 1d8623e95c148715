"""Rule kinds: one implementation each, registered by the name used in spec files.

A rule kind knows four things about its relation: which roles it takes (for the spec loader),
how to test values (for validation), the same test as an Excel formula (for the template's
live checks) and as linear constraints (for repair). Keeping them together means a new kind is
added in one place.

The test comes in two forms: ``test`` compiles a rule into a plain predicate once (what
:mod:`.system` evaluates for every return, and repair thousands of times), and ``check`` says
what is wrong. ``check`` asks the compiled predicate first, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import ClassVar

from ..numbers import plain_number
from ..text import Text
from .model import Rule

#: Tolerance for decimal (万元) arithmetic.
EPS = 1e-6

Ref = Callable[[str], str]  # item id -> absolute cell reference such as "$C$22"
#: A compiled rule test: True when the rule holds over the values (every item has a number).
Holds = Callable[[Mapping[str, float]], bool]


@dataclass(frozen=True)
class Breach:
    """What a rule found wrong: the item to blame, what it holds and what it should hold."""

    anchor: str
    related: tuple[str, ...]
    found: float
    expected: float | str
    diff: float | None
    terms: tuple[tuple[str, float], ...]  # the other side of the relation, item by item


@dataclass(frozen=True)
class Linear:
    """A rule as linear algebra, ``sum(coef * value) <op> 0``: what repair reasons with."""

    terms: tuple[tuple[str, int], ...]  # (item id, coefficient)
    op: str  # "==" or "<="

    @cached_property
    def coefs(self) -> dict[str, int]:
        """Item id -> coefficient (the last one, should an item appear twice)."""
        return dict(self.terms)


def _linear(op: str, plus: tuple[str, ...], minus: tuple[str, ...]) -> Linear:
    return Linear(tuple((i, 1) for i in plus) + tuple((i, -1) for i in minus), op)


@dataclass(frozen=True)
class ExcelCheck:
    """A rule as spreadsheet formulas: when ``bad`` is TRUE, ``message`` explains it."""

    anchor: str
    bad: str
    message: str


class RuleKind:
    """Base of all rule kinds; subclasses fill in the class attributes and methods."""

    name: ClassVar[str]
    code: ClassVar[str]
    roles: ClassVar[dict[str, bool]]  # role -> takes a list of items
    same_unit: ClassVar[bool] = True

    def edges(self, rule: Rule) -> list[tuple[str, str]]:
        """(whole, part) pairs, so the loader can refuse cycles."""
        return []

    def test(self, rule: Rule) -> Holds:
        """The rule's test as a predicate, its roles looked up once (see :mod:`.system`)."""
        raise NotImplementedError

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        """None when the rule holds, else what is wrong (asks ``test`` whether it holds)."""
        raise NotImplementedError

    def linear(self, rule: Rule) -> tuple[Linear, ...]:
        """The rule as linear constraints; empty when it is not linear (repair skips it)."""
        return ()

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        raise NotImplementedError

    def describe(self, breach: Breach, say: Say) -> Text:
        """The breach as one line of arithmetic, naming items and values through ``say``."""
        raise NotImplementedError


BLANK = Text("未填（按 0 计）", "blank (counted as 0)")


@dataclass(frozen=True)
class Say:
    """How a rule's message names items ('label C6') and shows their values: a blank cell is
    said to be blank (counted as 0), never shown as a 0 the department did not write."""

    name: Callable[[str], str]
    blanks: frozenset[str] = frozenset()

    def value(self, item_id: str, value: float | str) -> Text:
        return BLANK if item_id in self.blanks else Text(str(value), str(value))

    def head(self, item_id: str, value: float | str) -> Text:
        """'label C6 = 44', or 'label C6 未填（按 0 计）'."""
        if item_id in self.blanks:
            return Text(f"{self.name(item_id)} ", f"{self.name(item_id)} ") + BLANK
        return Text(f"{self.name(item_id)} = {value}", f"{self.name(item_id)} = {value}")

    def terms(self, terms: tuple[tuple[str, float], ...]) -> Text:
        """'a 1 + b 未填（按 0 计） + c 2'."""
        zh, en = [], []
        for item_id, value in terms:
            name, shown = self.name(item_id), self.value(item_id, value)
            zh.append(f"{name} {shown.zh}")
            en.append(f"{name} {shown.en}")
        return Text(" + ".join(zh), " + ".join(en))


def _sum(ref: Ref, ids: tuple[str, ...]) -> str:
    return f"SUM({','.join(ref(i) for i in ids)})"


class SumRule(RuleKind):
    name = "sum"
    code = "total-mismatch"
    roles: ClassVar[dict[str, bool]] = {"total": False, "parts": True}

    def edges(self, rule: Rule) -> list[tuple[str, str]]:
        return [(rule.one("total"), p) for p in rule.many("parts")]

    def linear(self, rule: Rule) -> tuple[Linear, ...]:
        return (_linear("==", (rule.one("total"),), rule.many("parts")),)

    def test(self, rule: Rule) -> Holds:
        total, parts = rule.one("total"), rule.many("parts")
        return lambda values: abs(values[total] - sum([values[p] for p in parts])) <= EPS

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        if self.test(rule)(values):
            return None
        total, parts = rule.one("total"), rule.many("parts")
        expected = sum(values[p] for p in parts)
        return Breach(
            anchor=total,
            related=parts,
            found=plain_number(values[total]),
            expected=plain_number(expected),
            diff=plain_number(values[total] - expected),
            terms=tuple((p, plain_number(values[p])) for p in parts),
        )

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        total, parts = ref(rule.one("total")), _sum(ref, rule.many("parts"))
        return ExcelCheck(
            rule.one("total"), f"ROUND({total}-{parts},6)<>0", f'"合计应为 "&ROUND({parts},6)'
        )

    def describe(self, breach: Breach, say: Say) -> Text:
        return Text(
            "{head}，但 {terms} = {expected}，差 {diff}",
            "{head}, but {terms} = {expected}, off by {diff}",
        ).format(
            head=say.head(breach.anchor, breach.found),
            terms=say.terms(breach.terms),
            expected=breach.expected,
            diff=breach.diff,
        )


class PartOfRule(RuleKind):
    name = "part-of"
    code = "part-exceeds-whole"
    roles: ClassVar[dict[str, bool]] = {"part": False, "whole": False}

    def edges(self, rule: Rule) -> list[tuple[str, str]]:
        return [(rule.one("whole"), rule.one("part"))]

    def linear(self, rule: Rule) -> tuple[Linear, ...]:
        return (_linear("<=", (rule.one("part"),), (rule.one("whole"),)),)

    def test(self, rule: Rule) -> Holds:
        part, whole = rule.one("part"), rule.one("whole")
        return lambda values: values[part] <= values[whole] + EPS

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        if self.test(rule)(values):
            return None
        part, whole = rule.one("part"), rule.one("whole")
        return Breach(
            anchor=part,
            related=(whole,),
            found=plain_number(values[part]),
            expected=f"≤ {plain_number(values[whole])}",
            diff=plain_number(values[part] - values[whole]),
            terms=((whole, plain_number(values[whole])),),
        )

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        part, whole = ref(rule.one("part")), ref(rule.one("whole"))
        return ExcelCheck(rule.one("part"), f"ROUND({part}-{whole},6)>0", f'"不应超过 "&{whole}')

    def describe(self, breach: Breach, say: Say) -> Text:
        return Text("{head}，超过了总数 {whole}", "{head} exceeds its whole {whole}").format(
            head=say.head(breach.anchor, breach.found), whole=say.terms(breach.terms)
        )


class ChannelsRule(RuleKind):
    """Counted once across channels: max(channel) <= total <= sum(channels)."""

    name = "channels"
    code = "channel-bounds"
    roles: ClassVar[dict[str, bool]] = {"total": False, "parts": True}

    def linear(self, rule: Rule) -> tuple[Linear, ...]:
        total, parts = rule.one("total"), rule.many("parts")
        return (
            *(_linear("<=", (p,), (total,)) for p in parts),
            _linear("<=", (total,), parts),
        )

    def test(self, rule: Rule) -> Holds:
        total, parts = rule.one("total"), rule.many("parts")

        def holds(values: Mapping[str, float]) -> bool:
            found = [values[p] for p in parts]
            return max(found) - EPS <= values[total] <= sum(found) + EPS

        return holds

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        if self.test(rule)(values):
            return None
        total, parts = rule.one("total"), rule.many("parts")
        low = max(values[p] for p in parts)
        high = sum(values[p] for p in parts)
        value = values[total]
        return Breach(
            anchor=total,
            related=parts,
            found=plain_number(value),
            expected=f"{plain_number(low)}–{plain_number(high)}",
            diff=plain_number(value - (low if value < low else high)),
            terms=tuple((p, plain_number(values[p])) for p in parts),
        )

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        total = ref(rule.one("total"))
        cells = ",".join(ref(p) for p in rule.many("parts"))
        return ExcelCheck(
            rule.one("total"),
            f"OR(ROUND({total}-MAX({cells}),6)<0,ROUND({total}-SUM({cells}),6)>0)",
            f'"应在 "&MAX({cells})&" 至 "&ROUND(SUM({cells}),6)&" 之间"',
        )

    def describe(self, breach: Breach, say: Say) -> Text:
        low, high = str(breach.expected).split("–")
        return Text(
            "{head}，但各渠道为 {terms}：同一信息只计1条，总数应在 {low} 至 {high} 之间",
            "{head}, but the channels are {terms}: the total must lie between {low} and {high}",
        ).format(
            head=say.head(breach.anchor, breach.found),
            terms=say.terms(breach.terms),
            low=low,
            high=high,
        )


class SameAsRule(RuleKind):
    """The same quantity asked twice (or two quantities that should normally agree)."""

    name = "same-as"
    code = "cross-check"
    roles: ClassVar[dict[str, bool]] = {"item": False, "other": False}

    def linear(self, rule: Rule) -> tuple[Linear, ...]:
        return (_linear("==", (rule.one("item"),), (rule.one("other"),)),)

    def test(self, rule: Rule) -> Holds:
        item, other = rule.one("item"), rule.one("other")
        return lambda values: abs(values[item] - values[other]) <= EPS

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        if self.test(rule)(values):
            return None
        item, other = rule.one("item"), rule.one("other")
        return Breach(
            anchor=item,
            related=(other,),
            found=plain_number(values[item]),
            expected=plain_number(values[other]),
            diff=plain_number(values[item] - values[other]),
            terms=((other, plain_number(values[other])),),
        )

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        item, other = ref(rule.one("item")), ref(rule.one("other"))
        return ExcelCheck(rule.one("item"), f"ROUND({item}-{other},6)<>0", f'"应等于 "&{other}')

    def describe(self, breach: Breach, say: Say) -> Text:
        return Text(
            "{head}，但 {other}，两者应相等", "{head}, but {other}; they must be equal"
        ).format(head=say.head(breach.anchor, breach.found), other=say.terms(breach.terms))


class AtMostRule(RuleKind):
    name = "at-most"
    code = "implausible"
    roles: ClassVar[dict[str, bool]] = {"item": False, "limit": False}

    def linear(self, rule: Rule) -> tuple[Linear, ...]:
        return (_linear("<=", (rule.one("item"),), (rule.one("limit"),)),)

    def test(self, rule: Rule) -> Holds:
        item, limit = rule.one("item"), rule.one("limit")
        return lambda values: values[item] <= values[limit] + EPS

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        if self.test(rule)(values):
            return None
        item, limit = rule.one("item"), rule.one("limit")
        return Breach(
            anchor=item,
            related=(limit,),
            found=plain_number(values[item]),
            expected=f"≤ {plain_number(values[limit])}",
            diff=plain_number(values[item] - values[limit]),
            terms=((limit, plain_number(values[limit])),),
        )

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        item, limit = ref(rule.one("item")), ref(rule.one("limit"))
        return ExcelCheck(rule.one("item"), f"ROUND({item}-{limit},6)>0", f'"一般不超过 "&{limit}')

    def describe(self, breach: Breach, say: Say) -> Text:
        return Text("{head}，超过了 {limit}", "{head} exceeds {limit}").format(
            head=say.head(breach.anchor, breach.found), limit=say.terms(breach.terms)
        )


class RequiresRule(RuleKind):
    """A value above 0 only makes sense when some other value is above 0."""

    name = "requires"
    code = "implausible"
    roles: ClassVar[dict[str, bool]] = {"item": False, "requires": True}
    same_unit = False

    def test(self, rule: Rule) -> Holds:
        item, needed = rule.one("item"), rule.many("requires")
        return lambda values: values[item] <= EPS or any(values[n] > EPS for n in needed)

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        if self.test(rule)(values):
            return None
        item, needed = rule.one("item"), rule.many("requires")
        return Breach(
            anchor=item,
            related=needed,
            found=plain_number(values[item]),
            expected=0,
            diff=None,
            terms=tuple((n, plain_number(values[n])) for n in needed),
        )

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        item = ref(rule.one("item"))
        needed = ",".join(ref(i) for i in rule.many("requires"))
        return ExcelCheck(
            rule.one("item"),
            f"AND(ROUND({item},6)>0,ROUND(MAX({needed}),6)<=0)",
            '"相关项目为0，请核实"',
        )

    def describe(self, breach: Breach, say: Say) -> Text:
        return Text("{head}，但 {needed}", "{head}, but {needed}").format(
            head=say.head(breach.anchor, breach.found), needed=say.terms(breach.terms)
        )


class BalanceRule(RuleKind):
    """Σ left = Σ right: what came in equals what went out (2021 table 三: 一 + 二 = 三 + 四).

    The finding sits on the first right-hand item (（七）总计); ``found`` is what that cell
    holds and ``expected`` what it would hold if the balance were met.
    """

    name = "balance"
    code = "total-mismatch"
    roles: ClassVar[dict[str, bool]] = {"left": True, "right": True}

    def linear(self, rule: Rule) -> tuple[Linear, ...]:
        return (_linear("==", rule.many("left"), rule.many("right")),)

    def test(self, rule: Rule) -> Holds:
        left, right = rule.many("left"), rule.many("right")
        return lambda values: (
            abs(sum([values[i] for i in left]) - sum([values[i] for i in right])) <= EPS
        )

    def check(self, rule: Rule, values: Mapping[str, float]) -> Breach | None:
        if self.test(rule)(values):
            return None
        left, right = rule.many("left"), rule.many("right")
        have = sum(values[i] for i in left)
        want = sum(values[i] for i in right)
        anchor = right[0]
        return Breach(
            anchor=anchor,
            related=(*left, *right[1:]),
            found=plain_number(values[anchor]),
            expected=plain_number(values[anchor] + have - want),
            diff=plain_number(want - have),
            terms=tuple((i, plain_number(values[i])) for i in (*left, *right)),
        )

    def excel(self, rule: Rule, ref: Ref) -> ExcelCheck:
        left, right = _sum(ref, rule.many("left")), _sum(ref, rule.many("right"))
        return ExcelCheck(
            rule.many("right")[0],
            f"ROUND({left}-{right},6)<>0",
            f'"收支不平："&ROUND({left},6)&"≠"&ROUND({right},6)',
        )

    def describe(self, breach: Breach, say: Say) -> Text:
        items = [i for i, _ in breach.terms]  # the left side, then the right side from the anchor
        split = items.index(breach.anchor)
        have = sum(v for _, v in breach.terms[:split])
        want = sum(v for _, v in breach.terms[split:])
        return Text(
            "{lhs} = {have}，但 {rhs} = {want}，差 {diff}",
            "{lhs} = {have}, but {rhs} = {want}, off by {diff}",
        ).format(
            lhs=say.terms(breach.terms[:split]),
            rhs=say.terms(breach.terms[split:]),
            have=plain_number(have),
            want=plain_number(want),
            diff=breach.diff,
        )


RULE_KINDS: dict[str, RuleKind] = {
    k.name: k()
    for k in (SumRule, PartOfRule, ChannelsRule, SameAsRule, AtMostRule, RequiresRule, BalanceRule)
}


def finding_code(rule: Rule) -> str:
    """Errors carry their kind's code; every warning rule is a plausibility check."""
    return "implausible" if rule.severity == "warning" else RULE_KINDS[rule.kind].code


@cache
def linear_of(rule: Rule) -> tuple[Linear, ...]:
    """``RuleKind.linear`` of a rule, computed once (repair asks for it thousands of times)."""
    return RULE_KINDS[rule.kind].linear(rule)


def evaluate(rule: Rule, values: Mapping[str, float]) -> Breach | None:
    """Test one rule; values must hold a number for every item the rule involves."""
    return RULE_KINDS[rule.kind].check(rule, values)
