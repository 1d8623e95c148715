"""disclosure-xlsx: generate, read, check and repair the 政府信息公开工作情况统计表 workbooks.

The library API is what the CLI calls; Python users can call it directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import DisclosureError, SpecError, UnreadableError, UsageError

if TYPE_CHECKING:
    from .spec import Item, Rule, Spec, available_years, load_spec, load_spec_file, parse_spec

__all__ = [
    "Campaign",
    "DisclosureError",
    "Item",
    "Rule",
    "Spec",
    "SpecError",
    "UnreadableError",
    "UsageError",
    "annotate",
    "available_years",
    "compare_years",
    "fill",
    "fill_file",
    "fix_file",
    "load_spec",
    "load_spec_file",
    "parse_spec",
    "read_values",
    "template_bytes",
    "to_html",
    "validate",
    "validate_file",
    "write_template",
]


_LAZY = {  # name -> module; loaded on first use (openpyxl costs ~0.3 s to import, and the
    # spec modules ~30 ms, which `disclosure-xlsx --help` does not need)
    "Item": "spec",
    "Rule": "spec",
    "Spec": "spec",
    "available_years": "spec",
    "load_spec": "spec",
    "load_spec_file": "spec",
    "parse_spec": "spec",
    "template_bytes": "write.template",
    "write_template": "write.template",
    "validate": "check.validate",
    "validate_file": "check.validate",
    "fill": "write.fill",
    "fill_file": "write.fill",
    "fix_file": "write.fix",
    "read_values": "read",
    "annotate": "write.annotate",
    "to_html": "render.html",
    "compare_years": "check.yoy",
    "Campaign": "campaign",
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
