"""Per kind of target: the actual value, the baseline, the goal and the path start (README "Metrics", table).

Each step takes the rows of its kinds (with `sk`, `bsk` from the ObservationIndex and `flow_end`: the last year
whose flow counts) and returns them with actual, actual_t, actual_year, actual_quarter, baseline, baseline_t, goal,
path_start, frac, plus the (row, src, is_sample) of every value it used."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from metrics.status_data import (
    EPS,
    ObservationIndex,
    expand,
    last_of,
    take,
    used_values,
)

Step = Callable[[pd.DataFrame, ObservationIndex, dict[str, Any]], tuple[pd.DataFrame, pd.DataFrame]]


def cagr(end: Any, start: Any, years: Any) -> np.ndarray:
    """Compound annual growth rate; NaN where undefined (a value ≤ 0 or no time elapsed)."""
    end, start, years = (np.asarray(x, dtype=float) for x in (end, start, years))
    ok = (end > 0) & (start > 0) & (years > 0)
    with np.errstate(all="ignore"):
        return np.where(ok, (end / np.where(ok, start, 1)) ** (1 / np.where(ok, years, 1)) - 1, np.nan)


def integer_measure(f: pd.DataFrame) -> np.ndarray:
    """Counts (家, 个, 项 …): an indicator shown without decimals whose values are stocks or flows."""
    decimals = f["decimals"].to_numpy(dtype=float, na_value=np.nan) if "decimals" in f else np.zeros(len(f))
    return (decimals == 0) & f["measure"].isin(["stock", "flow"]).to_numpy()


def goal_of(f: pd.DataFrame, settings: dict[str, Any]) -> pd.Series:
    """The value the status tests: 左右 → value × (1 − tolerance), rounded up to a whole number on an integer
    measure (5 左右 → ceil(4.5) = 5: a count of 4 is short, and its gap is never "0"); range → low; otherwise the
    value."""
    tol = settings["tolerance"]["approximate"]
    approx = f["value"].to_numpy(dtype=float) * (1 - tol)
    approx = np.where(integer_measure(f), np.ceil(approx - EPS * np.abs(approx)), approx)
    return pd.Series(np.select([f["comparator"] == "approx", f["comparator"] == "range"],
                               [approx, f["value_low"]], f["value"]), index=f.index, dtype=float)


def level_actuals(f: pd.DataFrame, d: ObservationIndex, settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Level and milestone targets: the latest value vs a path from the base-year value to the goal."""
    o = d.obs
    pick = d.latest(f["sk"].to_numpy())
    base = d.baselines(f["sk"].to_numpy(), f["base_year"].to_numpy(dtype=float))
    f = f.reset_index(drop=True).assign(
        actual=take(o["value"].to_numpy(dtype=float), pick), actual_t=take(o["t"].to_numpy(dtype=float), pick),
        actual_year=take(o["year"].to_numpy(), pick), actual_quarter=take(o["quarter"].to_numpy(), pick),
        src=take(o["src"].to_numpy(), pick), is_sample=take(o["is_sample"].to_numpy(), pick), **base)
    base_year = f["base_year"].to_numpy(dtype=float)
    f = f.assign(goal=goal_of(f, settings), frac=np.nan,
                 path_start=np.where(np.isnan(base["baseline_t"]), base_year, np.fmin(base["baseline_t"], base_year)))
    used = pd.concat([used_values(f, "src", "is_sample"),
                      used_values(f, "baseline_src", "baseline_sample", base=True)])
    return f, used


def yearly_flows(f: pd.DataFrame, d: ObservationIndex) -> tuple[np.ndarray, np.ndarray]:
    """Each target row's yearly flows from start_year to flow_end (up to its cut), as (owner = position in f,
    position in d.yearly), in year order within each owner."""
    y = d.yearly
    owner, at = expand(y["sk"].to_numpy(), f["sk"].to_numpy())
    year = y["year"].to_numpy()[at]
    keep = ((year >= f["start_year"].to_numpy(dtype=float)[owner])
            & (year <= f["flow_end"].to_numpy(dtype=float)[owner]))
    return owner[keep], at[keep]


def annual_actuals(f: pd.DataFrame, d: ObservationIndex, settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual targets: the latest year's own flow since start_year (a year-to-date value is pro-rated: q/4)."""
    owner, at = yearly_flows(f, d)
    y = d.yearly
    last = last_of(owner, len(f))
    pick = np.where(last >= 0, at[np.maximum(last, 0)] if len(at) else -1, -1)
    actual_year = take(y["year"].to_numpy(), pick)
    f = f.reset_index(drop=True).assign(
        actual=take(y["value"].to_numpy(dtype=float), pick), actual_t=take(y["t"].to_numpy(dtype=float), pick),
        actual_year=actual_year, actual_quarter=take(y["quarter"].to_numpy(), pick),
        frac=take(y["frac"].to_numpy(dtype=float), pick), src=take(y["src"].to_numpy(), pick),
        is_sample=pd.array(np.where(pick >= 0, take(y["is_sample"].to_numpy(), pick), np.nan), dtype="boolean"))
    f = f.assign(goal=goal_of(f, settings), baseline=0.0, baseline_t=actual_year - 1.0, path_start=actual_year - 1.0)
    return f, used_values(f, "src", "is_sample")


def cumulative_actuals(f: pd.DataFrame, d: ObservationIndex,
                       settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cumulative targets: the sum of yearly flows from start_year to the cut (baseline 0)."""
    owner, at = yearly_flows(f, d)
    y = d.yearly
    size = len(f)
    n_years = np.bincount(owner, minlength=size)
    last = last_of(owner, size)
    pick = np.where(last >= 0, at[np.maximum(last, 0)] if len(at) else -1, -1)
    actual_year = take(y["year"].to_numpy(), pick)
    start = f["start_year"].to_numpy(dtype=float)
    f = f.reset_index(drop=True).assign(
        actual=np.where(n_years > 0, np.bincount(owner, y["value"].to_numpy(dtype=float)[at], size), np.nan),
        actual_t=take(y["t"].to_numpy(dtype=float), pick), actual_year=actual_year,
        actual_quarter=take(y["quarter"].to_numpy(), pick), n_years=np.where(n_years > 0, n_years, np.nan),
        src=take(y["src"].to_numpy(), pick))   # the latest flow's: its 数据状态 is the actual's
    f = f.assign(goal=goal_of(f, settings), baseline=0.0, baseline_t=start - 1, path_start=start - 1, frac=np.nan,
                 missing_years=np.nan_to_num(actual_year - start + 1 - f["n_years"].to_numpy(dtype=float)))
    rows = f["row"].to_numpy()[owner]
    used = pd.DataFrame({"row": rows, "src": y["src"].to_numpy()[at].astype(int),
                         "is_sample": y["is_sample"].to_numpy(dtype=bool)[at], "base": False})
    return f, used


def yearly_growths(d: ObservationIndex) -> dict[str, np.ndarray]:
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


def relative_actuals(f: pd.DataFrame, d: ObservationIndex,
                     settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Relative targets: the region's growth vs the benchmark region's, in the latest year both have one."""
    g = yearly_growths(d)
    f = f.reset_index(drop=True)
    owner, at = expand(g["sk"], f["sk"].to_numpy())
    # the benchmark's growth in the same year: a lookup of (bsk, year) in the sorted growth keys
    span = int(g["year"].max()) + 2 if len(at) else 1
    keys = g["sk"].astype(np.int64) * span + g["year"]
    wanted = f["bsk"].to_numpy().astype(np.int64)[owner] * span + g["year"][at]
    hit = np.searchsorted(keys, wanted)
    found = (hit < len(keys)) & (keys[np.minimum(hit, len(keys) - 1)] == wanted) if len(keys) else hit < 0
    owner, at, bench_at = owner[found], at[found], hit[found]
    last = last_of(owner, len(f))  # the latest year both have (growths are in year order)
    mine = np.where(last >= 0, at[np.maximum(last, 0)] if len(at) else -1, -1)
    theirs = np.where(last >= 0, bench_at[np.maximum(last, 0)] if len(bench_at) else -1, -1)
    both = {"actual": take(g["value"], mine), "prev": take(g["prev"], mine),
            "actual_year": take(g["year"], mine), "region_growth": take(g["growth"], mine),
            "src": take(g["src"], mine), "is_sample": take(g["is_sample"], mine),
            "prev_src": take(g["prev_src"], mine), "prev_sample": take(g["prev_sample"], mine),
            "bench_value": take(g["value"], theirs), "bench_prev": take(g["prev"], theirs),
            "benchmark_growth": take(g["growth"], theirs), "bench_src": take(g["src"], theirs),
            "bench_sample": take(g["is_sample"], theirs), "bench_prev_src": take(g["prev_src"], theirs),
            "bench_prev_sample": take(g["prev_sample"], theirs)}
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
        region_growth_avg=cagr(f["actual"], f["baseline"], f["actual_year"] - f["baseline_t"]),
        benchmark_growth_avg=cagr(f["bench_value"], f["bench_base"], f["actual_year"] - f["bench_base_t"]),
    )
    used = pd.concat([used_values(f, "src", "is_sample")]
                     + [used_values(f, c + "src", c + "sample") for c in ("prev_", "bench_", "bench_prev_")]
                     + [used_values(f, "baseline_src", "baseline_sample", base=True),
                        used_values(f, "bench_base_src", "bench_base_sample", where=f["actual"].notna().to_numpy(),
                                    base=True)])
    return f, used


def growth_actuals(f: pd.DataFrame, d: ObservationIndex,
                   settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """cagr targets ("年均增长10%以上"): actual = the average annual growth in % from the base-year value to the latest
    whole-year value (a year's value or its Q4: a year-to-date flow is not a year); baseline = the base-year value
    (the latest whole-year value at or before the base year, else the earliest after it); goal = the target rate.
    cagr_needed: the growth a year still needed from the latest value to reach the goal's level by the due year."""
    y = d.yearly
    whole = y["frac"].to_numpy(dtype=float) == 1
    owner, at = expand(y["sk"].to_numpy(), f["sk"].to_numpy())
    owner, at = owner[whole[at]], at[whole[at]]
    year = y["year"].to_numpy()[at]
    base_year = f["base_year"].to_numpy(dtype=float)
    size = len(f)
    latest = last_of(owner, size)
    upto = year <= base_year[owner]
    at_or_before = last_of(owner[upto], size)
    first = np.full(size, -1)
    first[owner[::-1]] = np.arange(len(owner))[::-1]
    base_pick = np.where(at_or_before >= 0, np.flatnonzero(upto)[np.maximum(at_or_before, 0)] if upto.any() else -1,
                         first)

    def pick(positions: np.ndarray) -> np.ndarray:
        return np.where(positions >= 0, at[np.maximum(positions, 0)] if len(at) else -1, -1)

    now, base = pick(latest), pick(base_pick)
    column = {c: y[c].to_numpy() for c in ("value", "t", "year", "quarter", "src", "is_sample")}
    level, t_level = take(column["value"], now), take(column["t"], now)
    baseline, baseline_t = take(column["value"], base), take(column["t"], base)
    goal = f["value"].to_numpy(dtype=float)
    due = f["due_year"].to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        needed_level = baseline * (1 + goal / 100) ** (due - baseline_t)
    actual = cagr(level, baseline, t_level - baseline_t) * 100
    now = np.where(np.isnan(actual), -1, now)  # no growth rate (a value ≤ 0, no time elapsed): no actual at all
    f = f.reset_index(drop=True).assign(
        actual=actual, actual_t=take(column["t"], now),
        actual_year=take(column["year"], now), actual_quarter=np.where(now >= 0, 0.0, np.nan),
        src=take(column["src"], now), is_sample=take(column["is_sample"], now),
        baseline=baseline, baseline_t=baseline_t, baseline_src=take(column["src"], base),
        baseline_sample=take(column["is_sample"], base), goal=goal, frac=np.nan,
        path_start=np.where(np.isnan(baseline_t), base_year, np.fmin(baseline_t, base_year)),
        cagr_needed=cagr(needed_level, level, np.fmax(due - t_level, 1.0)))
    has = f["actual"].notna().to_numpy()
    used = pd.concat([used_values(f, "src", "is_sample", where=has),
                      used_values(f, "baseline_src", "baseline_sample", where=has)])
    return f, used


# which step computes which kinds, in the order the rows are assembled
STEPS: tuple[tuple[tuple[str, ...], Step], ...] = (
    (("level", "milestone"), level_actuals), (("annual",), annual_actuals), (("cumulative",), cumulative_actuals),
    (("relative",), relative_actuals), (("cagr",), growth_actuals))


def actuals(f: pd.DataFrame, d: ObservationIndex, settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every row's actual, baseline, goal and path by its kind; and the values used (row, src, is_sample, base)."""
    parts, used = [], []
    for kinds, step in STEPS:
        rows = f[f["kind"].isin(kinds)]
        if not rows.empty:
            frame, sources = step(rows, d, settings)
            parts.append(frame)
            used.append(sources)
    return pd.concat(parts, ignore_index=True), pd.concat(used, ignore_index=True)
