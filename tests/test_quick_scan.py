"""The guard's quick scan finds exactly what the parser finds, or leaves the sheet to it.

Every sheet of the samples, of our templates and of a few hundred fuzzed workbooks goes both
ways: where the quick scan answers, its answer (cells, area, formulas without a value,
dimension, or the refusal) must be the parser's.
"""

from __future__ import annotations

import io
import sys
import zipfile

import pytest

from disclosure_xlsx.errors import UnreadableError
from disclosure_xlsx.read.ooxml import _CELL_R, QUICK_BYTES, _Cells, quick_scan
from disclosure_xlsx.read.safexml import parse
from disclosure_xlsx.spec import load_spec
from disclosure_xlsx.write.template import template_bytes

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import fuzz


def _sheets(data: bytes) -> list[bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [
                z.read(n)
                for n in z.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")
            ]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, KeyError):
        return []
    except Exception:  # zlib errors and other damage: not a sheet to compare
        return []


def _both(xml: bytes) -> tuple[object, object]:
    def run(how):
        try:
            return how()
        except UnreadableError as exc:
            return ("refused", exc.text.en.split(":")[0])

    def full():
        cells = _Cells("sheet.xml", "S")
        try:
            parse(io.BytesIO(xml), cells, "sheet.xml", 100 * 1024 * 1024)
        except UnreadableError:
            raise
        return cells.scan()

    quick = run(lambda: quick_scan(xml, "S")) if len(xml) <= QUICK_BYTES else None
    return quick, run(full)


def _corpus() -> list[bytes]:
    books = [p.read_bytes() for p in sorted((ROOT / "samples").glob("*.xlsx"))]
    books += [template_bytes(load_spec(y), "甲") for y in ("2014", "2021")]
    books += [m.data for m in fuzz.mutants(11, 400)]
    return [xml for book in books for xml in _sheets(book)]


def test_quick_scan_agrees_with_the_parser():
    answered = 0
    for xml in _corpus():
        quick, full = _both(xml)
        if quick is None:
            continue
        answered += 1
        if isinstance(quick, tuple):  # the quick scan refused: so must the parser
            assert isinstance(full, tuple), xml[:200]
        else:
            assert quick == full, xml[:200]
    assert answered > 100  # plain sheets are the common case


@pytest.mark.parametrize(
    "cell",
    [
        b'<c t="n" r="B2"><v>1</v></c>',  # r not first: the counts still hold
        b'<c r="B2" foo=\'r="A1"\'><v>1</v></c>',  # a quote: the parser decides
        b"<c><v>1</v></c>",  # no r
        b'<c r="B2" r="XFD1"><v>1</v></c>',  # two r
        b'<c r="B2" s="1"r="XFD1"><v>1</v></c>',  # a second r run on (calamine takes it)
        b'<c r="B2" s="a>b"><v>1</v></c>',  # a '>' in a value
        b'<c r="B2" t="inlineStr"><is><t> r="XFD1"</t></is></c>',  # r's spelling in text
        b'<cx r="B2"/>',  # another element whose name starts with c
        b'<x:c r="B2"><v>1</v></x:c>',  # prefixed
        b'<c r="B02"><f>1</f></c>',  # a leading zero: the same cell B2, a formula without value
    ],
)
def test_crafted_cells_are_left_to_the_parser_or_agree(cell):
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="2">' + cell + b"</row></sheetData></worksheet>"
    )
    quick, full = _both(xml)
    assert quick is None or quick == full


_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.mark.parametrize(
    "body",
    [
        b'<sheetData><row r="1"><c r="A1"/><!-- <c r="XFD9"/> --></row></sheetData>',
        b'<sheetData><row r="1"><c r="A1"><is><t><![CDATA[<c r="XFD9"/>]]></t></is></c>'
        b"</row></sheetData>",
        b'<sheetData><row r="1"><c r="A1"/><?pi x?></row></sheetData>',
        # a tag left open just before the end of the cells: a reader's tag runs on past it
        b'<sheetData><row r="1"><c r="A1" s="1</row></sheetData>',
        b'<sheetData><row r="1"><c r="A1" s="1"></row></sheetData>',  # not closed
    ],
)
def test_markup_the_quick_scan_does_not_read_goes_to_the_parser(body):
    assert quick_scan(_NS + body + b"</worksheet>", "S") is None


def test_what_follows_the_cells_is_not_the_quick_scans_business():
    """Every reader stops at the end of the cells: damage after it changes nothing."""
    xml = _NS + b'<sheetData><row r="1"><c r="B1"><v>1</v></c></row></sheetData><merge'
    quick, full = _both(xml)
    assert quick is not None and quick == full
    assert quick_scan(b'<?xml version="1.0"?>' + xml, "S") == quick  # declaration aside


def test_asking_cell_by_cell_agrees_with_the_parser():
    """Asked about one cell (as the reader asks about empty cells), the quick scan's answer is
    the parser's, whether its list of formula cells answers or the full search does. Each
    formula cell without a value is asked first, on a scan asked nothing before (a first
    answer from the full search would answer every later question)."""
    asked = 0
    for xml in _corpus():
        quick, full = _both(xml)
        if quick is None or isinstance(quick, tuple) or isinstance(full, tuple):
            continue
        for ref in sorted(full.formulas_without_value)[:5]:
            fresh = quick_scan(xml, "S")
            assert fresh is not None and ref in fresh.formulas_without_value, (ref, xml[:200])
            asked += 1
        fresh = quick_scan(xml, "S")
        assert fresh is not None
        for col, row in _CELL_R.findall(xml):
            ref = f"{col.decode()}{int(row)}"
            if int(row) > 0 and ref not in full.formulas_without_value:
                assert ref not in fresh.formulas_without_value, (ref, xml[:200])
                asked += 1
    assert asked > 1000


def test_asking_out_of_order_agrees_with_the_parser():
    """The reader asks in row order, and the search for each cell goes on from the last one:
    a question about an earlier cell still finds it."""
    asked = 0
    for xml in _corpus()[:40]:
        quick, full = _both(xml)
        if quick is None or isinstance(quick, tuple) or isinstance(full, tuple):
            continue
        fresh = quick_scan(xml, "S")
        assert fresh is not None
        for col, row in reversed(_CELL_R.findall(xml)):
            ref = f"{col.decode()}{int(row)}"
            if int(row) > 0:
                assert (ref in fresh.formulas_without_value) == (
                    ref in full.formulas_without_value
                ), (ref, xml[:200])
                asked += 1
    assert asked > 100


@pytest.mark.parametrize(
    "cells",
    [
        b'<c r="A01"><f>1+1</f></c>',  # a row number with a leading zero
        b'<c r="A1"><v></v><f>1+1</f></c>',  # formula after an empty value: not first child
        b'<c r="A1"/><f>1</f><c r="B1"><v></v><f>2</f></c>',  # a stray formula compensates
        b'<c r="A1" t="inlineStr"><is><t>x</t></is><f>1</f></c>',  # after inline text
        b'<c r="A1" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>x</t></r></is></c>'
        b'<c r="B1"><f>1</f></c>',  # a font family counts as "<f"
        b'<c r="A1" s="a/>b"><f>1</f></c>',  # a '/>' inside a value is no end of the cell
        b'<c r="A1"><f>1+1</f><v></v></c>',  # an empty value is none
        b'<c r="A1"><f>1+1</f><v foo="x">2</v></c>',  # a value with an attribute is one
        b'<c r="A1" at="str"><f>1+1</f><v/></c>',  # t="str" inside another name is not t
        b'<c r="A1" t = "str"><f>1+1</f><v/></c>',  # t spaced out is t
        b'<c r="A1"/><c r="A1"><f>1</f></c>',  # the same cell twice, the second a formula
        b'<c r="A1"><c r="B1"/><f>1</f></c>',  # a cell inside a cell
        b'<c r="A1"><v>1</v></c><c r="B1"><is><t>x</t></is><f>1</f></c>',
    ],
)
def test_formulas_written_otherwise_are_still_found_cell_by_cell(cells):
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>"
    )
    quick, full = _both(xml)
    if quick is None or isinstance(full, tuple):
        return
    for ref in ("A1", "B1", "C1"):
        fresh = quick_scan(xml, "S")  # asked nothing before
        assert fresh is not None
        assert (ref in fresh.formulas_without_value) == (ref in full.formulas_without_value)


def test_a_cell_not_written_then_others_agree_with_the_parser():
    """Once a cell is not found at all, a map of every cell answers: the same answers."""
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1"><f>1</f></c><c r="B1"><v>2</v></c></row>'
        b'<row r="2"><c r="A2"/><c r="B2"><f>3</f><v>3</v></c></row></sheetData></worksheet>'
    )
    quick, full = _both(xml)
    assert quick is not None and not isinstance(quick, tuple) and not isinstance(full, tuple)
    for ref in ("Z9", "B2", "A1", "A2", "B1", "C1"):
        assert (ref in quick.formulas_without_value) == (ref in full.formulas_without_value), ref
    assert "A1" in full.formulas_without_value
