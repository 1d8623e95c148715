"""A spec as plain data (`disclosure-xlsx spec --format json`): items and rules by id.

Item ids here are the ids every other output uses (JSON reports, `fill` data, the district
total), so a script can map its numbers onto the table without parsing labels.
"""

from __future__ import annotations

from typing import Any

from ..text import Lang
from .model import Spec

SCHEMA = "disclosure-xlsx/spec/1"


def spec_dict(spec: Spec, lang: Lang = "zh") -> dict[str, Any]:
    """Items (id, label, unit, kind, value type, table, row, column), rules (kind, severity,
    the items of each role, description) and year-over-year rules."""
    return {
        "schema": SCHEMA,
        "id": spec.id,
        "year": spec.year,
        "version": spec.version,
        "title": spec.title,
        "marker": spec.marker,
        "items": [
            {
                "id": i.id,
                "label": i.label,
                "unit": i.unit,
                "kind": i.kind,
                "value_type": i.value_type,
                "level": i.level,
                "table": i.table,
                "row": i.row,
                "column": i.column,
                "summed": i.id not in spec.no_total,
            }
            for i in spec.items
        ],
        "rules": [
            {
                "kind": r.kind,
                "severity": r.severity,
                "refs": {role: list(ids) for role, ids in r.refs},
                "description": r.desc(lang),
            }
            for r in spec.rules
        ],
        "year_rules": [
            {
                "kind": r.kind,
                "this": r.this,
                "last": r.last,
                "plus": list(r.plus),
                "minus": list(r.minus),
                "description": r.desc(lang),
            }
            for r in spec.year_rules
        ],
    }
