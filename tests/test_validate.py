from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disclosure_xlsx.check.findings import CATALOGUE
from disclosure_xlsx.check.validate import validate, validate_file
from disclosure_xlsx.cli import app
from disclosure_xlsx.errors import UsageError
from disclosure_xlsx.render import Format, to_json
from disclosure_xlsx.spec.layout import layout

from .conftest import ROOT
from .workbooks import pasted_return, template_return

runner = CliRunner()
LAYOUTS = {"template": template_return, "pasted": pasted_return}


def found(path: Path, **options) -> list[tuple[str | None, str]]:
    return [(f.cell, f.code) for f in validate_file(path, **options).findings]


@pytest.fixture(params=sorted(LAYOUTS))
def make(request, tmp_path, spec):
    """Build a returned workbook in either layout; cells are given for the template layout."""
    build = LAYOUTS[request.param]
    shift = 0 if request.param == "template" else 1  # the pasted table starts one row lower

    def _make(values=None, mutate=None, name="r.xlsx"):
        return build(tmp_path / name, spec, values, mutate=mutate)

    def cell(ref: str) -> str:
        return f"{ref[0]}{int(ref[1:]) + shift}"

    _make.cell = cell
    _make.layout = request.param
    return _make


def test_all_zero_return_is_clean(make):
    report = validate_file(make())
    assert (report.status, report.findings, report.unit_name) == ("ok", (), "测试局")
    assert report.template == "2014"


def test_cell_value_findings(make):
    c = make.cell
    path = make(
        {
            "proactive_normative": None,  # blank (empty)
            "normative_issued": "\u3000",  # blank (whitespace)
            "channel_gazette": "\u30003",  # number-as-text; channels then bound the total
            "proactive_total": 3,
            "response_hotspots": "见附件",  # not-a-number
            "policy_explainers": -2,  # negative
            "social_media_responses": 1.5,  # not-integer
        }
    )
    assert found(path) == [
        (c("C7"), "blank"),
        (c("C8"), "blank"),
        (c("C10"), "number-as-text"),
        (c("C16"), "not-a-number"),
        (c("C22"), "negative"),
        (c("C23"), "not-integer"),
    ]
    report = validate_file(path)
    blank = report.findings[1]
    assert (blank.severity, blank.found, blank.message()) == (
        "error",
        "\u3000",
        "只有空格；没有发生请填 0",
    )
    assert report.findings[0].message() == "空单元格；没有发生请填 0"


def test_blank_as_zero_makes_blanks_warnings(make):
    path = make({"received_fax": None})
    report = validate_file(path, blank_as_zero=True)
    assert [(f.code, f.severity) for f in report.findings] == [("blank", "warning")]
    assert report.status == "ok"


def test_number_as_text_variants(make):
    texts = ["\u300044", "44条", "４４", "1,234", " 12 ", "无", "—", "/"]
    ids = [
        "channel_gazette",
        "channel_website",
        "channel_weibo",
        "channel_wechat",
        "channel_other",
        "received_fax",
        "received_letter",
        "received_other",
    ]
    report = validate_file(make(dict(zip(ids, texts, strict=True))))
    as_text = [(f.item, f.expected) for f in report.findings if f.code == "number-as-text"]
    assert as_text == list(zip(ids, [44, 44, 44, 1234, 12, 0, 0, 0], strict=True))


def test_arithmetic_rules_with_related_cells(make):
    c = make.cell
    path = make(
        {
            "requests_received": 5,
            "received_in_person": 1,
            "received_online": 3,  # total-mismatch
            "requests_closed": 4,
            "closed_on_time": 4,
            "requests_answered": 4,
            "answer_disclosed": 4,
            "press_conferences": 1,
            "press_conferences_leaders": 2,  # part-exceeds-whole
            "proactive_total": 50,
            "channel_website": 44,  # channel-bounds
            "reading_rooms": 1,
            "reading_rooms_county": 1,  # cross-check
        }
    )
    report = validate_file(path)
    assert [(f.cell, f.code) for f in report.findings] == [
        (c("C6"), "channel-bounds"),
        (c("C19"), "part-exceeds-whole"),
        (c("C26"), "total-mismatch"),
        (c("C83"), "cross-check"),
    ]
    total = report.findings[2]
    assert total.related == tuple(c(f"C{r}") for r in range(27, 32))
    assert (total.found, total.expected, total.diff) == (5, 4, 1)
    assert total.message() == (
        f"收到申请数 {c('C26')} = 5，但 当面申请数 1 + 传真申请数 0 + 网络申请数 3 + "
        "信函申请数 0 + 其他形式 0 = 4，差 1"
    )
    assert report.findings[0].expected == "44–44"


def test_blank_total_still_checked(make):
    """One finding does not hide another: a blank total counts as 0 in its sum."""
    report = validate_file(make({"staff": None, "staff_parttime": 2}))
    assert [f.code for f in report.findings] == ["blank", "total-mismatch"]


def test_plausibility_warnings(make):
    c = make.cell
    report = validate_file(
        make(
            {
                "requests_closed": 2,
                "closed_on_time": 2,  # closed > received, answered != closed
                "gazette_copies": 100,  # copies without issues
                "budget": 25000,  # 万元 entered in 元
                "fees": "3000元",  # yuan typed in a 万元 cell
            }
        )
    )
    assert [(f.cell, f.code, f.severity) for f in report.findings] == [
        (c("C32"), "implausible", "warning"),  # closed 2 > received 0
        (c("C35"), "implausible", "warning"),  # answered 0 != closed 2
        (c("C71"), "implausible", "warning"),  # gazette copies without issues
        (c("C80"), "implausible", "warning"),  # '3000元' is 0.3 万元
        (c("C80"), "implausible", "warning"),  # a fee without any request
        (c("C87"), "implausible", "warning"),  # 25000 万元 looks like yuan
    ]
    assert report.status == "ok"


def test_heading_filled_and_unit_mismatch(make):
    c = make.cell

    def mutate(ws, rows):
        ws.cell(rows["proactive"], 3, "44\u3000")
        ws.cell(rows["fees"], 2, "元")

    assert found(make(mutate=mutate)) == [(c("C5"), "heading-filled"), (c("B80"), "unit-mismatch")]


def test_structure_findings(make):
    c = make.cell

    def mutate(ws, rows):
        ws.cell(rows["received_fax"], 1, "2、传真申请的数量")  # label-changed
        ws.delete_rows(rows["received_other"])  # missing-item
        ws.insert_rows(rows["requests_closed"] - 1)  # after the deletion: one up
        ws.cell(rows["requests_closed"] - 1, 1, "6.电话申请数")  # unexpected-row
        ws.cell(rows["requests_closed"] - 1, 2, "件")

    report = validate_file(make(mutate=mutate))
    assert [(f.cell, f.code) for f in report.findings] == [
        (None, "missing-item"),
        (c("A28"), "label-changed"),
        (c("A31"), "unexpected-row"),
    ]
    missing = next(f for f in report.findings if f.code == "missing-item")
    assert missing.item == "received_other"


def test_formula_without_cached_value(make):
    def mutate(ws, rows):
        ws.cell(rows["requests_received"], 3, "=C27+C28")

    report = validate_file(make(mutate=mutate))
    assert [f.code for f in report.findings] == ["formula-no-value"]


def test_pasted_table_in_moved_columns(tmp_path, spec):
    path = pasted_return(tmp_path / "moved.xlsx", spec, {"requests_received": 2}, col=3)
    report = validate_file(path)
    assert [(f.cell, f.code) for f in report.findings] == [("E27", "total-mismatch")]
    assert report.method == "labels" and report.unit_name == "测试局"


def test_seed_sample_gives_what_a_careful_clerk_lists():
    report = validate_file(ROOT / "samples" / "环翠区商务局_2014_原表.xlsx")
    assert report.unit_name == "环翠区商务局" and report.template == "2014"
    non_blank = [(f.cell, f.code) for f in report.findings if f.code != "blank"]
    assert non_blank == [
        ("C5", "heading-filled"),
        ("C6", "channel-bounds"),
        ("C11", "number-as-text"),
        ("C84", "number-as-text"),
        ("C86", "number-as-text"),
        ("C91", "number-as-text"),
    ]
    blanks = [f for f in report.findings if f.code == "blank"]
    assert len(blanks) == 87 - 8 - 6 + 0  # data rows minus those holding a number
    assert {f.group for f in blanks} == {"empty", "whitespace"}
    relaxed = validate_file(ROOT / "samples" / "环翠区商务局_2014_原表.xlsx", blank_as_zero=True)
    assert relaxed.errors == 2  # heading-filled and channel-bounds stay errors


def test_samples_clean_and_errors():
    assert validate_file(ROOT / "samples" / "clean_2014.xlsx").status == "ok"
    errors = validate_file(ROOT / "samples" / "errors_2014.xlsx")
    codes = {f.code for f in errors.findings}
    assert {
        "total-mismatch",
        "number-as-text",
        "blank",
        "part-exceeds-whole",
        "cross-check",
        "implausible",
        "not-a-number",
        "not-integer",
    } <= codes


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {}
    files["empty.xlsx"] = tmp_path / "empty.xlsx"
    files["empty.xlsx"].write_bytes(b"")
    files["notes.xlsx"] = tmp_path / "notes.xlsx"
    files["notes.xlsx"].write_text("这不是表格", encoding="utf-8")
    good = template_return(tmp_path / "good.xlsx", __import__("disclosure_xlsx").load_spec())
    files["truncated.xlsx"] = tmp_path / "truncated.xlsx"
    files["truncated.xlsx"].write_bytes(good.read_bytes()[:3000])
    files["encrypted.xlsx"] = tmp_path / "encrypted.xlsx"
    files["encrypted.xlsx"].write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + b"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0".replace(b"\0", b"")
        + b"EncryptedPackage"
    )
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 300_000_000)
    files["bomb.xlsx"] = bomb
    return files


def test_bad_files_are_unreadable_with_a_reason(tmp_path):
    for name, path in _bad_files(tmp_path).items():
        report = validate_file(path)
        assert report.status == "unreadable", name
        (finding,) = report.findings
        assert finding.code == "unreadable" and finding.message(), name
        assert "\n" not in finding.message()


def test_stray_far_cell_does_not_abort(tmp_path, spec):
    """python-calamine would abort the process on this sheet; the guard routes it elsewhere."""

    def mutate(ws, rows):
        ws["XFD1048576"] = 1

    path = template_return(tmp_path / "stray.xlsx", spec, {"requests_received": 1}, mutate=mutate)
    assert [f.code for f in validate_file(path).findings] == ["total-mismatch"]


def test_wrong_template(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.active.append(["张三", 30])
    wb.save(tmp_path / "other.xlsx")
    report = validate_file(tmp_path / "other.xlsx")
    assert (report.status, [f.code for f in report.findings]) == ("invalid", ["wrong-template"])


def test_batch_goes_on_and_inputs_are_unchanged(tmp_path, spec):
    bad = _bad_files(tmp_path)
    good = template_return(tmp_path / "ok.xlsx", spec)
    wrong = template_return(tmp_path / "wrong.xlsx", spec, {"staff": 3})
    paths = [good, *bad.values(), wrong]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    result = runner.invoke(app, ["validate", *map(str, paths), "--format", "json"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    assert [f["status"] for f in data["files"]] == ["ok", *["unreadable"] * len(bad), "invalid"]
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths} == before


def test_json_shape_and_cli_equals_library(tmp_path, spec):
    path = template_return(
        tmp_path / "r.xlsx", spec, {"requests_received": 5, "received_fax": None}
    )
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data == validate(path).to_dict()
    assert (
        set(data) == {"schema", "files", "summary", "skipped", "duplicates", "interrupted"}
        and data["schema"] == "disclosure-xlsx/report/1"
    )
    assert (data["skipped"], data["duplicates"], data["interrupted"]) == ([], [], None)
    (file,) = data["files"]
    assert set(file) == {
        "path",
        "status",
        "template",
        "sheet",
        "unit_name",
        "errors",
        "warnings",
        "findings",
    }
    assert set(data["summary"]) == {
        *("files", "ok", "invalid", "unreadable", "errors", "warnings"),
        *("skipped", "duplicates"),
    }
    for finding in file["findings"]:
        assert set(finding) == {
            "code",
            "severity",
            "item",
            "label",
            "cell",
            "related",
            "found",
            "expected",
            "message",
            "fix",
            "count",
        }
        assert finding["code"] in CATALOGUE
    fixes = {f["code"]: f["fix"] for f in file["findings"]}
    # the only blank part of a total of 5 whose other parts are 0: the rules force it
    assert fixes["blank"] == {
        "cell": layout(spec).value_cells["received_fax"],
        "value": 5,
        "reason": "可推算为 5（收到申请数应等于当面、传真、网络、信函、其他五种形式申请数之和）",
        "kind": "forced",
    }
    english = json.loads(
        runner.invoke(app, ["validate", str(path), "--format", "json", "--lang", "en"]).stdout
    )
    messages = {f["code"]: f["message"] for f in english["files"][0]["findings"]}
    assert messages["blank"] == "empty cell; enter 0 if nothing happened"
    assert messages["total-mismatch"].endswith("= 0, off by 5")


def test_exit_codes(tmp_path, spec):
    clean = template_return(tmp_path / "c.xlsx", spec)
    warn = template_return(tmp_path / "w.xlsx", spec, {"received_fax": " 0 "})
    assert runner.invoke(app, ["validate", str(clean)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(warn)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(warn), "--strict"]).exit_code == 1
    assert runner.invoke(app, ["validate", str(clean), "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["validate", str(tmp_path / "*.nothing")]).exit_code == 2


def test_folders_and_globs(tmp_path, spec):
    template_return(tmp_path / "a.xlsx", spec)
    template_return(tmp_path / "b.xlsx", spec)
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / "readme.txt").write_text("x")
    (tmp_path / ".~lock.b.xlsx#").write_text("lock")
    report = validate(tmp_path)
    assert [Path(f.path).name for f in report.files] == ["a.xlsx", "b.xlsx"]
    skipped = {Path(s.path).name: s.reason.zh for s in report.skipped}
    assert set(skipped) == {"~$a.xlsx", ".~lock.b.xlsx#", "readme.txt"}
    assert skipped["readme.txt"].startswith("这是文本文件")
    assert "锁定文件" in skipped["~$a.xlsx"]
    globbed = validate([str(tmp_path / "*.xlsx")])  # lock files are skipped in globs too
    assert (len(globbed.files), [Path(s.path).name for s in globbed.skipped]) == (2, ["~$a.xlsx"])
    named = validate([tmp_path / "a.xlsx", tmp_path / "~$a.xlsx"])  # and in explicit lists
    assert (len(named.files), len(named.skipped)) == (1, 1)
    assert named.to_dict()["skipped"] == [
        {"path": str(tmp_path / "~$a.xlsx"), "reason": skipped["~$a.xlsx"]}
    ]
    assert named.summary()["skipped"] == 1 and not named.failed()


def test_mistyped_path_is_a_usage_error(tmp_path, spec):
    template_return(tmp_path / "环翠区商务局.xlsx", spec)
    result = runner.invoke(app, ["validate", str(tmp_path / "环翠区商物局.xlsx")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "找不到文件" in result.output and "环翠区商务局.xlsx" in result.output
    with pytest.raises(UsageError):
        validate(tmp_path / "nosuch.xlsx")


def test_console_report_collapses_blank_runs(tmp_path, spec):
    path = template_return(
        tmp_path / "r.xlsx",
        spec,
        {"received_fax": None, "received_online": None, "received_letter": None},
    )
    result = runner.invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    assert "C28:C30" in result.output and "3 项" in result.output
    assert "测试局" in result.output


def test_every_format_renders(tmp_path, spec):
    path = template_return(tmp_path / "r.xlsx", spec)
    for fmt in Format:
        out = tmp_path / f"report.{fmt.value}"
        result = runner.invoke(app, ["validate", str(path), "--format", fmt.value, "-o", str(out)])
        assert result.exit_code == 0 and out.read_text(encoding="utf-8")
    assert json.loads(to_json(validate(path)))["summary"]["ok"] == 1


def test_dataframe_of_findings(tmp_path, spec):
    path = template_return(tmp_path / "r.xlsx", spec, {"staff": 1})
    frame = validate(path).to_dataframe()
    assert list(frame["code"]) == ["total-mismatch"]
    assert frame.loc[0, "unit_name"] == "测试局"


def test_readme_lists_every_finding_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    catalogue = readme.split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    listed = {line.split("`")[1] for line in catalogue.splitlines() if line.startswith("| `")}
    assert listed == set(CATALOGUE)


def test_library_entry_points():
    import disclosure_xlsx

    assert disclosure_xlsx.validate is validate
    report = disclosure_xlsx.validate(ROOT / "samples" / "clean_2014.xlsx")
    assert report.files[0].status == "ok"
    for name in disclosure_xlsx.__all__:
        assert callable(getattr(disclosure_xlsx, name)) or name[0].isupper()
    data = disclosure_xlsx.read_values(ROOT / "samples" / "clean_2021.xlsx").values
    filled = disclosure_xlsx.fill(disclosure_xlsx.load_spec("2021"), data)
    assert filled.values == {k: v for k, v in data.items() if v is not None}
