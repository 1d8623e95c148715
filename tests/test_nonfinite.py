"""Non-finite and huge numbers, written by hand into the sheet XML, never escape as an error
and never make the JSON report non-standard."""

from __future__ import annotations

import json
import re
from pathlib import Path

from disclosure_xlsx.check.report import Report
from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.errors import DisclosureError
from disclosure_xlsx.render import to_json
from disclosure_xlsx.render.console import report_text
from disclosure_xlsx.write.fix import fix_file

from .rawbooks import rewrite
from .workbooks import template_return

HUGE = "9" * 400
CELLS = {  # cell -> the cell element as a writer put it
    "C26": '<c r="C26" t="n"><v>1E+400</v></c>',
    "C27": '<c r="C27"><v>-1E+400</v></c>',
    "C28": '<c r="C28"><v>NaN</v></c>',
    "C29": f'<c r="C29" t="inlineStr"><is><t>{HUGE}</t></is></c>',
    "C30": f'<c r="C30"><v>{HUGE}</v></c>',
    "C31": '<c r="C31" t="n"><v>inf</v></c>',
    "C32": '<c r="C32" t="str"><v>1e999</v></c>',
}


def hostile_numbers(tmp_path: Path, spec) -> Path:
    src = template_return(tmp_path / "src.xlsx", spec)

    def change(name: str, data: bytes) -> bytes | None:
        if name != "xl/worksheets/sheet1.xml":
            return None
        text = data.decode()
        for ref, element in CELLS.items():
            text = re.sub(rf'<c r="{ref}"[^>]*>.*?</c>', element, text, count=1)
        return text.encode()

    return rewrite(src, tmp_path / "numbers.xlsx", change)


def test_non_finite_numbers_are_not_numbers_and_json_stays_strict(tmp_path, spec):
    path = hostile_numbers(tmp_path, spec)
    report = validate_file(path)
    codes = {f.cell: f.code for f in report.findings if f.cell in CELLS}
    assert set(codes) == set(CELLS) and set(codes.values()) == {"not-a-number"}
    data = json.loads(to_json(Report((report,))), parse_constant=_reject)
    found = {f["cell"]: f["found"] for f in data["files"][0]["findings"] if f["cell"] in CELLS}
    assert {found["C26"], found["C27"], found["C28"]} <= {"inf", "-inf", "nan", "1E+400", "NaN"}
    assert report_text(Report((report,)))
    try:  # openpyxl cannot load '<v>NaN</v>': fix refuses cleanly, as one of our errors
        result = fix_file(path, tmp_path / "fixed.xlsx", apply_suggestions=True)
        assert result.after.status == "invalid"
    except DisclosureError as exc:
        assert "无法打开并修改" in str(exc)


def _reject(name: str) -> None:
    raise AssertionError(f"non-standard JSON constant {name}")
