"""Progress, pace, forecast and status of every target, per region, as of a period.

The SDG-monitor method (Eurostat SDG monitoring report; SDSN Sustainable Development Report): progress ratio =
progress made since the baseline ÷ progress required by now to be on the path from the baseline to the target.
README "Metrics" gives every formula; the short form:

* linear path:   ratio = (actual − baseline) ÷ (expected − baseline), expected = baseline + (goal − baseline)·f,
  f = elapsed share of the path (time of the latest value − path start) ÷ (due year − path start), clipped to 0..1;
* compound path: ratio = actual CAGR since the baseline ÷ CAGR required from the baseline to the goal by the due year;
* status: met when the goal is reached; else stale when the latest value is too old; else on_track (ratio ≥
  settings status.on_track), moderate (≥ status.moderate), off_track (≥ 0), reverse (< 0); no_data without a value.

`goal` is the value the status tests against: the target for ≥ and ≤, value × (1 − tolerance) for 左右, the lower
bound for a range, the stage index for a milestone, and for a relative target the level this year that would be
clearly above the benchmark's growth.

Columns always finite unless status is no_data: actual, baseline, goal, target_value (target_low/high for ranges),
attainment, gap, expected, required_annual_increase, actual_annual_increase, ratio, years_elapsed, years_remaining.
May be NaN (never ±inf): required_growth_rate / actual_growth_rate where a growth rate is undefined (a value ≤ 0
or no time elapsed), region_growth / benchmark_growth / margin_pp and their averages (non-relative targets),
forecast_linear / forecast_compound / forecast with fewer than two points to fit (forecast_reaches is then False).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

import labels

EPS = 1e-9  # relative tolerance for "exactly on the boundary" comparisons (floating point)
KEY = ["region", "indicator"]

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
]


def period_time(year: Any, quarter: Any) -> Any:
    """Time on a continuous axis: year Y (whole year) = Y; quarter q of Y (year-to-date) = Y − 1 + q/4."""
    year = np.asarray(year, dtype=float)
    quarter = np.asarray(quarter, dtype=float)
    return np.where(quarter > 0, year - 1 + quarter / 4, year)


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
    if settings is None:
        import catalogue
        settings = catalogue.load_settings()
    t = _target_rows(targets, regions)
    t_asof = float(period_time(as_of_year, as_of_quarter))
    obs = _prepare_observations(observations, t, t_asof)

    parts, used = [], []
    for kind_rows, fn in ((t[t["kind"].isin(["level", "milestone"])], _level),
                          (t[t["kind"] == "annual"], _annual),
                          (t[t["kind"] == "cumulative"], _cumulative),
                          (t[t["kind"] == "relative"], _relative)):
        if kind_rows.empty:
            continue
        frame, sources = fn(kind_rows, obs, as_of_year, t_asof, settings)
        parts.append(frame)
        used.append(sources)
    if not parts:
        return pd.DataFrame(columns=OUTPUT)
    out = pd.concat(parts, ignore_index=True)
    out = _progress(out, t_asof, settings)
    out = _forecast(out, obs, settings)
    out = _provenance(out, pd.concat(used, ignore_index=True))
    out = _finish(out, as_of_year, as_of_quarter, t_asof, settings)
    return out.sort_values("row").reset_index(drop=True)[OUTPUT]


# ------------------------------------------------------------------ inputs

def _target_rows(targets: pd.DataFrame, regions: Iterable[str] | None) -> pd.DataFrame:
    t = targets.reset_index(drop=True)
    if regions is None:
        t = t.assign(region=t["policy_region"])
    else:
        t = t.drop(columns=["region"], errors="ignore").merge(
            pd.DataFrame({"region": pd.Series(list(regions), dtype=t["code"].dtype)}), how="cross")
    t = t.assign(row=np.arange(len(t)), sign=np.where(t["comparator"] == "<=", -1.0, 1.0))
    t["start_year"] = t["start_year"].astype(float)
    return t


def _prepare_observations(observations: pd.DataFrame, t: pd.DataFrame, t_asof: float) -> pd.DataFrame:
    """Observations the targets can use, up to the as-of period, sorted so that the last row of a group is the
    latest (a whole-year value wins over the Q4 year-to-date value of the same year)."""
    regions = set(t["region"]) | set(t["benchmark"].dropna())
    o = observations.loc[observations["region"].isin(regions) & observations["indicator"].isin(set(t["indicator"])),
                         ["region", "indicator", "year", "quarter", "value", "source", "is_sample"]]
    o = o[o["value"].notna()]
    o = o.assign(t=period_time(o["year"], o["quarter"]), annual=o["quarter"] == 0)
    o = o[o["t"] <= t_asof + EPS]
    return o.sort_values(["region", "indicator", "t", "annual"], kind="stable").reset_index(drop=True)


def _yearly(obs: pd.DataFrame) -> pd.DataFrame:
    """One value per (region, indicator, year): the whole-year value, else the latest year-to-date quarter."""
    y = obs.drop_duplicates(["region", "indicator", "year"], keep="last")
    return y.assign(frac=np.where(y["annual"], 1.0, y["quarter"] / 4))


def _baselines(t: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """(region, indicator, base_year) → the latest value at or before the base year, else the earliest after it."""
    keys = t[["region", "indicator", "base_year"]].drop_duplicates()
    m = obs.merge(keys, on=KEY)
    before = m[m["t"] <= m["base_year"] + EPS].drop_duplicates(["region", "indicator", "base_year"], keep="last")
    after = m[m["t"] > m["base_year"] + EPS].drop_duplicates(["region", "indicator", "base_year"], keep="first")
    b = pd.concat([before, after]).drop_duplicates(["region", "indicator", "base_year"], keep="first")
    return b.rename(columns={"value": "baseline", "t": "baseline_t", "source": "baseline_source",
                             "is_sample": "baseline_sample"})[
        ["region", "indicator", "base_year", "baseline", "baseline_t", "baseline_source", "baseline_sample"]]


def _used(frame: pd.DataFrame, source: str, sample: str) -> pd.DataFrame:
    f = frame[frame[source].notna()]
    return pd.DataFrame({"row": f["row"].to_numpy(), "source": f[source].to_numpy(), "is_sample":
                         f[sample].astype(bool).to_numpy()})


# ------------------------------------------------------------------ per kind: actual, baseline, goal, path

def _level(t: pd.DataFrame, obs: pd.DataFrame, as_of_year: int, t_asof: float,
           settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Level and milestone targets: the latest value vs a path from the base-year value to the goal."""
    latest = obs.drop_duplicates(KEY, keep="last")[KEY + ["value", "t", "year", "quarter", "source", "is_sample"]]
    f = (t.merge(latest.rename(columns={"value": "actual", "t": "actual_t", "year": "actual_year",
                                        "quarter": "actual_quarter"}), on=KEY, how="left")
          .merge(_baselines(t, obs), on=["region", "indicator", "base_year"], how="left"))
    f = f.assign(goal=_goal(f, settings), path_start=np.fmin(f["baseline_t"], f["base_year"]).fillna(f["base_year"]),
                 frac=np.nan)
    used = pd.concat([_used(f, "source", "is_sample"), _used(f, "baseline_source", "baseline_sample")])
    return f, used


def _annual(t: pd.DataFrame, obs: pd.DataFrame, as_of_year: int, t_asof: float,
            settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual targets: the latest year's own flow since start_year (pro-rated by q/4 for a year-to-date value)."""
    y = _yearly(obs)
    m = t[["row", "region", "indicator", "start_year", "due_year"]].merge(y, on=KEY)
    m = m[(m["year"] >= m["start_year"]) & (m["year"] <= m["due_year"])]
    last = m.drop_duplicates("row", keep="last")[["row", "value", "t", "year", "quarter", "frac", "source",
                                                   "is_sample"]]
    f = t.merge(last.rename(columns={"value": "actual", "t": "actual_t", "year": "actual_year",
                                     "quarter": "actual_quarter"}), on="row", how="left")
    f = f.assign(goal=_goal(f, settings), baseline=0.0, baseline_t=f["actual_year"] - 1.0,
                 path_start=f["actual_year"] - 1.0)
    return f, _used(f, "source", "is_sample")


def _cumulative(t: pd.DataFrame, obs: pd.DataFrame, as_of_year: int, t_asof: float,
                settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cumulative targets: the sum of yearly flows from start_year to the as-of period (baseline 0)."""
    y = _yearly(obs)
    m = t[["row", "region", "indicator", "start_year", "due_year"]].merge(y, on=KEY)
    m = m[(m["year"] >= m["start_year"]) & (m["year"] <= m["due_year"])]
    agg = m.groupby("row").agg(actual=("value", "sum"), actual_t=("t", "max"), actual_year=("year", "max"),
                               n_years=("year", "nunique"))
    last_q = m.drop_duplicates("row", keep="last").set_index("row")["quarter"].rename("actual_quarter")
    f = t.merge(agg.join(last_q), left_on="row", right_index=True, how="left")
    f = f.assign(goal=_goal(f, settings), baseline=0.0, baseline_t=f["start_year"] - 1, path_start=f["start_year"] - 1,
                 frac=np.nan,
                 missing_years=(f["actual_year"] - f["start_year"] + 1 - f["n_years"]).fillna(0).astype(int))
    return f, _used(m, "source", "is_sample")


def _relative(t: pd.DataFrame, obs: pd.DataFrame, as_of_year: int, t_asof: float,
              settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Relative targets: the region's growth in its latest year vs the benchmark region's growth that year."""
    ann = obs[obs["annual"]][KEY + ["year", "value", "source", "is_sample"]]
    prev = ann.assign(year=ann["year"] + 1).rename(columns={"value": "prev", "source": "prev_source",
                                                            "is_sample": "prev_sample"})
    g = ann.merge(prev, on=KEY + ["year"])
    g = g[g["prev"] > 0].assign(growth=lambda d: d["value"] / d["prev"] - 1)
    g = g.sort_values(KEY + ["year"], kind="stable")
    reg = (t[["row", "region", "indicator"]].merge(g, on=KEY).drop_duplicates("row", keep="last")
           .rename(columns={"value": "actual", "year": "actual_year", "growth": "region_growth"}))
    bench = g.rename(columns={"region": "benchmark", "value": "bench_value", "prev": "bench_prev",
                              "growth": "benchmark_growth", "year": "actual_year", "source": "bench_source",
                              "is_sample": "bench_sample", "prev_source": "bench_prev_source",
                              "prev_sample": "bench_prev_sample"})
    f = (t.merge(reg.drop(columns=KEY), on="row", how="left")
          .merge(bench, on=["benchmark", "indicator", "actual_year"], how="left")
          .merge(_baselines(t, obs), on=["region", "indicator", "base_year"], how="left"))
    bb = _baselines(t.assign(region=t["benchmark"]), obs).rename(
        columns={"region": "benchmark", "baseline": "bench_base", "baseline_t": "bench_base_t",
                 "baseline_source": "bench_base_source", "baseline_sample": "bench_base_sample"})
    f = f.merge(bb, on=["benchmark", "indicator", "base_year"], how="left")
    # both sides needed: without the benchmark's growth there is nothing to compare
    f.loc[f["benchmark_growth"].isna(), ["actual", "region_growth"]] = np.nan
    rel = settings["relative"]
    with np.errstate(all="ignore"):
        f = f.assign(
            actual_t=f["actual_year"].astype(float), actual_quarter=0,
            margin_pp=(f["region_growth"] - f["benchmark_growth"]) * 100,
            goal=f["prev"] * (1 + f["benchmark_growth"] + rel["clearly_above_pp"] / 100),
            rel_expected=f["prev"] * (1 + f["benchmark_growth"] + rel["on_track_margin_pp"] / 100),
            path_start=f["base_year"].astype(float), frac=np.nan,
            region_growth_avg=_cagr(f["actual"], f["baseline"], f["actual_year"] - f["baseline_t"]),
            benchmark_growth_avg=_cagr(f["bench_value"], f["bench_base"], f["actual_year"] - f["bench_base_t"]),
        )
    used = pd.concat([_used(f, "source", "is_sample")]
                     + [_used(f, c + "source", c + "sample") for c in ("prev_", "bench_", "bench_prev_")]
                     + [_used(f, "baseline_source", "baseline_sample")])
    return f, used


def _goal(f: pd.DataFrame, settings: dict[str, Any]) -> pd.Series:
    """The value the status tests: 左右 → value × (1 − tolerance); range → low; otherwise the value."""
    tol = settings["tolerance"]["approximate"]
    return pd.Series(np.select([f["comparator"] == "approx", f["comparator"] == "range"],
                               [f["value"] * (1 - tol), f["value_low"]], f["value"]), index=f.index, dtype=float)


def _cagr(end: Any, start: Any, years: Any) -> np.ndarray:
    """Compound annual growth rate; NaN where undefined (a value ≤ 0 or no time elapsed)."""
    end, start, years = (np.asarray(x, dtype=float) for x in (end, start, years))
    ok = (end > 0) & (start > 0) & (years > 0)
    with np.errstate(all="ignore"):
        return np.where(ok, (end / np.where(ok, start, 1)) ** (1 / np.where(ok, years, 1)) - 1, np.nan)


# ------------------------------------------------------------------ common formulas

def _progress(f: pd.DataFrame, t_asof: float, settings: dict[str, Any]) -> pd.DataFrame:
    """Expected value, ratio, attainment, gap and pace from actual, baseline, goal and path (vectorised)."""
    f = f.copy()
    has = f["actual"].notna()
    sign = f["sign"].to_numpy()
    actual, baseline, goal = (f[c].to_numpy(dtype=float) for c in ("actual", "baseline", "goal"))
    due = f["due_year"].to_numpy(dtype=float)
    start = f["path_start"].to_numpy(dtype=float)
    t_now = np.where(has, f["actual_t"].to_numpy(dtype=float), t_asof)
    kind = f["kind"].to_numpy(dtype=object)
    is_annual, is_rel = kind == "annual", kind == "relative"
    span = due - start
    with np.errstate(all="ignore"):
        share = np.where(span > 0, np.clip((t_now - start) / np.where(span > 0, span, 1), 0, 1), 1.0)
        share = np.where(is_annual, f["frac"].fillna(1.0).to_numpy(dtype=float), share)
        compound = ((f["path"].to_numpy(dtype=object) == "compound") & (kind == "level")
                    & (baseline > 0) & (goal > 0))
        expected = np.where(compound, baseline * (goal / np.where(compound, baseline, 1)) ** share,
                            baseline + (goal - baseline) * share)
        expected = np.where(is_rel, f.get("rel_expected", pd.Series(np.nan, index=f.index)).to_numpy(dtype=float),
                            expected)
        scale = np.fmax(np.fmax(np.abs(goal), np.abs(baseline)), np.abs(actual))
        tiny = EPS * np.where(scale > 0, scale, 1.0)
        met = sign * (actual - goal) >= -tiny
        made = sign * (actual - baseline)
        required_now = sign * (expected - baseline)
        needed = sign * (goal - baseline)
        linear = np.select(
            [required_now > tiny, needed > tiny],
            [made / np.where(required_now > tiny, required_now, 1),
             # path not started yet (as-of at or before the path start): nothing required, so on the path
             # unless the value went the wrong way
             np.where(made >= 0, 1.0, made / np.where(needed > tiny, needed, 1))],
            # no progress required (baseline already at or beyond the goal) but not met now: it went back
            np.where(met, 1.0, made / np.where(scale > 0, scale, 1.0) - EPS))
        elapsed = t_now - start
        cagr_actual = _cagr(actual, baseline, elapsed)
        cagr_required = _cagr(goal, baseline, span)
        use_cagr = compound & (elapsed > 0) & np.isfinite(cagr_actual) & (np.abs(cagr_required) > EPS) \
            & (needed > tiny)
        ratio = np.where(use_cagr, cagr_actual / np.where(use_cagr, cagr_required, 1), linear)
        # relative: 1 + margin ÷ |benchmark growth| (= region growth ÷ benchmark growth when that is > 0)
        bg = f["benchmark_growth"].to_numpy(dtype=float) if "benchmark_growth" in f else np.full(len(f), np.nan)
        rg = f["region_growth"].to_numpy(dtype=float) if "region_growth" in f else np.full(len(f), np.nan)
        rel_ratio = np.where(np.abs(bg) > EPS, 1 + (rg - bg) / np.where(np.abs(bg) > EPS, np.abs(bg), 1),
                             np.where(rg >= -EPS, 1.0, -1.0))
        ratio = np.where(is_rel, rel_ratio, ratio)
        rel = settings["relative"]
        margin = f["margin_pp"].to_numpy(dtype=float) if "margin_pp" in f else np.full(len(f), np.nan)
        met = np.where(is_rel, margin >= rel["clearly_above_pp"] - EPS, met)
        on_track = np.where(is_rel, margin >= rel["on_track_margin_pp"] - EPS,
                            ratio >= settings["status"]["on_track"] - EPS)

        nominal = np.select([f["comparator"].to_numpy(dtype=object) == "range", is_rel],
                            [f["value_low"].to_numpy(dtype=float), goal], f["value"].to_numpy(dtype=float))
        attainment = np.where(
            sign > 0,
            np.where(nominal > 0, actual / np.where(nominal > 0, nominal, 1), np.where(actual >= nominal, 1.0, 0.0)),
            np.where(actual > 0, nominal / np.where(actual > 0, actual, 1), 1.0))
        gap = sign * (goal - actual)
        remaining = np.clip(due - t_asof, 0, None)
        divisor = np.where(is_annual | is_rel | (remaining < 1), 1.0, remaining)
        still = np.where(met, 0.0, goal - actual)
        required_inc = still / divisor
        base_for_rel = f["prev"].to_numpy(dtype=float) if "prev" in f else np.full(len(f), np.nan)
        required_inc = np.where(is_rel, np.where(met, 0.0, goal - base_for_rel), required_inc)
        required_growth = np.where(met, 0.0, _cagr(goal, actual, divisor))
        required_growth = np.where(is_rel, bg + rel["clearly_above_pp"] / 100, required_growth)
        actual_inc = np.where(elapsed > 0, (actual - baseline) / np.where(elapsed > 0, elapsed, 1), 0.0)
        actual_inc = np.where(is_annual, actual / np.where(share > 0, share, 1), actual_inc)
        actual_inc = np.where(is_rel, actual - base_for_rel, actual_inc)
        actual_growth = np.where(is_rel, rg, cagr_actual)
    f = f.assign(expected=expected, ratio=ratio, met=met & has.to_numpy(), on_track=on_track,
                 attainment=attainment, gap=gap, required_annual_increase=required_inc,
                 required_growth_rate=required_growth, actual_annual_increase=actual_inc,
                 actual_growth_rate=actual_growth, has_actual=has.to_numpy(),
                 years_elapsed=np.clip(t_asof - np.where(is_annual | (kind == "cumulative"),
                                                         f["start_year"].to_numpy(dtype=float) - 1,
                                                         f["base_year"].to_numpy(dtype=float)), 0, None),
                 years_remaining=remaining)
    return f


def _fit(points: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Per row: linear least-squares and compound (first→last CAGR) forecasts of the value at the due year.

    points: row, t, value (sorted by t within row). targets: row, due_year."""
    p = points.assign(tv=points["t"] * points["value"], tt=points["t"] ** 2)
    s = p.groupby("row").agg(n=("t", "size"), st=("t", "sum"), sv=("value", "sum"), stv=("tv", "sum"),
                             stt=("tt", "sum"))
    first = points.drop_duplicates("row", keep="first").set_index("row")
    last = points.drop_duplicates("row", keep="last").set_index("row")
    s = s.join(targets.set_index("row")["due_year"])
    with np.errstate(all="ignore"):
        den = s["n"] * s["stt"] - s["st"] ** 2
        ok = (s["n"] >= 2) & (den.abs() > EPS)
        slope = (s["n"] * s["stv"] - s["st"] * s["sv"]) / den
        intercept = (s["sv"] - slope * s["st"]) / s["n"]
        linear = (intercept + slope * s["due_year"]).where(ok)
        years = last["t"] - first["t"]
        rate = pd.Series(_cagr(last["value"], first["value"], years), index=last.index)
        compound = (last["value"] * (1 + rate) ** (s["due_year"] - last["t"])).where(ok)
    return pd.DataFrame({"forecast_linear": linear, "forecast_compound": compound})


def _forecast(f: pd.DataFrame, obs: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """Trend forecasts for the due year, from the values since the base year (all values when fewer than two)."""
    y = _yearly(obs)
    kind = f["kind"]
    # level, milestone, relative: the yearly values of the region's series
    lv = f.loc[kind.isin(["level", "milestone", "relative"]), ["row", "region", "indicator", "base_year",
                                                              "due_year"]]
    pts_l = lv.merge(y[KEY + ["t", "value"]], on=KEY)
    # annual: whole-year flows only
    an = f.loc[kind == "annual", ["row", "region", "indicator", "base_year", "due_year"]]
    pts_a = an.merge(y.loc[y["frac"] == 1, KEY + ["t", "value"]], on=KEY)
    # cumulative: the running sum from start_year, with the known zero at the start
    cu = f.loc[kind == "cumulative", ["row", "region", "indicator", "start_year", "due_year", "base_year"]]
    flows = cu.merge(y[KEY + ["year", "t", "value"]], on=KEY)
    flows = flows[(flows["year"] >= flows["start_year"]) & (flows["year"] <= flows["due_year"])]
    flows = flows.sort_values(["row", "t"], kind="stable")
    flows = flows.assign(value=flows.groupby("row")["value"].cumsum())
    zero = cu[cu["row"].isin(flows["row"])].assign(t=cu["start_year"] - 1, value=0.0)
    pts_c = pd.concat([zero, flows])[["row", "t", "value", "base_year"]]
    pts = pd.concat([pts_l[["row", "t", "value", "base_year"]], pts_a[["row", "t", "value", "base_year"]], pts_c])
    pts = pts.sort_values(["row", "t"], kind="stable")
    since = pts[pts["t"] >= pts["base_year"] - EPS]
    n_since = since.groupby("row")["t"].transform("size")
    enough = set(since.loc[n_since >= 2, "row"])
    pts = pd.concat([since[since["row"].isin(enough)], pts[~pts["row"].isin(enough)]]).sort_values(
        ["row", "t"], kind="stable")
    fc = _fit(pts, f[["row", "due_year"]])
    f = f.drop(columns=["forecast_linear", "forecast_compound"], errors="ignore").merge(
        fc, left_on="row", right_index=True, how="left")
    f.loc[f["kind"] == "cumulative", "forecast_compound"] = np.nan  # a sum from zero has no growth rate
    compound = (f["path"] == "compound") & f["forecast_compound"].notna()
    forecast = f["forecast_compound"].where(compound, f["forecast_linear"])
    # the due year's value is in: it is the forecast
    done = f["has_actual"] & (f["actual_t"] >= f["due_year"] - EPS) & (f["kind"] != "relative")
    forecast = forecast.where(~done, f["actual"])
    with np.errstate(all="ignore"):
        reaches = f["sign"] * (forecast - f["goal"]) >= -EPS * f["goal"].abs().clip(lower=1)
        margin_avg = (f["region_growth_avg"] - f["benchmark_growth_avg"]) * 100 if "region_growth_avg" in f \
            else pd.Series(np.nan, index=f.index)
        reaches = reaches.where(f["kind"] != "relative", margin_avg >= settings["relative"]["clearly_above_pp"] - EPS)
    return f.assign(forecast=forecast, forecast_reaches=reaches.fillna(False).astype(bool))


def _provenance(f: pd.DataFrame, used: pd.DataFrame) -> pd.DataFrame:
    """is_sample: any value used is sample; sources: the distinct sources used, '；'-joined."""
    used = used.drop_duplicates(["row", "source", "is_sample"])
    sample = used.groupby("row")["is_sample"].any().rename("any_sample")
    src = (used.drop_duplicates(["row", "source"]).sort_values(["row", "source"])
           .groupby("row")["source"].agg("；".join).rename("sources_used"))
    f = f.drop(columns=["is_sample", "sources"], errors="ignore").merge(sample, left_on="row", right_index=True,
                                                                       how="left")
    f = f.merge(src, left_on="row", right_index=True, how="left")
    return f.assign(is_sample=f["any_sample"].fillna(False).astype(bool), sources=f["sources_used"].fillna(""))


def _finish(f: pd.DataFrame, as_of_year: int, as_of_quarter: int, t_asof: float,
            settings: dict[str, Any]) -> pd.DataFrame:
    """Staleness, status, band position, stage labels; columns in the contract's order."""
    lag = settings["staleness"]
    allowed = np.where(f["frequency"] == "quarterly", lag["quarterly_lag_quarters"] / 4, lag["annual_lag_years"])
    stale = (t_asof - f["actual_t"]) > allowed + EPS
    by_ratio = status_for_ratio(f["ratio"], settings)
    # reached only without the on_track flag: for a relative target a high ratio below the margin is moderate
    by_ratio = np.where(by_ratio == "on_track", "moderate", by_ratio)
    status = pd.Series(np.select([~f["has_actual"], f["met"], stale, f["on_track"]],
                                 ["no_data", "met", "stale", "on_track"], by_ratio), index=f.index)
    tol = settings["tolerance"]["approximate"]
    low = np.where(f["comparator"] == "range", f["value_low"], f["value"] * (1 - tol))
    high = np.where(f["comparator"] == "range", f["value_high"], f["value"] * (1 + tol))
    banded = f["comparator"].isin(["approx", "range"]) & f["has_actual"]
    band = np.select([f["actual"] < low - EPS * np.abs(low), f["actual"] > high + EPS * np.abs(high)],
                     ["below", "above"], "inside")
    stages = f["stages"] if "stages" in f else pd.Series([[]] * len(f), index=f.index)
    is_stage = f["kind"] == "milestone"
    f = f.assign(
        status=status, status_label=status.map(lambda k: labels.STATUS_BY_KEY[k].label),
        status_order=status.map(lambda k: labels.STATUS_BY_KEY[k].order).astype(int),
        band_position=np.where(banded, band, ""),
        actual_stage=_stage_label(stages, f["actual"]).where(is_stage & f["has_actual"], ""),
        target_stage=_stage_label(stages, f["value"]).where(is_stage, ""),
        target_value=np.where(f["kind"] == "relative", f["goal"], f["value"]),
        target_low=f["value_low"], target_high=f["value_high"],
        baseline_year=np.floor(f["baseline_t"]).astype("Int64") if f["baseline_t"].notna().any()
        else pd.array([pd.NA] * len(f), dtype="Int64"),
        actual_year=f["actual_year"].astype("Int64"), actual_quarter=f["actual_quarter"].astype("Int64"),
        missing_years=f["missing_years"].fillna(0).astype(int) if "missing_years" in f else 0,
        as_of_year=as_of_year, as_of_quarter=as_of_quarter,
        forecast_reaches=f["forecast_reaches"].astype(bool),
    )
    for col in ("region_growth", "benchmark_growth", "margin_pp", "region_growth_avg", "benchmark_growth_avg"):
        if col not in f:
            f[col] = np.nan
    no_data = f["status"] == "no_data"
    numeric = ["actual", "baseline", "attainment", "gap", "expected", "required_annual_increase",
               "actual_annual_increase", "ratio"]
    f.loc[no_data, numeric] = np.nan
    return f


def _stage_label(stages: pd.Series, index: pd.Series) -> pd.Series:
    """The stage name for a stage index ('' when out of range)."""
    pairs = zip(stages, index)
    return pd.Series([s[int(i)] if isinstance(s, (list, tuple)) and i == i and 0 <= int(i) < len(s) else ""
                      for s, i in pairs], index=stages.index, dtype=object)
