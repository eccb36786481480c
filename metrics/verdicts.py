"""Due-year verdicts: once a target's due year has passed it is judged on the value of its due year, and the
verdict stays whatever comes later.

A target is *judged* when the as-of period has reached the end of its due year plus `[verdict] years_after_due`
(as-of time ≥ due_year + years_after_due; 2020 and 2020Q4 judge a 2020 target, 2020Q2 does not, 2023 judges it on
2020's value). A judged row reads the data cut at its due year's end (`verdict_time`) and is 已完成 `met`,
未完成 `unmet` or — without a value for the due year itself — 无期末数据 `no_final_data`; never a pace status,
数据过期 or 无数据. A value after the due year is shown beside the verdict (`later_*`), never instead of it."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from metrics.status_data import EPS

JUDGED_STATUSES = ("met", "unmet", "no_final_data")
# the columns about the way ahead: NaN for a judged row (no forecast, no "still needed", no progress ratio)
PACE_COLUMNS = ("expected", "ratio", "required_annual_increase", "required_growth_rate", "forecast_linear",
                "forecast_compound", "forecast")
LATER_COLUMNS = ("later_value", "later_year", "later_reaches", "later_margin_pp", "later_is_sample")


def is_judged(due_year: Any, as_of_time: Any, settings: dict[str, Any]) -> np.ndarray:
    """True where the as-of time (year Y = Y, quarter q of Y = Y − 1 + q/4) has reached the due year's end
    (plus [verdict] years_after_due)."""
    after = float(settings.get("verdict", {}).get("years_after_due", 0))
    return np.asarray(as_of_time, dtype=float) >= np.asarray(due_year, dtype=float) + after - EPS


def verdict_time(due_year: Any, as_of_time: Any, judged: np.ndarray) -> np.ndarray:
    """The time each row's data is cut at: the due year's end for a judged row, the as-of time otherwise."""
    return np.where(judged, np.asarray(due_year, dtype=float), np.asarray(as_of_time, dtype=float))


def has_final_value(actual_t: Any, due_year: Any) -> np.ndarray:
    """The row's actual is the due year's whole-year value (or its Q4): the time of the actual is the due year's
    end. (NaN times — no actual — compare False.)"""
    with np.errstate(invalid="ignore"):
        return np.asarray(actual_t, dtype=float) >= np.asarray(due_year, dtype=float) - EPS


def judged_status(met: np.ndarray, final: np.ndarray) -> np.ndarray:
    """The verdict of a judged row: met or unmet on the due year's value; no_final_data without one."""
    return np.select([final & met, final], ["met", "unmet"], "no_final_data")


def later_columns(later: pd.DataFrame, n_rows: int, settings: dict[str, Any]) -> dict[str, np.ndarray]:
    """The later_* columns for n_rows judged-or-not rows, from `later`: each judged row recomputed on the whole-year
    values up to its as-of (columns owner = the judged row's position, actual, actual_year, goal, sign, kind,
    due_year, region_growth, margin_pp, is_sample). A later value is one of a year after the due year.

    later_value: the same quantity as actual (relative targets: the region's growth that year, a fraction);
    later_year; later_reaches: that value meets the goal (relative: margin ≥ clearly_above_pp); later_margin_pp
    (relative targets); later_is_sample: that value (or one it was computed from) is sample data."""
    value = np.full(n_rows, np.nan)
    year = np.full(n_rows, np.nan)
    reaches = np.zeros(n_rows, dtype=bool)
    margin = np.full(n_rows, np.nan)
    sample = np.zeros(n_rows, dtype=bool)
    if len(later):
        owner = later["owner"].to_numpy(dtype=np.int64)
        actual_year = later["actual_year"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            after = actual_year > later["due_year"].to_numpy(dtype=float) + EPS
        owner = owner[after]
        rel = later["kind"].to_numpy(dtype=object)[after] == "relative"
        actual = later["actual"].to_numpy(dtype=float)[after]
        goal = later["goal"].to_numpy(dtype=float)[after]
        growth = later["region_growth"].to_numpy(dtype=float)[after] if "region_growth" in later else np.nan
        margin_pp = later["margin_pp"].to_numpy(dtype=float)[after] if "margin_pp" in later else np.nan
        sign = later["sign"].to_numpy(dtype=float)[after]
        with np.errstate(invalid="ignore"):
            met_level = sign * (actual - goal) >= -EPS * np.fmax(np.abs(goal), 1.0)
            met_rel = margin_pp >= settings["relative"]["clearly_above_pp"] - EPS
        value[owner] = np.where(rel, growth, actual)
        year[owner] = actual_year[after]
        reaches[owner] = np.where(rel, met_rel, met_level)
        margin[owner] = np.where(rel, margin_pp, np.nan)
        sample[owner] = later["is_sample"].to_numpy(dtype=bool)[after]
    return {"later_value": value, "later_year": pd.array(year, dtype="Int64"), "later_reaches": reaches,
            "later_margin_pp": margin, "later_is_sample": sample}
