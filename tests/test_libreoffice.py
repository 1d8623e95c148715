"""What departments' office software does to our template: LibreOffice saves it again.

Skipped where LibreOffice is not installed; .ci/run installs it so these run in CI.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.template import write_template


@pytest.fixture(scope="module")
def converted(tmp_path_factory, spec, soffice) -> dict[str, Path]:
    """The template filled a little, then saved by LibreOffice as xlsx, ods and xls."""
    base = tmp_path_factory.mktemp("lo")
    profile = base / "profile"
    src = write_template(spec, base / "filled.xlsx", "环翠区商务局")
    wb = load_workbook(src)
    ws = wb.active
    cells = layout(spec).value_cells
    for item_id, value in {
        "requests_received": 5,
        "received_in_person": 1,
        "received_online": 3,
    }.items():
        ws[cells[item_id]] = value
    wb.save(src)
    out = {fmt: soffice(src, fmt, base / fmt, profile) for fmt in ("xlsx", "ods", "xls")}
    # Protection and validations of the binary formats are checked by loading them back as xlsx.
    out["xls>xlsx"] = soffice(out["xls"], "xlsx", base / "xls2", profile)
    out["ods>xlsx"] = soffice(out["ods"], "xlsx", base / "ods2", profile)
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_ids_and_marker_survive(converted, spec, fmt):
    rows = CalamineWorkbook.from_path(str(converted[fmt])).get_sheet_by_index(0).to_python()
    assert rows[0][4] == spec.marker
    ids = [r[4] for r in rows[4 : 4 + len(spec.items)]]
    assert ids == [i.id for i in spec.items]


@pytest.mark.parametrize("fmt", ["xlsx", "xls>xlsx", "ods>xlsx"])
def test_protection_validation_and_hidden_ids_survive(converted, spec, fmt):
    wb = load_workbook(converted[fmt])
    ws = wb.worksheets[0]
    assert ws.protection.sheet
    cells = layout(spec).value_cells
    assert not ws[cells["fees"]].protection.locked
    assert ws["A5"].protection.locked
    covered = {
        f"{get_column_letter(col)}{row}": dv.type
        for dv in ws.data_validations.dataValidation
        for rng in dv.sqref.ranges
        for row, col in rng.cells
    }
    assert {c: covered.get(c) for c in cells.values()} == {
        c: ("decimal" if spec.item(i).value_type == "decimal" else "whole")
        for i, c in cells.items()
    }
    assert ws.column_dimensions["E"].hidden
    assert "dx_requests_received" in wb.defined_names


def test_ods_keeps_protection_and_validation(converted):
    with zipfile.ZipFile(converted["ods"]) as z:
        content = z.read("content.xml").decode()
    assert 'table:protected="true"' in content
    assert "table:content-validation " in content


def test_live_checks_compute_in_libreoffice(converted, spec):
    ws = load_workbook(converted["xlsx"], data_only=True).worksheets[0]
    row = int(layout(spec).value_cells["requests_received"][1:])
    assert ws.cell(row, 4).value == "合计应为 4；"
    clean_row = int(layout(spec).value_cells["requests_closed"][1:])
    assert ws.cell(clean_row, 4).value in ("", None)
