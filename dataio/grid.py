"""The entry grid of the page 数据填报 as data: stored values → the rows the user edits, edited rows → entries
to validate. Pure (DataFrames in and out), so the page only lays out."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from dataio.validate import Entry
from vocab.labels import VINTAGE_COLUMNS, data_status_text, is_blank

GRID_SHEET = "填报表格"
GRID_COLUMNS = {"period": "期间", "value": "数值", "source": "来源", "note": "备注", **VINTAGE_COLUMNS}


def value_text(value: float, stages: list | tuple | None = None) -> str:
    """A stored value as the user types it: '95', '3.8', a stage name."""
    if stages:
        return stages[int(value)] if 0 <= value < len(stages) and float(value).is_integer() else f"{value:g}"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def release_day(value: Any) -> date | None:
    """A stored release date (Timestamp, date or NaT) as the date the grid shows, None when not given."""
    return None if is_blank(value) else pd.Timestamp(value).date()


def vintage_cells(observations: pd.DataFrame) -> dict[str, list]:
    """The 数据状态 word and the 发布日期 of stored values, as the grids show them."""
    status = observations["data_status"] if "data_status" in observations else pd.Series("unstated",
                                                                                          index=observations.index)
    released = observations["released_on"] if "released_on" in observations else pd.Series(None,
                                                                                             index=observations.index)
    return {"data_status": [data_status_text(s) for s in status], "released_on": [release_day(d) for d in released]}


def grid_frame(observations: pd.DataFrame, region: str, indicator: str, stages: list | tuple | None) -> pd.DataFrame:
    """The grid for one region and indicator: period, value (text), source, note, 数据状态 (word), 发布日期 (date or
    None), plus is_sample, year, quarter and version (the version the save will compare against)."""
    obs = observations[(observations["region"] == region) & (observations["indicator"] == indicator)]
    return pd.DataFrame({
        "period": obs["period"].astype(str), "value": [value_text(v, stages) for v in obs["value"]],
        "source": obs["source"], "note": obs["note"], **vintage_cells(obs),
        "is_sample": obs["is_sample"].astype(bool), "year": obs["year"], "quarter": obs["quarter"],
        "version": obs["version"],
    }).reset_index(drop=True)


def same_cell(a: Any, b: Any) -> bool:
    """Two grid cells hold the same thing (blank is blank however the editor hands it back: None, '', NaN, NaT)."""
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    if isinstance(a, (date, pd.Timestamp)) and isinstance(b, (date, pd.Timestamp)):
        return pd.Timestamp(a) == pd.Timestamp(b)
    return a == b


def grid_entries(base: pd.DataFrame, edited: pd.DataFrame, region: str, indicator: str) -> list[Entry]:
    """Changed and added rows of the edited grid as entries (row = grid row number from 1); unchanged rows and
    empty added rows are left out. Vintage columns the edited grid lacks keep the shown row's vintage."""
    entries = []
    shown = [c for c in GRID_COLUMNS if c in edited.columns]
    for i, row in enumerate(edited.reset_index(drop=True).to_dict("records")):
        cells = [row[c] for c in shown]
        if i < len(base) and all(same_cell(a, base.loc[i, c]) for a, c in zip(cells, shown)):
            continue
        if i >= len(base) and all(is_blank(v) for v in cells):
            continue
        vintage = {c: row[c] if c in row else (base.loc[i, c] if i < len(base) else None) for c in VINTAGE_COLUMNS}
        entries.append(Entry(sheet=GRID_SHEET, row=i + 1, region=region, code=indicator, period=row["period"],
                             value=row["value"], source=row["source"], note=row["note"], is_sample=False,
                             columns=dict(GRID_COLUMNS), **vintage))
    return entries


def seen_versions(base: pd.DataFrame, region: str, indicator: str) -> dict[tuple[str, str, int, int], int]:
    """(region, indicator, year, quarter) → the version shown in the grid: what the save expects to find."""
    return {(region, indicator, int(y), int(q)): int(v)
            for y, q, v in zip(base["year"], base["quarter"], base["version"])}
