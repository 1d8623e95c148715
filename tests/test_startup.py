"""Start-up stays fast: `validate` and `--help` import only what they use.

openpyxl, pandas and numpy cost 0.1–0.3 s each to import and only writing commands need them;
typer's rich help formatter (rich.markdown, markdown-it) only help needs. Each case runs the
CLI in a fresh interpreter and lists the modules it imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
HEAVY = ("openpyxl", "pandas", "numpy", "disclosure_xlsx.write")

PROBE = """
import atexit, sys
atexit.register(lambda: print(" ".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["disclosure-xlsx", *sys.argv[1:]]
from disclosure_xlsx.cli import main
main()
"""


def imported(*args: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    return set(out.stderr.split())


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith(HEAVY))


def test_validate_imports_no_writer_and_no_dataframes(tmp_path):
    modules = imported(
        "validate",
        str(SAMPLES / "clean_2014.xlsx"),
        str(SAMPLES / "errors_2021_粘贴.xlsx"),
        "--format",
        "json",
        "-o",
        str(tmp_path / "r.json"),
    )
    assert "disclosure_xlsx.check.validate" in modules
    assert heavy(modules) == []
    assert "typer.rich_utils" not in modules


@pytest.mark.parametrize("args", [("--help",), ("validate", "--help")])
def test_help_imports_no_spec_and_no_reader(args):
    modules = imported(*args)
    assert "typer.rich_utils" in modules  # help is drawn by typer's rich formatter
    assert heavy(modules) == []
    # markdown and traceback rendering, which help does not use, are not loaded (0.1 s)
    assert not {m for m in modules if m.startswith(("markdown_it", "pygments", "rich.markdown"))}
    assert not {
        m for m in modules if m.startswith(("disclosure_xlsx.spec", "disclosure_xlsx.read"))
    }


def test_help_text_still_folds_at_80_columns():
    """Folding is applied when help is drawn, no longer at import: option help is not cut."""
    from typer.testing import CliRunner

    from disclosure_xlsx.cli import app

    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "…" not in result.output  # without folding, two option helps end in '…' here


def test_the_real_rich_modules_load_after_help(tmp_path):
    """The stand-ins live only while typer's formatter is imported."""
    from disclosure_xlsx.cli.app import _rich_utils

    _rich_utils()
    from rich.markdown import Markdown
    from rich.traceback import Traceback

    assert Markdown.__module__ == "rich.markdown" and hasattr(Traceback, "from_exception")
    assert Traceback.__module__ == "rich.traceback"


def test_docstring_paragraphs_are_reflowed_for_the_terminal():
    """typer's rich markup kept each docstring line break, so at 80 columns help was ragged."""
    from typer.testing import CliRunner

    from disclosure_xlsx.cli import app
    from disclosure_xlsx.cli.app import reflow

    assert reflow("Exit code 0: ok; 1: a file\n    has an error.\n\nSecond\nparagraph.") == (
        "Exit code 0: ok; 1: a file has an error.\n\nSecond paragraph."
    )
    assert reflow("校验退回的\n统计表。\nCheck\nfiles.") == "校验退回的统计表。 Check files."
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["validate", "--help"])
    lines = [line.strip(" │") for line in result.output.splitlines()]
    assert "one" not in lines and "interrupted (the" not in lines  # the ragged lines of before
