"""Where the values of a status came from: their sources, whether any is sample data, and their vintage (数据状态 and
release day, issue 21), carried through the kind steps as one provenance key per value.

An observation's `src` in metrics.status_data.ObservationIndex is a key for its (source text, 数据状态, release day);
the kind steps pass it on as they always passed the source, and `provenance` reads it back per target row:
is_sample, sources, actual_status / benchmark_status (the 数据状态 of the actual and, for a relative target, of the
benchmark's value that year), the weakest 数据状态 the actual and the baseline rest on, and data_released_on (the
latest release day of the values used). `provisional_status` then says which statuses rest on a 预计 or 初步 value
(README "Metrics")."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from vocab.labels import DATA_STATUSES, PROVISIONAL_STATUSES

DATA_STATUS_KEYS = tuple(DATA_STATUSES)   # a value's 数据状态 as a code: its position here
UNSTATED = DATA_STATUS_KEYS.index("unstated")
PROVISIONAL_CODES = np.array([DATA_STATUS_KEYS.index(k) for k in PROVISIONAL_STATUSES])
NAT = np.datetime64("NaT", "ns")
# the statuses that rest on the values themselves (met, a verdict, a pace); 无数据, 无期末数据 and 数据过期 do not
VALUE_STATUSES = ("met", "unmet", "on_track", "moderate", "off_track", "reverse")
PACE_STATUSES = ("on_track", "moderate", "off_track", "reverse")   # these rest on the baseline too
VINTAGE_OUTPUT = ("actual_status", "benchmark_status", "provisional", "provisional_status", "data_released_on")


class Keys(NamedTuple):
    """What a provenance key (an observation's `src`) stands for: its source text (a code into
    ObservationIndex.sources), its 数据状态 (a code into DATA_STATUS_KEYS) and its release day (datetime64[ns]; NaT
    for 示例数据 and for values without a known day)."""
    text: np.ndarray
    status: np.ndarray
    released: np.ndarray


def release_days(observations: pd.DataFrame) -> np.ndarray:
    """Each observation's release day (datetime64[ns]): its 发布日期, else the day it was entered (when the frame has
    entered_at, in UTC); NaT for 示例数据 (no release history: known on any day) and without either column."""
    sample = observations["is_sample"].to_numpy(dtype=bool)
    day = (pd.to_datetime(observations["released_on"]).to_numpy(dtype="datetime64[ns]")
           if "released_on" in observations else np.full(len(observations), NAT))
    day = np.where(sample, NAT, day)
    missing = np.flatnonzero(np.isnat(day) & ~sample)
    if "entered_at" in observations and len(missing):
        entered = pd.to_datetime(observations["entered_at"].iloc[missing], utc=True)
        day[missing] = entered.dt.tz_localize(None).dt.normalize().to_numpy(dtype="datetime64[ns]")
    return day


def provenance_keys(observations: pd.DataFrame, at: np.ndarray, text: np.ndarray) -> tuple[np.ndarray, Keys]:
    """The provenance key of each observation at `at` (`text`: its source text's code): one code per distinct
    (source, 数据状态, release day). Frames without data_status count as 未注明, without released_on as no day."""
    status = np.full(len(at), UNSTATED, dtype=np.int64)
    if "data_status" in observations:
        coded, names = pd.factorize(observations["data_status"])   # a missing 数据状态 → −1 → 未注明
        known = {k: i for i, k in enumerate(DATA_STATUS_KEYS)}
        lookup = np.array([known.get(n, UNSTATED) for n in names] + [UNSTATED], dtype=np.int64)
        status = lookup[coded[at]]
    day_code, days = pd.factorize(release_days(observations)[at])   # NaT → −1
    n_days = len(days) + 1
    combined = (np.asarray(text, dtype=np.int64) * len(DATA_STATUS_KEYS) + status) * n_days + day_code + 1
    src, uniques = pd.factorize(combined)
    days = np.append(np.asarray(days, dtype="datetime64[ns]"), NAT)   # day code −1 picks the NaT
    rest = uniques // n_days
    return src.astype(np.int64), Keys(text=rest // len(DATA_STATUS_KEYS), status=rest % len(DATA_STATUS_KEYS),
                                      released=days[uniques % n_days - 1])


def _status_of(f: pd.DataFrame, column: str, keys: Keys) -> np.ndarray:
    """The 数据状态 key of the value whose provenance key is in `column` ('' without one)."""
    if column not in f:
        return np.full(len(f), "", dtype=object)
    code = f[column].to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(code)
    names = np.asarray(DATA_STATUS_KEYS, dtype=object)
    out = np.full(len(f), "", dtype=object)
    out[ok] = names[keys.status[code[ok].astype(np.int64)]]
    return out


def provenance(f: pd.DataFrame, used: pd.DataFrame, sources: pd.Index, keys: Keys) -> pd.DataFrame:
    """is_sample: any value used is sample; sources: the distinct sources used, sorted and '；'-joined;
    actual_status (of the value in `src`), benchmark_status (of `bench_src`, relative targets); data_released_on:
    the latest release day of the values used (NaT when none has one); _weakest_actual / _weakest_base: the lowest
    数据状态 code of the values the actual / the baseline rest on (used rows with `base` true are the baseline's;
    UNSTATED without any)."""
    rows, src = used["row"].to_numpy(dtype=np.int64), used["src"].to_numpy(dtype=np.int64)
    target_rows = f["row"].to_numpy()
    size = int(max(target_rows.max(initial=-1), rows.max(initial=-1))) + 1
    any_sample = np.bincount(rows, weights=used["is_sample"].to_numpy(dtype=float), minlength=size) > 0
    # the weakest 数据状态 (预计 before 初步: their order in DATA_STATUS_KEYS) the actual and the baseline rest on
    code = keys.status[src] if len(src) else np.zeros(0, dtype=np.int64)
    base = used["base"].to_numpy(dtype=bool)
    on_actual, on_base = np.full(size, UNSTATED), np.full(size, UNSTATED)
    np.minimum.at(on_actual, rows[~base], code[~base])
    np.minimum.at(on_base, rows[base], code[base])
    released = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)   # NaT's integer: below every day
    np.maximum.at(released, rows, keys.released[src].view(np.int64))
    texts = np.asarray(sources, dtype=object)
    by_text = np.argsort(texts, kind="stable")
    rank = np.empty(len(texts), dtype=np.int64)
    rank[by_text] = np.arange(len(texts))
    pairs = np.unique(rows * (len(texts) + 1) + rank[keys.text[src]])  # distinct (row, source), in text order
    pair_row, pair_text = pairs // (len(texts) + 1), texts[by_text[pairs % (len(texts) + 1)]] if len(pairs) else []
    text = np.full(size, "", dtype=object)
    single = np.bincount(pair_row, minlength=size) == 1
    one = single[pair_row]
    text[pair_row[one]] = np.asarray(pair_text, dtype=object)[one] if len(pairs) else []
    for row in np.flatnonzero(~single & (np.bincount(pair_row, minlength=size) > 1)).tolist():
        text[row] = "；".join(pair_text[k] for k in np.flatnonzero(pair_row == row).tolist())
    relative = f["kind"].to_numpy(dtype=object) == "relative"
    return f.assign(is_sample=any_sample[target_rows], sources=text[target_rows],
                    actual_status=_status_of(f, "src", keys),
                    benchmark_status=np.where(relative, _status_of(f, "bench_src", keys), ""),
                    data_released_on=released[target_rows].view("datetime64[ns]"),
                    _weakest_actual=on_actual[target_rows], _weakest_base=on_base[target_rows])


def provisional_status(status: np.ndarray, weakest_actual: np.ndarray, weakest_base: np.ndarray) -> np.ndarray:
    """The 数据状态 key ('estimate' or 'preliminary') of the weakest 预计 or 初步 value a status rests on, '' when it
    rests on none: met or a verdict on its actual's values (for a relative target: both regions' values of the
    growth; a cumulative target: every flow summed; a cagr target: both ends), a pace status on its baseline's too.
    无数据, 无期末数据 and 数据过期 rest on no value's size: always ''. weakest_*: codes into DATA_STATUS_KEYS."""
    status = np.asarray(status, dtype=object)
    weakest = np.where(np.isin(status, PACE_STATUSES), np.minimum(weakest_actual, weakest_base), weakest_actual)
    counted = np.isin(status, VALUE_STATUSES) & np.isin(weakest, PROVISIONAL_CODES)
    names = np.asarray(DATA_STATUS_KEYS, dtype=object)
    return np.where(counted, names[np.minimum(weakest, len(names) - 1)], "")
