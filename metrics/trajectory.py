"""The series a target's chart draws: actuals, the required path, the trend forecast, the target and a benchmark.

Input is the engine's status frame (metrics.status.target_status) and the observations; output is one long
DataFrame, so that one chart builder draws any target and small multiples draw many at once.

Per target kind:
- level / milestone: the indicator's yearly values; the path runs from (base year, baseline) to (due year, target),
  linear or compound as the indicator's `path` says (the same formulas the engine uses for `expected`);
- annual: each year's own flow; the target is drawn for every year from the start to the due year;
- cumulative: the running sum of flows from the target's start year; the path runs from 0 before the start;
- relative: the region's and the benchmark region's values indexed to the base year (= 100), so that growth
  rates compare on one axis;
- cagr ("年均增长7%以上"): the indicator's yearly values; the target is the level that growth reaches by the due
  year from the baseline, and the path compounds towards it.
The forecast runs from the latest actual to the engine's `forecast` in the due year.
`revision_points` gives the revisions of a target's plain series (not indexed, not summed), drawn as a step from the
earlier vintage's value to the revised one.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SERIES = ("actual", "path", "forecast", "target", "benchmark")
COLUMNS = ["code", "series", "year", "value", "is_sample", "provisional"]
PROVISIONAL = ("estimate", "preliminary")   # vocab.labels.PROVISIONAL_STATUSES: drawn hollow


def _annual(observations: pd.DataFrame, as_of_year: int) -> pd.DataFrame:
    obs = observations.loc[(observations["quarter"] == 0) & (observations["year"] <= as_of_year)]
    status = obs["data_status"] if "data_status" in obs else pd.Series("unstated", index=obs.index)
    obs = obs[["region", "indicator", "year", "value", "is_sample"]].assign(provisional=status.isin(PROVISIONAL))
    return obs.astype({"year": "int64", "value": "float64", "is_sample": "bool", "provisional": "bool"})


def _target_number(status: pd.DataFrame) -> pd.Series:
    """The number the target marker shows: the stated value, or the low end of a range; for a cagr target
    ("年均增长7%以上") the level that growth reaches by the due year from the baseline, on the indicator's axis."""
    return _cagr_level(status, status["target_value"].fillna(status["target_low"]))


def _cagr_level(status: pd.DataFrame, number: pd.Series) -> pd.Series:
    """number as it is, except on cagr rows: baseline × (1 + number/100)^(due year − baseline year)."""
    years = status["due_year"].astype("float64") - status["baseline_year"].astype("float64")
    level = status["baseline"].astype("float64") * (1 + number.astype("float64") / 100) ** years
    return number.where(status["kind"] != "cagr", level)


def _actuals(status: pd.DataFrame, annual: pd.DataFrame, from_year: int) -> pd.DataFrame:
    keys = status[["code", "region", "indicator", "kind", "start_year", "base_year"]]
    rows = keys.merge(annual, on=["region", "indicator"], how="inner")
    rows = rows.loc[rows["year"] >= from_year]
    cumulative = rows["kind"] == "cumulative"
    cum = rows.loc[cumulative & (rows["year"] >= rows["start_year"])].sort_values(["code", "year"])
    cum = cum.assign(value=cum.groupby("code")["value"].cumsum(),
                     is_sample=cum.groupby("code")["is_sample"].cummax(),
                     provisional=cum.groupby("code")["provisional"].cummax())
    relative = rows["kind"] == "relative"
    rel = _indexed(rows.loc[relative])
    plain = rows.loc[~cumulative & ~relative]
    out = pd.concat([plain, cum, rel], ignore_index=True)
    return out.assign(series="actual")[COLUMNS]


def _indexed(rows: pd.DataFrame) -> pd.DataFrame:
    """Values as an index: base year = 100 (rows need code, year, value, base_year)."""
    base = (rows.loc[rows["year"] == rows["base_year"], ["code", "value"]]
                .rename(columns={"value": "base_value"}))
    out = rows.merge(base, on="code", how="inner")
    out = out.loc[out["base_value"] != 0]
    return out.assign(value=out["value"] / out["base_value"] * 100).drop(columns="base_value")


def _path(status: pd.DataFrame) -> pd.DataFrame:
    """Yearly points of the required path from the baseline (or 0 before a cumulative start) to the goal the
    status tests (the engine's `goal`: the target, the lower bound of a range, the 左右 value less tolerance)."""
    s = status.loc[status["kind"].isin(["level", "milestone", "cumulative", "cagr"])].copy()
    s = s.assign(target_number=_cagr_level(s, s["goal"].astype("float64")))
    cumulative = s["kind"] == "cumulative"
    base_start = np.fmin(s["baseline_year"].astype("float64"), s["base_year"].astype("float64"))
    s["from_year"] = np.where(cumulative, s["start_year"].astype("float64") - 1, base_start)
    s["from_value"] = np.where(cumulative, 0.0, s["baseline"])
    sign = np.where(s["comparator"] == "<=", -1.0, 1.0)
    # a baseline already at or beyond the goal needs no path
    needs_path = sign * (s["target_number"] - s["from_value"]) > 0
    s = s.loc[s["from_value"].notna() & s["target_number"].notna() & (s["due_year"] > s["from_year"]) & needs_path]
    if s.empty:
        return pd.DataFrame(columns=COLUMNS)
    years = pd.DataFrame({"year": np.arange(int(s["from_year"].min()), int(s["due_year"].max()) + 1)})
    grid = s.merge(years, how="cross")
    grid = grid.loc[(grid["year"] >= grid["from_year"]) & (grid["year"] <= grid["due_year"])]
    share = (grid["year"] - grid["from_year"]) / (grid["due_year"] - grid["from_year"])
    linear = grid["from_value"] + (grid["target_number"] - grid["from_value"]) * share
    positive = (grid["from_value"] > 0) & (grid["target_number"] > 0)
    ratio = (grid["target_number"] / grid["from_value"].where(positive)).astype("float64")
    compound = grid["from_value"] * ratio ** share
    use_compound = positive & (((grid["path"] == "compound") & (grid["kind"] == "level")) | (grid["kind"] == "cagr"))
    value = np.where(use_compound, compound, linear)
    return grid.assign(value=value, is_sample=grid["is_sample"].astype(bool), series="path", provisional=False)[COLUMNS]


def _targets(status: pd.DataFrame) -> pd.DataFrame:
    s = status.loc[status["kind"] != "relative"]
    s = s.assign(value=_target_number(s))
    s = s.loc[s["value"].notna()]
    annual = s["kind"] == "annual"
    due = s.loc[~annual]
    due = due.assign(year=due["due_year"])
    yearly = s.loc[annual]
    if not yearly.empty:
        years = pd.DataFrame({"year": np.arange(int(yearly["start_year"].min()), int(yearly["due_year"].max()) + 1)})
        yearly = yearly.merge(years, how="cross")
        yearly = yearly.loc[(yearly["year"] >= yearly["start_year"]) & (yearly["year"] <= yearly["due_year"])]
    out = pd.concat([due, yearly], ignore_index=True)
    return out.assign(series="target", is_sample=False, provisional=False)[COLUMNS]


def _forecast(status: pd.DataFrame) -> pd.DataFrame:
    s = status.loc[status["kind"].isin(["level", "cumulative"]) & status["forecast"].notna()
                   & status["actual"].notna() & (status["actual_year"] < status["due_year"])]
    start = s.assign(year=s["actual_year"], value=s["actual"])
    end = s.assign(year=s["due_year"], value=s["forecast"])
    out = pd.concat([start, end], ignore_index=True)
    return out.assign(series="forecast", is_sample=out["is_sample"].astype(bool), provisional=False)[COLUMNS]


def _benchmark(status: pd.DataFrame, annual: pd.DataFrame, from_year: int) -> pd.DataFrame:
    """The benchmark region's series: indexed for relative targets; as is for ratio indicators."""
    bench_region = status["benchmark"].where(status["benchmark"].fillna("") != "")
    s = status.assign(bench_region=bench_region).loc[bench_region.notna()]
    rows = (s[["code", "indicator", "bench_region", "base_year", "kind"]]
            .merge(annual, left_on=["bench_region", "indicator"], right_on=["region", "indicator"], how="inner"))
    rows = rows.loc[rows["year"] >= from_year]
    indexed = _indexed(rows.loc[rows["kind"] == "relative"])
    plain = rows.loc[rows["kind"] != "relative"]
    out = pd.concat([indexed, plain], ignore_index=True)
    return out.assign(series="benchmark")[COLUMNS]


def trajectories(status: pd.DataFrame, observations: pd.DataFrame, as_of_year: int,
                 from_year: int | None = None) -> pd.DataFrame:
    """Every series of every target in `status` (one region's rows of target_status).

    Returns code, series (actual | path | forecast | target | benchmark), year, value, is_sample, provisional (an
    actual or benchmark point resting on a 预计 or 初步 value: drawn hollow); sorted."""
    if status.empty:
        return pd.DataFrame(columns=COLUMNS)
    first = int(status["base_year"].min()) - 2 if from_year is None else from_year
    annual = _annual(observations, as_of_year)
    parts = [_actuals(status, annual, first), _path(status), _forecast(status), _targets(status),
             _benchmark(status, annual, first)]
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = out.astype({"year": "int64", "value": "float64", "is_sample": "bool", "provisional": "bool"})
    order = {name: i for i, name in enumerate(SERIES)}
    return (out.assign(_o=out["series"].map(order)).sort_values(["code", "_o", "year"])
               .drop(columns="_o").reset_index(drop=True))


REVISION_COLUMNS = ["series", "year", "from_value", "to_value", "from_status", "to_status", "from_day", "to_day"]


def revision_points(vintages: pd.DataFrame, row: pd.Series, as_of_year: int) -> pd.DataFrame:
    """The revisions drawn on one target's chart: each published whole-year vintage of the target's region
    ('actual') or of its benchmark region ('benchmark', drawn as is for a ratio indicator) that a later one replaced,
    up to the as-of year: REVISION_COLUMNS (from = the earlier vintage, to = the one after it; days = when each was
    known). Relative (indexed) and cumulative (summed) targets draw none. vintages: db.read_vintages rows."""
    if row["kind"] in ("relative", "cumulative") or vintages.empty:
        return pd.DataFrame(columns=REVISION_COLUMNS)
    bench = row.get("benchmark") if isinstance(row.get("benchmark"), str) else None
    series = {row["region"]: "actual", **({bench: "benchmark"} if bench and bench != row["region"] else {})}
    v = vintages.loc[(vintages["indicator"] == row["indicator"]) & vintages["region"].isin(list(series))
                     & (vintages["quarter"] == 0) & (vintages["year"] <= as_of_year) & ~vintages["is_sample"]]
    keys = ["region", "year"]
    prev = v.groupby(keys, sort=False).shift(1)
    pairs = v.assign(from_value=prev["value"], from_status=prev["data_status"], from_day=prev["known_from"])
    pairs = pairs.loc[pairs["from_value"].notna()]
    return pd.DataFrame({"series": pairs["region"].map(series), "year": pairs["year"].astype("int64"),
                         "from_value": pairs["from_value"].astype(float), "to_value": pairs["value"].astype(float),
                         "from_status": pairs["from_status"], "to_status": pairs["data_status"],
                         "from_day": pairs["from_day"], "to_day": pairs["known_from"]},
                        columns=REVISION_COLUMNS).reset_index(drop=True)
