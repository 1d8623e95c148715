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


def subfolder(parent: Path, name: str) -> Path:
    (parent / name).mkdir()
    return parent / name


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
        (["[bold red]甲[/]", "[bold red]甲[/] "], ["第 3 行", "“[bold red]甲[/]”", "重复"]),
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


def sheet_xml(path: Path, sheet: str) -> str:
    """The XML of a sheet of a saved workbook, found by its name."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', workbook).group(1)
        target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
        if target is None:
            target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
        name = target.group(1).lstrip("/")
        return z.read(name if name.startswith("xl/") else f"xl/{name}").decode()


def test_item13_annotated_copy_keeps_formula_text_as_text(hostile, tmp_path):
    out = tmp_path / "退回"
    result = runner.invoke(app, ["validate", str(hostile), "--annotate", str(out)])
    no_traceback(result)
    (copy,) = out.iterdir()
    summary = sheet_xml(copy, "校验结果")
    assert "HYPERLINK" in summary and "cmd|" in summary  # listed on the sheet ...
    assert "<f>" not in summary  # ... as text, never as a live formula
    own = sheet_xml(copy, "统计表")
    for cell in ("C8", "C10"):  # the department's own text cells stay text
        import re

        (xml,) = re.findall(rf'<c r="{cell}"[^>]*>.*?</c>', own)
        assert "<f>" not in xml and ('t="inlineStr"' in xml or 't="s"' in xml)


def test_item13_unit_name_starting_with_equals_is_text_in_the_template(tmp_path):
    import re

    out = tmp_path / "t.xlsx"
    name = '=HYPERLINK("http://x","y")'
    assert runner.invoke(app, ["template", "--unit-name", name, "-o", str(out)]).exit_code == 0
    (b3,) = re.findall(r'<c r="B3"[^>]*>.*?</c>', sheet_xml(out, "统计表"))
    assert "<f>" not in b3 and "HYPERLINK" in b3
    from openpyxl import load_workbook

    assert load_workbook(out).active["B3"].value == name


# -- item 14: a control character in one file does not stop the batch's annotated copies -----


def test_item14_escape_in_a_value_cell_still_gets_every_annotated_copy(hostile, tmp_path, spec):
    other = template_return(tmp_path / "乙.xlsx", spec, {"staff": 3})
    out = tmp_path / "退回"
    result = runner.invoke(app, ["validate", str(hostile), str(other), "--annotate", str(out)])
    no_traceback(result)
    assert result.exit_code == 1
    assert len(list(out.iterdir())) == 2
    from openpyxl import load_workbook

    copy = next(p for p in out.iterdir() if p.name.startswith("区"))
    ws = load_workbook(copy)["统计表"]
    assert "␛[2J" in ws["C7"].comment.text


# -- item 4: the tool's own outputs are not counted as returns --------------------------------


def test_item4_own_copies_are_skipped_when_a_folder_is_scanned(tmp_path, spec):
    folder = tmp_path / "returns"
    folder.mkdir()
    src = template_return(folder / "x.xlsx", spec, {"requests_received": 3})
    blank = folder / "blank.xlsx"
    assert runner.invoke(app, ["template", "-o", str(blank)]).exit_code == 0
    assert runner.invoke(app, ["fix", str(src)]).exit_code in (0, 1)
    assert (folder / "x_修正.xlsx").exists()
    result = runner.invoke(app, ["validate", str(folder), "--annotate", str(folder)])
    assert (folder / "x_校验.xlsx").exists(), result.output
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    data = json.loads(result.stdout)
    checked = sorted(Path(f["path"]).name for f in data["files"])
    assert checked == ["blank.xlsx", "x.xlsx"]  # our blank template is what departments fill
    skipped = sorted(Path(s["path"]).name for s in data["skipped"])
    assert skipped == ["blank_校验.xlsx", "x_修正.xlsx", "x_校验.xlsx"]
    assert data["summary"]["skipped"] == 3
    assert all("本工具" in s["reason"] for s in data["skipped"])
    console = runner.invoke(app, ["validate", str(folder)])
    assert console.output.count("已跳过") == 3
    # named on its own, a copy is checked like any file
    alone = runner.invoke(app, ["validate", str(folder / "x_校验.xlsx"), "--format", "json"])
    assert len(json.loads(alone.stdout)["files"]) == 1


def test_item4_a_copy_saved_again_by_someone_is_a_return_again(tmp_path, spec):
    from openpyxl import load_workbook

    from disclosure_xlsx.read.own import is_own_output

    src = template_return(tmp_path / "x.xlsx", spec, {"requests_received": 3})
    assert runner.invoke(app, ["fix", str(src), "-o", str(tmp_path / "x_修正.xlsx")]).exit_code in (
        0,
        1,
    )
    copy = tmp_path / "x_修正.xlsx"
    assert is_own_output(copy) and not is_own_output(src)
    import time

    time.sleep(1.1)  # "modified" counts seconds; nobody corrects a table faster
    wb = load_workbook(copy)  # the department corrects it and saves (Excel sets "modified")
    wb.save(copy)
    assert not is_own_output(copy)


# -- item 8: one department, two returns -----------------------------------------------------


def test_item8_two_returns_of_one_department_are_flagged(tmp_path, spec):
    a = template_return(subfolder(tmp_path, "a") / "民政.xlsx", spec, unit_name="区民政局")
    b = template_return(tmp_path / "民政局2.xlsx", spec, unit_name="区 民政局\u200b")
    c = template_return(tmp_path / "其他.xlsx", spec, unit_name="区财政局")
    result = runner.invoke(app, ["validate", str(a), str(b), str(c), "--format", "json"])
    assert result.exit_code == 1  # every file is ok, but the batch needs a person
    data = json.loads(result.stdout)
    assert data["summary"]["ok"] == 3 and data["summary"]["duplicates"] == 1
    assert data["duplicates"] == [{"unit_name": "区民政局", "paths": [str(a), str(b)]}]
    console = runner.invoke(app, ["validate", str(a), str(b), str(c)])
    assert console.exit_code == 1
    assert "同一单位报回多份：区民政局" in console.output
    assert str(a) in console.output and str(b) in console.output


# -- item 9: --year against our template's ids ---------------------------------------------


def test_item9_year_option_that_contradicts_the_template_is_a_finding(tmp_path):
    from disclosure_xlsx.spec import load_spec

    path = template_return(tmp_path / "x_2014.xlsx", load_spec("2014"))
    result = runner.invoke(app, ["validate", str(path), "--year", "2021", "--format", "json"])
    assert result.exit_code == 1
    (file,) = json.loads(result.stdout)["files"]
    assert [f["code"] for f in file["findings"]] == ["wrong-template"]
    assert "2014" in file["findings"][0]["message"] and "2021" in file["findings"][0]["message"]


# -- item 2 (validate): Ctrl-C in a batch reports what was checked --------------------------


def test_item2_interrupted_batch_reports_what_was_done(tmp_path, spec, monkeypatch):
    from disclosure_xlsx.check import validate as validate_module
    from disclosure_xlsx.errors import Interrupted

    files = [template_return(tmp_path / f"f{n}.xlsx", spec, {"staff": 3}) for n in range(5)]
    real = validate_module.validate_file
    seen = []

    def stop_at_fourth(path, **kwargs):
        seen.append(path)
        if len(seen) == 4:
            raise Interrupted
        return real(path, **kwargs)

    monkeypatch.setattr(validate_module, "validate_file", stop_at_fourth)
    # in this process, so the patched reader is the one used (workers would import their own;
    # tests/test_cli_outputs.py sends a real SIGINT to a real batch)
    batch = validate_module.validate
    monkeypatch.setattr(
        validate_module, "validate", lambda *a, **k: batch(*a, **{**k, "jobs": None})
    )
    report = tmp_path / "r.json"
    out = tmp_path / "退回"
    result = runner.invoke(
        app,
        [
            "validate",
            *map(str, files),
            "--format",
            "json",
            "-o",
            str(report),
            "--annotate",
            str(out),
        ],
    )
    no_traceback(result)
    assert result.exit_code == 130
    assert "已中断：已检查 3/5 个文件" in result.output
    data = json.loads(report.read_text("utf-8"))
    assert data["interrupted"] == {"checked": 3, "planned": 5} and len(data["files"]) == 3
    assert sorted(p.name for p in out.iterdir()) == [f"f{n}_校验.xlsx" for n in range(3)]


# -- item 15: --annotate never overwrites an input, a symlink target or another run's copy ----


def test_item15_annotate_into_the_folder_being_validated(tmp_path, spec):
    folder = tmp_path / "returns"
    folder.mkdir()
    template_return(folder / "in.xlsx", spec, {"staff": 3})
    theirs = template_return(folder / "in_校验.xlsx", spec, {"staff": 4}, unit_name="乙局")
    outside = tmp_path / "elsewhere.xlsx"
    outside.write_bytes(b"someone else's file")
    (folder / "z_校验.xlsx").symlink_to(outside)  # a link in the folder
    template_return(folder / "z.xlsx", spec, {"staff": 5}, unit_name="丙局")
    digests = {p: sha(p) for p in (theirs, outside)}
    for force in ([], ["--force"]):
        result = runner.invoke(app, ["validate", str(folder), "--annotate", str(folder), *force])
        no_traceback(result)
        assert {p: sha(p) for p in digests} == digests
    assert result.exit_code == 1, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert "in_校验2.xlsx" in names and "z_校验2.xlsx" in names  # numbered, nothing replaced
    assert (folder / "z_校验.xlsx").is_symlink()


def test_item15_annotate_needs_force_to_replace_earlier_copies(tmp_path, spec):
    src = template_return(tmp_path / "x.xlsx", spec, {"staff": 3})
    out = tmp_path / "退回"
    args = ["validate", str(src), "--annotate", str(out)]
    assert runner.invoke(app, args).exit_code == 1
    first = sha(out / "x_校验.xlsx")
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert sha(out / "x_校验.xlsx") == first
    assert runner.invoke(app, [*args, "--force"]).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["x_校验.xlsx"]  # replaced, not numbered


def test_item15_two_runs_into_one_folder_keep_both_copies(tmp_path, spec):
    from disclosure_xlsx.check.validate import validate
    from disclosure_xlsx.write.annotate import annotate

    a = template_return(subfolder(tmp_path, "a") / "x.xlsx", spec, {"staff": 3})
    b = template_return(subfolder(tmp_path, "b") / "x.xlsx", spec, {"staff": 4})
    from disclosure_xlsx.read.own import own_output, source_key

    out = tmp_path / "退回"
    # two runs that both passed their check before either wrote (the race of concurrent runs),
    # then both again with --force: each replaces its own copy, never the other's
    for force in (False, True):
        (first,) = annotate(validate(a), out, force=force)
        (second,) = annotate(validate(b), out, force=force)
        assert (first.output.name, second.output.name) == ("x_校验.xlsx", "x_校验2.xlsx")
        assert own_output(first.output).source == source_key(a)
        assert own_output(second.output).source == source_key(b)
    assert len(list(out.iterdir())) == 2


def test_item15_hard_link_to_the_input_is_refused_by_fix(tmp_path, spec):
    src = template_return(tmp_path / "x.xlsx", spec, {"staff": 3})
    os.link(src, tmp_path / "link.xlsx")
    digest = sha(src)
    result = runner.invoke(app, ["fix", str(src), "-o", str(tmp_path / "link.xlsx"), "--force"])
    assert result.exit_code == 2 and "输入文件" in result.output
    assert sha(src) == digest


# -- found beyond the list ----------------------------------------------------------------------


def test_beyond_a_table_on_a_sheet_named_like_our_summary_is_kept(tmp_path, spec):
    from openpyxl import load_workbook

    src = template_return(tmp_path / "x.xlsx", spec, {"staff": 3})
    wb = load_workbook(src)
    wb.active.title = "校验结果"  # the department named its sheet so
    wb.create_sheet("Bob's notes")
    wb.save(src)
    out = tmp_path / "退回"
    result = runner.invoke(app, ["validate", str(src), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    copy = load_workbook(out / "x_校验.xlsx")
    assert "校验结果" in copy.sheetnames and len(copy.sheetnames) == 3
    table = copy["校验结果"]
    assert any(c.comment for row in table.iter_rows() for c in row)  # annotated, not deleted
    summary = copy[copy.sheetnames[0]]
    assert summary.title != "校验结果"
    link = next(c.hyperlink for row in summary.iter_rows() for c in row if c.hyperlink)
    assert link.location.startswith("'校验结果'!")


def test_beyond_sheet_names_with_quotes_make_working_links(tmp_path, spec):
    from openpyxl import load_workbook

    src = template_return(tmp_path / "x.xlsx", spec, {"staff": 3})
    wb = load_workbook(src)
    wb.active.title = "Bob's 统计表"
    wb.save(src)
    out = tmp_path / "退回"
    assert runner.invoke(app, ["validate", str(src), "--annotate", str(out)]).exit_code == 1
    summary = load_workbook(out / "x_校验.xlsx")["校验结果"]
    link = next(c.hyperlink for row in summary.iter_rows() for c in row if c.hyperlink)
    assert link.location.startswith("'Bob''s 统计表'!")


def test_beyond_an_annotated_copy_annotated_again_replaces_its_own_list(tmp_path, spec):
    from openpyxl import load_workbook

    src = template_return(tmp_path / "x.xlsx", spec, {"staff": 3})
    first = tmp_path / "1"
    assert runner.invoke(app, ["validate", str(src), "--annotate", str(first)]).exit_code == 1
    second = tmp_path / "2"
    again = [str(first / "x_校验.xlsx"), "--annotate", str(second)]
    assert runner.invoke(app, ["validate", *again]).exit_code == 1
    names = load_workbook(second / "x_校验_校验.xlsx").sheetnames
    assert names == ["校验结果", "统计表"]


def test_beyond_an_output_that_appears_while_the_input_is_read_is_not_replaced(
    tmp_path, spec, monkeypatch
):
    from disclosure_xlsx.errors import OutputExists
    from disclosure_xlsx.write import fix as fix_module

    src = template_return(tmp_path / "x.xlsx", spec, {"staff": 3})
    target = tmp_path / "x_修正.xlsx"
    real = fix_module.validate_file

    def meanwhile(path, **kwargs):
        if not target.exists():
            target.write_bytes(b"written by another run meanwhile")
        return real(path, **kwargs)

    monkeypatch.setattr(fix_module, "validate_file", meanwhile)
    with pytest.raises(OutputExists, match="--force"):
        fix_module.fix_file(src)
    assert target.read_bytes() == b"written by another run meanwhile"


def test_our_copy_is_known_by_its_mark_wherever_the_zip_keeps_its_directory(tmp_path, spec):
    """A folder scan reads only a file's tail to see whether a mark can be in it; a copy whose
    zip directory is not in that tail (a long zip comment here) is still opened and known."""
    import zipfile

    from disclosure_xlsx.read.own import _may_hold_custom_part, own_output

    src = template_return(tmp_path / "x.xlsx", spec, {"requests_received": 3})
    copy = tmp_path / "x_修正.xlsx"
    runner.invoke(app, ["fix", str(src), "-o", str(copy)])
    assert own_output(copy) is not None and _may_hold_custom_part(copy)
    assert not _may_hold_custom_part(src) and own_output(src) is None  # not even opened
    commented = tmp_path / "commented.xlsx"
    with zipfile.ZipFile(copy) as zin, zipfile.ZipFile(commented, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.comment = b"x" * 20_000  # pushes the directory out of the tail read
    assert _may_hold_custom_part(commented) and own_output(commented) is not None
