"""Report renderers behind one interface, chosen by an enum (a test covers every member)."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..check.report import Report
from ..outputs import write_text
from ..text import Lang


class Format(StrEnum):
    console = "console"
    json = "json"
    html = "html"


def to_json(report: Report, lang: Lang = "zh") -> str:
    """Strict JSON (no NaN/Infinity, which many parsers reject): a non-finite number that a
    workbook held is written as its text, 'inf', '-inf' or 'nan'."""
    return json.dumps(
        _finite(report.to_dict(lang)), ensure_ascii=False, indent=2, default=str, allow_nan=False
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def render(
    report: Report,
    fmt: Format,
    lang: Lang = "zh",
    output: Path | None = None,
    *,
    exclusive: bool = False,
) -> None:
    """Write the report to ``output`` (whole or not at all, see :mod:`..outputs`; with
    ``exclusive`` never over a file that appeared meanwhile) or stdout."""
    if fmt in (Format.json, Format.html):
        if fmt is Format.json:
            text = to_json(report, lang)
        else:
            from .html import to_html

            text = to_html(report, lang).rstrip("\n")
        if output:
            write_text(output, text + "\n", exclusive=exclusive)
        else:
            print(text)
        return
    from .console import print_report, report_text

    if output:
        write_text(output, report_text(report, lang), exclusive=exclusive)
    else:
        print_report(report, lang)
