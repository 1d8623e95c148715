"""Issue 9, the writing side: every command that writes refuses its inputs and existing files,
writes whole or not at all, and says in one line why it cannot write. One test per item of the
issue (named test_item<N>_…); the command-by-scenario matrix is in test_cli_outputs.py."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disclosure_xlsx.cli import app

from .workbooks import template_return

runner = CliRunner(env={"COLUMNS": "200"})


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.fixture
def bad_return(tmp_path, spec):
    return template_return(tmp_path / "区民政局.xlsx", spec, {"requests_received": 3})


# -- item 1: never onto an input, never over an existing file without --force ----------------


@pytest.mark.parametrize("spelling", ["same", "dot", "symlink", "hardlink"])
def test_item1_validate_output_onto_its_input_is_refused(bad_return, spelling, monkeypatch):
    folder = bad_return.parent
    monkeypatch.chdir(folder)
    target = {
        "same": str(bad_return),
        "dot": f"./{bad_return.name}",
        "symlink": "link.xlsx",
        "hardlink": "hard.xlsx",
    }[spelling]
    if spelling == "symlink":
        (folder / "link.xlsx").symlink_to(bad_return)
    if spelling == "hardlink":
        os.link(bad_return, folder / "hard.xlsx")
    digest = sha(bad_return)
    for fmt in ("html", "json", "console"):
        result = runner.invoke(
            app, ["validate", bad_return.name, "--format", fmt, "-o", target, "--force"]
        )
        no_traceback(result)
        assert result.exit_code == 2 and "输入文件" in result.output
    assert sha(bad_return) == digest


def test_item1_existing_report_needs_force(bad_return, tmp_path):
    report = tmp_path / "report.html"
    report.write_text("last week's report")
    args = ["validate", str(bad_return), "--format", "html", "-o", str(report)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--force" in result.output
    assert report.read_text() == "last week's report"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 1
    assert "<!DOCTYPE html>" in report.read_text()


def test_item1_roster_never_writes_over_its_roster(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    roster = folder / "清单.csv"  # last round's list, used again as this round's roster
    roster.write_text("单位名称\n甲局\n乙局\n", "utf-8")
    digest = sha(roster)
    result = runner.invoke(app, ["template", "--roster", str(roster), "-o", str(folder), "--force"])
    no_traceback(result)
    assert result.exit_code == 2 and "输入文件" in result.output
    assert sha(roster) == digest
    assert sorted(p.name for p in folder.iterdir()) == ["清单.csv"]  # nothing written


def test_item1_second_roster_run_needs_force_for_the_list_too(tmp_path):
    folder = tmp_path / "templates"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("单位名称\n甲局\n", "utf-8")
    second.write_text("单位名称\n乙局\n", "utf-8")
    assert (
        runner.invoke(app, ["template", "--roster", str(first), "-o", str(folder)]).exit_code == 0
    )
    listed = (folder / "清单.csv").read_bytes()
    result = runner.invoke(app, ["template", "--roster", str(second), "-o", str(folder)])
    assert result.exit_code == 2 and "清单.csv" in result.output
    assert (folder / "清单.csv").read_bytes() == listed
    assert not (folder / "乙局.xlsx").exists()


# -- item 3: an unwritable output is one line naming the path, exit 2 -------------------------


def unwritable(tmp_path: Path) -> Path:
    """A folder no one can write into, root included: a path under a regular file."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    return blocker / "out"


@pytest.mark.parametrize("fmt", ["json", "html", "console"])
def test_item3_validate_report_into_an_unwritable_folder(bad_return, tmp_path, fmt):
    target = unwritable(tmp_path) / f"report.{fmt}"
    result = runner.invoke(app, ["validate", str(bad_return), "--format", fmt, "-o", str(target)])
    no_traceback(result)
    assert result.exit_code == 2
    assert str(target) in result.output and "无法写入" in result.output


def test_item3_template_fill_and_roster_into_an_unwritable_folder(tmp_path):
    folder = unwritable(tmp_path)
    roster = tmp_path / "r.csv"
    roster.write_text("单位名称\n甲局\n", "utf-8")
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"staff": 1}), "utf-8")
    for args in (
        ["template", "-o", str(folder / "t.xlsx")],
        ["template", "--roster", str(roster), "-o", str(folder)],
        ["fill", "--data", str(data), "-o", str(folder / "f.xlsx")],
    ):
        result = runner.invoke(app, args)
        no_traceback(result)
        assert result.exit_code == 2 and "无法写入" in result.output, (args, result.output)


# -- item 2: interrupted writes leave whole files, and a batch says how far it got -----------


def test_item2_interrupted_roster_lists_what_was_written(tmp_path, spec, monkeypatch):
    from disclosure_xlsx.errors import Interrupted
    from disclosure_xlsx.write import roster as roster_module

    real = roster_module.template_bytes
    calls = []

    def stop_at_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise Interrupted
        return real(*args, **kwargs)

    monkeypatch.setattr(roster_module, "template_bytes", stop_at_third)
    names = [f"局{n}" for n in range(5)]
    departments = [roster_module.Department(n) for n in names]
    with pytest.raises(Interrupted) as info:
        roster_module.write_roster_templates(spec, departments, tmp_path / "out")
    assert (info.value.done, info.value.total) == (2, 5)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["局0.xlsx", "局1.xlsx", "清单.csv"]  # no temporary, no half template
    listed = (tmp_path / "out" / "清单.csv").read_text("utf-8-sig").splitlines()
    assert listed[1:] == ["局0,,,局0.xlsx", "局1,,,局1.xlsx"]


# -- item 13: text from outside is stored as text, never as a formula -------------------------


def test_item13_roster_list_is_safe_from_csv_injection(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text(
        '单位名称,联系人,邮箱\n"=HYPERLINK(""http://x"",""y"")",+86 123,@evil\n-局,张三,a@x.cn\n',
        "utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["template", "--roster", str(roster), "-o", str(out)])
    assert result.exit_code == 0, result.output
    import csv

    with (out / "清单.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][:3] == ['\'=HYPERLINK("http://x","y")', "'+86 123", "'@evil"]
    assert rows[2][:3] == ["'-局", "张三", "a@x.cn"]


# -- item 14: control characters, look-alike names, names too long for the file system ------


def roster_file(tmp_path, *names: str) -> Path:
    path = tmp_path / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        import csv

        writer = csv.writer(fh)
        writer.writerow(["单位名称"])
        writer.writerows([n] for n in names)
    return path


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["甲局", "乙\x1b[2J局"], ["第 3 行", "控制字符"]),
        (["甲局", "乙\x00局"], ["第 3 行", "控制字符"]),
        (["甲局", "\u202e局商务xslx."], ["第 3 行", "文字方向"]),
        (["甲局", "甲\u200b局"], ["第 3 行", "看不见"]),
        (["区民政局", "区民政局\u3000", "ＡＢＣ局", "abc局"], ["第 5 行", "第 4 行", "重复"]),
        (["区 民政局", "区民政局"], ["第 3 行", "第 2 行", "重复"]),
        (["甲/乙局", "甲:乙局"], ["第 3 行", "第 2 行", "同一个文件名"]),
    ],
)
def test_item14_bad_roster_names_are_flagged_and_nothing_written(tmp_path, names, expected):
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["template", "--roster", str(roster_file(tmp_path, *names)), "-o", str(out)]
    )
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert all(text in result.output for text in expected), result.output
    assert "\x1b" not in result.output and "\x00" not in result.output
    assert not out.exists()


def test_item14_long_emoji_names_fit_the_file_system(tmp_path):
    names = ["😀" * 100 + "局", "区" * 200 + "😀"]
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["template", "--roster", str(roster_file(tmp_path, *names)), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir() if p.suffix == ".xlsx")
    assert len(written) == 2 and all(len(n.encode()) <= 255 for n in written)
    result = runner.invoke(
        app, ["template", "--unit-name", "😀" * 100, "-o", str(tmp_path / "u.xlsx")]
    )
    assert result.exit_code == 0, result.output
    monkey = tmp_path / "cwd"
    monkey.mkdir()
    os.chdir(monkey)
    try:
        result = runner.invoke(app, ["template", "--unit-name", "局" * 100])
    finally:
        os.chdir(tmp_path)
    assert result.exit_code == 0, result.output
    (made,) = monkey.iterdir()
    assert made.name.endswith("_2014.xlsx") and len(made.name.encode()) <= 255


def test_item14_unit_name_with_control_characters_is_refused(tmp_path):
    for args in (["template"], ["fill", "--data", str(tmp_path / "d.json")]):
        (tmp_path / "d.json").write_text('{"staff": 1}', "utf-8")
        result = runner.invoke(
            app, [*args, "--unit-name", "甲\x1b[2J局", "-o", str(tmp_path / "x.xlsx")]
        )
        no_traceback(result)
        assert result.exit_code == 2 and "控制字符" in result.output
        assert not (tmp_path / "x.xlsx").exists()


# -- item 12: text from a workbook is shown, never interpreted --------------------------------

MARKUP = "[bold red]x[/] [link=http://evil.example]y[/link] [/]"
ESCAPES = "\x1b[2J\x1b]8;;http://evil.example\x1b\\z\x9b31m\u202egnp.exe"


def with_control_characters(path: Path, more: dict[bytes, bytes] | None = None) -> Path:
    """Write ESC and friends the way Excel stores them in a sheet (_x001B_), which openpyxl
    refuses to write itself (and ``more`` replacements in the XML)."""
    swaps = {b"ESC": b"_x001B_", **(more or {})}
    import io
    import zipfile

    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            for old, new in swaps.items():
                data = data.replace(old, new)
            dst.writestr(info, data)
    src.close()
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture
def hostile(tmp_path, spec):
    """A return whose 单位名称 and cells carry markup, escapes and a formula-looking text."""

    def mutate(ws, rows):
        ws["C7"] = MARKUP + " ESC[2JESC]8;;http://evil.exampleESC\\z \u202egnp.exe"
        ws["C8"] = '=HYPERLINK("http://x","y")'
        ws["C8"].data_type = "s"  # stored as text in the department's file
        ws["C10"] = "=cmd|' /C calc'!A0"
        ws["C10"].data_type = "s"

    path = template_return(tmp_path / "区[red]局[x].xlsx", spec, unit_name=MARKUP, mutate=mutate)
    return with_control_characters(path)


def shows_text_literally(output: str) -> None:
    assert "\x1b" not in output and "\x9b" not in output and "\u202e" not in output
    assert "[bold red]x[/]" in output  # shown as typed, not styled


def test_item12_validate_shows_file_text_literally(hostile, tmp_path):
    other = template_return(tmp_path / "b.xlsx", load_spec_2014(), unit_name="[/]")
    result = runner.invoke(app, ["validate", str(hostile), str(other)])
    no_traceback(result)
    assert result.exit_code == 1
    shows_text_literally(result.output)
    assert "␛[2J" in result.output  # the escape is visible, not acted on
    assert "[link=http://evil.example]y[/link]" in result.output


def test_item12_fix_and_fill_show_file_text_literally(hostile, tmp_path):
    result = runner.invoke(app, ["fix", str(hostile), "-o", str(tmp_path / "fixed.xlsx")])
    no_traceback(result)
    shows_text_literally(result.output)
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"staff": 1}), "utf-8")
    result = runner.invoke(
        app, ["fill", "--data", str(data), "--unit-name", MARKUP, "-o", str(tmp_path / "f.xlsx")]
    )
    no_traceback(result)
    assert "[bold red]x[/]" in result.output


def test_item12_html_report_neutralises_control_characters(hostile, tmp_path):
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["validate", str(hostile), "--format", "html", "-o", str(out)])
    assert result.exit_code == 1, result.output
    page = out.read_text("utf-8")
    assert "\x1b" not in page and "\u202e" not in page and "␛[2J" in page


def test_item12_a_huge_cell_is_cut_in_reports_and_whole_in_json(tmp_path, spec):
    import time

    huge = "见附件" * 120_000  # 1 MB of UTF-8 in one cell (more than Excel itself allows)

    def mutate(ws, rows):
        ws["C7"] = "HUGE"

    path = with_control_characters(
        template_return(tmp_path / "big.xlsx", spec, mutate=mutate), {b"HUGE": huge.encode()}
    )
    start = time.perf_counter()
    result = runner.invoke(app, ["validate", str(path)])
    assert time.perf_counter() - start < 10
    assert result.exit_code == 1 and len(result.output) < 20_000
    assert "见附件见附件" in result.output and "…" in result.output
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    (finding,) = [f for f in json.loads(result.stdout)["files"][0]["findings"] if f["cell"] == "C7"]
    assert finding["found"] == huge


def load_spec_2014():
    from disclosure_xlsx.spec import load_spec

    return load_spec("2014")
