"""Progress, pace and forecast of the target rows (the formulas of README "Metrics"), as whole-column steps:
where the path stands now, the progress ratio, met / on track, the pace still required, the trend forecast."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from metrics.status_data import EPS, ObservationIndex, expand
from metrics.status_kinds import cagr


def column(f: pd.DataFrame, name: str) -> np.ndarray:
    """A float column, or NaN everywhere when the frame has none (relative-only columns)."""
    return f[name].to_numpy(dtype=float) if name in f else np.full(len(f), np.nan)


class Rows(NamedTuple):
    """What every formula reads, one array per column of the target rows."""
    has: np.ndarray            # an actual value exists
    sign: np.ndarray           # +1, or −1 for ≤ targets
    kind: np.ndarray
    actual: np.ndarray
    baseline: np.ndarray
    goal: np.ndarray
    due: np.ndarray            # due year
    start: np.ndarray          # path start
    t_asof: np.ndarray         # the time the row is computed at
    t_now: np.ndarray          # the actual's time (the as-of time without one)
    is_annual: np.ndarray
    is_rel: np.ndarray
    is_cagr: np.ndarray        # growth-rate targets: actual and goal in % a year, baseline 0 %
    region_growth: np.ndarray
    benchmark_growth: np.ndarray


def rows_of(f: pd.DataFrame, t_asof: np.ndarray) -> Rows:
    has = f["actual"].notna().to_numpy()
    kind = f["kind"].to_numpy(dtype=object)
    is_cagr = kind == "cagr"
    return Rows(has=has, sign=f["sign"].to_numpy(), kind=kind, actual=f["actual"].to_numpy(dtype=float),
                baseline=np.where(is_cagr, 0.0, f["baseline"].to_numpy(dtype=float)),
                goal=f["goal"].to_numpy(dtype=float),
                due=f["due_year"].to_numpy(dtype=float), start=f["path_start"].to_numpy(dtype=float),
                t_asof=t_asof, t_now=np.where(has, f["actual_t"].to_numpy(dtype=float), t_asof),
                is_annual=kind == "annual", is_rel=kind == "relative", is_cagr=is_cagr,
                region_growth=column(f, "region_growth"), benchmark_growth=column(f, "benchmark_growth"))


class PathNow(NamedTuple):
    span: np.ndarray           # due year − path start
    share: np.ndarray          # elapsed share of the path (annual targets: the year's share q/4)
    compound: np.ndarray       # on a compound path
    expected: np.ndarray       # the path value now
    scale: np.ndarray          # max(|goal|, |baseline|)
    tiny: np.ndarray           # EPS on that scale: "exactly on the boundary"


def path_now(r: Rows, frac: np.ndarray, path: np.ndarray, rel_expected: np.ndarray) -> PathNow:
    """Where the path stands now: the share of the way from the path start to the due year, and the expected value
    (linear, or compound for `path = "compound"` levels; the engine's own expectation for relative targets; the
    goal itself for a cagr target: the average growth rate is the pace required all along)."""
    span = r.due - r.start
    share = np.where(span > 0, np.clip((r.t_now - r.start) / np.where(span > 0, span, 1), 0, 1), 1.0)
    share = np.where(r.is_annual, frac, share)
    compound = (path == "compound") & (r.kind == "level") & (r.baseline > 0) & (r.goal > 0)
    expected = np.where(compound, r.baseline * (r.goal / np.where(compound, r.baseline, 1)) ** share,
                        r.baseline + (r.goal - r.baseline) * share)
    scale = np.fmax(np.abs(r.goal), np.abs(r.baseline))
    expected = np.select([r.is_rel, r.is_cagr], [rel_expected, r.goal], expected)
    return PathNow(span=span, share=share, compound=compound, expected=expected,
                   scale=scale, tiny=EPS * np.where(scale > 0, scale, 1.0))  # independent of actual


class Ratio(NamedTuple):
    met_value: np.ndarray      # the actual reaches the goal
    needed: np.ndarray         # progress the whole path requires (signed toward the goal)
    elapsed: np.ndarray        # years from the path start to the actual
    cagr_actual: np.ndarray    # growth rate since the baseline
    ratio: np.ndarray


def progress_ratio(r: Rows, p: PathNow) -> Ratio:
    """The progress ratio: linear (made ÷ required so far), CAGR-based on compound paths, and for relative targets
    1 + margin ÷ |benchmark growth| (= region growth ÷ benchmark growth when that is > 0). A cagr target (baseline
    0 %, expected = goal) gets actual ÷ goal from the linear formula."""
    met_value = r.sign * (r.actual - r.goal) >= -p.tiny
    made = r.sign * (r.actual - r.baseline)
    required_now = r.sign * (p.expected - r.baseline)
    needed = r.sign * (r.goal - r.baseline)
    linear = np.select(
        [required_now > p.tiny, needed > p.tiny],
        [made / np.where(required_now > p.tiny, required_now, 1),
         # path not started yet (as-of at or before the path start): nothing required, so on the path
         # unless the value went the wrong way
         np.where(made >= 0, 1.0, made / np.where(needed > p.tiny, needed, 1))],
        # no progress required (baseline already at or beyond the goal) but not met now: it went back
        np.where(met_value, 1.0, made / np.where(p.scale > 0, p.scale, 1.0) - EPS))
    elapsed = r.t_now - r.start
    cagr_actual = cagr(r.actual, r.baseline, elapsed)
    cagr_required = cagr(r.goal, r.baseline, p.span)
    use_cagr = (p.compound & (elapsed > 0) & np.isfinite(cagr_actual) & (np.abs(cagr_required) > EPS)
                & (needed > p.tiny))
    ratio = np.where(use_cagr, cagr_actual / np.where(use_cagr, cagr_required, 1), linear)
    bg, rg = r.benchmark_growth, r.region_growth
    rel_ratio = np.where(np.abs(bg) > EPS, 1 + (rg - bg) / np.where(np.abs(bg) > EPS, np.abs(bg), 1),
                         np.where(rg >= -EPS, 1.0, -1.0))
    return Ratio(met_value=met_value, needed=needed, elapsed=elapsed, cagr_actual=cagr_actual,
                 ratio=np.where(r.is_rel, rel_ratio, ratio))


def met_and_on_track(r: Rows, q: Ratio, margin_pp: np.ndarray,
                     settings: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(met, on_track): the goal reached (relative: margin ≥ clearly_above_pp); on track (ratio ≥ status.on_track;
    relative: margin ≥ on_track_margin_pp)."""
    rel = settings["relative"]
    met = np.where(r.is_rel, margin_pp >= rel["clearly_above_pp"] - EPS, q.met_value)
    on_track = np.where(r.is_rel, margin_pp >= rel["on_track_margin_pp"] - EPS,
                        q.ratio >= settings["status"]["on_track"] - EPS)
    return met, on_track


class Pace(NamedTuple):
    attainment: np.ndarray
    gap: np.ndarray
    remaining: np.ndarray                 # years to the due year's end (≥ 0)
    required_annual_increase: np.ndarray
    required_growth_rate: np.ndarray
    actual_annual_increase: np.ndarray
    actual_growth_rate: np.ndarray


def pace(r: Rows, p: PathNow, q: Ratio, met: np.ndarray, f: pd.DataFrame, settings: dict[str, Any]) -> Pace:
    """Attainment, gap, the pace still required (per year left, or this year's remainder) and the pace so far.
    cagr targets: the growth a year still required (in %, and as a fraction) and the average growth so far."""
    nominal = np.select([f["comparator"].to_numpy(dtype=object) == "range", r.is_rel],
                        [f["value_low"].to_numpy(dtype=float), r.goal], f["value"].to_numpy(dtype=float))
    attainment = np.where(
        r.sign > 0,
        np.where(nominal > 0, r.actual / np.where(nominal > 0, nominal, 1), np.where(r.actual >= nominal, 1.0, 0.0)),
        # ≤ (ranks): 3rd place against "≤ 10" is the whole target, 100 %, not 333 %
        np.where(r.actual > 0, np.minimum(1.0, nominal / np.where(r.actual > 0, r.actual, 1)), 1.0))
    remaining = np.clip(r.due - r.t_asof, 0, None)
    divisor = np.where(r.is_annual | r.is_rel | (remaining < 1), 1.0, remaining)
    still = np.where(met, 0.0, r.goal - r.actual)
    previous = column(f, "prev")
    required_growth = np.where(met, 0.0, cagr(r.goal, r.actual, divisor))
    actual_inc = np.where(q.elapsed > 0, (r.actual - r.baseline) / np.where(q.elapsed > 0, q.elapsed, 1), 0.0)
    actual_inc = np.where(r.is_annual, r.actual / np.where(p.share > 0, p.share, 1), actual_inc)
    growth_needed = np.where(met, 0.0, column(f, "cagr_needed"))
    return Pace(
        attainment=attainment, gap=r.sign * (r.goal - r.actual), remaining=remaining,
        required_annual_increase=np.select([r.is_rel, r.is_cagr], [np.where(met, 0.0, r.goal - previous),
                                                                    growth_needed * 100], still / divisor),
        required_growth_rate=np.select(
            [r.is_rel, r.is_cagr], [r.benchmark_growth + settings["relative"]["clearly_above_pp"] / 100,
                                    growth_needed], required_growth),
        actual_annual_increase=np.select([r.is_rel, r.is_cagr], [r.actual - previous, r.actual], actual_inc),
        actual_growth_rate=np.select([r.is_rel, r.is_cagr], [r.region_growth, r.actual / 100], q.cagr_actual))


def progress(f: pd.DataFrame, t_asof: np.ndarray, settings: dict[str, Any]) -> pd.DataFrame:
    """Expected value, ratio, met, on track, attainment, gap and pace from actual, baseline, goal and path."""
    r = rows_of(f, t_asof)
    with np.errstate(all="ignore"):
        p = path_now(r, f["frac"].fillna(1.0).to_numpy(dtype=float), f["path"].to_numpy(dtype=object),
                     column(f, "rel_expected"))
        q = progress_ratio(r, p)
        met, on_track = met_and_on_track(r, q, column(f, "margin_pp"), settings)
        s = pace(r, p, q, met, f, settings)
    from_start = np.where(r.is_annual | (r.kind == "cumulative"), f["start_year"].to_numpy(dtype=float) - 1,
                          f["base_year"].to_numpy(dtype=float))
    return f.assign(expected=p.expected, ratio=q.ratio, met=met & r.has, on_track=on_track,
                    attainment=s.attainment, gap=s.gap, required_annual_increase=s.required_annual_increase,
                    required_growth_rate=s.required_growth_rate, actual_annual_increase=s.actual_annual_increase,
                    actual_growth_rate=s.actual_growth_rate, has_actual=r.has,
                    years_elapsed=np.clip(t_asof - from_start, 0, None), years_remaining=s.remaining)


# ------------------------------------------------------------------ forecast

def trend_fit(owner: np.ndarray, t: np.ndarray, value: np.ndarray,
              due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        rate = cagr(v_last, v_first, t_last - t_first)
        compound = np.where(ok, v_last * (1 + rate) ** (due - t_last), np.nan)
    return linear, compound


def trend_points(f: pd.DataFrame, d: ObservationIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points each target's trend is fitted to, as (owner = position in f, t, value), sorted by owner then t:
    level, milestone, relative: the region's yearly values; annual, cagr: whole-year values only; cumulative: the running
    sum of the yearly flows from start_year, with the known zero at the start. Only points since the base year,
    unless that leaves fewer than two (then all of them)."""
    y = d.yearly
    ysk, yt, yv = y["sk"].to_numpy(), y["t"].to_numpy(dtype=float), y["value"].to_numpy(dtype=float)
    yyear, whole = y["year"].to_numpy(), y["frac"].to_numpy(dtype=float) == 1
    kind = f["kind"].to_numpy(dtype=object)
    owner, at = expand(ysk, f["sk"].to_numpy())
    k = kind[owner]
    start, due = f["start_year"].to_numpy(dtype=float), f["due_year"].to_numpy(dtype=float)
    cumulative = k == "cumulative"
    keep = np.where((k == "annual") | (k == "cagr"), whole[at],
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


def forecast(f: pd.DataFrame, d: ObservationIndex, settings: dict[str, Any]) -> pd.DataFrame:
    """Trend forecasts for the due year, from the values since the base year (all values when fewer than two)."""
    owner, t, value = trend_points(f, d)
    linear, compound = trend_fit(owner, t, value, f["due_year"].to_numpy(dtype=float))
    kind = f["kind"].to_numpy(dtype=object)
    compound = np.where(kind == "cumulative", np.nan, compound)  # a sum from zero has no growth rate
    # cagr: the level forecast for the due year as the average growth since the base year, in %
    growth = kind == "cagr"
    if growth.any():
        years = f["due_year"].to_numpy(dtype=float) - f["baseline_t"].to_numpy(dtype=float)
        base = f["baseline"].to_numpy(dtype=float)
        linear = np.where(growth, cagr(linear, base, years) * 100, linear)
        compound = np.where(growth, cagr(compound, base, years) * 100, compound)
    best = np.where((f["path"].to_numpy(dtype=object) == "compound") & ~np.isnan(compound), compound, linear)
    # the due year's whole value is in: it is the forecast
    actual_t = f["actual_t"].to_numpy(dtype=float)
    done = (f["has_actual"].to_numpy(dtype=bool) & (actual_t >= f["due_year"].to_numpy(dtype=float) - EPS)
            & (kind != "relative") & (f["frac"].fillna(1.0).to_numpy(dtype=float) == 1.0))
    best = np.where(done, f["actual"].to_numpy(dtype=float), best)
    goal = f["goal"].to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        reaches = f["sign"].to_numpy(dtype=float) * (best - goal) >= -EPS * np.fmax(np.abs(goal), 1.0)
        reaches &= ~np.isnan(best)
        margin_avg = (column(f, "region_growth_avg") - column(f, "benchmark_growth_avg")) * 100
        rel_reaches = margin_avg >= settings["relative"]["clearly_above_pp"] - EPS
    reaches = np.where(kind == "relative", rel_reaches, reaches)
    return f.assign(forecast_linear=linear, forecast_compound=compound, forecast=best,
                    forecast_reaches=reaches.astype(bool))
