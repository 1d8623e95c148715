"""Benchmark: what reading in worker processes costs (check/batch.py).

    python bench/isolation_bench.py [-n 300]

Validates N copies of the samples in this process (jobs=None), in one worker (jobs=1) and in
two (jobs=2), twice each, and one file each way (the first isolated call starts the fork
server). Run on a quiet machine: the numbers are wall-clock seconds.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from disclosure_xlsx.check.validate import validate

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.xlsx"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(args.n):
            shutil.copyfile(SAMPLES[i % len(SAMPLES)], folder / f"f{i:04d}.xlsx")
        one = folder / "f0000.xlsx"
        for label, paths in (("1 file", one), (f"{args.n} files", folder)):
            for jobs in (None, 1, 2) * 2:
                start = time.perf_counter()
                validate(paths, jobs=jobs)
                print(f"{label:>10}  jobs={jobs!s:4}  {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
