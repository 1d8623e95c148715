"""Every finding code, rendered every way, in both languages.

Whole numbers show as integers; English output carries no Chinese except the table's own labels
and what the cells themselves hold; nothing is cut with '…' at 80 columns; every command's help
is complete at 80 columns.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from disclosure_xlsx.check.findings import CATALOGUE, stamp_foreign, stamp_mismatch
from disclosure_xlsx.check.report import Report
from disclosure_xlsx.check.rows import report_rows
from disclosure_xlsx.check.validate import validate
from disclosure_xlsx.check.yoy import validate_against
from disclosure_xlsx.cli import app
from disclosure_xlsx.render import to_json
from disclosure_xlsx.render.console import report_text
from disclosure_xlsx.render.html import to_html
from disclosure_xlsx.spec import load_spec, short_label
from disclosure_xlsx.text import UI, Text
from disclosure_xlsx.write.annotate import SUMMARY_SHEET, annotate
from disclosure_xlsx.write.template import template_bytes

from .conftest import ROOT
from .workbooks import consistent_2021, pasted_2021, pasted_return, template_return

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
FLOAT_INT = re.compile(r"(?<![\d.])\d+\.0(?![\d])")


def _table_texts() -> list[str]:
    """Texts that belong to the tables themselves (labels, units, titles): allowed anywhere."""
    texts: set[str] = set()
    for year in ("2014", "2021"):
        spec = load_spec(year)
        texts.update((spec.title, spec.subtitle, spec.note, *spec.units))
        for item in spec.items:
            for t in (item.label, item.row_label, *item.aliases):
                texts.update((t, short_label(t)))
        for table in spec.tables:
            texts.update((table.title, table.part, *table.header))
            for column in table.column_specs:
                texts.update((column.label, column.full_label, *column.group))
    return sorted((t for t in texts if t), key=len, reverse=True)


@pytest.fixture(scope="module")
def every_code(tmp_path_factory, spec) -> tuple[Report, list[str]]:
    """Returns whose findings cover the whole catalogue, and the texts their cells hold."""
    tmp = tmp_path_factory.mktemp("codes")
    files = []
    files.append(
        template_return(
            tmp / "a.xlsx",
            spec,
            {
                "staff": 1,
                "staff_parttime": -1,  # negative
                "staff_fulltime": 2,
                "trainees": 2.5,  # not-integer
                "reading_rooms": 1,
                "reading_rooms_county": 1,  # cross-check
                "press_conferences_leaders": 2,  # part-exceeds-whole
                "requests_received": 3,  # total-mismatch
                "proactive_total": 1,
                "channel_website": 44,  # channel-bounds
                "budget": 25000,  # implausible
                "received_online": "4件",  # number-as-text
                "fees": "见附件",  # not-a-number
                "archived_paper": None,  # blank
            },
            mutate=lambda ws, rows: ws.cell(rows["proactive"], 3, 44),  # heading-filled
        )
    )

    def shuffle(ws, rows):
        ws.cell(rows["received_fax"], 2, "个")  # unit-mismatch
        ws.delete_rows(rows["received_other"])  # missing-item
        ws.insert_rows(rows["staff"])  # unexpected-row
        ws.cell(rows["staff"], 1, "其中：借调人员数")
        ws.cell(rows["archived_paper"] - 1, 1, "（一）纸质版文件数")  # label-changed (row moved up)

    files.append(pasted_return(tmp / "b.xlsx", spec, mutate=shuffle))
    formula = template_return(tmp / "c.xlsx", spec)
    wb = load_workbook(formula)
    wb.active["C9"] = "=C10+C11"  # formula-no-value: openpyxl saves no result
    wb.save(formula)
    files.append(formula)
    files.append(pasted_2021(tmp / "d.xlsx", load_spec("2021"), {}, single_other_row=True))
    broken = tmp / "e.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("readme.txt", "not a workbook")  # unreadable
    files.append(broken)
    renamed = tmp / "renamed.xls"  # an .xlsx under an .xls name: wrong-extension
    renamed.write_bytes(files[0].read_bytes())
    files.append(renamed)
    other = Workbook()
    other.active["A1"] = "会议签到表"  # wrong-template
    other.save(tmp / "f.xlsx")
    files.append(tmp / "f.xlsx")
    # year over year: last year's 结转 differs, 现行有效件数 drifts, a count jumps
    spec21 = load_spec("2021")
    zeros = {i.id: 0 for i in spec21.data_items()}
    last = tmp / "last.xlsx"
    last.write_bytes(template_bytes(spec21, "测试局", values={**zeros, **consistent_2021()}))
    this_year = {**zeros, **consistent_2021(), "carried_in.natural": 3, "carried_in.total": 3}
    this_year.update({"new.natural": 6, "new.total": 9, "licensing": 300, "penalties": 900})
    current = tmp / "this.xlsx"
    current.write_bytes(template_bytes(spec21, "测试局", values=this_year))
    yoy = validate_against(current, last)
    stamped = replace(
        yoy,
        findings=(
            *yoy.findings,
            stamp_foreign(Text("另一轮的模板", "a template of another round"), "r9:d1"),
            stamp_mismatch("区民政局", Text("发件人", "the sender"), "r1:d2"),
        ),
    )
    report = validate(files)
    report = replace(report, files=(*report.files, stamped))
    cell_texts = [
        "4件",
        "见附件",
        "个",
        "其中：借调人员数",
        "（一）纸质版文件数",
        "会议签到表",
        "测试局",
        "区民政局",
    ]
    return report, cell_texts


def test_the_fixture_covers_every_code(every_code):
    report, _ = every_code
    assert {f.code for file in report.files for f in file.findings} == set(CATALOGUE)


def _english_leftovers(text: str, allowed: list[str]) -> list[str]:
    for t in allowed:
        text = text.replace(t, "")
    return sorted(set(CJK.findall(text)))


def _renderings(report: Report, tmp: Path) -> dict[str, str]:
    out = {}
    for lang in ("zh", "en"):
        out[f"console80-{lang}"] = report_text(report, lang, width=80)
        out[f"console160-{lang}"] = report_text(report, lang, width=160)
        out[f"console400-{lang}"] = report_text(report, lang, width=400)
        out[f"json-{lang}"] = to_json(report, lang)
        out[f"html-{lang}"] = to_html(report, lang)
        sheets = []
        for copy in annotate(report, tmp / lang, lang):
            assert copy.output is not None, copy.error
            wb = load_workbook(copy.output)
            ws = wb[SUMMARY_SHEET]
            sheets += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
            sheets += [
                c.comment.text
                for s in wb.worksheets
                for row in s.iter_rows()
                for c in row
                if c.comment
            ]
        out[f"annotated-{lang}"] = "\n".join(sheets)
    return out


def test_every_rendering_in_both_languages(every_code, tmp_path):
    report, cell_texts = every_code
    renderings = _renderings(report, tmp_path)
    sheets = [f.sheet for f in report.files if f.sheet]
    allowed = [*cell_texts, *(f.path for f in report.files), *sheets, *_table_texts()]
    for name, text in renderings.items():
        assert not FLOAT_INT.search(text), (name, FLOAT_INT.search(text))
        assert "…" not in text, name
        # the console wraps labels inside table cells: its text is checked through the report
        # rows it draws (below); its heading lines here
        if name.startswith("console") and name.endswith("-en"):
            text = "\n".join(line for line in text.splitlines() if "│" not in line)
        if name.endswith("-en"):
            for line in text.splitlines():
                assert _english_leftovers(line, allowed) == [], (name, line)
    json.loads(renderings["json-en"])  # strict JSON
    for file in report.files:
        for row in report_rows(file.findings):
            shown = [row.cells("en"), row.item("en"), row.title("en"), row.message("en")]
            shown.append(row.hint("en") if row.hint else "")
            assert _english_leftovers(" ".join(shown), allowed) == [], row


def test_ui_strings_have_english_without_chinese():
    for key, text in UI.items():
        assert text.zh and text.en, key
        if key == "web.lang.other":  # the link to the other language names it in that language
            continue
        assert not CJK.search(text.en.replace("（", "").replace("）", "")), key
    for code in CATALOGUE.values():
        for t in (code.title, code.description, code.template):
            assert not CJK.search(_strip_allowed(t.en)), code.code


def _strip_allowed(text: str) -> str:
    examples = ["见附件", "约10", "（六）其他处理", "\u300044", "４４", "无", "—"]
    for t in [*examples, *_table_texts(), "元"]:
        text = text.replace(t, "")
    return text.replace("'\\u300044'", "")


def _commands(group, prefix=()):
    for name, command in sorted(getattr(group, "commands", {}).items()):
        yield (*prefix, name), command
        yield from _commands(command, (*prefix, name))


def test_help_is_complete_at_80_columns():
    import typer.main

    root = typer.main.get_command(app)
    runner = CliRunner()
    for path, command in [((), root), *_commands(root)]:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80", "TERM": "dumb"})
        assert result.exit_code == 0, path
        assert "…" not in result.output, path
        flat = re.sub(r"[\s│╭╮╰╯─]", "", result.output)
        for param in getattr(command, "params", []):
            help_text = re.sub(r"\s", "", getattr(param, "help", "") or "")
            assert help_text in flat, (path, param.name)
        assert all(len(line) <= 80 for line in result.output.splitlines()), path


def test_cli_errors_in_english(tmp_path):
    runner = CliRunner()
    out = tmp_path / "x.xlsx"
    out.write_bytes(b"")
    cases = [
        ["template", "-o", str(out), "--lang", "en"],  # exists
        ["template", "--year", "1999", "--lang", "en"],  # unknown year
        ["fill", "--data", str(tmp_path / "none.csv"), "--lang", "en"],  # no data file
        ["validate", str(tmp_path / "nothing*.xlsx"), "--lang", "en"],  # glob matches nothing
        ["spec", "--year", "1999", "--lang", "en"],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert not CJK.search(result.output.replace(str(tmp_path), "")), (args, result.output)
    assert ROOT.exists()
