"""The compiled rule system says exactly what the rule kinds say, for every rule of every spec."""

from __future__ import annotations

import random

import pytest

from disclosure_xlsx.spec import load_spec, with_variant
from disclosure_xlsx.spec.rules import evaluate
from disclosure_xlsx.spec.system import components, rule_system


def specs():
    for year in ("2014", "2021"):
        spec = load_spec(year)
        yield spec
        for variant in spec.variants:
            yield with_variant(spec, variant.id)


@pytest.mark.parametrize("spec", list(specs()), ids=lambda s: f"{s.year}-{s.variant}")
def test_broken_rules_are_the_rules_evaluate_breaks(spec):
    rng = random.Random(spec.year)
    system = rule_system(spec)
    assert rule_system(spec) is system  # compiled once per spec
    for _ in range(300):
        values = {
            i.id: rng.choice([0.0, 1.0, 2.0, 3.0, 0.1, 0.2, 0.3, 1e-7, 5.0000001])
            for i in spec.items
            if i.is_data and rng.random() < 0.97  # now and then a cell with no number
        }
        usable = [r for r in spec.rules if all(i in values for i in r.items())]
        assert [c.rule for c in system.broken(values)] == [r for r in usable if evaluate(r, values)]


def test_components_join_rules_that_share_a_cell():
    system = rule_system(load_spec("2014"))
    groups = components(system.errors)
    assert sorted(c.index for g in groups for c in g) == sorted(c.index for c in system.errors)
    for group in groups:
        cells = [c.cells for c in group]
        for other in groups:
            if other is not group:
                assert all(a.isdisjoint(b.cells) for a in cells for b in other)
