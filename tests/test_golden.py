"""Reports stay byte-for-byte what they were: the corpus of tests/corpus.py against its golden.

Speed work must not change a finding, a message, a suggestion or the JSON shape. Each case is
compared as serialised text, so key order and 44 vs 44.0 count too. When a change of behaviour
is intended, regenerate the golden with ``python -m tests.corpus`` and say so in the commit.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .corpus import dumps, read_golden, reports


def test_reports_match_the_golden(tmp_path: Path) -> None:
    golden = read_golden()
    now = reports(tmp_path)
    assert list(now) == list(golden), "the corpus itself changed: regenerate the golden"
    changed = [name for name in golden if dumps(now[name]) != dumps(golden[name])]
    if changed:
        name = changed[0]
        diff = difflib.unified_diff(
            dumps(golden[name]).splitlines(), dumps(now[name]).splitlines(), lineterm="", n=2
        )
        detail = "\n".join(list(diff)[:60])
        raise AssertionError(f"{len(changed)} of {len(golden)} reports changed; {name}:\n{detail}")
