"""Progress, pace, forecast and status of every target, per region, as of a period.

The SDG-monitor method (Eurostat SDG monitoring report; SDSN Sustainable Development Report): progress ratio =
progress made since the baseline ÷ progress required by now to be on the path from the baseline to the target.
README "Metrics" gives every formula; the short form:

* linear path:   ratio = (actual − baseline) ÷ (expected − baseline), expected = baseline + (goal − baseline)·f,
  f = elapsed share of the path (time of the latest value − path start) ÷ (due year − path start), clipped to 0..1;
* compound path: ratio = actual CAGR since the baseline ÷ CAGR required from the baseline to the goal by the due year;
* status: met when the goal is reached; else stale when the latest value is too old; else on_track (ratio ≥
  settings status.on_track), moderate (≥ status.moderate), off_track (≥ 0), reverse (< 0); no_data without a value;
* year-end verdict (metrics.verdicts): once the due year has passed, a pace status becomes unmet (未完成).

`goal` is the value the status tests against: the target for ≥ and ≤, value × (1 − tolerance) for 左右, the lower
bound for a range, the stage index for a milestone, and for a relative target the level this year that would be
clearly above the benchmark's growth.

Columns always finite unless status is no_data: actual, baseline, goal, target_value (target_low/high for ranges),
attainment, gap, expected, required_annual_increase, actual_annual_increase, ratio, years_elapsed, years_remaining.
With no_data, the NEED_ACTUAL columns are NaN (baseline, goal and expected stay when known).
May be NaN (never ±inf): required_growth_rate / actual_growth_rate where a growth rate is undefined (a value ≤ 0
or no time elapsed), region_growth / benchmark_growth / margin_pp and their averages (non-relative targets),
forecast_linear / forecast_compound / forecast with fewer than two points to fit (forecast_reaches is then False).
"""
from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from metrics.verdicts import year_end_verdict
from vocab import labels

EPS = 1e-9  # relative tolerance for "exactly on the boundary" comparisons (floating point)

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


NEED_ACTUAL = ["actual", "attainment", "gap", "required_annual_increase", "required_growth_rate",
               "actual_annual_increase", "actual_growth_rate", "ratio", "forecast_linear", "forecast_compound",
               "forecast"]


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
    return target_status_at(targets, observations, [(as_of_year, as_of_quarter)], settings, regions)


def target_status_at(targets: pd.DataFrame, observations: pd.DataFrame, periods: list[tuple[int, int]],
                     settings: dict[str, Any] | None = None, regions: Iterable[str] | None = None) -> pd.DataFrame:
    """target_status for several as-of periods (year, quarter) in one pass: the rows of each period in the order
    given (as_of_year and as_of_quarter tell them apart), each exactly what target_status gives for that period.
    A period is a copy of every series cut at its as-of time, keyed apart, so the work is done once for all."""
    if settings is None:  # metrics read no files: the caller passes store.catalogue.load_settings()
        raise TypeError("target_status needs the settings (store.catalogue.load_settings())")
    base = _target_rows(targets, regions)
    if base.empty or not periods:
        return pd.DataFrame(columns=OUTPUT)
    t = pd.concat([base.assign(period=i, as_of_year=int(y), as_of_quarter=int(q),
                               t_asof=float(period_time(int(y), int(q)))) for i, (y, q) in enumerate(periods)],
                  ignore_index=True)
    t["row"] = np.arange(len(t))
    d = _Data(observations, t, [float(period_time(int(y), int(q))) for y, q in periods])
    f = t[["row", "sk", "bsk", "kind", "comparator", "value", "value_low", "value_high", "start_year", "due_year",
           "base_year", "path", "frequency", "sign", "t_asof", "as_of_year", "as_of_quarter"]]
    parts, used = [], []
    for kinds, fn in ((["level", "milestone"], _level), (["annual"], _annual), (["cumulative"], _cumulative),
                      (["relative"], _relative)):
        rows = f[f["kind"].isin(kinds)]
        if not rows.empty:
            frame, sources = fn(rows, d, settings)
            parts.append(frame)
            used.append(sources)
    out = pd.concat(parts, ignore_index=True)
    out = _progress(out, out["t_asof"].to_numpy(dtype=float), settings)
    out = _forecast(out, d, settings)
    out = _provenance(out, pd.concat(used, ignore_index=True), d.sources)
    return _finish(out, t, settings)


# ------------------------------------------------------------------ inputs

def _target_rows(targets: pd.DataFrame, regions: Iterable[str] | None) -> pd.DataFrame:
    t = targets.reset_index(drop=True)
    if regions is None:
        t = t.assign(region=t["policy_region"])
    else:
        t = t.drop(columns=["region"], errors="ignore").merge(
            pd.DataFrame({"region": pd.Series(list(regions), dtype=t["code"].dtype)}), how="cross")
    return t.assign(row=np.arange(len(t)), sign=np.where(t["comparator"] == "<=", -1.0, 1.0),
                    start_year=t["start_year"].astype(float))


class _Data:
    """The observations the targets can use, keyed by integer series codes (region × indicator) for speed.

    obs: sk, year, quarter, t, annual, value, src (code into .sources), is_sample — only t ≤ as-of, sorted so
    that the last row of a series or a year is the latest (a whole-year value wins over the same year's Q4).
    yearly: one row per (sk, year): the whole-year value, else the latest year-to-date quarter; frac = q/4."""

    def __init__(self, observations: pd.DataFrame, t: pd.DataFrame, t_asofs: list[float]) -> None:
        regions = pd.Index(pd.unique(pd.concat([t["region"], t["benchmark"].dropna()]).astype(object)))
        indicators = pd.Index(pd.unique(t["indicator"].astype(object)))
        n = len(indicators)

        def codes(values: pd.Series, index: pd.Index) -> np.ndarray:
            """Position of each value in index (−1 when absent), via factorize: fast on arrow strings."""
            c, uniques = pd.factorize(values)
            lookup = np.append(index.get_indexer(pd.Index(uniques, dtype=object)), -1)
            return lookup[c]  # c == −1 (missing) picks the appended −1

        def series_key(region: pd.Series, indicator: pd.Series) -> np.ndarray:
            r, i = codes(region, regions), codes(indicator, indicators)
            return np.where((r >= 0) & (i >= 0), r * n + i, -1)

        n_series = len(regions) * n  # a period's series keys are offset by period × n_series
        period = t["period"].to_numpy()
        for col, of in (("sk", "region"), ("bsk", "benchmark")):
            key = series_key(t[of], t["indicator"])
            t[col] = np.where(key >= 0, key + period * n_series, -1)
        sk = series_key(observations["region"], observations["indicator"])
        year = observations["year"].to_numpy(dtype=float)
        quarter = observations["quarter"].to_numpy(dtype=float)
        tt = period_time(year, quarter)
        value = observations["value"].to_numpy(dtype=float)
        usable = (sk >= 0) & ~np.isnan(value)
        cuts = [np.flatnonzero(usable & (tt <= t_asof + EPS)) for t_asof in t_asofs]  # each period's values
        at = np.concatenate(cuts)
        offset = np.repeat(np.arange(len(cuts)) * n_series, [len(c) for c in cuts])
        keys = sk[at] + offset
        # order by series, time, then a whole year's value after the same year's Q4: one integer key
        # (times are whole quarters), one stable argsort; then every column is taken once, in that order
        quarter_no = np.rint(tt[at] * 4).astype(np.int64)
        low = quarter_no.min(initial=0)
        span = int(quarter_no.max() - low) + 1 if len(at) else 1
        order = np.argsort((keys.astype(np.int64) * span + (quarter_no - low)) * 2 + (quarter[at] == 0),
                           kind="stable")
        keys, at = keys[order], at[order]
        # sources: a missing source counts as "" (one code with an empty text, if any)
        codes_all, uniques = pd.factorize(observations["source"])
        self.sources = pd.Index(uniques, dtype=object)
        src = codes_all[at]
        if (src < 0).any():
            if "" not in self.sources:
                self.sources = self.sources.append(pd.Index([""], dtype=object))
            src = np.where(src < 0, self.sources.get_loc(""), src)
        quarters = quarter[at].astype(int)
        o = pd.DataFrame({"sk": keys, "year": year[at].astype(int), "quarter": quarters, "t": tt[at],
                          "value": value[at], "src": src,
                          "is_sample": observations["is_sample"].to_numpy(dtype=bool)[at], "annual": quarters == 0})
        self.obs = o
        # yearly: the last row of each (sk, year) run
        sk_o, year_o = o["sk"].to_numpy(), o["year"].to_numpy()
        last = np.ones(len(o), dtype=bool)
        last[:-1] = (sk_o[1:] != sk_o[:-1]) | (year_o[1:] != year_o[:-1])
        y = o.iloc[np.flatnonzero(last)].reset_index(drop=True)
        self.yearly = y.assign(frac=np.where(y["annual"], 1.0, y["quarter"] / 4))
        self._sk = o["sk"].to_numpy()
        times = o["t"].to_numpy(dtype=float)
        self._times = np.unique(times)
        # (sk, rank of t) as one exact integer key, sorted like obs: a baseline is one searchsorted away
        self._key = self._sk.astype(np.int64) * (len(self._times) + 1) + np.searchsorted(self._times, times)
        self._columns = {"baseline": o["value"].to_numpy(dtype=float), "baseline_t": times,
                         "baseline_src": o["src"].to_numpy(), "baseline_sample": o["is_sample"].to_numpy()}

    def baselines(self, sk: np.ndarray, base_year: np.ndarray) -> dict[str, np.ndarray]:
        """Per (sk, base_year): baseline, baseline_t, baseline_src, baseline_sample — the latest value at or before
        the base year, else the earliest after it (NaN when the series has none)."""
        sk = np.asarray(sk).astype(np.int64)
        cut = np.searchsorted(self._times, np.asarray(base_year, dtype=float) + EPS, "right")
        i = np.searchsorted(self._key, sk * (len(self._times) + 1) + cut)  # first value after the base year
        n = len(self._key)
        before = (i > 0) & (self._sk[np.maximum(i - 1, 0)] == sk) if n else np.zeros(len(sk), dtype=bool)
        after = (i < n) & (self._sk[np.minimum(i, n - 1)] == sk) if n else np.zeros(len(sk), dtype=bool)
        pick = np.where(before, i - 1, np.where(after, i, -1))
        return {name: _take(values, pick) for name, values in self._columns.items()}


def _used(frame: pd.DataFrame, src: str, sample: str, where: np.ndarray | None = None) -> pd.DataFrame:
    """The (row, src, is_sample) of the values a target used: rows with a source code (and `where`, if given)."""
    codes = frame[src].to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(codes) if where is None else ~np.isnan(codes) & where
    return pd.DataFrame({"row": frame["row"].to_numpy()[ok], "src": codes[ok].astype(int),
                         "is_sample": frame[sample].to_numpy()[ok].astype(bool)})


# ------------------------------------------------------------------ per kind: actual, baseline, goal, path

def _level(f: pd.DataFrame, d: _Data, settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Level and milestone targets: the latest value vs a path from the base-year value to the goal."""
    o = d.obs
    sk = f["sk"].to_numpy()
    last = _last_of(d._sk, int(max(sk.max(initial=-1), d._sk.max(initial=-1))) + 1)  # each series' latest row
    pick = np.where(sk >= 0, last[np.maximum(sk, 0)] if len(last) else -1, -1)
    base = d.baselines(sk, f["base_year"].to_numpy(dtype=float))
    f = f.reset_index(drop=True).assign(
        actual=_take(o["value"].to_numpy(dtype=float), pick), actual_t=_take(o["t"].to_numpy(dtype=float), pick),
        actual_year=_take(o["year"].to_numpy(), pick), actual_quarter=_take(o["quarter"].to_numpy(), pick),
        src=_take(o["src"].to_numpy(), pick), is_sample=_take(o["is_sample"].to_numpy(), pick), **base)
    base_year = f["base_year"].to_numpy(dtype=float)
    f = f.assign(goal=_goal(f, settings), frac=np.nan,
                 path_start=np.where(np.isnan(base["baseline_t"]), base_year, np.fmin(base["baseline_t"], base_year)))
    used = pd.concat([_used(f, "src", "is_sample"), _used(f, "baseline_src", "baseline_sample")])
    return f, used


def _flows(f: pd.DataFrame, d: _Data) -> tuple[np.ndarray, np.ndarray]:
    """Each target row's yearly flows from start_year to due_year (up to the as-of period), as (owner = position
    in f, position in d.yearly), in year order within each owner."""
    y = d.yearly
    owner, at = _expand(y["sk"].to_numpy(), f["sk"].to_numpy())
    year = y["year"].to_numpy()[at]
    keep = (year >= f["start_year"].to_numpy(dtype=float)[owner]) & (year <= f["due_year"].to_numpy(dtype=float)[owner])
    return owner[keep], at[keep]


def _last_of(owner: np.ndarray, size: int) -> np.ndarray:
    """The position of each owner's last item (−1 when it has none); owners are grouped in order."""
    last = np.full(size, -1)
    last[owner] = np.arange(len(owner))
    return last


def _take(values: np.ndarray, positions: np.ndarray, missing: float = np.nan) -> np.ndarray:
    """values[positions] as floats, `missing` where the position is −1."""
    if not len(values):
        return np.full(len(positions), missing)
    return np.where(positions >= 0, values[np.maximum(positions, 0)].astype(float), missing)


def _annual(f: pd.DataFrame, d: _Data, settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual targets: the latest year's own flow since start_year (a year-to-date value is pro-rated: q/4)."""
    owner, at = _flows(f, d)
    y = d.yearly
    last = _last_of(owner, len(f))
    pick = np.where(last >= 0, at[np.maximum(last, 0)] if len(at) else -1, -1)
    actual_year = _take(y["year"].to_numpy(), pick)
    f = f.reset_index(drop=True).assign(
        actual=_take(y["value"].to_numpy(dtype=float), pick), actual_t=_take(y["t"].to_numpy(dtype=float), pick),
        actual_year=actual_year, actual_quarter=_take(y["quarter"].to_numpy(), pick),
        frac=_take(y["frac"].to_numpy(dtype=float), pick), src=_take(y["src"].to_numpy(), pick),
        is_sample=pd.array(np.where(pick >= 0, _take(y["is_sample"].to_numpy(), pick), np.nan), dtype="boolean"))
    f = f.assign(goal=_goal(f, settings), baseline=0.0, baseline_t=actual_year - 1.0, path_start=actual_year - 1.0)
    return f, _used(f, "src", "is_sample")


def _cumulative(f: pd.DataFrame, d: _Data, settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cumulative targets: the sum of yearly flows from start_year to the as-of period (baseline 0)."""
    owner, at = _flows(f, d)
    y = d.yearly
    size = len(f)
    n_years = np.bincount(owner, minlength=size)
    last = _last_of(owner, size)
    pick = np.where(last >= 0, at[np.maximum(last, 0)] if len(at) else -1, -1)
    actual_year = _take(y["year"].to_numpy(), pick)
    start = f["start_year"].to_numpy(dtype=float)
    f = f.reset_index(drop=True).assign(
        actual=np.where(n_years > 0, np.bincount(owner, y["value"].to_numpy(dtype=float)[at], size), np.nan),
        actual_t=_take(y["t"].to_numpy(dtype=float), pick), actual_year=actual_year,
        actual_quarter=_take(y["quarter"].to_numpy(), pick), n_years=np.where(n_years > 0, n_years, np.nan))
    f = f.assign(goal=_goal(f, settings), baseline=0.0, baseline_t=start - 1, path_start=start - 1, frac=np.nan,
                 missing_years=np.nan_to_num(actual_year - start + 1 - f["n_years"].to_numpy(dtype=float)))
    rows = f["row"].to_numpy()[owner]
    used = pd.DataFrame({"row": rows, "src": y["src"].to_numpy()[at].astype(int),
                         "is_sample": y["is_sample"].to_numpy(dtype=bool)[at]})
    return f, used


def _growths(d: _Data) -> dict[str, np.ndarray]:
    """Every year-on-year growth of whole-year values: per (sk, year) with the previous year's value > 0, sorted by
    sk then year, with the sources and sample flags of both values."""
    o = d.obs
    annual = o["annual"].to_numpy(dtype=bool)
    sk, year = o["sk"].to_numpy()[annual], o["year"].to_numpy()[annual]
    value, src = o["value"].to_numpy(dtype=float)[annual], o["src"].to_numpy()[annual]
    sample = o["is_sample"].to_numpy(dtype=bool)[annual]
    order = np.lexsort((year, sk))  # one whole-year value per (sk, year)
    sk, year, value, src, sample = sk[order], year[order], value[order], src[order], sample[order]
    ok = np.zeros(len(sk), dtype=bool)
    ok[1:] = (sk[1:] == sk[:-1]) & (year[1:] == year[:-1] + 1) & (value[:-1] > 0)
    i = np.flatnonzero(ok)
    return {"sk": sk[i], "year": year[i], "value": value[i], "prev": value[i - 1], "src": src[i],
            "is_sample": sample[i], "prev_src": src[i - 1], "prev_sample": sample[i - 1],
            "growth": value[i] / value[i - 1] - 1}


def _relative(f: pd.DataFrame, d: _Data, settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Relative targets: the region's growth vs the benchmark region's, in the latest year both have one."""
    g = _growths(d)
    f = f.reset_index(drop=True)
    owner, at = _expand(g["sk"], f["sk"].to_numpy())
    # the benchmark's growth in the same year: a lookup of (bsk, year) in the sorted growth keys
    span = int(g["year"].max()) + 2 if len(at) else 1
    keys = g["sk"].astype(np.int64) * span + g["year"]
    wanted = f["bsk"].to_numpy().astype(np.int64)[owner] * span + g["year"][at]
    hit = np.searchsorted(keys, wanted)
    found = (hit < len(keys)) & (keys[np.minimum(hit, len(keys) - 1)] == wanted) if len(keys) else hit < 0
    owner, at, bench_at = owner[found], at[found], hit[found]
    last = _last_of(owner, len(f))  # the latest year both have (growths are in year order)
    mine, theirs = np.where(last >= 0, at[np.maximum(last, 0)] if len(at) else -1, -1), \
        np.where(last >= 0, bench_at[np.maximum(last, 0)] if len(bench_at) else -1, -1)
    both = {"actual": _take(g["value"], mine), "prev": _take(g["prev"], mine),
            "actual_year": _take(g["year"], mine), "region_growth": _take(g["growth"], mine),
            "src": _take(g["src"], mine), "is_sample": _take(g["is_sample"], mine),
            "prev_src": _take(g["prev_src"], mine), "prev_sample": _take(g["prev_sample"], mine),
            "bench_value": _take(g["value"], theirs), "bench_prev": _take(g["prev"], theirs),
            "benchmark_growth": _take(g["growth"], theirs), "bench_src": _take(g["src"], theirs),
            "bench_sample": _take(g["is_sample"], theirs), "bench_prev_src": _take(g["prev_src"], theirs),
            "bench_prev_sample": _take(g["prev_sample"], theirs)}
    f = f.assign(**both)
    base_year = f["base_year"].to_numpy(dtype=float)
    bench = d.baselines(f["bsk"].to_numpy(), base_year)
    f = f.assign(**d.baselines(f["sk"].to_numpy(), base_year),
                 **{name.replace("baseline", "bench_base"): values for name, values in bench.items()})
    rel = settings["relative"]
    f = f.assign(
        actual_t=f["actual_year"].astype(float), actual_quarter=np.where(f["actual_year"].notna(), 0, np.nan),
        margin_pp=(f["region_growth"] - f["benchmark_growth"]) * 100,
        goal=f["prev"] * (1 + f["benchmark_growth"] + rel["clearly_above_pp"] / 100),
        rel_expected=f["prev"] * (1 + f["benchmark_growth"] + rel["on_track_margin_pp"] / 100),
        path_start=f["base_year"].astype(float), frac=np.nan,
        region_growth_avg=_cagr(f["actual"], f["baseline"], f["actual_year"] - f["baseline_t"]),
        benchmark_growth_avg=_cagr(f["bench_value"], f["bench_base"], f["actual_year"] - f["bench_base_t"]),
    )
    used = pd.concat([_used(f, "src", "is_sample")]
                     + [_used(f, c + "src", c + "sample") for c in ("prev_", "bench_", "bench_prev_")]
                     + [_used(f, "baseline_src", "baseline_sample"),
                        _used(f, "bench_base_src", "bench_base_sample", where=f["actual"].notna().to_numpy())])
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

def _column(f: pd.DataFrame, name: str) -> np.ndarray:
    """A float column, or NaN everywhere when the frame has none (relative-only columns)."""
    return f[name].to_numpy(dtype=float) if name in f else np.full(len(f), np.nan)


def _progress(f: pd.DataFrame, t_asof: np.ndarray, settings: dict[str, Any]) -> pd.DataFrame:
    """Expected value, ratio, attainment, gap and pace from actual, baseline, goal and path (vectorised), in the
    steps of the module docstring: the path, the progress ratio, met / on track, then the pace."""
    a = SimpleNamespace(
        has=f["actual"].notna().to_numpy(), sign=f["sign"].to_numpy(), kind=f["kind"].to_numpy(dtype=object),
        actual=f["actual"].to_numpy(dtype=float), baseline=f["baseline"].to_numpy(dtype=float),
        goal=f["goal"].to_numpy(dtype=float), due=f["due_year"].to_numpy(dtype=float),
        start=f["path_start"].to_numpy(dtype=float), t_asof=t_asof)
    a.t_now = np.where(a.has, f["actual_t"].to_numpy(dtype=float), t_asof)
    a.is_annual, a.is_rel = a.kind == "annual", a.kind == "relative"
    a.rg, a.bg = _column(f, "region_growth"), _column(f, "benchmark_growth")
    with np.errstate(all="ignore"):
        _path(a, f)
        _ratio(a)
        _verdict(a, f, settings)
        _pace(a, f, settings)
    return f.assign(expected=a.expected, ratio=a.ratio, met=a.met & a.has, on_track=a.on_track,
                    attainment=a.attainment, gap=a.gap, required_annual_increase=a.required_inc,
                    required_growth_rate=a.required_growth, actual_annual_increase=a.actual_inc,
                    actual_growth_rate=a.actual_growth, has_actual=a.has,
                    years_elapsed=np.clip(t_asof - np.where(a.is_annual | (a.kind == "cumulative"),
                                                            f["start_year"].to_numpy(dtype=float) - 1,
                                                            f["base_year"].to_numpy(dtype=float)), 0, None),
                    years_remaining=a.remaining)


def _path(a: SimpleNamespace, f: pd.DataFrame) -> None:
    """Where the path stands now: the share of the way from the path start to the due year, and the expected value
    (linear, or compound for `path = "compound"` levels; the engine's own expectation for relative targets)."""
    a.span = a.due - a.start
    share = np.where(a.span > 0, np.clip((a.t_now - a.start) / np.where(a.span > 0, a.span, 1), 0, 1), 1.0)
    a.share = np.where(a.is_annual, f["frac"].fillna(1.0).to_numpy(dtype=float), share)
    a.compound = ((f["path"].to_numpy(dtype=object) == "compound") & (a.kind == "level")
                  & (a.baseline > 0) & (a.goal > 0))
    expected = np.where(a.compound, a.baseline * (a.goal / np.where(a.compound, a.baseline, 1)) ** a.share,
                        a.baseline + (a.goal - a.baseline) * a.share)
    a.expected = np.where(a.is_rel, _column(f, "rel_expected"), expected)
    a.scale = np.fmax(np.abs(a.goal), np.abs(a.baseline))
    a.tiny = EPS * np.where(a.scale > 0, a.scale, 1.0)  # independent of actual: raising actual never flips a branch


def _ratio(a: SimpleNamespace) -> None:
    """The progress ratio: linear (made ÷ required so far), CAGR-based on compound paths, and for relative targets
    1 + margin ÷ |benchmark growth| (= region growth ÷ benchmark growth when that is > 0)."""
    a.met_value = a.sign * (a.actual - a.goal) >= -a.tiny
    made = a.sign * (a.actual - a.baseline)
    required_now = a.sign * (a.expected - a.baseline)
    a.needed = a.sign * (a.goal - a.baseline)
    linear = np.select(
        [required_now > a.tiny, a.needed > a.tiny],
        [made / np.where(required_now > a.tiny, required_now, 1),
         # path not started yet (as-of at or before the path start): nothing required, so on the path
         # unless the value went the wrong way
         np.where(made >= 0, 1.0, made / np.where(a.needed > a.tiny, a.needed, 1))],
        # no progress required (baseline already at or beyond the goal) but not met now: it went back
        np.where(a.met_value, 1.0, made / np.where(a.scale > 0, a.scale, 1.0) - EPS))
    a.elapsed = a.t_now - a.start
    a.cagr_actual = _cagr(a.actual, a.baseline, a.elapsed)
    cagr_required = _cagr(a.goal, a.baseline, a.span)
    use_cagr = (a.compound & (a.elapsed > 0) & np.isfinite(a.cagr_actual) & (np.abs(cagr_required) > EPS)
                & (a.needed > a.tiny))
    ratio = np.where(use_cagr, a.cagr_actual / np.where(use_cagr, cagr_required, 1), linear)
    rel_ratio = np.where(np.abs(a.bg) > EPS, 1 + (a.rg - a.bg) / np.where(np.abs(a.bg) > EPS, np.abs(a.bg), 1),
                         np.where(a.rg >= -EPS, 1.0, -1.0))
    a.ratio = np.where(a.is_rel, rel_ratio, ratio)


def _verdict(a: SimpleNamespace, f: pd.DataFrame, settings: dict[str, Any]) -> None:
    """Met (the goal reached; relative: margin ≥ clearly_above_pp) and on track (ratio ≥ status.on_track;
    relative: margin ≥ on_track_margin_pp)."""
    rel = settings["relative"]
    margin = _column(f, "margin_pp")
    a.met = np.where(a.is_rel, margin >= rel["clearly_above_pp"] - EPS, a.met_value)
    a.on_track = np.where(a.is_rel, margin >= rel["on_track_margin_pp"] - EPS,
                          a.ratio >= settings["status"]["on_track"] - EPS)


def _pace(a: SimpleNamespace, f: pd.DataFrame, settings: dict[str, Any]) -> None:
    """Attainment, gap, the pace still required (per year left, or this year's remainder) and the pace so far."""
    nominal = np.select([f["comparator"].to_numpy(dtype=object) == "range", a.is_rel],
                        [f["value_low"].to_numpy(dtype=float), a.goal], f["value"].to_numpy(dtype=float))
    a.attainment = np.where(
        a.sign > 0,
        np.where(nominal > 0, a.actual / np.where(nominal > 0, nominal, 1), np.where(a.actual >= nominal, 1.0, 0.0)),
        np.where(a.actual > 0, nominal / np.where(a.actual > 0, a.actual, 1), 1.0))
    a.gap = a.sign * (a.goal - a.actual)
    a.remaining = np.clip(a.due - a.t_asof, 0, None)
    divisor = np.where(a.is_annual | a.is_rel | (a.remaining < 1), 1.0, a.remaining)
    still = np.where(a.met, 0.0, a.goal - a.actual)
    base_for_rel = _column(f, "prev")
    a.required_inc = np.where(a.is_rel, np.where(a.met, 0.0, a.goal - base_for_rel), still / divisor)
    required_growth = np.where(a.met, 0.0, _cagr(a.goal, a.actual, divisor))
    a.required_growth = np.where(a.is_rel, a.bg + settings["relative"]["clearly_above_pp"] / 100, required_growth)
    actual_inc = np.where(a.elapsed > 0, (a.actual - a.baseline) / np.where(a.elapsed > 0, a.elapsed, 1), 0.0)
    actual_inc = np.where(a.is_annual, a.actual / np.where(a.share > 0, a.share, 1), actual_inc)
    a.actual_inc = np.where(a.is_rel, a.actual - base_for_rel, actual_inc)
    a.actual_growth = np.where(a.is_rel, a.rg, a.cagr_actual)


def _expand(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each wanted key, the positions of its rows in `keys` (sorted): (which wanted item, row position),
    wanted items in order and each one's rows in their stored order — a one-to-many join on sorted integers."""
    lo = np.searchsorted(keys, wanted, "left")
    counts = np.searchsorted(keys, wanted, "right") - lo
    owner = np.repeat(np.arange(len(wanted)), counts)
    starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return owner, starts + np.arange(counts.sum())


def _fit(owner: np.ndarray, t: np.ndarray, value: np.ndarray, due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per target (owner = its position; points sorted by t within it): the linear least-squares and the compound
    (first→last CAGR) forecasts of the value at the due year; NaN with fewer than two points."""
    size = len(due)
    if not len(owner):
        return np.full(size, np.nan), np.full(size, np.nan)
    n = np.bincount(owner, minlength=size).astype(float)
    st_, sv = np.bincount(owner, t, size), np.bincount(owner, value, size)
    stv, stt = np.bincount(owner, t * value, size), np.bincount(owner, t * t, size)
    first, last = np.full(size, -1), np.full(size, -1)
    last[owner] = np.arange(len(owner))  # the last write per owner wins: its last point
    first[owner[::-1]] = np.arange(len(owner))[::-1]
    with np.errstate(all="ignore"):
        den = n * stt - st_ ** 2
        ok = (n >= 2) & (np.abs(den) > EPS)
        slope = (n * stv - st_ * sv) / den
        linear = np.where(ok, (sv - slope * st_) / n + slope * due, np.nan)
        has = last >= 0
        t_first, t_last = np.where(has, t[first], np.nan), np.where(has, t[last], np.nan)
        v_first, v_last = np.where(has, value[first], np.nan), np.where(has, value[last], np.nan)
        rate = _cagr(v_last, v_first, t_last - t_first)
        compound = np.where(ok, v_last * (1 + rate) ** (due - t_last), np.nan)
    return linear, compound


def _points(f: pd.DataFrame, d: _Data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points each target's trend is fitted to, as (owner = position in f, t, value), sorted by owner then t:
    level, milestone, relative: the region's yearly values; annual: whole-year flows only; cumulative: the running
    sum of the yearly flows from start_year, with the known zero at the start. Only points since the base year,
    unless that leaves fewer than two (then all of them)."""
    y = d.yearly
    ysk, yt, yv = y["sk"].to_numpy(), y["t"].to_numpy(dtype=float), y["value"].to_numpy(dtype=float)
    yyear, whole = y["year"].to_numpy(), y["frac"].to_numpy(dtype=float) == 1
    kind = f["kind"].to_numpy(dtype=object)
    owner, at = _expand(ysk, f["sk"].to_numpy())
    k = kind[owner]
    start, due = f["start_year"].to_numpy(dtype=float), f["due_year"].to_numpy(dtype=float)
    cumulative = k == "cumulative"
    keep = np.where(k == "annual", whole[at],
                    np.where(cumulative, (yyear[at] >= start[owner]) & (yyear[at] <= due[owner]), True))
    owner, at, cumulative = owner[keep], at[keep], cumulative[keep]
    value = yv[at].copy()
    # running sums within each cumulative target (its flows are in year order)
    csum = np.cumsum(np.where(cumulative, value, 0.0))
    group_start = np.concatenate(([True], owner[1:] != owner[:-1]))
    offset = np.maximum.accumulate(np.where(group_start, np.arange(len(owner)), 0))
    before = np.where(offset > 0, csum[np.maximum(offset - 1, 0)], 0.0)
    value = np.where(cumulative, csum - before, value)
    zero = np.unique(owner[cumulative])
    owner = np.concatenate((owner, zero))
    t = np.concatenate((yt[at], start[zero] - 1))
    value = np.concatenate((value, np.zeros(len(zero))))
    order = np.lexsort((t, owner))
    owner, t, value = owner[order], t[order], value[order]
    since = t >= f["base_year"].to_numpy(dtype=float)[owner] - EPS
    enough = np.bincount(owner[since], minlength=len(f)) >= 2
    keep = since | ~enough[owner]
    return owner[keep], t[keep], value[keep]


def _forecast(f: pd.DataFrame, d: _Data, settings: dict[str, Any]) -> pd.DataFrame:
    """Trend forecasts for the due year, from the values since the base year (all values when fewer than two)."""
    owner, t, value = _points(f, d)
    linear, compound = _fit(owner, t, value, f["due_year"].to_numpy(dtype=float))
    kind = f["kind"].to_numpy(dtype=object)
    compound = np.where(kind == "cumulative", np.nan, compound)  # a sum from zero has no growth rate
    forecast = np.where((f["path"].to_numpy(dtype=object) == "compound") & ~np.isnan(compound), compound, linear)
    # the due year's whole value is in: it is the forecast
    actual_t = f["actual_t"].to_numpy(dtype=float)
    done = (f["has_actual"].to_numpy(dtype=bool) & (actual_t >= f["due_year"].to_numpy(dtype=float) - EPS)
            & (kind != "relative") & (f["frac"].fillna(1.0).to_numpy(dtype=float) == 1.0))
    forecast = np.where(done, f["actual"].to_numpy(dtype=float), forecast)
    goal = f["goal"].to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        reaches = f["sign"].to_numpy(dtype=float) * (forecast - goal) >= -EPS * np.fmax(np.abs(goal), 1.0)
        reaches &= ~np.isnan(forecast)
        margin_avg = (_column(f, "region_growth_avg") - _column(f, "benchmark_growth_avg")) * 100
        rel_reaches = margin_avg >= settings["relative"]["clearly_above_pp"] - EPS
    reaches = np.where(kind == "relative", rel_reaches, reaches)
    return f.assign(forecast_linear=linear, forecast_compound=compound, forecast=forecast,
                    forecast_reaches=reaches.astype(bool))


def _provenance(f: pd.DataFrame, used: pd.DataFrame, sources: pd.Index) -> pd.DataFrame:
    """is_sample: any value used is sample; sources: the distinct sources used, sorted and '；'-joined."""
    rows, src = used["row"].to_numpy(dtype=np.int64), used["src"].to_numpy(dtype=np.int64)
    target_rows = f["row"].to_numpy()
    size = int(max(target_rows.max(initial=-1), rows.max(initial=-1))) + 1
    any_sample = np.bincount(rows, weights=used["is_sample"].to_numpy(dtype=float), minlength=size) > 0
    texts = np.asarray(sources, dtype=object)
    by_text = np.argsort(texts, kind="stable")
    rank = np.empty(len(texts), dtype=np.int64)
    rank[by_text] = np.arange(len(texts))
    pairs = np.unique(rows * (len(texts) + 1) + rank[src])  # distinct (row, source), sources in text order
    pair_row, pair_text = pairs // (len(texts) + 1), texts[by_text[pairs % (len(texts) + 1)]] if len(pairs) else []
    text = np.full(size, "", dtype=object)
    single = np.bincount(pair_row, minlength=size) == 1
    one = single[pair_row]
    text[pair_row[one]] = np.asarray(pair_text, dtype=object)[one] if len(pairs) else []
    for row in np.flatnonzero(~single & (np.bincount(pair_row, minlength=size) > 1)).tolist():
        text[row] = "；".join(pair_text[k] for k in np.flatnonzero(pair_row == row).tolist())
    return f.assign(is_sample=any_sample[target_rows], sources=text[target_rows])


def _finish(f: pd.DataFrame, t: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """Staleness, status, band position and stage names; the identity columns joined back by row (t's row is its
    position, so the join is a positional take); rows in target order."""
    f = f.sort_values("row", kind="stable").reset_index(drop=True)
    t_asof = f["t_asof"].to_numpy(dtype=float)
    has = f["has_actual"].to_numpy(dtype=bool)
    actual = f["actual"].to_numpy(dtype=float, na_value=np.nan)
    comparator, frequency = f["comparator"].to_numpy(dtype=object), f["frequency"].to_numpy(dtype=object)
    lag = settings["staleness"]
    allowed = np.where(frequency == "quarterly", lag["quarterly_lag_quarters"] / 4, lag["annual_lag_years"])
    stale = (t_asof - f["actual_t"].to_numpy(dtype=float)) > allowed + EPS
    by_ratio = status_for_ratio(f["ratio"], settings)
    # reached only without the on_track flag: for a relative target a high ratio below the margin is moderate
    by_ratio = np.where(by_ratio == "on_track", "moderate", by_ratio)
    key = np.select([~has, f["met"].to_numpy(dtype=bool), stale, f["on_track"].to_numpy(dtype=bool)],
                    ["no_data", "met", "stale", "on_track"], by_ratio)
    status = year_end_verdict(pd.Series(key, index=f.index, dtype=object), f["due_year"], t_asof, settings)
    status = status.to_numpy(dtype=object)
    value = f["value"].to_numpy(dtype=float)
    low_v, high_v = f["value_low"].to_numpy(dtype=float), f["value_high"].to_numpy(dtype=float)
    tol = settings["tolerance"]["approximate"]
    low = np.where(comparator == "range", low_v, value * (1 - tol))
    high = np.where(comparator == "range", high_v, value * (1 + tol))
    banded = np.isin(comparator, ["approx", "range"]) & has
    with np.errstate(invalid="ignore"):  # NaN actuals (no data yet) compare False without a RuntimeWarning
        band = np.select([actual < low - EPS * np.abs(low), actual > high + EPS * np.abs(high)],
                         ["below", "above"], "inside")
    kind = f["kind"].to_numpy(dtype=object)
    stages = _stage_names(t, f["row"].to_numpy(), kind == "milestone")
    label = {s.key: s.label for s in labels.STATUSES}
    order = {s.key: s.order for s in labels.STATUSES}
    no_data = status == "no_data"
    n = len(f)
    computed = {
        "status": status, "status_label": [label[k] for k in status], "status_order": [order[k] for k in status],
        "band_position": np.where(banded, band, ""),
        "actual_stage": [_stage(names, a) if names and h else "" for names, a, h in zip(stages, actual, has)],
        "target_stage": [_stage(names, v) if names else "" for names, v in zip(stages, value)],
        "target_value": np.where(kind == "relative", f["goal"].to_numpy(dtype=float), value),
        "target_low": low_v, "target_high": high_v,
        "baseline_year": pd.array(np.floor(f["baseline_t"].to_numpy(dtype=float)), dtype="Int64"),
        "actual_year": pd.array(f["actual_year"].to_numpy(dtype=float), dtype="Int64"),
        "actual_quarter": pd.array(f["actual_quarter"].to_numpy(dtype=float), dtype="Int64"),
        "missing_years": (f["missing_years"].fillna(0).to_numpy().astype(int) if "missing_years" in f
                          else np.zeros(n, dtype=int)),
        "as_of_year": f["as_of_year"].to_numpy(), "as_of_quarter": f["as_of_quarter"].to_numpy(),
        # without a value there is no progress to report: these stay NaN (goal/expected/baseline may still exist)
        **{c: np.where(no_data, np.nan, f[c].to_numpy(dtype=float)) for c in NEED_ACTUAL},
        **{c: np.full(n, np.nan) for c in ("region_growth", "benchmark_growth", "margin_pp", "region_growth_avg",
                                           "benchmark_growth_avg") if c not in f},
    }
    rows = f["row"].to_numpy()
    from_targets = {"kind", "comparator", "start_year", "due_year", "measure"}
    return pd.DataFrame({c: computed[c] if c in computed else
                         t[c].array.take(rows) if c in from_targets or c not in f.columns else f[c].array
                         for c in OUTPUT})


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
    if index != index:
        return ""
    i = int(round(index))
    return names[i] if 0 <= i < len(names) else ""
