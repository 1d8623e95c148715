"""A fixed corpus of returns whose reports are pinned in tests/golden/validate.json.gz.

The speed work rewrote how rules, suggestions, locating and cell reading run; this corpus is
how we know the findings, messages, suggestions and JSON did not change. It covers the samples,
workbooks in our template and pasted from the Word report (both years, read by ids and by
labels), and several hundred in-memory returns: consistent tables with one to four slips (a
typo, a blank, text, a number on a heading, 元 in a 万元 cell …) and tables of random values
where every rule breaks. Everything is seeded, so the corpus is the same on every run.

The golden file is gzipped JSON (``zcat`` it to read). Regenerate it only when a change of behaviour is intended:

    python -m tests.corpus
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from disclosure_xlsx.check import check_values
from disclosure_xlsx.check.report import FileReport, Report
from disclosure_xlsx.check.validate import validate
from disclosure_xlsx.read.values import ReturnValues
from disclosure_xlsx.spec import Spec, load_spec

from .workbooks import consistent_2021, pasted_2021, pasted_return, template_return

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden" / "validate.json.gz"

Data = dict[str, object]


def consistent(spec: Spec) -> Data:
    """A return of this year whose every rule holds (cells not named are 0)."""
    if spec.year == "2021":
        return dict(consistent_2021())
    return {
        "requests_received": 31,
        "received_online": 19,
        "received_letter": 12,
        "requests_closed": 31,
        "closed_on_time": 31,
        "staff": 2,
        "staff_parttime": 2,
    }


def _slip(rng: random.Random, spec: Spec, data: Data) -> None:
    """One thing a department gets wrong, in place."""
    items = [i for i in spec.items if i.is_data]
    named = [i for i in items if isinstance(data.get(i.id), (int, float)) and data.get(i.id)]
    item = rng.choice(named if named and rng.random() < 0.7 else items)
    value = data.get(item.id, 0)
    number = value if isinstance(value, (int, float)) else 0
    kind = rng.choice(
        [
            "typo",
            "typo",
            "typo",
            "blank",
            "blank",
            "whitespace",
            "text",
            "zero-word",
            "word",
            "negative",
            "fraction",
            "random",
            "heading",
            "yuan",
            "large",
        ]
    )
    if kind == "typo":
        s = str(int(number)) if float(number).is_integer() else str(number)
        if len(s) >= 2 and rng.random() < 0.5:
            k = rng.randrange(len(s) - 1)
            s = s[:k] + s[k + 1] + s[k] + s[k + 2 :]
        elif rng.random() < 0.5:
            k = rng.randrange(len(s) + 1)
            s = s[:k] + str(rng.randrange(1, 10)) + s[k:]
        else:
            k = rng.randrange(len(s))
            s = s[:k] + ("7" if s[k] != "7" else "1") + s[k + 1 :]
        data[item.id] = float(s) if "." in s else int(s)
    elif kind == "blank":
        data[item.id] = None
    elif kind == "whitespace":
        data[item.id] = rng.choice(["\u3000", " ", "\u00a0\u3000"])
    elif kind == "text":
        data[item.id] = rng.choice([f"\u3000{number}", f"{number}条", f" {number} ", f"{number}件"])
    elif kind == "zero-word":
        data[item.id] = rng.choice(["无", "—", "/", "暂无"])
    elif kind == "word":
        data[item.id] = rng.choice(["见附件", "约10", "10-12"])
    elif kind == "negative":
        data[item.id] = -(number or 3)
    elif kind == "fraction":
        data[item.id] = number + 0.5
    elif kind == "random":
        data[item.id] = rng.randrange(0, 60)
    elif kind == "heading":
        headings = [i for i in spec.items if not i.is_data]
        if headings:
            data[rng.choice(headings).id] = rng.randrange(1, 40)
    elif kind == "yuan":
        money = [i for i in items if i.unit == "万元"]
        if money:
            data[rng.choice(money).id] = f"{rng.randrange(1, 900) * 100}元"
    else:
        money = [i for i in items if i.unit == "万元"]
        if money:
            data[rng.choice(money).id] = rng.randrange(100_000, 9_000_000)


def random_data(rng: random.Random, spec: Spec) -> Data:
    """Random values in every cell: every rule breaks and the repair search works hardest."""
    return {
        i.id: rng.choice([0, 0, 1, 2, 5, 12, "\u30003", None, 0.5]) for i in spec.items if i.is_data
    }


def memory_cases() -> Iterator[tuple[str, Spec, Data, bool]]:
    """(name, spec, raw cell values, blank_as_zero) for the in-memory returns."""
    for year, slips, randoms in (("2014", 160, 20), ("2021", 160, 12)):
        spec = load_spec(year)
        rng = random.Random(f"golden-{year}")
        for k in range(slips):
            data = consistent(spec)
            for _ in range(1 + k % 4):
                _slip(rng, spec, data)
            yield f"mem-{year}-slips-{k:03d}", spec, data, k % 7 == 3
        for k in range(randoms):
            yield f"mem-{year}-random-{k:03d}", spec, random_data(rng, spec), k % 5 == 2


def workbook_cases(folder: Path) -> Iterator[tuple[str, Path, bool]]:
    """(name, file, blank_as_zero): the samples, then generated workbooks written to ``folder``."""
    for path in sorted(SAMPLES.glob("*.xlsx")):
        yield f"sample-{path.name}", path, False
        yield f"sample-{path.name}-blank-as-zero", path, True
    builders = {
        "2014": (("template", template_return), ("pasted", pasted_return)),
        "2021": (("template", template_return), ("pasted", pasted_2021)),
    }
    for year, kinds in builders.items():
        spec = load_spec(year)
        rng = random.Random(f"golden-files-{year}")
        for layout_name, build in kinds:
            for k in range(6):
                if k < 2:
                    data = random_data(rng, spec)
                else:
                    data = consistent(spec)
                    for _ in range(k - 1):
                        _slip(rng, spec, data)
                name = f"file-{year}-{layout_name}-{k}"
                path = folder / f"{name}.xlsx"
                build(path, spec, {i: v for i, v in data.items() if spec.item(i).is_data})
                yield name, path, k == 3
    yield from _mutated(folder)


def _structure_2014(ws: Any, rows: dict[str, int]) -> None:
    """Heading filled, unit changed, a label reworded, a row deleted, a stray row, a formula."""
    ws.cell(rows["proactive"], 3, "44\u3000")
    ws.cell(rows["fees"], 2, "元")
    ws.cell(rows["requests_received"], 3, "=C27+C28")
    ws.cell(rows["received_fax"], 1, "2、传真申请的数量")
    ws.delete_rows(rows["received_other"])
    ws.insert_rows(rows["requests_closed"] - 1)
    ws.cell(rows["requests_closed"] - 1, 1, "6.电话申请数")
    ws.cell(rows["requests_closed"] - 1, 2, "件")


def _structure_2021(ws: Any, rows: dict[str, int]) -> None:
    """Labels misprinted and renumbered, a stray row, a row deleted."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "2.其他法律行政法规禁止公开":
                cell.value = "2.其他法律行政止公开"
            if cell.value == "1.属于国家秘密":
                cell.value = "1、属于国家秘密"
    ws.delete_rows(rows["refused_query"])
    r = rows["granted"] + 1
    ws.insert_rows(r)
    ws.cell(r, 2, "（二）其中：网上申请")
    ws.cell(r, 4, 3)


def _template_rows_2014(ws: Any, rows: dict[str, int]) -> None:
    """Our template with a row inserted, a unit changed and a formula without a value."""
    ws.cell(rows["fees"], 2, "元")
    ws.cell(rows["requests_received"], 3, "=C27+C28")
    ws.insert_rows(rows["requests_closed"])
    ws.cell(rows["requests_closed"], 1, "其中：电话申请数")


def _mutated(folder: Path) -> Iterator[tuple[str, Path, bool]]:
    s14, s21 = load_spec("2014"), load_spec("2021")
    cases = (
        ("pasted-2014", pasted_return, s14, _structure_2014, {}),
        ("pasted-2014-col3", pasted_return, s14, _structure_2014, {"col": 3}),
        ("template-2014", template_return, s14, _template_rows_2014, {}),
        ("pasted-2021", pasted_2021, s21, _structure_2021, {}),
    )
    for name, build, spec, mutate, options in cases:
        path = folder / f"mutated-{name}.xlsx"
        build(path, spec, consistent(spec), mutate=mutate, **options)
        yield f"mutated-{name}", path, False
    path = folder / "variant-2021.xlsx"
    data = {k: v for k, v in consistent(s21).items() if not k.startswith("other_other")}
    pasted_2021(path, s21, data, single_other_row=True)
    yield "variant-2021", path, False


def _file_dict(report: FileReport, name: str) -> dict[str, Any]:
    return {
        lang: {**report.to_dict(lang), "path": name, "method": report.method}
        for lang in ("zh", "en")
    }


def reports(folder: Path) -> dict[str, Any]:
    """Every case's report, in both languages, keyed by case name."""
    out: dict[str, Any] = {}
    for name, spec, data, blank_as_zero in memory_cases():
        values = ReturnValues.of(spec, data)
        # NOTE: `ReturnValues.of` carries no label text, so every row would read as relabelled.
        findings = tuple(
            f for f in check_values(values, blank_as_zero) if f.code != "label-changed"
        )
        status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
        report = FileReport(name, status, spec.year, None, None, findings, "ids")
        out[name] = _file_dict(report, name)
    for name, path, blank_as_zero in workbook_cases(folder):
        (report,) = validate(path, blank_as_zero=blank_as_zero).files
        out[name] = _file_dict(report, name)
    summary = Report(()).to_dict()  # pins the envelope's shape too
    out["@envelope"] = {k: v for k, v in summary.items() if k != "files"}
    return out


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n"


def write_golden(data: dict[str, Any]) -> None:
    """Gzipped (the text is ~5 MB), with no timestamp, so the same reports give the same bytes."""
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_bytes(gzip.compress(dumps(data).encode("utf-8"), mtime=0))


def read_golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    return data


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_golden(reports(Path(tmp)))
    print(f"wrote {GOLDEN}")
