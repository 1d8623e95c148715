"""Head to head: this checkout's ``validate()`` against another release's, in one process.

    python bench/compare_releases.py REV [-n 20] [--rounds 20]

On a shared machine the noise between two benchmark runs is larger than most changes, so the
two releases run alternately on the same returns (typical 2014 and 2021, as in
validate_bench.py), round after round, with a bare python-calamine read as the third
contestant; medians are printed, and the ratio of the two releases. REV is any git revision:
its ``disclosure_xlsx`` is unpacked under another package name in a temporary folder.
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from disclosure_xlsx.check.validate import validate
from disclosure_xlsx.spec import load_spec

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_bench import ROOT, bare_calamine, make_files


def other_release(rev: str, folder: Path) -> Callable[..., object]:
    """``validate`` of the release at ``rev``, imported as the package ``dx_other``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "disclosure_xlsx"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "disclosure_xlsx").rename(folder / "dx_other")
    sys.path.insert(0, str(folder))
    return importlib.import_module("dx_other.check.validate").validate  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("rev", help="the other release (a git revision)")
    parser.add_argument("-n", type=int, default=20, help="returns per year")
    parser.add_argument("--rounds", type=int, default=20, help="alternating rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        other = other_release(args.rev, root / "other")
        print(f"this checkout against {args.rev}, {args.rounds} rounds, medians (ms per file):")
        for year in ("2014", "2021"):
            load_spec(year)
            files = make_files(root / year, args.n, year, "typical")
            runs: dict[str, Callable[[list[Path]], object]] = {
                "other": other,
                "this": validate,
                "bare": bare_calamine,
            }
            for run in runs.values():
                run(files[:3])  # imports and per-spec caches
            times: dict[str, list[float]] = {k: [] for k in runs}
            for n in range(args.rounds):
                for key in runs if n % 2 else reversed(runs):
                    start = time.perf_counter()
                    runs[key](files)
                    times[key].append((time.perf_counter() - start) / len(files))
            m = {k: statistics.median(v) * 1000 for k, v in times.items()}
            print(
                f"  typical {year}: {args.rev} {m['other']:.2f} ({m['other'] / m['bare']:.2f}x "
                f"calamine)  this {m['this']:.2f} ({m['this'] / m['bare']:.2f}x)  "
                f"this/{args.rev} {m['this'] / m['other']:.2f}"
            )


if __name__ == "__main__":
    main()
