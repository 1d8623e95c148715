"""Benchmark: validation against a bare python-calamine read, and start-up against bare Python.

    python bench/validate_bench.py [-n 200] [--batch 300] [--repeat 5] [--big 10000] [--jobs-batch 2000]

Every figure is measured in one run, side by side with its baseline, on the same files, and is
the median of ``--repeat`` runs (baseline and ours alternate, so noise hits both alike):

- in-process validation (``validate(files)``) against ``CalamineWorkbook.from_path(...)
  .get_sheet_by_index(0).to_python()`` on the same files, for typical 2014 returns, typical 2021
  returns (our template filled consistently, one typo, one number stored as text), the worst
  case (random values: every rule breaks and the repair search works hardest, both years) and
  the 2021 report pasted from Word (read by labels);
- where the in-process time goes, stage by stage (guard, grid, locate, values, check);
- the CLI on a batch (``disclosure-xlsx validate DIR --format json -o FILE``, start-up
  included) against a bare python-calamine script reading the same files, both as subprocesses;
  with ``--jobs`` in the CLI, the batch with one and with two workers as well;
- the peak memory of the CLI on the batch and, with ``--big N``, on N returns;
- ``disclosure-xlsx --help`` against ``python -c pass``.

Targets (issue 14, 2 cores): in-process typical ≤ 2x calamine; CLI batch of 300 ≤ 2.5x;
``--help`` ≤ 5x. Tests never assert timings; this script reports them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from disclosure_xlsx import load_spec
from disclosure_xlsx.check import check_values
from disclosure_xlsx.check.validate import validate
from disclosure_xlsx.read import read_values
from disclosure_xlsx.read.grid import read_grids
from disclosure_xlsx.read.guard import check_file
from disclosure_xlsx.read.locate import locate
from disclosure_xlsx.read.values import read_location
from disclosure_xlsx.spec import Spec
from disclosure_xlsx.write.template import template_bytes

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DISTINCT = 20  # distinct workbooks per population, copied round-robin up to n
EXE = sys.executable
_SCRIPT = Path(EXE).with_name("disclosure-xlsx")  # the console script, as users run it
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [EXE, "-m", "disclosure_xlsx"]
BARE_CALAMINE = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()
"""
PEAK_RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


# --- the files -----------------------------------------------------------------------------


def _clean_values(year: str) -> dict[str, object]:
    """The numbers of samples/clean_<year>.xlsx: a consistent return of that year."""
    return dict(read_values(SAMPLES / f"clean_{year}.xlsx").values)


def _typical(spec: Spec, k: int) -> dict[str, object]:
    """A consistent return with one swapped-digit typo and one number stored as text."""
    values = _clean_values(spec.year)
    numbers = [i for i, v in values.items() if isinstance(v, int) and v >= 10]
    typo = numbers[k % len(numbers)]
    digits = str(values[typo])
    values[typo] = int(digits[1] + digits[0] + digits[2:])  # 31 typed as 13
    texts = [i for i, v in values.items() if isinstance(v, int) and i != typo]
    text = texts[(3 * k) % len(texts)]
    values[text] = f"\u3000{values[text]}"
    return values


def _random(spec: Spec, rng: random.Random) -> dict[str, object]:
    """Random values in every cell: every rule breaks."""
    return {i.id: rng.choice([0, 0, 1, 2, 5, "\u30003", None]) for i in spec.data_items()}


def _filled(path: Path, spec: Spec, values: dict[str, object], name: str) -> None:
    """Our template with the values typed in, as it comes back: the helper formulas stay
    shared, as Excel and WPS keep them (a re-save by openpyxl would spell each one out)."""
    filled = {item.id: values.get(item.id, 0) for item in spec.data_items()}
    path.write_bytes(template_bytes(spec, name, values=filled))  # type: ignore[arg-type]


def make_files(folder: Path, n: int, year: str, kind: str) -> list[Path]:
    """N returns in our template: DISTINCT distinct ones, copied round-robin."""
    spec = load_spec(year)
    rng = random.Random(f"{year}-{kind}")
    folder.mkdir(parents=True)
    originals = []
    for k in range(min(n, DISTINCT)):
        path = folder / f"src_{k}.xlsx"
        values = _typical(spec, k) if kind == "typical" else _random(spec, rng)
        _filled(path, spec, values, f"单位{k}")
        originals.append(path)
    return _copies(originals, folder, n)


def _copies(originals: list[Path], folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        target = folder / f"dept_{i:05d}.xlsx"
        shutil.copyfile(originals[i % len(originals)], target)
        out.append(target)
    for path in originals:
        if path.parent == folder:
            path.unlink()
    return out


# --- timing --------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def side_by_side(
    ours: Callable[[], object], base: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Medians of ``repeat`` alternating runs: (ours, baseline)."""
    a, b = [], []
    for _ in range(repeat):
        b.append(timed(base))
        a.append(timed(ours))
    return statistics.median(a), statistics.median(b)


def bare_calamine(files: list[Path]) -> None:
    from python_calamine import CalamineWorkbook

    for f in files:
        CalamineWorkbook.from_path(str(f)).get_sheet_by_index(0).to_python()


#: Subprocesses run as an installed package does: with bytecode caches (an environment that
#: sets PYTHONDONTWRITEBYTECODE would make every run compile the package from source).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of one command (its process tree's largest), in MB."""
    out = subprocess.run(
        [EXE, "-c", PEAK_RSS, *cmd], capture_output=True, text=True, check=True, env=ENV
    )
    return int(out.stdout.strip()) / 1024


def stages(files: list[Path]) -> dict[str, float]:
    """Seconds spent in each step of reading and checking ``files``."""
    spent = dict.fromkeys(("guard", "grid", "locate", "values", "check"), 0.0)
    for path in files:
        t0 = time.perf_counter()
        fc = check_file(path)
        t1 = time.perf_counter()
        grids = read_grids(fc)
        t2 = time.perf_counter()
        where = locate(grids)
        t3 = time.perf_counter()
        values = read_location(where)
        t4 = time.perf_counter()
        check_values(values)
        t5 = time.perf_counter()
        for name, t in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            spent[name] += t
    return spent


def one_read(files: list[Path], repeat: int) -> dict[str, float]:
    """What reading each file once would save, in seconds over ``files``.

    The guard opens the zip and inflates every sheet's XML to scan it, then calamine opens the
    file and inflates the same XML again. Measured here without the guard's internals (which
    are being rewritten): the second inflation, and calamine reading the guard's bytes.
    """
    import io
    import zipfile

    from python_calamine import CalamineWorkbook

    def by_path() -> None:
        for f in files:
            CalamineWorkbook.from_path(str(f)).get_sheet_by_index(0).to_python()

    def by_bytes() -> None:
        for f in files:
            data = f.read_bytes()
            CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()

    def inflate() -> None:
        for f in files:
            with zipfile.ZipFile(f) as archive:
                for info in archive.infolist():
                    if info.filename.startswith("xl/worksheets/"):
                        archive.read(info)

    guard = statistics.median(timed(lambda: [check_file(f) for f in files]) for _ in range(repeat))
    bytes_, path = side_by_side(by_bytes, by_path, repeat)
    return {
        "guard": guard,
        "inflate": statistics.median(timed(inflate) for _ in range(repeat)),
        "from_path": path,
        "from_bytes": bytes_,
    }


# --- report --------------------------------------------------------------------------------


def line(label: str, ours: float, base: float, n: int, base_name: str, target: str = "") -> None:
    print(
        f"  {label:<34} {ours / n * 1000:8.2f} ms/file  vs {base / n * 1000:6.2f}  "
        f"{ours / base:5.2f}x {base_name}{'  ' + target if target else ''}"
    )


def cli_figures(root: Path, typical: list[Path], args: argparse.Namespace, repeat: int) -> None:
    """The CLI on a batch against a bare calamine script, --jobs, and peak memory."""
    batch = root / "batch"
    _copies(typical[:DISTINCT], batch, args.batch)
    report = root / "report.json"
    cli = [*CLI, "validate", str(batch), "--format", "json", "-o", str(report), "--force"]
    bare = [EXE, "-c", BARE_CALAMINE, str(batch)]
    run(cli)  # writes the bytecode caches
    ours, base = side_by_side(lambda: run(cli), lambda: run(bare), max(3, repeat // 2))
    print(f"\nCLI batch of {args.batch} typical 2014 returns, start-up included:")
    line(
        "disclosure-xlsx validate --format json",
        ours,
        base,
        args.batch,
        "bare calamine script",
        "(target <= 2.5x)",
    )
    help_text = subprocess.run(
        [*CLI, "validate", "--help"], capture_output=True, text=True, env=ENV
    )
    if "--jobs" in help_text.stdout:
        two, one = side_by_side(
            lambda: run([*cli, "--jobs", "2"]), lambda: run([*cli, "--jobs", "1"]), 3
        )
        print(f"  --jobs 2 vs --jobs 1, {args.batch} returns: {one / two:.2f}x the throughput")
        if args.jobs_batch:
            # the figure is for a large batch, where start-up no longer counts
            many = root / "many"
            _copies(typical[:DISTINCT], many, args.jobs_batch)
            many_cli = [*CLI, "validate", str(many), "--format", "json", "-o", str(report)]
            many_cli.append("--force")
            two, one = side_by_side(
                lambda: run([*many_cli, "--jobs", "2"]),
                lambda: run([*many_cli, "--jobs", "1"]),
                3,
            )
            print(
                f"  --jobs 2 vs --jobs 1, {args.jobs_batch} returns: {one / two:.2f}x the "
                f"throughput ({args.jobs_batch / two:.0f} files/s; target >= 1.7x)"
            )
    print(f"  peak RSS, {args.batch} returns: {peak_rss_mb(cli):.0f} MB")
    if args.big:
        big = root / "big"
        _copies(typical[:DISTINCT], big, args.big)
        big_cli = [*CLI, "validate", str(big), "--format", "json", "-o", str(report), "--force"]
        start = time.perf_counter()
        rss = peak_rss_mb(big_cli)
        took = time.perf_counter() - start
        print(f"  peak RSS, {args.big} returns: {rss:.0f} MB ({args.big / took:.0f} files/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="returns per in-process population")
    parser.add_argument("--batch", type=int, default=300, help="returns in the CLI batch")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--big", type=int, default=0, help="also the peak memory on N returns")
    parser.add_argument(
        "--jobs-batch", type=int, default=2000, help="returns for the --jobs figure (0: skip)"
    )
    args = parser.parse_args()
    n, repeat = args.n, args.repeat
    import disclosure_xlsx

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; median of {repeat} runs")
    print(f"disclosure_xlsx from {Path(disclosure_xlsx.__file__).parent}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        populations = {
            "typical 2014": make_files(root / "t14", n, "2014", "typical"),
            "typical 2021": make_files(root / "t21", n, "2021", "typical"),
            "worst case 2014 (every rule)": make_files(root / "w14", n, "2014", "random"),
            "worst case 2021 (every rule)": make_files(root / "w21", n, "2021", "random"),
            "pasted 2021 report (labels)": _copies(
                [SAMPLES / "errors_2021_粘贴.xlsx"], root / "p21", n
            ),
        }
        validate(populations["typical 2014"][:5])  # imports, spec loading, per-spec caches
        bare_calamine(populations["typical 2014"][:5])
        print(f"\nin-process validate() vs bare python-calamine read, {n} files each:")
        for label, files in populations.items():
            ours, base = side_by_side(
                partial(validate, files), partial(bare_calamine, files), repeat
            )
            line(label, ours, base, n, "calamine", "(target <= 2x)" if "typ" in label else "")

        print("\nwhere the in-process time goes (typical 2014; share of validate):")
        typical = populations["typical 2014"]
        spent = stages(typical)
        total = sum(spent.values())
        print(
            "  "
            + "  ".join(f"{k} {v / n * 1000:.2f} ms {v / total:4.0%}" for k, v in spent.items())
        )
        once = {k: v / n * 1000 for k, v in one_read(typical, repeat).items()}
        print(
            f"  one read per file: the guard {once['guard']:.2f} ms/file, of which opening the zip"
            f" and inflating the sheet XML (calamine does it again) {once['inflate']:.2f};\n"
            f"  calamine from the guard's bytes {once['from_bytes']:.2f} ms/file, from the path"
            f" {once['from_path']:.2f}"
        )

        if args.batch:  # 0: in-process figures only
            cli_figures(root, typical, args, repeat)

    t_help, t_pass = side_by_side(
        lambda: run([*CLI, "--help"]), lambda: run([EXE, "-c", "pass"]), max(7, repeat)
    )
    print("\nstart-up:")
    print(
        f"  disclosure-xlsx --help {t_help * 1000:6.0f} ms  vs python -c pass "
        f"{t_pass * 1000:4.0f} ms  {t_help / t_pass:5.2f}x  (target <= 5x)"
    )


if __name__ == "__main__":
    main()
