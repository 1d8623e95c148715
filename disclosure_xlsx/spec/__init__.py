"""The statistics table of each template year, declared as data (``specs/<year>.toml``).

``model`` holds the values (items, tables, rules), ``load`` builds and checks them from TOML,
``rules`` says what each rule kind means, ``system`` compiles a spec's rules once for checking
and repair, ``variants`` derives known older layouts, ``layout`` places the tables on a sheet,
and ``labels`` normalises label text for every comparison.
"""

from .labels import norm_label, normalize_text, short_label
from .load import available_years, load_spec, load_spec_file, parse_spec
from .model import Column, Item, PageLayout, Rule, Spec, Table, Variant, YearRule
from .variants import with_variant

__all__ = [
    "Column",
    "Item",
    "PageLayout",
    "Rule",
    "Spec",
    "Table",
    "Variant",
    "YearRule",
    "available_years",
    "load_spec",
    "load_spec_file",
    "norm_label",
    "normalize_text",
    "parse_spec",
    "short_label",
    "with_variant",
]
