"""Progress, pace, forecast and status of every target, per region, as of a period.

The SDG-monitor method (Eurostat SDG monitoring report; SDSN Sustainable Development Report): progress ratio =
progress made since the baseline ÷ progress required by now to be on the path from the baseline to the target.
README "Metrics" gives every formula; the short form:

* linear path:   ratio = (actual − baseline) ÷ (expected − baseline), expected = baseline + (goal − baseline)·f,
  f = elapsed share of the path (time of the latest value − path start) ÷ (due year − path start), clipped to 0..1;
* compound path: ratio = actual CAGR since the baseline ÷ CAGR required from the baseline to the goal by the due year;
* cagr targets ("年均增长10%以上"): actual = CAGR (%) from the base-year value to the latest; ratio = actual ÷ goal;
* status: met when the goal is reached; else stale when the latest value is too old; else on_track (ratio ≥
  settings status.on_track), moderate (≥ status.moderate), off_track (≥ 0), reverse (< 0); no_data without a value;
* due-year verdict (metrics.verdicts): once the due year has passed, the row reads the data cut at its due year's
  end and is met, unmet or no_final_data; later values only fill the later_* columns.

`goal` is the value the status tests against: the target for ≥ and ≤, value × (1 − tolerance) for 左右 (rounded up
to a whole number on integer measures: decimals 0 and a stock or flow), the lower bound for a range, the stage index
for a milestone, the growth rate in % for cagr, and for a relative target the level this year that would be clearly
above the benchmark's growth.

The steps live beside this module: metrics.status_data (the observations cut per row), metrics.status_kinds
(actual, baseline, goal per kind), metrics.status_pace (path, ratio, pace, forecast), metrics.verdicts,
metrics.status_vintage (sources, sample flags and the vintage of the values used: actual_status, benchmark_status,
provisional, data_released_on).

Columns always finite unless status is no_data, or the row is judged: actual, baseline, goal, target_value
(target_low/high for ranges), attainment, gap, expected, required_annual_increase, actual_annual_increase, ratio,
years_elapsed, years_remaining. With no_data, the NEED_ACTUAL columns are NaN (baseline, goal and expected stay when
known). A judged row has NaN verdicts.PACE_COLUMNS and forecast_reaches False; with no_final_data its attainment and
gap are NaN too (actual is then the last value before the due year's end, actual_year says which year).
May be NaN (never ±inf): required_growth_rate / actual_growth_rate where a growth rate is undefined (a value ≤ 0
or no time elapsed), region_growth / benchmark_growth / margin_pp and their averages (non-relative targets),
forecast_linear / forecast_compound / forecast with fewer than two points to fit (forecast_reaches is then False).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from metrics import verdicts
from metrics.status_data import EPS, Cut, ObservationIndex, period_time
from metrics.status_kinds import actuals
from metrics.status_pace import forecast, progress
from metrics.status_vintage import VINTAGE_OUTPUT, provenance, provisional_status
from vocab import labels

__all__ = ["EPS", "OUTPUT", "period_time", "status_for_ratio", "target_status", "target_status_at"]

IDENTITY = ["policy", "region", "code", "indicator", "indicator_name", "area", "unit", "decimals", "kind",
            "comparator", "tier", "clause", "quote", "start_year", "due_year", "benchmark", "headline",
            "task_clause", "lead_units", "responsible_units"]
OUTPUT = IDENTITY + [
    "target_value", "target_low", "target_high", "goal",
    "base_year", "baseline", "baseline_year", "actual", "actual_year", "actual_quarter",
    "years_elapsed", "years_remaining", "is_sample", "sources", "missing_years",
    "attainment", "gap", "expected", "required_annual_increase", "required_growth_rate",
    "actual_annual_increase", "actual_growth_rate", "ratio",
    "region_growth", "benchmark_growth", "margin_pp", "region_growth_avg", "benchmark_growth_avg",
    "forecast_linear", "forecast_compound", "forecast", "forecast_reaches",
    "band_position", "actual_stage", "target_stage", "path", "measure", "frequency",
    "as_of_year", "as_of_quarter", "status", "status_label", "status_order",
    "judged", "final_year", *verdicts.LATER_COLUMNS, *VINTAGE_OUTPUT,
]

NEED_ACTUAL = ["actual", "attainment", "gap", "required_annual_increase", "required_growth_rate",
               "actual_annual_increase", "actual_growth_rate", "ratio", "forecast_linear", "forecast_compound",
               "forecast"]
# what the kind steps read of a target row
_ROW_COLUMNS = ["row", "sk", "bsk", "kind", "comparator", "value", "value_low", "value_high", "start_year",
                "due_year", "base_year", "path", "frequency", "measure", "decimals", "sign", "t_asof", "t_cut",
                "as_of_year", "as_of_quarter", "flow_end", "judged", "later", "owner"]


def status_for_ratio(ratio: Any, settings: dict[str, Any]) -> np.ndarray:
    """Status key for progress ratios (no met/stale/no_data check): on_track, moderate, off_track or reverse."""
    r = np.asarray(ratio, dtype=float)
    th = settings["status"]
    return np.select([r >= th["on_track"] - EPS, r >= th["moderate"] - EPS, r >= -EPS],
                     ["on_track", "moderate", "off_track"], "reverse")


def target_status(targets: pd.DataFrame, observations: pd.DataFrame, as_of_year: int, as_of_quarter: int = 0,
                  settings: dict[str, Any] | None = None, regions: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per (region, target) as of the period; see the module docstring and metrics/__init__.py.

    targets: db.read_targets frame (needs policy_region unless regions is given). observations:
    db.read_observations frame (region, indicator, year, quarter, value, source, is_sample).
    regions: None = each target's policy region; a list = every target for every region in it."""
    return target_status_at(targets, observations, [(as_of_year, as_of_quarter)], settings, regions)


def target_status_at(targets: pd.DataFrame, observations: pd.DataFrame, periods: list[tuple[int, int]],
                     settings: dict[str, Any] | None = None, regions: Iterable[str] | None = None) -> pd.DataFrame:
    """target_status for several as-of periods (year, quarter) in one pass: the rows of each period in the order
    given (as_of_year and as_of_quarter tell them apart), each exactly what target_status gives for that period.

    Each (target, period) row reads its own cut of the data: the as-of period, or for a judged row its due year's
    end; a judged row whose as-of lies beyond its due year is read a second time, on the whole-year values up to
    the as-of, for the later_* columns. All cuts are built in one ObservationIndex, so the work is done once."""
    if settings is None:  # metrics read no files: the caller passes store.catalogue.load_settings()
        raise TypeError("target_status needs the settings (store.catalogue.load_settings())")
    base = _target_rows(targets, regions)
    if base.empty or not periods:
        return pd.DataFrame(columns=OUTPUT)
    t = pd.concat([base.assign(as_of_year=int(y), as_of_quarter=int(q), t_asof=float(period_time(int(y), int(q))))
                   for y, q in periods], ignore_index=True)
    t["row"] = np.arange(len(t))
    judged = verdicts.is_judged(t["due_year"], t["t_asof"], settings)
    t = t.assign(judged=judged, t_cut=verdicts.verdict_time(t["due_year"], t["t_asof"], judged),
                 flow_end=t["due_year"].astype(float), later=False, owner=t["row"], whole_years=False)
    beyond = judged & (t["t_asof"].to_numpy(dtype=float) > t["due_year"].to_numpy(dtype=float) + EPS)
    later = t.loc[beyond].assign(row=lambda x: len(t) + np.arange(len(x)), t_cut=lambda x: x["t_asof"],
                                 flow_end=np.inf, later=True, whole_years=True)
    rows = pd.concat([t, later], ignore_index=True) if len(later) else t
    cut_keys = pd.MultiIndex.from_arrays([rows["t_cut"].astype(float), rows["whole_years"].astype(bool)])
    cut_code, cut_list = pd.factorize(cut_keys)
    rows = rows.assign(cut=cut_code)
    d = ObservationIndex(observations, rows, [Cut(float(c), bool(w)) for c, w in cut_list])
    rows = rows.assign(sk=d.sk, bsk=d.bsk)
    out, used = actuals(rows[_ROW_COLUMNS], d, settings)
    out = provenance(out, used, d.sources, d.keys)
    is_later = out["later"].to_numpy(dtype=bool)
    main = out.loc[~is_later].reset_index(drop=True)
    main = progress(main, main["t_cut"].to_numpy(dtype=float), settings)
    main = forecast(main, d, settings)
    return _finish(main, t, out.loc[is_later], settings)


def _target_rows(targets: pd.DataFrame, regions: Iterable[str] | None) -> pd.DataFrame:
    t = targets.reset_index(drop=True)
    if regions is None:
        t = t.assign(region=t["policy_region"])
    else:
        t = t.drop(columns=["region"], errors="ignore").merge(
            pd.DataFrame({"region": pd.Series(list(regions), dtype=t["code"].dtype)}), how="cross")
    return t.assign(row=np.arange(len(t)), sign=np.where(t["comparator"] == "<=", -1.0, 1.0),
                    start_year=t["start_year"].astype(float))


def _finish(f: pd.DataFrame, t: pd.DataFrame, later: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """Staleness, status (verdicts for judged rows), band position and stage names; the identity columns joined
    back by row (t's row is its position, so the join is a positional take); the later_* columns from `later`;
    rows in target order."""
    f = f.sort_values("row", kind="stable").reset_index(drop=True)
    t_asof = f["t_asof"].to_numpy(dtype=float)
    has = f["has_actual"].to_numpy(dtype=bool)
    judged = f["judged"].to_numpy(dtype=bool)
    actual = f["actual"].to_numpy(dtype=float, na_value=np.nan)
    comparator, frequency = f["comparator"].to_numpy(dtype=object), f["frequency"].to_numpy(dtype=object)
    lag = settings["staleness"]
    allowed = np.where(frequency == "quarterly", lag["quarterly_lag_quarters"] / 4, lag["annual_lag_years"])
    stale = (t_asof - f["actual_t"].to_numpy(dtype=float)) > allowed + EPS
    by_ratio = status_for_ratio(f["ratio"], settings)
    # reached only without the on_track flag: for a relative target a high ratio below the margin is moderate
    by_ratio = np.where(by_ratio == "on_track", "moderate", by_ratio)
    met = f["met"].to_numpy(dtype=bool)
    pace_key = np.select([~has, met, stale, f["on_track"].to_numpy(dtype=bool)],
                         ["no_data", "met", "stale", "on_track"], by_ratio)
    final = has & verdicts.has_final_value(f["actual_t"], f["due_year"])
    status = np.where(judged, verdicts.judged_status(met, final), pace_key).astype(object)
    value = f["value"].to_numpy(dtype=float)
    goal = f["goal"].to_numpy(dtype=float)
    low_v, high_v = f["value_low"].to_numpy(dtype=float), f["value_high"].to_numpy(dtype=float)
    tol = settings["tolerance"]["approximate"]
    low = np.select([comparator == "range", comparator == "approx"], [low_v, goal], value * (1 - tol))
    high = np.where(comparator == "range", high_v, value * (1 + tol))
    banded = np.isin(comparator, ["approx", "range"]) & has
    with np.errstate(invalid="ignore"):  # NaN actuals (no data yet) compare False without a RuntimeWarning
        band = np.select([actual < low - EPS * np.abs(low), actual > high + EPS * np.abs(high)],
                         ["below", "above"], "inside")
    kind = f["kind"].to_numpy(dtype=object)
    stages = _stage_names(t, f["row"].to_numpy(), kind == "milestone")
    label = {s.key: s.label for s in labels.STATUSES}
    order = {s.key: s.order for s in labels.STATUSES}
    n = len(f)
    # without a value there is no progress to report; a judged row has no way ahead; no final value, no verdict
    no_data, no_final = status == "no_data", status == "no_final_data"
    blank = {c: (no_data if c in NEED_ACTUAL else False) | (judged if c in verdicts.PACE_COLUMNS else False)
             | (no_final if c in ("attainment", "gap") else False)
             for c in (*NEED_ACTUAL, *verdicts.PACE_COLUMNS)}
    progress_columns = {c: np.where(mask, np.nan, f[c].to_numpy(dtype=float)) for c, mask in blank.items()}
    # 未完成 never reads as 100 %: an unmet attainment stays below 1 (a 左右 goal rounded up can exceed the value)
    progress_columns["attainment"] = np.where(status == "unmet", np.minimum(progress_columns["attainment"],
                                                                            np.nextafter(1.0, 0.0)),
                                              progress_columns["attainment"])
    rows = f["row"].to_numpy()
    weakest = provisional_status(status, f["_weakest_actual"].to_numpy(), f["_weakest_base"].to_numpy())
    computed = {
        "status": status, "status_label": [label[k] for k in status], "status_order": [order[k] for k in status],
        "band_position": np.where(banded, band, ""),
        "actual_stage": [_stage(names, a) if names and h else "" for names, a, h in zip(stages, actual, has)],
        "target_stage": [_stage(names, v) if names else "" for names, v in zip(stages, value)],
        "target_value": np.where(kind == "relative", goal, value),
        "target_low": low_v, "target_high": high_v,
        "baseline_year": pd.array(np.floor(f["baseline_t"].to_numpy(dtype=float)), dtype="Int64"),
        "actual_year": pd.array(f["actual_year"].to_numpy(dtype=float), dtype="Int64"),
        "actual_quarter": pd.array(f["actual_quarter"].to_numpy(dtype=float), dtype="Int64"),
        "missing_years": (f["missing_years"].fillna(0).to_numpy().astype(int) if "missing_years" in f
                          else np.zeros(n, dtype=int)),
        "as_of_year": f["as_of_year"].to_numpy(), "as_of_quarter": f["as_of_quarter"].to_numpy(),
        **progress_columns,
        "forecast_reaches": f["forecast_reaches"].to_numpy(dtype=bool) & ~judged,
        **{c: np.full(n, np.nan) for c in ("region_growth", "benchmark_growth", "margin_pp", "region_growth_avg",
                                           "benchmark_growth_avg") if c not in f},
        **_growth_rate_units(t, rows, kind == "cagr"),
        "judged": judged,
        "provisional_status": weakest, "provisional": weakest != "",
        "final_year": pd.array(np.where(judged, f["due_year"].to_numpy(dtype=float), np.nan), dtype="Int64"),
        **verdicts.later_columns(later, n, settings),
    }
    from_targets = {"kind", "comparator", "start_year", "due_year", "measure"}
    return pd.DataFrame({c: computed[c] if c in computed else
                         t[c].array.take(rows) if c in from_targets or c not in f.columns else f[c].array
                         for c in OUTPUT})


def _growth_rate_units(t: pd.DataFrame, rows: np.ndarray, cagr_row: np.ndarray) -> dict[str, Any]:
    """unit and decimals of each output row: the indicator's, but a cagr target is a growth rate in % a year,
    shown to at least one decimal."""
    unit, decimals = t["unit"].array.take(rows), t["decimals"].array.take(rows)
    if not cagr_row.any():
        return {"unit": unit, "decimals": decimals}
    return {"unit": np.where(cagr_row, "%", np.asarray(unit, dtype=object)),
            "decimals": np.where(cagr_row, np.fmax(np.asarray(decimals, dtype=float), 1),
                                 np.asarray(decimals, dtype=float)).astype(int)}


def _stage_names(t: pd.DataFrame, rows: np.ndarray, milestone: np.ndarray) -> list[list[str]]:
    """Each output row's stage names (a milestone's; an empty list for other kinds)."""
    stages = t["stages"].to_numpy(dtype=object)
    names: list[list[str]] = [[]] * len(rows)  # shared empty list: never changed
    for i in np.flatnonzero(milestone).tolist():
        if isinstance(stages[rows[i]], (list, tuple, np.ndarray)):
            names[i] = [str(x) for x in stages[rows[i]]]
    return names


def _stage(names: list[str], index: float) -> str:
    """The stage name at a (rounded) stage index; '' when it is not a stage."""
    if np.isnan(index):
        return ""
    i = round(index)
    return names[i] if 0 <= i < len(names) else ""
