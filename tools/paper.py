"""Print what departments and clerks print, and look at it: workbooks -> PDF -> PNG pages.

    python tools/paper.py            # writes docs/*.png (one page of each, as the README shows)
    python tools/paper.py --out DIR  # every page of every document, for review

The documents: both blank templates, and the annotated copies of samples/errors_2014.xlsx and
samples/errors_2021_粘贴.xlsx. LibreOffice (soffice) and pdftoppm (poppler-utils) are needed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from disclosure_xlsx.check.validate import validate  # noqa: E402
from disclosure_xlsx.spec import load_spec  # noqa: E402
from disclosure_xlsx.write.annotate import annotate  # noqa: E402
from disclosure_xlsx.write.office import convert_many  # noqa: E402
from disclosure_xlsx.write.template import template_bytes  # noqa: E402

#: document name -> the page the README shows
DOCS = {
    "blank_2014": 1,
    "blank_2021": 2,
    "annotated_2014": 1,
    "annotated_2021": 1,
}


def workbooks(folder: Path) -> dict[str, Path]:
    """The four documents as workbooks in ``folder``."""
    out = {}
    for year in ("2014", "2021"):
        path = folder / f"blank_{year}.xlsx"
        path.write_bytes(template_bytes(load_spec(year)))
        out[f"blank_{year}"] = path
    samples = ROOT / "samples"
    report = validate([samples / "errors_2014.xlsx", samples / "errors_2021_粘贴.xlsx"])
    copies = annotate(report, folder / "annotated")
    for name, copy in zip(("annotated_2014", "annotated_2021"), copies, strict=True):
        assert copy.output is not None, copy.error
        target = folder / f"{name}.xlsx"
        shutil.copy(copy.output, target)
        out[name] = target
    return out


def pdfs(books: dict[str, Path], folder: Path) -> dict[str, Path]:
    """Every workbook printed to PDF by LibreOffice headless (one start for all)."""
    names = list(books)
    converted = convert_many([books[n] for n in names], "pdf", folder, folder / "profile")
    return dict(zip(names, converted, strict=True))


def pages(pdf: Path, folder: Path, dpi: int = 80) -> list[Path]:
    """Each page of ``pdf`` as a PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = folder / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return sorted(folder.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write every page here instead of docs/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        printed = pdfs(workbooks(work), work / "pdf")
        target = args.out or ROOT / "docs"
        target.mkdir(parents=True, exist_ok=True)
        for name, pdf in printed.items():
            rendered = pages(pdf, work / "png")
            if args.out:
                for page in rendered:
                    shutil.copy(page, target / page.name)
            else:
                shutil.copy(rendered[DOCS[name] - 1], target / f"{name}.png")
            print(f"{name}: {len(rendered)} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
