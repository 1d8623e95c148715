"""disclosure-xlsx: generate, read, check and repair the 政府信息公开工作情况统计表 workbooks.

The library API is what the CLI calls; Python users can call it directly.
"""

from .errors import DisclosureError, SpecError, UnreadableError, UsageError
from .spec import Item, Rule, Spec, available_years, load_spec, load_spec_file, parse_spec

__all__ = [
    "DisclosureError",
    "Item",
    "Rule",
    "Spec",
    "SpecError",
    "UnreadableError",
    "UsageError",
    "available_years",
    "load_spec",
    "load_spec_file",
    "parse_spec",
    "template_bytes",
    "validate",
    "validate_file",
    "write_template",
]


def __getattr__(name: str):  # lazy: openpyxl costs ~0.3 s to import
    if name in ("template_bytes", "write_template"):
        from . import template

        return getattr(template, name)
    if name in ("validate", "validate_file"):
        from . import validation as module

        return getattr(module, name)
    raise AttributeError(name)
