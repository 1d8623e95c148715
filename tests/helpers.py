"""Compare workbooks by what a user and our reader see, not by bytes."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook


def signature(path: Path) -> dict:
    """Cells, protection, validations, merged ranges, ids and print setup of the first sheet."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None or not c.protection.locked:
                cells[c.coordinate] = (
                    c.value,
                    c.protection.locked,
                    c.number_format if c.value is None else None,
                    c.alignment.indent,
                )
    validations = sorted(
        (str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.prompt, dv.error)
        for dv in ws.data_validations.dataValidation
    )
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names}
    return {
        "sheet": ws.title,
        "cells": cells,
        "protected": bool(ws.protection.sheet),
        "validations": validations,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "names": names,
        "hidden_columns": sorted(k for k, d in ws.column_dimensions.items() if d.hidden),
        "conditional": sorted(str(r.sqref) for r in ws.conditional_formatting),
        "paper": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth),
    }
