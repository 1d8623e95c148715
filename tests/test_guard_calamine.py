"""Files crafted so that python-calamine would place a cell far away (and abort the whole
process on a dense grid of 17 billion cells) while a scan modelled on Excel would not see it.

Each trick was found against calamine 0.37 (python-calamine 0.9.1). The guard must refuse
such a file or route it to openpyxl's sparse reader: never hand it to calamine. The last test
reads all of them in-process, in a child process, and asserts the child was not killed.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from disclosure_xlsx.errors import UnreadableError
from disclosure_xlsx.read.guard import check_file

from .rawbooks import NS, WORKBOOK_RELS, raw_xlsx, sheet_xml, strings_xml

A1 = '<row r="1"><c r="A1"><v>1</v></c></row>'
FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
PREFIX = ' xmlns:x="' + NS + '"'  # a second prefix for the main namespace

#: Sheets whose cells calamine places where Excel's reading would not.
SHEETS = {
    # calamine counts a cell without r on from the row's r, not from the cell before it
    "count-from-row": '<row r="1048576"><c r="XFD1"><v>1</v></c><c r="A1"><v>1</v></c>'
    "<c><v>1</v></c></row>",
    # a prefixed r is no r to calamine: it counts on
    "prefixed-r": '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'
    '<row r="1048576"><c x:r="A1"><v>1</v></c></row>',
    "prefixed-row-r": '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'
    '<row r="1048575"/><row x:r="1"><c><v>1</v></c></row>',
    # a sheetData end inside a formula, value or inline text ends nothing for calamine
    "end-in-formula": '<row r="1"><c r="A1"><f>1<sheetData/></f><v>1</v></c></row>' + FAR,
    "end-in-value": '<row r="1"><c r="A1"><v>1<sheetData/></v></c></row>' + FAR,
    "end-in-text": '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t><sheetData/></is></c></row>'
    + FAR,
    # a cell outside any row, counted on from a far row
    "outside-row": '<row r="1048576"/><c r="A1"><v>1</v></c><c><v>1</v></c>',
}


def _sheet(rows: str) -> str:
    return sheet_xml(rows).replace(f'xmlns="{NS}"', f'xmlns="{NS}"{PREFIX}', 1)


def _rels(target: str, extra: str = "") -> str:
    return WORKBOOK_RELS.replace('Target="worksheets/sheet1.xml"', f'Target="{target}"{extra}')


def _packages(folder: Path) -> dict[str, Path]:
    """Packages whose far cells (or huge string count) sit where calamine, not the workbook's
    own relationships, leads."""
    far, small = _sheet(A1 + FAR), _sheet(A1)
    huge = strings_xml(["x"], 4_000_000_000)
    made = {
        # calamine looks members up without regard to case, and reads '\' as '/'
        "case": {"xl/worksheets/sheet1.xml": small, "XL/worksheets/sheet1.xml": far},
        "backslash": {"xl/worksheets/sheet1.xml": small, "xl\\worksheets\\sheet1.xml": far},
        # calamine follows a relationship marked external
        "external": {
            "xl/worksheets/sheet1.xml": far,
            "xl/_rels/workbook.xml.rels": _rels("worksheets/sheet1.xml", ' TargetMode="External"'),
        },
        # calamine opens './' literally where the path would be normalised
        "dot-segment": {
            "xl/worksheets/sheet1.xml": small,
            "xl/worksheets/./sheet1.xml": far,
            "xl/_rels/workbook.xml.rels": _rels("worksheets/./sheet1.xml"),
        },
        "target-case": {
            "xl/worksheets/sheet1.xml": far,
            "xl/_rels/workbook.xml.rels": _rels("/xl/worksheets/Sheet1.xml"),
        },
        # cells in a part nothing names (calamine may reach a workbook through _rels/.rels)
        "orphan": {"ev/worksheets/sheet1.xml": far},
        "orphan-utf16": {
            "ev/worksheets/sheet1.xml": far.replace("UTF-8", "UTF-16").encode("utf-16")
        },
        # calamine reads sharedStrings.xml beside the workbook, and finds sst at any depth
        "strings-elsewhere": {"ev/sharedStrings.xml": huge},
        "strings-nested": {"xl/sharedStrings.xml": "<w>" + huge.split("?>", 1)[1] + "</w>"},
        # calamine skips leading zeros: 4e9 written with forty of them
        "strings-zeros": {
            "xl/sharedStrings.xml": huge.replace('"4000000000"', '"' + "0" * 40 + '4000000000"')
        },
    }
    paths = {}
    for name, parts in made.items():
        sheet = parts.pop("xl/worksheets/sheet1.xml", small)
        paths[name] = raw_xlsx(folder / f"{name}.xlsx", sheet, extra=parts)
    return paths


def _kept_from_calamine(path: Path) -> bool:
    try:
        return not check_file(path).dense_safe
    except UnreadableError:
        return True


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_a_cell_calamine_places_otherwise_keeps_the_sheet_from_it(tmp_path, name):
    path = raw_xlsx(tmp_path / "s.xlsx", _sheet(SHEETS[name]))
    assert _kept_from_calamine(path)


def test_parts_calamine_finds_its_own_way_are_scanned_too(tmp_path):
    made = _packages(tmp_path)
    assert [n for n, p in made.items() if not _kept_from_calamine(p)] == []
    plain = raw_xlsx(tmp_path / "plain.xlsx", _sheet(A1))  # and a plain file is read as usual
    assert check_file(plain).dense_safe


def test_none_of_them_aborts_an_in_process_read(tmp_path):
    files = list(_packages(tmp_path).values())
    files += [raw_xlsx(tmp_path / f"{n}.xlsx", _sheet(rows)) for n, rows in SHEETS.items()]
    code = (
        "import sys\nfrom disclosure_xlsx.check.validate import validate\n"
        "r = validate(sys.argv[1:])\nprint(len(r.files))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, files)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [str(len(files))]


def _corrupt_lzma(path: Path) -> Path:
    """A package with a picture packed with LZMA whose data is garbage."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_LZMA) as z:
        z.writestr("xl/media/image1.png", bytes(range(256)) * 64)
        info = z.getinfo("xl/media/image1.png")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 40 : start + 400] = b"\xff" * 360
    path.write_bytes(bytes(data))
    return path


def test_hostile_parts_are_damage_not_a_crash(tmp_path):
    """What reading a part can raise besides a parse error is still one line, refused."""
    cases = {
        "lzma": _corrupt_lzma(raw_xlsx(tmp_path / "lzma.xlsx", _sheet(A1))),
        "encoding": raw_xlsx(tmp_path / "enc.xlsx", _sheet(A1).replace("UTF-8", "base64")),
        "utf-7": raw_xlsx(tmp_path / "u7.xlsx", _sheet(A1).replace("UTF-8", "utf-7")),
        "superscript": raw_xlsx(
            tmp_path / "sup.xlsx", _sheet('<row r="\u00b2"><c><v>1</v></c></row>')
        ),
    }
    for name, path in cases.items():
        with pytest.raises(UnreadableError) as caught:
            check_file(path)
        assert "damaged" in caught.value.text.en, (name, caught.value.text.en)


def test_a_part_that_only_mentions_sheetdata_is_no_damage(tmp_path):
    """A macro's variable named sheetData (kept as text in the VBA container): the workbook
    is read, by openpyxl, since calamine might yet be led to that part."""
    macro = b"\x01\x02Attribute VB_Name\x00Dim sheetData As Range\x00\xff"
    path = raw_xlsx(tmp_path / "m.xlsx", _sheet(A1), extra={"xl/vbaProject.bin": macro})
    check = check_file(path)
    assert not check.dense_safe and check.sheets["统计表"].cells == 1
