"""Benchmark: batch validation against bare readers, and start-up against bare Python.

    python bench/validate_bench.py [-n 500]

Everything is measured in one run on the same files, so the ratios hold on a noisy machine.
Targets (2 cores): batch validation within 3x the bare python-calamine read; `--help` start-up
within 10x `python -c pass`.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from disclosure_xlsx import load_spec
from disclosure_xlsx.check.validate import validate
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.template import template_bytes

DISTINCT = 20
SAMPLE_2021 = Path(__file__).resolve().parent.parent / "samples" / "errors_2021_粘贴.xlsx"


def copies(src: Path, folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True)
    out = [folder / f"dept_{i:04d}.xlsx" for i in range(n)]
    for path in out:
        shutil.copyfile(src, path)
    return out


def make_files(folder: Path, n: int, typical: bool = False) -> list[Path]:
    """N returned workbooks: DISTINCT filled templates, copied round-robin.

    Random numbers in every cell (the worst case: every rule breaks, so repair searches hard),
    or, with ``typical``, a consistent table with one swapped-digit typo and a text number.
    """
    spec = load_spec("2014")
    cells = layout(spec).value_cells
    rng = random.Random(2014)
    originals = []
    for k in range(min(n, DISTINCT)):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"src_{k}.xlsx"
        path.write_bytes(template_bytes(spec, f"单位{k}"))
        wb = load_workbook(path)
        ws = wb.active
        for item in spec.data_items():
            ws[cells[item.id]] = 0 if typical else rng.choice([0, 0, 1, 2, 5, "\u30003", None])
        if typical:
            for item_id, value in {
                "requests_received": 31 + k,
                "received_online": 19 + k,
                "received_letter": 21,  # typed for 12: the sum breaks by 9
                "requests_closed": 31 + k,
                "closed_on_time": 31 + k,
                "staff": "\u30002",
                "staff_parttime": 2,
            }.items():
                ws[cells[item_id]] = value
        wb.save(path)
        originals.append(path)
    files = []
    for i in range(n):
        target = folder / f"dept_{i:04d}.xlsx"
        shutil.copyfile(originals[i % len(originals)], target)
        files.append(target)
    return files


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare_calamine(files: list[Path]) -> None:
    from python_calamine import CalamineWorkbook

    for f in files:
        CalamineWorkbook.from_path(str(f)).get_sheet_by_index(0).to_python()


def bare_openpyxl(files: list[Path]) -> None:
    for f in files:
        wb = load_workbook(f, read_only=True, data_only=True)
        list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()


def startup(cmd: list[str], runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="number of returned workbooks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_files(Path(tmp) / "random", args.n)
        typical = make_files(Path(tmp) / "typical", args.n, typical=True)
        pasted21 = copies(SAMPLE_2021, Path(tmp) / "pasted21", args.n)
        bare_calamine(files[:5])  # warm the page cache and imports
        t_cal = timed(lambda: bare_calamine(files))
        t_ours = timed(lambda: validate(files))
        t_typ = timed(lambda: validate(typical))
        t_cal21 = timed(lambda: bare_calamine(pasted21))
        t_21 = timed(lambda: validate(pasted21))
        t_opx = timed(lambda: bare_openpyxl(files))
    exe = Path(sys.executable)
    t_pass = startup([str(exe), "-c", "pass"])
    t_help = startup([str(exe), "-m", "disclosure_xlsx", "--help"])
    n = args.n
    print(f"files: {n}")
    print(f"bare python-calamine read : {t_cal:7.2f} s  {n / t_cal:8.0f} files/s  (baseline)")
    print(
        f"validate, random values   : {t_ours:7.2f} s  {n / t_ours:8.0f} files/s  "
        f"{t_ours / t_cal:5.2f}x calamine (worst case: every rule broken)"
    )
    print(
        f"validate, typical returns : {t_typ:7.2f} s  {n / t_typ:8.0f} files/s  "
        f"{t_typ / t_cal:5.2f}x calamine (target <= 3x)"
    )
    print(
        f"2021 pasted report        : {t_21:7.2f} s  {n / t_21:8.0f} files/s  "
        f"{t_21 / t_cal21:5.2f}x calamine on the same files"
    )
    print(
        f"bare openpyxl read-only   : {t_opx:7.2f} s  {n / t_opx:8.0f} files/s  "
        f"{t_opx / t_cal:5.2f}x calamine"
    )
    print(f"python -c pass            : {t_pass * 1000:7.0f} ms (baseline)")
    print(
        f"disclosure-xlsx --help    : {t_help * 1000:7.0f} ms  {t_help / t_pass:5.2f}x (target <= 10x)"
    )


if __name__ == "__main__":
    main()
