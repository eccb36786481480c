"""The observations the status engine reads, cut at each target row's own time and indexed for vectorised lookups.

A *cut* is a copy of every series a row needs, up to one time (and, for `whole_years`, whole-year values only: a
year's value or its Q4). Rows say which cut they read (column `cut`); a series of cut c gets the key
`series × cut`, so one pass serves as many as-of periods — and as many due years — as the rows need."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from metrics.status_vintage import provenance_keys

EPS = 1e-9  # tolerance for "exactly on the boundary" comparisons of times and values (floating point)


class Cut(NamedTuple):
    """The data a row may use: values at or before time `t` (whole years only when `whole_years`)."""
    t: float
    whole_years: bool = False


def period_time(year: object, quarter: object) -> np.ndarray:
    """Time on a continuous axis: year Y (whole year) = Y; quarter q of Y (year-to-date) = Y − 1 + q/4."""
    year = np.asarray(year, dtype=float)
    quarter = np.asarray(quarter, dtype=float)
    return np.where(quarter > 0, year - 1 + quarter / 4, year)


def take(values: np.ndarray, positions: np.ndarray, missing: float = np.nan) -> np.ndarray:
    """values[positions] as floats, `missing` where the position is −1."""
    if not len(values):
        return np.full(len(positions), missing)
    return np.where(positions >= 0, values[np.maximum(positions, 0)].astype(float), missing)


def last_of(owner: np.ndarray, size: int) -> np.ndarray:
    """The position of each owner's last item (−1 when it has none); owners are grouped in order."""
    last = np.full(size, -1)
    last[owner] = np.arange(len(owner))
    return last


def expand(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each wanted key, the positions of its rows in `keys` (sorted): (which wanted item, row position),
    wanted items in order and each one's rows in their stored order — a one-to-many join on sorted integers."""
    lo = np.searchsorted(keys, wanted, "left")
    counts = np.searchsorted(keys, wanted, "right") - lo
    owner = np.repeat(np.arange(len(wanted)), counts)
    starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return owner, starts + np.arange(counts.sum())


def used_values(frame: pd.DataFrame, src: str, sample: str, where: np.ndarray | None = None,
                base: bool = False) -> pd.DataFrame:
    """The (row, src, is_sample, base) of the values a target used: rows with a source code (and `where`, if given);
    base: these values are the baseline (the pace rests on them, a verdict or met does not)."""
    codes = frame[src].to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(codes) if where is None else ~np.isnan(codes) & where
    return pd.DataFrame({"row": frame["row"].to_numpy()[ok], "src": codes[ok].astype(int),
                         "is_sample": frame[sample].to_numpy()[ok].astype(bool), "base": base})


class ObservationIndex:
    """The observations the target rows can use, keyed by integer series codes (region × indicator × cut).

    sk, bsk: per row of the rows frame, its series key and its benchmark's (−1 when the series is unknown).
    obs: sk, year, quarter, t, annual, value, src (a provenance key: .keys gives its source text as a code into
    .sources, its 数据状态 and its release day), is_sample — each cut's values, sorted so that the last row of a
    series or a year is the latest (a whole-year value wins over the same year's Q4).
    yearly: one row per (sk, year): the whole-year value, else the latest year-to-date quarter; frac = q/4."""

    def __init__(self, observations: pd.DataFrame, rows: pd.DataFrame, cuts: list[Cut]) -> None:
        regions = pd.Index(pd.unique(pd.concat([rows["region"], rows["benchmark"].dropna()]).astype(object)))
        indicators = pd.Index(pd.unique(rows["indicator"].astype(object)))
        n = len(indicators)

        def codes(values: pd.Series, index: pd.Index) -> np.ndarray:
            """Position of each value in index (−1 when absent), via factorize: fast on arrow strings."""
            c, uniques = pd.factorize(values)
            lookup = np.append(index.get_indexer(pd.Index(uniques, dtype=object)), -1)
            return lookup[c]  # c == −1 (missing) picks the appended −1

        def series_key(region: pd.Series, indicator: pd.Series) -> np.ndarray:
            r, i = codes(region, regions), codes(indicator, indicators)
            return np.where((r >= 0) & (i >= 0), r * n + i, -1)

        n_series = len(regions) * n  # a cut's series keys are offset by cut × n_series
        cut = rows["cut"].to_numpy()
        own, bench = series_key(rows["region"], rows["indicator"]), series_key(rows["benchmark"], rows["indicator"])
        self.sk = np.where(own >= 0, own + cut * n_series, -1)
        self.bsk = np.where(bench >= 0, bench + cut * n_series, -1)
        sk = series_key(observations["region"], observations["indicator"])
        year = observations["year"].to_numpy(dtype=float)
        quarter = observations["quarter"].to_numpy(dtype=float)
        tt = period_time(year, quarter)
        value = observations["value"].to_numpy(dtype=float)
        usable = (sk >= 0) & ~np.isnan(value)
        whole = (quarter == 0) | (quarter == 4)
        cut_of_row = np.concatenate((cut, cut))
        keys_of_row = np.concatenate((own, bench))
        candidates = np.flatnonzero(usable)
        c_sk, c_t, c_whole = sk[candidates], tt[candidates], whole[candidates]
        cuts_at = []
        for c, (t_cut, whole_years) in enumerate(cuts):  # each cut: the series its rows need, up to its time
            need = np.zeros(n_series, dtype=bool)
            need[keys_of_row[(cut_of_row == c) & (keys_of_row >= 0)]] = True
            ok = need[c_sk] & (c_t <= t_cut + EPS)
            cuts_at.append(candidates[ok & c_whole if whole_years else ok])
        at = np.concatenate(cuts_at) if cuts_at else np.zeros(0, dtype=np.int64)
        offset = np.repeat(np.arange(len(cuts_at)) * n_series, [len(c) for c in cuts_at])
        keys = sk[at] + offset
        # order by series, time, then a whole year's value after the same year's Q4: one integer key
        # (times are whole quarters), one stable argsort; then every column is taken once, in that order
        quarter_no = np.rint(tt[at] * 4).astype(np.int64)
        low = quarter_no.min(initial=0)
        span = int(quarter_no.max(initial=0) - low) + 1 if len(at) else 1
        order = np.argsort((keys.astype(np.int64) * span + (quarter_no - low)) * 2 + (quarter[at] == 0),
                           kind="stable")
        keys, at = keys[order], at[order]
        # sources: a missing source counts as "" (one code with an empty text, if any)
        codes_all, uniques = pd.factorize(observations["source"])
        self.sources = pd.Index(uniques, dtype=object)
        text = codes_all[at]
        if (text < 0).any():
            if "" not in self.sources:
                self.sources = self.sources.append(pd.Index([""], dtype=object))
            text = np.where(text < 0, self.sources.get_loc(""), text)
        src, self.keys = provenance_keys(observations, at, text)
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
        self.obs_sk = sk_o
        times = o["t"].to_numpy(dtype=float)
        self._times = np.unique(times)
        # (sk, rank of t) as one exact integer key, sorted like obs: a baseline is one searchsorted away
        self._key = sk_o.astype(np.int64) * (len(self._times) + 1) + np.searchsorted(self._times, times)
        self._columns = {"baseline": o["value"].to_numpy(dtype=float), "baseline_t": times,
                         "baseline_src": o["src"].to_numpy(), "baseline_sample": o["is_sample"].to_numpy()}

    def latest(self, sk: np.ndarray) -> np.ndarray:
        """Position in obs of each series' latest value (−1 without one)."""
        sk = np.asarray(sk)
        last = last_of(self.obs_sk, int(max(sk.max(initial=-1), self.obs_sk.max(initial=-1))) + 1)
        return np.where(sk >= 0, last[np.maximum(sk, 0)] if len(last) else -1, -1)

    def baselines(self, sk: np.ndarray, base_year: np.ndarray) -> dict[str, np.ndarray]:
        """Per (sk, base_year): baseline, baseline_t, baseline_src, baseline_sample — the latest value at or before
        the base year, else the earliest after it (NaN when the series has none)."""
        sk = np.asarray(sk).astype(np.int64)
        cut = np.searchsorted(self._times, np.asarray(base_year, dtype=float) + EPS, "right")
        i = np.searchsorted(self._key, sk * (len(self._times) + 1) + cut)  # first value after the base year
        n = len(self._key)
        before = (i > 0) & (self.obs_sk[np.maximum(i - 1, 0)] == sk) if n else np.zeros(len(sk), dtype=bool)
        after = (i < n) & (self.obs_sk[np.minimum(i, n - 1)] == sk) if n else np.zeros(len(sk), dtype=bool)
        pick = np.where(before, i - 1, np.where(after, i, -1))
        return {name: take(values, pick) for name, values in self._columns.items()}
