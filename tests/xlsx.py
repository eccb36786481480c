"""Workbooks built in the tests, the way clerks make them (openpyxl), for the import corpus."""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook

LONG_HEADER = ("地区", "指标", "期间", "数值", "来源")


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def long_table(rows: Sequence[Sequence[Any]], header: Sequence[str] = LONG_HEADER, sheet: str = "数据",
               above: Sequence[Sequence[Any]] = ()) -> bytes:
    """One sheet: optional rows above the header, the header, then the rows (None = an empty cell)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in [*above, header, *rows]:
        ws.append(list(r))
    return to_bytes(wb)


def fill_template(data: bytes, values: dict[tuple[str, str, int], Any], sources: dict[tuple[str, str], str],
                  region: str | None = None) -> bytes:
    """Type values into the downloaded template like a clerk: (sheet, code, year) → value, (sheet, code) → 来源."""
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets[1:]:
        header = {c.value: c.column for c in ws[3]}
        rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
        if region:
            ws["B1"] = region
        for (sheet, code, year), value in values.items():
            if sheet == ws.title:
                ws.cell(row=rows[code], column=header[year], value=value)
        for (sheet, code), source in sources.items():
            if sheet == ws.title:
                ws.cell(row=rows[code], column=header["来源（必填）"], value=source)
    return to_bytes(wb)
