"""On paper: both blank templates and the annotated 2014 and 2021 copies, printed by
LibreOffice headless to PDF and each page rendered to PNG (pdftoppm), print legibly (no text
below 9 pt) and keep every part of the report on one page with its heading."""

from __future__ import annotations

import shutil
import sys

import pytest

from disclosure_xlsx.spec import load_spec

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import paper


@pytest.fixture(scope="module")
def printed(tmp_path_factory, soffice) -> dict[str, list[list[tuple[str, float]]]]:
    """Document -> pages -> (text line, smallest character size in points)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextLine

    work = tmp_path_factory.mktemp("paper")
    pdfs = paper.pdfs(paper.workbooks(work), work / "pdf")
    out: dict[str, list[list[tuple[str, float]]]] = {}
    for name, pdf in pdfs.items():
        pngs = paper.pages(pdf, work / "png")
        assert pngs and all(p.stat().st_size > 500 for p in pngs)  # each page rendered
        doc = []
        for page in extract_pages(pdf):
            lines: list[tuple[str, float]] = []

            def walk(node: object, lines: list[tuple[str, float]] = lines) -> None:
                if isinstance(node, LTTextLine):
                    sizes = [c.size for c in node if isinstance(c, LTChar)]
                    if sizes:
                        lines.append((node.get_text().strip(), min(sizes)))
                elif hasattr(node, "__iter__"):
                    for child in node:  # type: ignore[attr-defined]
                        walk(child)

            walk(page)
            doc.append(lines)
        out[name] = doc
    return out


@pytest.mark.parametrize("name", sorted(paper.DOCS))
def test_no_text_prints_below_9_points(printed, name):
    small = [(n, text, size) for n, page in enumerate(printed[name], 1) for text, size in page]
    assert small and min(size for _, _, size in small) >= 8.95, [s for s in small if s[2] < 8.95]


def _pages(doc: list[list[tuple[str, float]]], texts: list[str]) -> list[int]:
    """The page of each text, found in printed order (labels repeat across sections)."""
    lines = [(n, line.replace(" ", "")) for n, page in enumerate(doc) for line, _ in page]
    out, at = [], 0
    for text in texts:
        key = text.replace(" ", "")[:6]
        while key not in lines[at][1]:
            at += 1
        out.append(lines[at][0])
    return out


def test_2021_parts_start_with_their_tables(printed):
    spec = load_spec("2021")
    texts, part = [], ""
    for table in spec.tables:
        if table.part == part:
            continue
        part = table.part
        first = spec.row_items(table.id, table.rows[0])[0]
        texts += [table.part, first.row_label if table.row_labels else "件数"]
    pages = _pages(printed["blank_2021"], texts)
    assert len(pages) == 6 and pages[0::2] == pages[1::2]


def test_2014_sections_start_with_their_first_row(printed):
    items = load_spec("2014").items
    pages = _pages(printed["blank_2014"], [i.label for i in items])
    for n, item in enumerate(items[:-1]):
        if item.level == 0 and items[n + 1].level > 0:
            assert pages[n] == pages[n + 1], item.label


def test_the_readme_shows_one_page_of_each():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in paper.DOCS:
        assert (ROOT / "docs" / f"{name}.png").exists()
        assert f"docs/{name}.png" in readme
