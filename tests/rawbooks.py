"""Workbooks written by hand, byte for byte: the XML a hostile or broken writer produces.

openpyxl cannot write a row without ``r``, a single-quoted attribute, a DOCTYPE or a lying zip
directory, so the tests that need them build the parts here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{main}"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="统计表" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def sheet_xml(sheet_data: str, before: str = "", prolog: str = "") -> str:
    """A worksheet part around ``sheet_data`` (the rows), with ``before`` ahead of it."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{NS}">'
        f"{before}<sheetData>{sheet_data}</sheetData></worksheet>"
    )


def strings_xml(strings: list[str], count: int | None = None) -> str:
    n = len(strings) if count is None else count
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" uniqueCount="{n}">{items}</sst>'
    )


def raw_xlsx(
    path: Path,
    sheet: str | bytes,
    strings: str | None = None,
    main: str = "xl/workbook.xml",
    extra: dict[str, bytes | str] | None = None,
) -> Path:
    """An xlsx package whose only sheet is the XML ``sheet``, exactly as given."""
    rels = main.rsplit("/", 1)
    rels_name = f"{rels[0]}/_rels/{rels[1]}.rels"
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES.format(main=main),
        "_rels/.rels": ROOT_RELS.format(main=main),
        main: WORKBOOK,
        rels_name: WORKBOOK_RELS.replace("worksheets/", "../xl/worksheets/").replace(
            '"sharedStrings.xml', '"../xl/sharedStrings.xml'
        )
        if not main.startswith("xl/")
        else WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings or strings_xml([]),
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a zip package member by member; ``change(name, data)`` may replace (or, with None,
    keep) each member's bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            new = change(info.filename, data)
            zout.writestr(info.filename, data if new is None else new)
    return dst
