"""Content decides the format: real .xls and .ods files (saved by LibreOffice) under their own
names, under each other's names and as WPS .et files; and the BIFF scan of .xls files.

Skipped where LibreOffice is not installed; .ci/run installs it so these run in CI.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import olefile
import pytest

from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.errors import UnreadableError
from disclosure_xlsx.read.biff import scan_biff
from disclosure_xlsx.read.guard import check_file

from .workbooks import template_return


@pytest.fixture(scope="module")
def saved(tmp_path_factory, spec, soffice) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("formats")
    src = template_return(base / "filled.xlsx", spec, {"requests_received": 1})
    return {fmt: soffice(src, fmt, base / fmt, base / "profile") for fmt in ("xls", "ods")}


def codes(path: Path) -> list[str]:
    return [f.code for f in validate_file(path).findings]


def test_xls_and_ods_under_any_name(tmp_path, saved):
    for fmt, path in saved.items():
        assert check_file(path).format == fmt
        assert codes(path) == ["total-mismatch"]
        for suffix in (".xlsx", ".et", ".ett", ""):
            renamed = tmp_path / f"{fmt}_as{suffix or '_none'}{suffix}"
            shutil.copyfile(path, renamed)
            expected_note = not (fmt == "xls" and suffix in (".et", ".ett"))
            check = check_file(renamed)
            assert check.format == fmt and (check.wrong_extension is not None) == expected_note
            assert codes(renamed) == ["wrong-extension"] * expected_note + ["total-mismatch"]


def test_biff_scan_finds_the_cells(saved):
    with olefile.OleFileIO(str(saved["xls"])) as ole:
        stream = ole.openstream("Workbook").read()
    (sheet,) = scan_biff(stream)
    assert sheet.cells >= 87 and 0 < sheet.area < 5000 and sheet.declared > 0  # helpers included


def test_xls_declaring_a_huge_range_is_refused(tmp_path, saved):
    """calamine reserves DIMENSIONS' rows x columns: 4e9 rows is an abort."""
    data = bytearray(saved["xls"].read_bytes())
    at = data.find(struct.pack("<HH", 0x0200, 14))
    assert at > 0
    struct.pack_into("<I", data, at + 8, 0xFFFFFFF0)  # the last row + 1
    path = tmp_path / "dims.xls"
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableError, match="范围过大"):
        check_file(path)
