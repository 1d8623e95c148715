"""A spec's rules compiled once: what validation and repair evaluate for every return.

Rules are declared by kind and role (``sum`` of ``total`` and ``parts``), which reads well and
turns into Excel formulas, but finding a role means scanning the rule's refs, and a rule is a
dataclass that hashes all its fields. Checking one return asks ~40 rules whether they hold, and
repair asks them again for every value it tries. So each rule is compiled here, once per spec:
its cells, its predicate with the roles already looked up (:meth:`RuleKind.test`), its linear
forms with their coefficients, and the rules each item sits in.

The predicates run the same arithmetic as the findings (the same sums in the same order), so a
rule holds here exactly when :func:`~.rules.evaluate` finds nothing. NOTE: one numpy product
over an array of the values was measured too: 7 µs a return instead of 15 (2014), 15 instead
of 41 (2021), but that is microseconds against a file's milliseconds, importing numpy costs
~135 ms of every command's start-up, and the product adds floats in another order, so a
finding could differ at the tolerance's edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from .model import Rule, Spec
from .rules import RULE_KINDS, Holds, Linear, RuleKind


@dataclass(frozen=True, eq=False)
class CompiledRule:
    """One rule, ready to evaluate: compares and hashes by identity (one object per rule)."""

    rule: Rule
    kind: RuleKind
    holds: Holds  # True when the rule holds; every cell must hold a number
    items: tuple[str, ...]  # every item, in declaration order (as ``Rule.items``)
    cells: frozenset[str]  # the distinct items
    ordered: tuple[str, ...]  # the distinct items in printed (spec) order
    linear: tuple[Linear, ...]  # the rule as linear constraints (empty: not linear)

    @property
    def index(self) -> int:
        return self.rule.index

    @property
    def error(self) -> bool:
        return self.rule.severity == "error"


@dataclass(frozen=True, eq=False)
class RuleSystem:
    """Every rule of one spec, compiled, with the indexes repair and the checks need."""

    spec: Spec
    rules: tuple[CompiledRule, ...]  # in spec order
    errors: tuple[CompiledRule, ...]  # the error rules (repair reasons with these only)
    by_item: dict[str, tuple[CompiledRule, ...]]  # item id -> its rules, in spec order
    order: dict[str, int]  # item id -> position in the printed table
    counts: frozenset[str]  # items that hold whole numbers
    cells: frozenset[str]  # every item some rule involves
    error_groups: tuple[tuple[CompiledRule, ...], ...]  # error rules sharing cells, by index

    def rules_for(self, item_id: str) -> tuple[CompiledRule, ...]:
        return self.by_item.get(item_id, ())

    def usable(
        self, numbers: Mapping[str, float], rules: Sequence[CompiledRule] | None = None
    ) -> Sequence[CompiledRule]:
        """The rules (of ``rules``, default all) whose every cell holds a number."""
        rules = self.rules if rules is None else rules
        if self.cells.issubset(numbers.keys()):
            return rules  # the common case: every item read as a number
        return [c for c in rules if c.cells.issubset(numbers.keys())]

    def broken(self, numbers: Mapping[str, float]) -> list[CompiledRule]:
        """Every usable rule that does not hold, in spec order: one pass over the system."""
        return [c for c in self.usable(numbers) if not c.holds(numbers)]


def holds_all(rules: Iterable[CompiledRule], numbers: Mapping[str, float]) -> bool:
    """No rule of ``rules`` is broken (a rule with a cell that holds no number is skipped)."""
    keys = numbers.keys()
    return all(c.holds(numbers) for c in rules if c.cells.issubset(keys))


def components(rules: Sequence[CompiledRule]) -> list[tuple[CompiledRule, ...]]:
    """Rules grouped so that two rules sharing a cell are in one group; each group in rule
    index order, the groups in the order of their first rule."""
    parent = list(range(len(rules)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first: dict[str, int] = {}
    for k, c in enumerate(rules):
        for item_id in c.cells:
            j = first.setdefault(item_id, k)
            a, b = root(j), root(k)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[CompiledRule]] = {}
    for k, c in enumerate(rules):
        groups.setdefault(root(k), []).append(c)
    return [tuple(sorted(g, key=lambda c: c.index)) for g in groups.values()]


@cache
def rule_system(spec: Spec) -> RuleSystem:
    """Compile a spec's rules (specs hash by identity: once per spec and variant)."""
    order = {item.id: n for n, item in enumerate(spec.items)}
    compiled = []
    for rule in spec.rules:
        kind = RULE_KINDS[rule.kind]
        items = rule.items()
        cells = frozenset(items)
        compiled.append(
            CompiledRule(
                rule,
                kind,
                kind.test(rule),
                items,
                cells,
                tuple(sorted(cells, key=order.__getitem__)),
                kind.linear(rule),
            )
        )
    by_item: dict[str, list[CompiledRule]] = {}
    for c in compiled:
        for item_id in dict.fromkeys(c.items):
            by_item.setdefault(item_id, []).append(c)
    errors = tuple(c for c in compiled if c.error)
    return RuleSystem(
        spec,
        tuple(compiled),
        errors,
        {k: tuple(v) for k, v in by_item.items()},
        order,
        frozenset(i.id for i in spec.items if i.value_type == "count"),
        frozenset(by_item),
        tuple(components(errors)),
    )
