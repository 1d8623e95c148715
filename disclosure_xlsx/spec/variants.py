"""Known older layouts: a spec as a variant layout reads it.

Many 2019–2024 reports print （六）其他处理 as one row without its sub-rows 1–3. Such a return is
read with a derived spec in which that heading is a data row and the rules that summed the
sub-rows sum the one row instead; the reader reports the variant once (`format-variant`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from ..errors import SpecError
from ..text import Text
from .model import Item, Rule, Spec


@cache
def with_variant(spec: Spec, variant_id: str) -> Spec:
    """The spec as a variant layout reads: the variant's heading row becomes a data row, its
    sub-rows go, and rules that summed the sub-rows sum the one row instead."""
    variant = next((v for v in spec.variants if v.id == variant_id), None)
    if variant is None:
        raise SpecError(
            Text(
                f"{spec.source}: 没有变体 {variant_id!r}",
                f"{spec.source}: no variant {variant_id!r}",
            )
        )
    replaced = set(variant.replaces)
    items: list[Item] = []
    for item in spec.items:
        if item.row in replaced:
            continue
        if item.row == variant.row:
            unit = next(i.unit for i in spec.items if i.row in replaced and i.column == item.column)
            item = replace(item, kind="data", unit=unit, value_type=spec.units.get(unit or ""))
        items.append(item)
    kept = {i.id for i in items}

    def swap(item_id: str) -> str:
        old = spec.item(item_id)
        if old.row not in replaced:
            return item_id
        return next(i.id for i in items if i.row == variant.row and i.column == old.column)

    rules: list[Rule] = []
    seen: set[object] = set()
    for rule in spec.rules:
        refs = tuple((role, tuple(dict.fromkeys(swap(i) for i in ids))) for role, ids in rule.refs)
        key = (rule.kind, tuple(sorted(refs)))
        if key in seen or not all(i in kept for _, ids in refs for i in ids):
            continue
        seen.add(key)
        rules.append(replace(rule, refs=refs))
    return replace(spec, items=tuple(items), rules=tuple(rules), variant=variant.id)
