"""The entry grid of the page 数据填报 as data: stored values → the rows the user edits, edited rows → entries
to validate. Pure (DataFrames in and out), so the page only lays out."""
from __future__ import annotations

import pandas as pd

from dataio.validate import Entry
from vocab.labels import is_blank

GRID_SHEET = "填报表格"
GRID_COLUMNS = {"period": "期间", "value": "数值", "source": "来源", "note": "备注"}


def value_text(value: float, stages: list | tuple | None = None) -> str:
    """A stored value as the user types it: '95', '3.8', a stage name."""
    if stages:
        return stages[int(value)] if 0 <= value < len(stages) and float(value).is_integer() else f"{value:g}"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def grid_frame(observations: pd.DataFrame, region: str, indicator: str, stages: list | tuple | None) -> pd.DataFrame:
    """The grid for one region and indicator: period, value (text), source, note, plus is_sample, year, quarter and
    version (the version the save will compare against)."""
    obs = observations[(observations["region"] == region) & (observations["indicator"] == indicator)]
    return pd.DataFrame({
        "period": obs["period"].astype(str), "value": [value_text(v, stages) for v in obs["value"]],
        "source": obs["source"], "note": obs["note"], "is_sample": obs["is_sample"].astype(bool),
        "year": obs["year"], "quarter": obs["quarter"], "version": obs["version"],
    }).reset_index(drop=True)


def grid_entries(base: pd.DataFrame, edited: pd.DataFrame, region: str, indicator: str) -> list[Entry]:
    """Changed and added rows of the edited grid as entries (row = grid row number from 1); unchanged rows and
    empty added rows are left out."""
    entries = []
    for i, row in enumerate(edited.reset_index(drop=True).itertuples(index=False)):
        cells = [getattr(row, c) for c in GRID_COLUMNS]
        if i < len(base) and cells == [base.loc[i, c] for c in GRID_COLUMNS]:
            continue
        if i >= len(base) and all(is_blank(v) for v in cells):
            continue
        entries.append(Entry(sheet=GRID_SHEET, row=i + 1, region=region, code=indicator, period=row.period,
                             value=row.value, source=row.source, note=row.note, is_sample=False,
                             columns=dict(GRID_COLUMNS)))
    return entries


def seen_versions(base: pd.DataFrame, region: str, indicator: str) -> dict[tuple[str, str, int, int], int]:
    """(region, indicator, year, quarter) → the version shown in the grid: what the save expects to find."""
    return {(region, indicator, int(y), int(q)): int(v)
            for y, q, v in zip(base["year"], base["quarter"], base["version"])}
