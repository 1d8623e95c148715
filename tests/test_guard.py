"""The guard parses what it checks: hostile sheet XML, lying zips and files that are not
workbooks are refused or routed before any spreadsheet library sees them."""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from disclosure_xlsx.check.validate import validate_file
from disclosure_xlsx.errors import UnreadableError
from disclosure_xlsx.read.guard import MAX_DENSE_CELLS, check_file
from disclosure_xlsx.read.ooxml import MAX_CELLS, quick_scan
from disclosure_xlsx.write.template import template_bytes

from .rawbooks import raw_xlsx, rewrite, sheet_xml, strings_xml
from .workbooks import template_return


def refused(path: Path) -> str:
    with pytest.raises(UnreadableError) as caught:
        check_file(path)
    text = caught.value.text
    assert text.zh and text.en and "\n" not in text.zh + text.en
    return text.zh


def add_rows(path: Path, out: Path, rows: str) -> Path:
    """Our filled template with ``rows`` (raw XML) appended to its sheet's data."""

    def change(name: str, data: bytes) -> bytes | None:
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
        return None

    return rewrite(path, out, change)


@pytest.fixture
def filled(tmp_path, spec) -> Path:
    return template_return(tmp_path / "src.xlsx", spec, {"requests_received": 1})


def test_single_quoted_far_cell_is_routed_to_the_sparse_reader(tmp_path, filled):
    """calamine aborts on this sheet; the regex guard never saw single-quoted attributes."""
    path = add_rows(
        filled, tmp_path / "q.xlsx", "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"
    )
    check = check_file(path)
    assert not check.dense_safe and check.sheets["统计表"].area > MAX_DENSE_CELLS
    assert [f.code for f in validate_file(path).findings] == ["total-mismatch"]


@pytest.mark.parametrize(
    "decoy",
    [
        # a copy of the cells in a processing instruction, which every reader skips: the guard
        # once counted the copy and let calamine read the real cells (it aborted the process)
        b'<?pi <sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>?>',
        b'<!-- <sheetData><row r="1"><c r="A1"/></row></sheetData> -->',
    ],
)
def test_a_decoy_copy_of_the_cells_does_not_hide_the_real_ones(tmp_path, spec, decoy):
    plain = tmp_path / "plain.xlsx"  # as our template is sent: the quick scan reads it
    plain.write_bytes(template_bytes(spec, "甲", values={"requests_received": 1}))
    with zipfile.ZipFile(plain) as z:
        assert quick_scan(z.read("xl/worksheets/sheet1.xml"), "统计表") is not None

    def change(name: str, data: bytes) -> bytes | None:
        if name != "xl/worksheets/sheet1.xml":
            return None
        far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        data = data.replace(b"</sheetData>", far + b"</sheetData>")
        return data.replace(b"<sheetData>", decoy + b"<sheetData>", 1)

    check = check_file(rewrite(plain, tmp_path / "decoy.xlsx", change))
    assert not check.dense_safe and check.sheets["统计表"].area > MAX_DENSE_CELLS


def test_formulas_written_unusually_are_found_by_the_parser_when_asked(tmp_path):
    rows = (
        '<row r="1"><c r="A1"><f>1+1</f></c>'  # plain, no value
        '<c s="1" r="B1"><f>2</f></c>'  # r not first: the quick regex leaves it to the parser
        '<c r="C1"><f>1</f><v>1</v></c></row>'
    )
    scan = check_file(raw_xlsx(tmp_path / "f.xlsx", sheet_xml(rows))).sheets["统计表"]
    assert set(scan.formulas_without_value) == {"A1", "B1"}


def test_rows_and_cells_without_r_count_on_like_excel(tmp_path):
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        "<row><c><v>1</v></c><c><v>2</v></c></row>"  # row 2: A2, B2
        '<row r="10"><c r="C10"><v>1</v></c><c><v>1</v></c></row>'  # D10
        "<row><c r='XFD11'><v>1</v></c></row>"  # row 11, single quotes
    )
    scan = check_file(raw_xlsx(tmp_path / "r.xlsx", sheet_xml(rows))).sheets["统计表"]
    assert scan.cells == 6 and scan.area >= 11 * 16384  # Excel's extent, at least
    # calamine counts its own way: the extent runs to the last row r (10) and one more row
    # for each row's end (4), and to XFD and one more column for each cell (6)
    assert scan.area == (10 + 4 + 1) * (16384 + 6)


def test_huge_row_number_and_columns_beyond_excel_are_damage(tmp_path):
    for n, rows in enumerate(
        [
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="99999999"><c r="A99999999"><v>1</v></c></row>',
            '<row r="1"><c r="ZZZZ1"><v>1</v></c></row>',
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="99999999"><c><v>1</v></c></row>',
            '<row r="x"><c r="A1"><v>1</v></c></row>',
        ]
    ):
        assert (
            "超出 Excel 表格范围" in refused(raw_xlsx(tmp_path / f"{n}.xlsx", sheet_xml(rows)))
            or n == 3
        )
    assert "无法解析" in refused(tmp_path / "3.xlsx")


def test_claimed_dimension_alone_is_harmless(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    path = raw_xlsx(tmp_path / "d.xlsx", sheet_xml(rows, '<dimension ref="A1:XFD1048576"/>'))
    check = check_file(path)
    assert check.dense_safe and check.sheets["统计表"].area == 1
    assert validate_file(path).status == "invalid"  # wrong-template, read without trouble


def test_huge_shared_string_count_goes_to_openpyxl(tmp_path):
    """calamine reserves uniqueCount strings up front: 4e9 of them is a 96 GB abort."""
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    path = raw_xlsx(tmp_path / "s.xlsx", sheet_xml(rows), strings_xml(["x"], 4_000_000_000))
    check = check_file(path)
    assert check.declared_strings == 4_000_000_000 and not check.dense_safe
    assert validate_file(path).findings[0].code == "wrong-template"


def test_too_many_cells_is_refused_before_any_library(tmp_path):
    cells = "".join(f'<row r="{r}"><c r="A{r}"/><c r="B{r}"/></row>' for r in range(1, 100_002))
    reason = refused(raw_xlsx(tmp_path / "many.xlsx", sheet_xml(cells)))
    assert f"{MAX_CELLS:,}" in reason and "单元格过多" in reason


def test_formula_cells_without_cached_value_whatever_the_quoting(tmp_path):
    rows = (
        "<row r='1'><c r='A1'><f>1+1</f></c>"  # no value
        "<c t='str' r='B1'><f>\"\"</f><v></v></c>"  # an empty string result
        '<c r="C1"><f>1</f><v>1</v></c>'  # cached
        '<c r="D1"><f t="shared" si="0"/><v/></c></row>'  # empty value: no result
    )
    scan = check_file(raw_xlsx(tmp_path / "f.xlsx", sheet_xml(rows))).sheets["统计表"]
    assert scan.formulas_without_value == {"A1", "D1"}


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        "<!DOCTYPE worksheet>",
    ],
)
def test_entity_and_dtd_declarations_are_refused(tmp_path, prolog):
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    assert "DTD" in refused(raw_xlsx(tmp_path / "e.xlsx", sheet_xml(rows, prolog=prolog)))


def test_damaged_xml_and_invalid_utf8_are_unreadable(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    broken = sheet_xml(rows).replace("</sheetData>", "")
    assert "无法解析" in refused(raw_xlsx(tmp_path / "b.xlsx", broken))
    bad_utf8 = sheet_xml(rows).encode().replace(b"<v>1</v>", b"<v>\xff\xfe</v>")
    assert "无法解析" in refused(raw_xlsx(tmp_path / "u.xlsx", bad_utf8))


def test_lying_and_duplicate_zip_members(tmp_path, filled):
    dup = tmp_path / "dup.xlsx"
    shutil.copyfile(filled, dup)
    with zipfile.ZipFile(dup, "a") as z, pytest.warns(UserWarning, match="Duplicate"):
        z.writestr(
            "xl/worksheets/sheet1.xml", sheet_xml('<row r="1"><c r="XFD1"><v>1</v></c></row>')
        )
    assert "重复" in refused(dup)
    # the central directory claims the sheet unpacks to 100 bytes: it really is 30 KB
    data = bytearray(filled.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, eocd + 16)
    while data[offset : offset + 4] == b"PK\x01\x02":
        _size, name_len, extra_len, comment_len = struct.unpack_from("<IHHH", data, offset + 24)
        name = bytes(data[offset + 46 : offset + 46 + name_len])
        if name == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, offset + 24, 100)
        offset += 46 + name_len + extra_len + comment_len
    lying = tmp_path / "lying.xlsx"
    lying.write_bytes(bytes(data))
    assert refused(lying)


def test_workbook_part_found_through_content_types(tmp_path):
    """openpyxl finds the workbook through [Content_Types].xml; so does the guard."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    path = raw_xlsx(tmp_path / "moved.xlsx", sheet_xml(rows), main="book/main.xml")
    check = check_file(path)
    assert check.main == "book/main.xml" and not check.dense_safe  # calamine looks in xl/ only
    assert "统计表" in check.sheets


def test_xlsx_named_xls_is_read_with_a_note(tmp_path, filled):
    renamed = tmp_path / "r.xls"
    shutil.copyfile(filled, renamed)
    check = check_file(renamed)
    assert check.format == "xlsx" and check.wrong_extension is not None
    assert "扩展名 .xls 与内容不符" in check.wrong_extension.zh
    report = validate_file(renamed)
    assert [f.code for f in report.findings] == ["wrong-extension", "total-mismatch"]
    assert check_file(filled).wrong_extension is None


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_what_else_people_send_is_named(tmp_path):
    word_types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    files = {
        "report.docx": _zip(
            tmp_path / "report.docx",
            {"[Content_Types].xml": word_types, "word/document.xml": "<w/>"},
        ),
        "odt.xlsx": _zip(
            tmp_path / "odt.xlsx",
            {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"},
        ),
        "all.zip": _zip(tmp_path / "all.zip", {"a.xlsx": "x", "b.xlsx": "y"}),
    }
    for name, data in {
        "scan.pdf": b"%PDF-1.7\n%...",
        "photo.jpg": b"\xff\xd8\xff\xe0\0\x10JFIF\0",
        "shot.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        "all.rar": b"Rar!\x1a\x07\x01\0",
        "all.7z": b"7z\xbc\xaf\x27\x1c\0\x04",
        "web.xls": b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        "data.xlsx": "项目,数值\n收到申请数,3\n".encode("gb18030"),
        "2003.xls": b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
    }.items():
        files[name] = tmp_path / name
        files[name].write_bytes(data)
    reasons = {name: refused(path) for name, path in files.items()}
    assert (
        reasons["report.docx"] == "这是 Word 文档，不是 Excel 工作簿；请把统计表复制到 Excel 后再交"
    )
    assert reasons["odt.xlsx"] == reasons["report.docx"]
    assert reasons["all.zip"].startswith("这是压缩包（ZIP）") and "2 个工作簿" in reasons["all.zip"]
    assert reasons["scan.pdf"].startswith("这是 PDF 文件")
    assert reasons["photo.jpg"].startswith("这是图片（JPEG）")
    assert reasons["shot.png"].startswith("这是图片（PNG）")
    assert reasons["all.rar"].startswith("这是压缩包（RAR）")
    assert reasons["all.7z"].startswith("这是压缩包（7z）")
    assert reasons["web.xls"].startswith("这是网页（HTML）文件")
    assert reasons["data.xlsx"].startswith("这是文本文件")
    assert reasons["2003.xls"].startswith("这是 Excel 2003 XML 表格")


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="统计表">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)


def _ods(path: Path, rows: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", ODS_CONTENT.format(rows=rows))
    return path


def test_ods_repeats_are_multiplied_out_not_materialised(tmp_path):
    cell = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
    ok = _ods(tmp_path / "ok.ods", f"<table:table-row>{cell}</table:table-row>" * 3)
    assert check_file(ok).sheets["统计表"].cells == 3
    wide = cell.replace(
        "<table:table-cell ", '<table:table-cell table:number-columns-repeated="16384" '
    )
    bomb = f'<table:table-row table:number-rows-repeated="100">{wide}</table:table-row>'
    assert "单元格过多" in refused(_ods(tmp_path / "bomb.ods", bomb))
    trailing = f'<table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    assert check_file(_ods(tmp_path / "trailing.ods", trailing)).sheets["统计表"].area == 1
    far = f'<table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="99"/>{cell}</table:table-row>'
    assert "范围过大" in refused(_ods(tmp_path / "far.ods", far))


def test_lock_files_and_ole_documents(tmp_path):
    fake_ole = tmp_path / "fake.xls"
    fake_ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "OLE" in refused(fake_ole)


def test_a_megabyte_label_is_compared_cheaply(tmp_path, spec):
    """Label similarity is quadratic: a 1 MB text where a label belongs is ruled out by length."""
    from .workbooks import pasted_return

    def mutate(ws, rows):
        ws.cell(rows["received_fax"], 1, "传真申请" * 250_000)

    report = validate_file(pasted_return(tmp_path / "long.xlsx", spec, mutate=mutate))
    assert ("A29", "unexpected-row") in [(f.cell, f.code) for f in report.findings]


def test_many_sheets_on_one_part_count_once_each_and_add_up(tmp_path):
    """10,000 sheets naming one 200-cell part: parsed once, refused for 2,000,000 cells."""
    from .rawbooks import WORKBOOK

    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>1</v></c></row>'
        for r in range(1, 101)
    )
    many = "".join(f'<sheet name="s{k}" sheetId="{k + 1}" r:id="rId1"/>' for k in range(10_000))
    workbook = WORKBOOK.replace('<sheet name="统计表" sheetId="1" r:id="rId1"/>', many)
    path = raw_xlsx(tmp_path / "many.xlsx", sheet_xml(rows), extra={"xl/workbook.xml": workbook})
    assert "整个工作簿超过 1,000,000 个单元格" in refused(path)
