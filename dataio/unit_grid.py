"""本单位填报 as data: every indicator a department may write, for one year or quarter, in one grid (last value and
its period beside each, unit and allowed range shown), and the edited grid back as entries to validate. Pure."""
from __future__ import annotations

from typing import Any

import pandas as pd

from dataio.grid import release_day, same_cell, value_text
from dataio.validate import INTEGER_MEASURES, Entry
from vocab.labels import VINTAGE_COLUMNS, data_status_text, is_blank
from vocab.periods import period_label

UNIT_GRID_SHEET = "本单位填报"
EDITABLE = {"value": "本期数值", "source": "来源", "note": "备注", **VINTAGE_COLUMNS}
UNIT_GRID_COLUMNS = {"name": "指标", "unit": "单位", "allowed": "允许范围", "last": "上期数值", **EDITABLE}
REFERENCE = ("allowed", "last")  # what the clerk reads beside the value (left out while marking vintages)


def period_text(year: int, quarter: int) -> str:
    """The period as the grid and the validator write it: '2020' or '2020Q3'."""
    return f"{int(year)}" if not quarter else f"{int(year)}Q{int(quarter)}"


def allowed_text(ind: Any) -> str:
    """What the validator accepts for an indicator, in words: stages, 0—100 for %, bounds and integers."""
    stages = list(ind["stages"] or [])
    if stages:
        return "、".join(stages)
    if ind["unit"] == "%":
        return "0—100"
    low = None if pd.isna(ind["min_value"]) else float(ind["min_value"])
    high = None if pd.isna(ind["max_value"]) else float(ind["max_value"])
    text = (f"{low:g}—{high:g}" if low is not None and high is not None else f"≥ {low:g}" if low is not None
            else f"≤ {high:g}" if high is not None else "任意数值")
    integer = int(ind["decimals"]) == 0 and ind["measure"] in INTEGER_MEASURES
    return text + ("，整数" if integer else "")


def unit_grid_frame(indicators: pd.DataFrame, observations: pd.DataFrame, region: str, codes: list[str], year: int,
                    quarter: int) -> pd.DataFrame:
    """One row per indicator code (catalogue order): code, name, unit, allowed, last (the latest value before the
    chosen period with its period, '95（2019年）'; also as last_value and last_period), value/source/note (the stored
    value of the period, if any, as typed text),
    data_status (its word, '' without a value) and released_on (date or None), is_sample and version (what the save
    compares against; NA = no value yet)."""
    inds = indicators.loc[indicators["code"].isin(codes)]
    obs = observations.loc[observations["region"] == region]
    here = obs.loc[(obs["year"] == year) & (obs["quarter"] == quarter)].set_index("indicator")
    t = obs["year"] * 10 + obs["quarter"].where(obs["quarter"] > 0, 4) + (obs["quarter"] == 0) * 0.5
    # a year's own quarters come before its whole-year value; a year's "previous" value is an earlier year's
    before = obs.assign(_t=t).loc[lambda d: d["_t"] < year * 10 + quarter]
    last = before.sort_values("_t").groupby("indicator").tail(1).set_index("indicator")
    rows = []
    for ind in inds.to_dict("records"):
        code, stages = ind["code"], ind["stages"]
        now = here.loc[code] if code in here.index else None
        prev = last.loc[code] if code in last.index else None
        last_value = value_text(prev["value"], stages) if prev is not None else ""
        rows.append({
            "code": code, "name": ind["name"], "unit": ind["unit"], "allowed": allowed_text(ind),
            "last": f"{last_value}（{period_label(int(prev['year']), int(prev['quarter']))}）" if prev is not None
            else "",
            "last_value": last_value, "last_period": str(prev["period"]) if prev is not None else "",
            "value": value_text(now["value"], stages) if now is not None else "",
            "source": str(now["source"]) if now is not None else "",
            "note": str(now["note"] or "") if now is not None else "",
            "data_status": data_status_text(now.get("data_status")) if now is not None else None,
            "released_on": release_day(now.get("released_on")) if now is not None else None,
            "is_sample": bool(now["is_sample"]) if now is not None else False,
            "version": int(now["version"]) if now is not None else None,
        })
    frame = pd.DataFrame(rows, columns=["code", *UNIT_GRID_COLUMNS, "last_value", "last_period", "is_sample",
                                        "version"])
    return frame.astype({"version": "Int64"})


def unit_grid_entries(base: pd.DataFrame, edited: pd.DataFrame, region: str, year: int,
                      quarter: int) -> list[Entry]:
    """The rows whose value, source, note or vintage changed, as entries (row = grid row from 1); a row left blank
    that had no value is skipped. Vintage columns the edited grid lacks keep the shown row's vintage."""
    entries = []
    shown = [c for c in EDITABLE if c in edited.columns]
    for i, row in enumerate(edited.reset_index(drop=True).to_dict("records")):
        if all(same_cell(_text(row[c]), _text(base.loc[i, c])) for c in shown):
            continue
        vintage = {c: row.get(c, base.loc[i, c]) for c in VINTAGE_COLUMNS}
        entries.append(Entry(sheet=UNIT_GRID_SHEET, row=i + 1, region=region, code=base.loc[i, "code"],
                             period=period_text(year, quarter), value=row["value"], source=row["source"],
                             note=row["note"], is_sample=False, columns=dict(EDITABLE), **vintage))
    return entries


def _text(value: Any) -> Any:
    """A cell compared as its text (a number typed 101 equals '101'), dates as dates, blanks as blank."""
    return value if is_blank(value) or hasattr(value, "year") else str(value)


def seen_versions(base: pd.DataFrame, region: str, year: int, quarter: int) -> dict[tuple[str, str, int, int], int]:
    """(region, indicator, year, quarter) → the version on screen; indicators without a value are left out
    ('I saw no value', so a value someone added meanwhile is not overwritten)."""
    return {(region, code, int(year), int(quarter)): int(v)
            for code, v in zip(base["code"], base["version"]) if not pd.isna(v)}
