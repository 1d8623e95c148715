"""Report renderers behind one interface, chosen by an enum (a test covers every member)."""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..check.report import SCHEMA, Report
from ..outputs import write_text, writing
from ..text import Lang


class Format(StrEnum):
    console = "console"
    json = "json"
    html = "html"


def to_json(report: Report, lang: Lang = "zh") -> str:
    """Strict JSON (no NaN/Infinity, which many parsers reject): a non-finite number that a
    workbook held is written as its text, 'inf', '-inf' or 'nan'."""
    return "".join(json_chunks(report, lang))


def json_chunks(report: Report, lang: Lang = "zh") -> Iterator[str]:
    """The JSON report in pieces, one file at a time, so a batch of 10,000 returns is never
    one string in memory (the text is what ``json.dumps(report.to_dict(), indent=2)`` gives)."""
    yield '{\n  "schema": ' + json.dumps(SCHEMA) + ',\n  "files": ['
    for n, file in enumerate(report.files):
        text = _dumps(file.to_dict(lang)).replace("\n", "\n    ")
        yield ("," if n else "") + "\n    " + text
    yield "\n  ]" if report.files else "]"
    for key, value in report.envelope(lang).items():
        yield f",\n  {json.dumps(key)}: " + _dumps(value).replace("\n", "\n  ")
    yield "\n}"


def _dumps(value: Any) -> str:
    return json.dumps(_finite(value), ensure_ascii=False, indent=2, default=str, allow_nan=False)


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
    if fmt is Format.json:
        chunks = itertools.chain(json_chunks(report, lang), ["\n"])
        if output:
            with writing(output, exclusive=exclusive) as fh:
                for chunk in chunks:
                    fh.write(chunk.encode("utf-8"))
        else:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        return
    if fmt is Format.html:
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
