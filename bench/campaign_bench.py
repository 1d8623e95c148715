"""Benchmark: a collection round of N departments sending V versions each.

    python bench/campaign_bench.py [-n 300] [-v 3] [--year 2021]

Generates the returns quickly (one filled template per version, then each department's copy by
rewriting only its name and stamp in the sheet's XML), then measures in one run, on the
same files: `validate` of all of them (the library's batch validation), `collect` of each
wave into the round, `status` (library, and the CLI with its start-up), and `total`. It prints
collect's ratio to validate: what the round adds to checking (copying into received/, hashing,
matching, recording each file in its own transaction).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from disclosure_xlsx import load_spec
from disclosure_xlsx.campaign import Campaign, Department
from disclosure_xlsx.campaign.names import name_key
from disclosure_xlsx.check.validate import validate
from disclosure_xlsx.spec.layout import Stamp
from disclosure_xlsx.write.template import template_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.workbooks import consistent_2021

NAME = "单位名称占位"
DEPT = "dXXXX"


def version_values(year: str, v: int, versions: int) -> dict[str, float]:
    """Earlier versions have an error (a total one off); the last one is consistent (items not
    named are 0)."""
    if year == "2021":
        values = consistent_2021()
        if v < versions:
            values["new.natural"] += v
        return values
    values = {"requests_received": 7, "received_online": 7, "requests_closed": 7}
    values.update({"closed_on_time": 7, "requests_answered": 7, "answer_disclosed": 7})
    if v < versions:
        values["received_online"] = 7 - v
    return values


def patched(data: bytes, name: str, dept: str) -> bytes:
    """The workbook with the placeholder name and department id replaced (inline strings)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = content.replace(NAME.encode(), name.encode()).replace(
                    f":{DEPT}<".encode(), f":{dept}<".encode()
                )
            dst.writestr(info, content)
    return out.getvalue()


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:8.2f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300, help="departments")
    parser.add_argument("-v", type=int, default=3, help="versions per department")
    parser.add_argument("--year", default="2021")
    args = parser.parse_args()
    n, versions, year = args.n, args.v, args.year
    spec = load_spec(year)
    with tempfile.TemporaryDirectory(prefix="dx-bench-") as tmp:
        base = Path(tmp)
        departments = [
            Department(f"d{k:03d}", f"区第{k:03d}局", name_key(f"区第{k:03d}局"))
            for k in range(1, n + 1)
        ]
        round_, _ = timed(
            f"init ({n} stamped templates)",
            lambda: Campaign.init(base / "round", departments, year, deadline="2099-12-31"),
        )

        def make() -> list[Path]:
            zeros = {i.id: 0 for i in spec.data_items()}
            waves = []
            for v in range(1, versions + 1):
                stamp = Stamp(round_.info.id, DEPT)
                data = template_bytes(
                    spec, NAME, values=zeros | version_values(year, v, versions), stamp=stamp
                )
                wave = base / f"wave{v}"
                wave.mkdir()
                for d in departments:
                    (wave / f"{d.name}_v{v}.xlsx").write_bytes(patched(data, d.name, d.id))
                waves.append(wave)
            return waves

        waves, _ = timed(f"generate {n} x {versions} returns", make)
        files = sorted(p for w in waves for p in w.iterdir())
        report, t_validate = timed(
            f"validate {len(files)} files (library)", lambda: validate(files)
        )
        t_collect = 0.0
        for v, wave in enumerate(waves, start=1):
            result, seconds = timed(
                f"collect wave {v} ({n} files)", lambda w=wave: round_.collect([w])
            )
            t_collect += seconds
            assert result.count("recorded") == n and result.unmatched == 0, result.line()
        status, t_status = timed("status (library)", round_.status)
        assert status.summary.ok == n, round_.report(status.departments[0].file or "")["findings"]
        assert all(d.versions == versions for d in status.departments)
        _, t_cli = timed(
            "status --format json (CLI, with start-up)",
            lambda: subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "disclosure_xlsx",
                    "campaign",
                    "status",
                    str(base / "round"),
                    "--format",
                    "json",
                ],
                check=False,
                capture_output=True,
            ),
        )
        total, t_total = timed("total (sums, 明细, 说明, validated)", round_.total)
        assert total.report is not None and total.report.status == "ok"
        round_.close()
        invalid = report.summary()["invalid"]
        print()
        print(
            f"validate: {len(files)} files, {invalid} with errors, {1000 * t_validate / len(files):.1f} ms/file"
        )
        print(
            f"collect / validate = {t_collect / t_validate:.2f}  ({1000 * t_collect / len(files):.1f} ms/file)"
        )
        print(
            f"status: {1000 * t_status:.0f} ms (library), {1000 * t_cli:.0f} ms (CLI); total: {t_total:.2f} s"
        )


if __name__ == "__main__":
    main()
