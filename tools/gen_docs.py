"""Regenerate the parts of README.md that are derived from code: the finding-code table.

python tools/gen_docs.py          # rewrite README.md in place
python tools/gen_docs.py --check  # exit 1 when README.md is out of date (the tests do this)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from disclosure_xlsx.check.findings import CATALOGUE  # noqa: E402

START, END = "<!-- finding-codes:start -->", "<!-- finding-codes:end -->"


def finding_table() -> str:
    """The catalogue as a Markdown table: code, severity, Chinese title, English description."""
    lines = ["| code | severity | 标题 | meaning |", "| --- | --- | --- | --- |"]
    for code in CATALOGUE.values():
        meaning = code.description.en.replace("|", "\\|")
        lines.append(f"| `{code.code}` | {code.severity} | {code.title.zh} | {meaning} |")
    return "\n".join(lines)


def render(readme: str) -> str:
    """README text with the generated parts replaced."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{finding_table()}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when README.md is stale")
    args = parser.parse_args()
    path = ROOT / "README.md"
    current = path.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if wanted != current:
            print("README.md is out of date: run python tools/gen_docs.py", file=sys.stderr)
            return 1
        return 0
    path.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
