"""Rebuild the workbooks in samples/ (run from the repository root).

    python tools/make_samples.py [path/to/seed.txt]

- 环翠区商务局_2014_原表.xlsx: the seed table exactly as published in the 2014 report of
  环翠区商务局, laid out as a department pasting the Word table into a fresh sheet would:
  title rows, then 统计指标 | 单位 | 统计数, full-width spaces and all. Pure digits become numbers
  (as Excel does on paste); everything else stays text.
- clean_2014.xlsx: our template, filled consistently.
- errors_2014.xlsx: our template with the mistakes departments make.
- clean_2021.xlsx: our 2021 national-format template, filled consistently.
- errors_2021_粘贴.xlsx: the 2021 tables as pasted from a Word report (merged headers, labels
  over three columns, （六）其他处理 as one row) with the mistakes real published tables show.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from openpyxl import Workbook, load_workbook

from disclosure_xlsx.spec import load_spec
from disclosure_xlsx.spec.layout import layout
from disclosure_xlsx.write.template import template_bytes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.workbooks import consistent_2021, pasted_2021  # noqa: E402  (the Word-paste layout lives with the tests)

SAMPLES = ROOT / "samples"
DEFAULT_SEED = ROOT.parent / "shared" / "seeds" / "000_599af47892812144.txt"


def seed_rows(text: str) -> list[tuple[str, str, str]]:
    """(label, unit, value) triples of the seed table, raw text kept."""
    body = text.split("单位名称：环翠区商务局", 1)[1].split("（注：", 1)[0]
    rows = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        label, unit, value = block.removeprefix("\n").removeprefix("\t").split("\n\t")
        rows.append((label, unit, value))
    return rows


def excel_paste(value: str) -> object:
    """What Excel stores when the text is pasted: digits become numbers, the rest stays text."""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value) if "." in value else int(value)
    return value or None


def seed_workbook(seed: Path) -> None:
    rows = seed_rows(seed.read_text(encoding="utf-8"))
    header, items = rows[0], rows[1:]
    assert header[0].replace("\u3000", "") == "统计指标", header
    assert len(items) == 87, len(items)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["政府信息公开工作情况统计表"])
    ws.append(["（2014 年度）"])
    ws.append(["单位名称：环翠区商务局"])
    ws.append(list(header))
    for label, unit, value in items:
        ws.append([label, unit or None, excel_paste(value)])
    ws.append([])
    ws.append(["（注：各子栏目数总数要等于总栏目数量）"])
    ws.column_dimensions["A"].width = 70
    _save(wb, SAMPLES / "环翠区商务局_2014_原表.xlsx")


def filled(values: dict[str, object], unit_name: str, name: str, year: str = "2014") -> None:
    spec = load_spec(year)
    out = SAMPLES / name
    out.write_bytes(template_bytes(spec, unit_name))
    wb = load_workbook(out)
    ws = wb.active
    cells = layout(spec).value_cells
    for item in spec.data_items():
        ws[cells[item.id]] = values.get(item.id, 0)
    _save(wb, out)


def _save(wb: Workbook, path: Path) -> None:
    wb.properties.creator = "disclosure-xlsx samples"
    wb.save(path)
    print(f"wrote {path.relative_to(ROOT)}")


CLEAN = {
    "proactive_total": 120,
    "proactive_normative": 6,
    "normative_issued": 4,
    "channel_gazette": 10,
    "channel_website": 118,
    "channel_weibo": 40,
    "channel_wechat": 35,
    "response_hotspots": 3,
    "press_conferences": 2,
    "press_conferences_leaders": 1,
    "online_interviews": 1,
    "online_interviews_leaders": 1,
    "policy_explainers": 5,
    "requests_received": 7,
    "received_in_person": 2,
    "received_online": 4,
    "received_letter": 1,
    "requests_closed": 7,
    "closed_on_time": 7,
    "requests_answered": 7,
    "answer_disclosed": 4,
    "answer_partly_disclosed": 1,
    "answer_refused": 1,
    "refused_privacy": 1,
    "answer_not_exist": 1,
    "websites": 1,
    "websites_county": 1,
    "reading_rooms": 1,
    "reading_rooms_county": 1,
    "visitors": 36,
    "visitors_county": 36,
    "fees": 0,
    "dedicated_offices": 1,
    "capacity_reading_rooms": 1,
    "staff": 3,
    "staff_fulltime": 1,
    "staff_parttime": 2,
    "budget": 2.5,
    "meetings_held": 2,
    "trainings_held": 1,
    "trainees": 12,
}

ERRORS = {
    **CLEAN,
    "requests_received": 9,  # total-mismatch: parts add up to 7
    "received_online": "4件",  # number-as-text with a unit typed after it
    "answer_refused": 2,  # total-mismatch: only one reason given
    "reviews": "\u3000",  # whitespace-only blank
    "reviews_upheld": None,  # empty blank
    "press_conferences_leaders": 3,  # part-exceeds-whole: 3 > 2
    "capacity_reading_rooms": 2,  # cross-check: 十 says 1
    "budget": 25000,  # implausible: 万元 entered in 元
    "trainees": "见附件",  # not-a-number
    "staff_parttime": 2.5,  # not-integer
}


CLEAN_2021 = consistent_2021()

ERRORS_2021 = {
    **{k: v for k, v in CLEAN_2021.items() if not k.startswith("other_other.")},
    "other_handling.natural": 1,  # the 2019-2024 layout: （六）其他处理 as one row
    "other_handling.total": 1,
    "granted.total": 0,  # a 总计 left at 0 while its parts sum to 8
    "cases.review_pending": 10,  # typed for 1: the review total (3) no longer adds up
    "refused_secret.natural": "\u00a0",  # zeros written as non-breaking spaces
    "refused_law.natural": None,  # and as nothing at all
    "charges": "251000元",  # yuan in a 万元 cell
}


def errors_2021() -> None:
    spec = load_spec("2021")

    def misprint(ws, rows) -> None:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == "2.其他法律行政法规禁止公开":
                    cell.value = "2.其他法律行政止公开"  # misprinted in the published table
                elif isinstance(cell.value, str) and cell.value.startswith("1."):
                    cell.value = "1、" + cell.value[2:]  # renumbered
        ws.column_dimensions["A"].width = 30

    path = SAMPLES / "errors_2021_粘贴.xlsx"
    pasted_2021(path, spec, ERRORS_2021, single_other_row=True, mutate=misprint)
    wb = load_workbook(path)
    _save(wb, path)


def main() -> None:
    seed = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED
    SAMPLES.mkdir(exist_ok=True)
    seed_workbook(seed)
    filled(CLEAN, "区教育局", "clean_2014.xlsx")
    filled(ERRORS, "区文化旅游局", "errors_2014.xlsx")
    filled(CLEAN_2021, "区市场监督管理局", "clean_2021.xlsx", year="2021")
    errors_2021()


if __name__ == "__main__":
    main()
